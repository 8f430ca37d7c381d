"""No credential in any output: every artifact of a run full of secrets is written and scanned.

The sample run carries the secrets in credential headers, URL queries (plain and percent-encoded),
request and response bodies (text and binary), the curl lines, the config, transport errors,
harness errors and check messages. The scanner's own reach is proven first, on planted leaks.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from report_sample import API_KEY, SECRETS, SEED, sample_config, sample_document, sample_exchanges, sample_results

from ingest_conformance.cassettes.record import entry_dict
from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.judging.expected import ExpectedFailures
from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.judging.suite import Suite
from ingest_conformance.pytest.reports import summary_lines, write_results
from ingest_conformance.reporting import render_console, scan_for_secrets, write_reports
from ingest_conformance.wire.client import Credentials
from ingest_conformance.wire.exchange import Exchange
from ingest_conformance.wire.redaction import (
    REDACTED,
    redact_bytes,
    redact_exchange,
    redact_headers,
    redact_test_report,
    redact_text,
    secret_forms,
)

pytestmark = pytest.mark.unit


def _plant(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda s: s, id="plain"),
        pytest.param(lambda s: html.escape(s), id="html"),
        pytest.param(
            lambda s: json.dumps(s, ensure_ascii=True).replace("<", "\\u003c").replace("&", "\\u0026"), id="json"
        ),
        pytest.param(lambda s: quote(s, safe=""), id="percent"),
        pytest.param(lambda s: quote_plus(s), id="percent-plus"),
        pytest.param(lambda s: "\x1b[1m" + s[:5] + "\x1b[0m\x1b[31m" + s[5:] + "\x1b[0m", id="ansi-split"),
        pytest.param(lambda s: s[:9] + "\n│ " + s[9:], id="wrapped"),
        *[
            pytest.param(
                lambda s, pad=pad: base64.b64encode(b"x" * pad + s.encode() + b"tail").decode(), id=f"base64+{pad}"
            )
            for pad in range(3)
        ],
        pytest.param(lambda s: base64.urlsafe_b64encode(b"--" + s.encode()).decode().rstrip("="), id="base64url"),
    ],
)
def test_scanner_finds_each_encoding_of_a_leak(tmp_path: Path, encode: object) -> None:
    assert callable(encode)
    path = _plant(tmp_path, "leak.txt", f"before {encode(API_KEY)} after".encode())
    findings = scan_for_secrets([path], SECRETS)
    assert [f.secret_index for f in findings] == [0]
    assert API_KEY not in str(findings[0])  # a finding names the secret by position only


def test_scanner_is_quiet_on_clean_files(tmp_path: Path) -> None:
    path = _plant(tmp_path, "clean.txt", b"x-api-key: ***\n" + base64.b64encode(b"nothing to see " * 20))
    assert scan_for_secrets([path], SECRETS) == []


def test_the_sample_really_holds_every_secret(tmp_path: Path) -> None:
    """The redaction test below would prove nothing if the secrets were never in the input."""
    raw = b"\n".join(
        b"%r %r %r %r %r" % (ex.url, ex.request_headers, ex.request_body, ex.response_body, ex.error)
        for ex in sample_exchanges().values()
    )
    records = "\n".join(f"{r.message} {r.received}" for r in sample_results().records)
    path = _plant(tmp_path, "raw.txt", raw + records.encode() + repr(sample_results().harness_errors).encode())
    assert sorted({f.secret_index for f in scan_for_secrets([path], SECRETS)}) == [0, 1, 2, 3]


def test_no_artifact_of_a_run_holds_a_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = sample_document()
    written = write_reports(document, tmp_path / "reports", ["json", "junit", "html", "console"])
    (tmp_path / "console-color.txt").write_text(render_console(document, color=True), encoding="utf-8")
    config = replace(sample_config(), report_dir=tmp_path / "run")
    suite = Suite(
        config=config,
        catalogue=load_catalogue(),
        spec=OpenAPIDocument(load_openapi()),
        expected=ExpectedFailures(),
        results=sample_results(),
        base_url=config.target_url or "",
        credentials=Credentials(config.api_key, config.access_token),
        run_tag="ic-test",
        seed=SEED,
    )
    write_results(suite)
    print("\n".join(summary_lines(suite)))
    (tmp_path / "summary.txt").write_text(capsys.readouterr().out, encoding="utf-8")
    paths = [*written.values(), *(tmp_path / "run").iterdir(), tmp_path / "console-color.txt", tmp_path / "summary.txt"]
    assert len(paths) == 9
    assert [str(f) for f in scan_for_secrets(paths, SECRETS)] == []
    assert "***" in written["json"].read_text(encoding="utf-8")  # redacted, not dropped


def test_curl_lines_drop_secrets_from_body_bytes() -> None:
    """Exchange.curl carries the body as base64; a key inside the body must not survive there either."""
    by_url = sample_exchanges()["binary"]
    assert SECRETS[2].encode() in (by_url.request_body or b"")
    line = by_url.curl(SECRETS)
    encoded = line.split()[2]
    assert SECRETS[2].encode() not in base64.b64decode(encoded) and b"***" in base64.b64decode(encoded)


def test_pytest_reports_are_redacted_in_place() -> None:
    """What pytest prints for a failed contract test: the failure text and the captured sections."""
    echoed = f"[ERR-5XX-001] received: 500 {{'message': 'bad key {quote(API_KEY, safe='')}'}}"
    report = pytest.TestReport(
        "t.py::test",
        ("t.py", 1, "test"),
        {},
        "failed",
        echoed,
        "call",
        sections=[
            ("reproduce (seed 1)", f"GET http://h/?k={API_KEY} -> 500"),
            ("Captured stdout call", f"token {SECRETS[1]}"),
        ],
    )
    redact_test_report(report, SECRETS)
    text = str(report.longrepr) + repr(report.sections)
    assert "[ERR-5XX-001] received: 500" in text and text.count("***") == 3
    assert all(secret not in text and quote(secret, safe="") not in text for secret in SECRETS)
    skipped = pytest.TestReport(
        "t.py::test", ("t.py", 1, "test"), {}, "skipped", ("t.py", 3, f"Skipped: target refused key {API_KEY}"), "setup"
    )
    redact_test_report(skipped, SECRETS)
    assert skipped.longrepr == ("t.py", 3, "Skipped: target refused key ***")  # pytest needs the tuple shape
    untouched = pytest.TestReport("t.py::test", ("t.py", 1, "test"), {}, "passed", None, "call")
    redact_test_report(untouched, SECRETS)
    assert untouched.longrepr is None and untouched.sections == []


# -- the primitives every writer shares -------------------------------------------------------------
SECRET = "sk-live+/=0123456789"


def _exchange_full_of_secrets() -> Exchange:
    body = b"\xff\xfe binary " + SECRET.encode() + b" \x00"
    return Exchange(
        method="POST",
        url=f"http://127.0.0.1:9/v1/ingest/uploads?k={quote(SECRET, safe='')}",
        request_headers=[
            ("x-api-key", SECRET),
            ("x-invofox-signature", "sha256=abcdef"),
            ("x-echo", f"plain {SECRET}"),
        ],
        request_body=body,
        request_body_size=len(body),
        request_body_sha256=hashlib.sha256(body).hexdigest(),
        response_headers=[("content-type", "application/json")],
        status=200,
        response_body=json.dumps({"echo": quote_plus(SECRET)}).encode(),
    )


def test_secret_forms_cover_percent_encodings_longest_first() -> None:
    forms = secret_forms([SECRET, ""])
    assert {SECRET, quote(SECRET, safe=""), quote_plus(SECRET)} <= set(forms)
    assert [len(f) for f in forms] == sorted((len(f) for f in forms), reverse=True)


def test_primitives_replace_every_form() -> None:
    forms = secret_forms([SECRET])
    assert redact_text(f"a {quote_plus(SECRET)} b", forms) == f"a {REDACTED} b"
    assert redact_bytes(b"\x00" + SECRET.encode(), forms) == b"\x00" + REDACTED.encode()
    headers = redact_headers([("X-Api-Key", "anything"), ("x-custom", "v"), ("x-other", SECRET)], forms, ["X-Custom"])
    assert headers == [["X-Api-Key", REDACTED], ["x-custom", REDACTED], ["x-other", REDACTED]]


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(lambda ex: json.dumps(ex.to_dict([SECRET])), id="exchange.to_dict"),
        pytest.param(lambda ex: ex.curl([SECRET]), id="exchange.curl"),
        pytest.param(lambda ex: json.dumps(redact_exchange(ex, [SECRET])), id="report"),
        pytest.param(lambda ex: json.dumps(entry_dict(1, "t", ex, secret_forms([SECRET]))), id="cassette"),
    ],
)
def test_every_writer_hides_every_form(render: object, tmp_path: Path) -> None:
    """Reports and cassettes redact through the same module: no writer lets a form through."""
    text = render(_exchange_full_of_secrets())  # type: ignore[operator]
    assert "abcdef" not in text  # the webhook signature header counts as a credential
    out = tmp_path / "out.txt"
    out.write_text(text)
    assert scan_for_secrets([out], [SECRET]) == []
