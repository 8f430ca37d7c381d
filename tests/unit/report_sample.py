"""A synthetic run for the report tests: every outcome, hostile values, and secrets everywhere.

`sample_document()` builds a real `RunResults` (records at the catalogue's own levels, wire-exact
exchanges) and turns it into the results document with the production code, so the report tests
exercise the same path a run takes. The target's answers are hostile on purpose: markup and
`</script>` in bodies, terminal escape sequences, NUL bytes, a raw Latin-1 multipart filename, and
the credentials echoed back in headers, URL queries, bodies (text and binary), error strings and
check messages. Used by tests/unit/test_report_*.py and tests/selftest/test_report_browser.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from ingest_conformance.config.target import Secret, TargetConfig
from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.judging.results import CheckRecord, Outcome, RunResults
from ingest_conformance.judging.traffic import ProcessingRow, RequestRow, Traffic
from ingest_conformance.reporting import build_document
from ingest_conformance.wire.exchange import Exchange

# Credentials with characters that every output format encodes differently (&, <, +, /, =).
API_KEY = "sk-live-Key/with+plus=&<amp>42"
ACCESS_TOKEN = "tok_ACCESS_0123456789abcdef"
SECOND_KEY = "second-api-key-B-7f3a9c"
SECOND_TOKEN = "second-access-token-B-e41d"
SECRETS = (API_KEY, ACCESS_TOKEN, SECOND_KEY, SECOND_TOKEN)

BASE = "http://127.0.0.1:8123"
HOSTILE = '<script>alert("x")</script></script><!-- \x1b[31mred\x1b[0m \x00 & "quotes" \''
LATIN1_BODY = (
    b'--b\r\nContent-Disposition: form-data; name="files"; filename="caf\xe9 r\xe9sum\xe9.pdf"\r\n'
    b"Content-Type: application/pdf\r\n\r\n%PDF-1.4 tiny\r\n--b--\r\n"
)
SEED = 424242

TEST = "ingest_conformance/contract/test_sample.py::"


def _exchange(
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    *,
    status: int | None,
    response_headers: Sequence[tuple[str, str]] = (),
    response_body: bytes = b"",
    error: str | None = None,
    note: str = "",
    streamed_size: int | None = None,
) -> Exchange:
    ex = Exchange.for_request(
        method, url, headers, body, streamed_size=streamed_size, streamed_sha256="ab" * 32 if streamed_size else ""
    )
    ex.status = status
    ex.response_headers = list(response_headers)
    ex.response_body = response_body
    ex.error = error
    ex.note = note
    ex.elapsed_s = 0.0123
    return ex


def sample_exchanges() -> dict[str, Exchange]:
    json_ct = [("content-type", "application/json")]
    return {
        # A MUST broken: a 500 to a Latin-1 filename, the key echoed in the body and a header.
        "latin1": _exchange(
            "POST",
            f"{BASE}/v1/ingest/uploads",
            [
                ("content-type", "multipart/form-data; boundary=b"),
                ("x-api-key", API_KEY),
                ("content-length", str(len(LATIN1_BODY))),
            ],
            LATIN1_BODY,
            status=500,
            response_headers=[*json_ct, ("x-echo-key", API_KEY)],
            response_body=f'{{"statusCode":500,"message":"boom for key {API_KEY} {HOSTILE}"}}'.encode(),
            note="raw Latin-1 filename",
        ),
        # The token in a percent-encoded URL query and in an authorization header; markup in the body.
        "query": _exchange(
            "GET",
            f"{BASE}/v1/ingest/files/0123456789abcdef01234567?token={quote(ACCESS_TOKEN)}&key="
            f"{quote(API_KEY, safe='')}",
            [("x-access-token", ACCESS_TOKEN), ("authorization", f"Bearer {ACCESS_TOKEN}")],
            b"",
            status=200,
            response_headers=[("content-type", "text/html")],
            response_body=f"<html>{HOSTILE} {ACCESS_TOKEN}</html>".encode(),
        ),
        # A by-url JSON body carrying the second key in a URL; a binary answer with the key inside.
        "binary": _exchange(
            "POST",
            f"{BASE}/v1/ingest/by-url",
            [("content-type", "application/json"), ("x-api-key", SECOND_KEY)],
            f'{{"files":[{{"url":"http://127.0.0.1:9/a.pdf?k={SECOND_KEY}"}}]}}'.encode(),
            status=400,
            response_headers=[("content-type", "application/octet-stream")],
            response_body=b"\xff\xfe\x00binary " + SECOND_TOKEN.encode() + b" \x80\x81 end",
        ),
        # No answer at all; the transport error repeats a credential.
        "reset": _exchange(
            "POST",
            f"{BASE}/v1/ingest/single",
            [("x-api-key", SECOND_KEY)],
            None,
            status=None,
            error=f"connection reset while sending with key {SECOND_KEY}",
            streamed_size=200 * 1024 * 1024,
        ),
        # A body too large to inline: shown by size and hash.
        "large": _exchange(
            "POST",
            f"{BASE}/v1/ingest/uploads",
            [("x-api-key", API_KEY)],
            b"A" * 40_000,
            status=413,
            response_headers=json_ct,
            response_body=b'{"statusCode":413,"message":"Payload Too Large","error":"Payload Too Large"}',
        ),
        # 429 without Retry-After: a SHOULD broken.
        "throttled": _exchange(
            "GET",
            f"{BASE}/v1/ingest/imports",
            [("x-api-key", API_KEY)],
            b"",
            status=429,
            response_headers=json_ct,
            response_body=b'{"statusCode":429,"message":"slow down"}',
        ),
    }


def sample_results() -> RunResults:
    ex = sample_exchanges()
    results = RunResults(seed=SEED, config={}, started_at=1_790_000_000.0, finished_at=1_790_000_042.0)
    catalogue = load_catalogue()

    def add(
        rid: str,
        outcome: Outcome,
        test: str,
        exchanges: Sequence[Exchange] = (),
        *,
        message: str = "",
        received: str = "",
        documented: str = "",
        operation: str | None = None,
    ) -> None:
        record = CheckRecord(
            rid,
            str(catalogue[rid].level),
            outcome,
            TEST + test,
            message=message,
            received=received,
            documented=documented,
            operation=operation,
        )
        results.add(record, exchanges)

    add("RESP-GET-001", Outcome.PASS, "test_get_file", [ex["query"]], operation="getFile")
    add("ERR-5XX-001", Outcome.PASS, "test_get_file", [ex["query"]], operation="getFile")
    add(
        "ERR-5XX-001",
        Outcome.FAIL,
        "test_latin1_upload",
        [ex["latin1"]],
        message=f"the target answered 500 to a raw Latin-1 filename (key {API_KEY})",
        received=f'500 {{"message":"boom for key {API_KEY} {HOSTILE}"}}',
        documented="a 4xx or a 2xx, never 5xx",
        operation="uploadFiles",
    )
    add(
        "NAME-LAT1-001",
        Outcome.FAIL,
        "test_latin1_upload",
        [ex["latin1"]],
        message="upload of café résumé.pdf did not succeed",
        received="500",
        documented="status in [200, 201]",
        operation="uploadFiles",
    )
    add(
        "RATE-429-002",
        Outcome.WARN,
        "test_list_imports",
        [ex["throttled"]],
        message="429 without Retry-After",
        received="no Retry-After header",
        documented="Retry-After: seconds",
    )
    add(
        "RATE-429-001",
        Outcome.INFO,
        "test_list_imports",
        [ex["throttled"]],
        message="a 429 was seen and retried",
        received="429",
    )
    add(
        "VAL-400-005",
        Outcome.XFAIL,
        "test_by_url_validation",
        [ex["binary"]],
        message="expected failure: sandbox answers 400 with a binary body",
        received=f"400 with token {SECOND_TOKEN}",
        documented="JSON error body",
    )
    add("AUTH-BAD-001", Outcome.STALE, "*", message="listed as expected failure but held: sandbox bug #12")
    add(
        "ISO-FILE-001",
        Outcome.SKIP,
        "test_cross_environment",
        message="no second environment configured (--second-api-key)",
    )
    add(
        "SIZE-413-002",
        Outcome.ERROR,
        "test_streamed_oversize",
        [ex["large"], ex["reset"]],
        message=f"harness error: ConnectionResetError: reset while streaming with {SECOND_KEY}",
    )
    add("SIZE-413-001", Outcome.PASS, "test_oversize_content_length", [ex["large"]], operation="uploadFiles")
    results.harness_errors.append(f"cleanup failed: DELETE refused for token {ACCESS_TOKEN}")
    results.traffic = sample_traffic(results.started_at)
    return results


# The sample run's traffic (timings): known latencies per operation, two 429s each retried once, and
# files of three formats followed to their end. tests/unit/test_report_timings.py checks the figures.
SAMPLE_LATENCIES = {
    ("GET", "/v1/ingest/files/0123456789abcdef01234567"): [0.010 + i / 1000 for i in range(10)],
    ("POST", "/v1/ingest/uploads"): [0.05, 0.06, 0.07, 0.08, 0.5, 2.0],
    ("GET", "/v1/ingest/imports"): [0.02, 0.02, 0.03, 0.03, 0.04],
    ("DELETE", "/v1/ingest/uploads"): [0.004],
}


def sample_traffic(started_at: float) -> Traffic:
    traffic = Traffic()
    at = started_at + 0.5
    for (method, path), latencies in SAMPLE_LATENCIES.items():
        for elapsed in latencies:
            status = 405 if method == "DELETE" else 201 if method == "POST" else 200
            traffic.requests.append(RequestRow(at, elapsed, method, path, status, 0))
            at += 1.3
    # Two 429s in the run's 30th second, each retried after its Retry-After.
    traffic.requests.append(RequestRow(started_at + 30.2, 0.003, "GET", "/v1/ingest/imports", 429, 0))
    traffic.requests.append(RequestRow(started_at + 30.4, 0.003, "GET", "/v1/ingest/imports", 429, 0))
    traffic.requests.append(RequestRow(started_at + 31.3, 0.02, "GET", "/v1/ingest/imports", 200, 1))
    traffic.requests.append(RequestRow(started_at + 31.5, 0.02, "GET", "/v1/ingest/imports", 200, 1))
    traffic.processing += [
        ProcessingRow("pdf", 0.3, "processed"),
        ProcessingRow("pdf", 0.4, "processed"),
        ProcessingRow("pdf", 0.5, "rejected"),
        ProcessingRow("png", 0.05, "rejected"),
        ProcessingRow("zip", 60.0, "timed out"),
    ]
    return traffic


def sample_config() -> TargetConfig:
    return replace(
        TargetConfig(target_url=f"{BASE}/?api_key={API_KEY}", seed=SEED),
        api_key=Secret(API_KEY),
        access_token=Secret(ACCESS_TOKEN),
        second_api_key=Secret(SECOND_KEY),
        second_access_token=Secret(SECOND_TOKEN),
    )


def sample_document(*, strict: bool = False) -> dict[str, Any]:
    """The results document of the sample run, built by the production code."""
    config = sample_config()
    run = {
        "target": config.target_url or BASE,
        "bundled_mock": False,
        "level": "standard",
        "run_tag": "ic-20260921T120000-abc123",
    }
    return build_document(
        load_catalogue(), sample_results(), run=run, config=config.redacted(), secrets=config.secrets(), strict=strict
    )
