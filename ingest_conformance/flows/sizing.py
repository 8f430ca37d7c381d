"""Bodies of an exact total size around profile `max_request_bytes`, and how they are sent and judged.

Oversized bodies go out through the raw-socket probe (`rawhttp.probe`), which keeps reading while it
writes: a target may answer 413 early and close, and that answer must still be judged. Bodies at or
under the limit go through the recording client (httpx, streamed), which also speaks https.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pytest
from hypothesis.errors import InvalidArgument

from ingest_conformance.flows.generation import marker_of, salt_of
from ingest_conformance.flows.steps import judge_all
from ingest_conformance.flows.upload import BY_URL, SINGLE, UPLOADS, tag_info
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import (
    RUN_TAG_KEY,
    BytesSource,
    ConcatSource,
    Part,
    RepeatSource,
    RequestBody,
    StreamedBody,
    sized_upload_body,
)
from ingest_conformance.wire.client import MAX_429_RETRIES, Auth, TargetClient, retry_after_seconds
from ingest_conformance.wire.exchange import Exchange
from ingest_conformance.wire.rawhttp import ProbeResult, probe

CONTENT_LENGTH, CHUNKED = "content-length", "chunked"
# operation key -> (path, operationId)
OPERATIONS = {
    "uploads": (UPLOADS, "uploadFiles"),
    "single": (SINGLE, "uploadSingle"),
    "by-url": (BY_URL, "uploadByUrl"),
}
NEVER_FETCHED_URL = "https://example.com/ingest-conformance/never-fetched.pdf"
MIN_RATE_BYTES_S = 1_000_000  # the probe's deadline assumes at least 1 MB/s to the target


def require_heavy(suite: Suite, what: str) -> None:
    """Skip unless bodies of about `max_request_bytes` may be aimed at this target."""
    if not suite.config.heavy_probes_allowed:
        pytest.skip(
            f"{what} are not sent to the production host {suite.config.target_host} "
            "(pass --allow-heavy-probes to send them)"
        )


def sized_body(suite: Suite, operation: str, size: int) -> RequestBody:
    """A request of exactly `size` body bytes for `operation` (multipart framing counted in); its PDF names
    a marker drawn from the run's seed, so another seed sends another file."""
    info = Part.json("info", tag_info(suite))
    marker = marker_of(suite, salt_of("sized body", operation, size))
    try:
        if operation == "uploads":
            return sized_upload_body(size, extra_parts=[info], marker=marker)
        if operation == "single":
            return sized_upload_body(size, field_name="file", extra_parts=[info], marker=marker)
        return by_url_body(suite, size)
    except (InvalidArgument, ValueError) as exc:
        pytest.skip(f"max_request_bytes is too small for a {operation} body of {size} bytes: {exc}")


def by_url_body(suite: Suite, size: int) -> StreamedBody:
    """A by-url JSON body of exactly `size` bytes: one entry, padded inside the tagged clientData."""
    head = json.dumps(
        {"files": [{"url": NEVER_FETCHED_URL}], "info": {"clientData": {RUN_TAG_KEY: suite.run_tag, "padding": ""}}}
    )
    cut = head.rindex('""}}}') + 1  # inside the padding string's quotes
    prefix, suffix = head[:cut].encode(), head[cut:].encode()
    pad = size - len(prefix) - len(suffix)
    if pad < 0:
        raise ValueError(f"a by-url body needs at least {len(prefix) + len(suffix)} bytes")
    source = ConcatSource([BytesSource(prefix), RepeatSource(b"a", pad), BytesSource(suffix)])
    return StreamedBody(source, content_type="application/json")


@dataclass
class Sent:
    """One sized request and what came back."""

    exchange: Exchange
    framing: str
    probe: ProbeResult | None = None

    def figures(self) -> str:
        ex = self.exchange
        rate = ex.request_body_size / ex.elapsed_s / 1e6 if ex.elapsed_s else 0.0
        return f"{ex.request_body_size} body bytes sent in {ex.elapsed_s:.2f} s ({rate:.0f} MB/s)"


def probe_oversized(
    suite: Suite,
    verdict: Verdict,
    path: str,
    body: RequestBody,
    framing: str,
    *,
    auth: Auth = "api_key",
    extra_headers: tuple[tuple[str, str], ...] = (),
    note: str = "",
) -> Sent:
    """Send `body` over a raw socket; a 429 means wait as Retry-After says and try again (bounded)."""
    headers = [*suite.credentials.headers(auth).items(), ("Content-Type", body.content_type), *extra_headers]
    length = body.content_length if framing == CONTENT_LENGTH else None
    timeout = 60.0 + body.content_length / MIN_RATE_BYTES_S
    for _ in range(MAX_429_RETRIES + 1):
        result, ex = probe(
            suite.base_url + path, "POST", headers, body.iter_bytes(), content_length=length, timeout_s=timeout
        )
        ex.note = f"{note}; {ex.note}"
        verdict.exchanges.append(ex)
        if result.status != 429:
            sent = Sent(ex, framing, result)
            ex.note += f"; {sent.figures()}"
            return sent
        time.sleep(retry_after_seconds(ex.header("retry-after")))
    pytest.skip(f"rate-limited: the target answered 429 to {MAX_429_RETRIES + 1} attempts of {note}; not judged")


def send_within_limit(client: TargetClient, path: str, body: RequestBody, framing: str, *, note: str = "") -> Sent:
    """Stream `body` through the recording client (which waits out 429s itself)."""
    headers = {"content-type": body.content_type}
    if framing == CONTENT_LENGTH:
        headers["content-length"] = str(body.content_length)  # httpx then sends no Transfer-Encoding
    ex = client.send("POST", path, headers=headers, content=body.iter_bytes, note=note)
    sent = Sent(ex, framing)
    ex.note += f"; {sent.figures()}"
    return sent


def judge_refused(verdict: Verdict, sent: Sent, rid: str, operation: str, allowed: set[int], what: str) -> None:
    """An oversized request: a readable answer (SIZE-413-003), of an allowed status (`rid`), never 5xx."""
    ex = sent.exchange
    verdict.require(
        "SIZE-413-003",
        ex.status is not None,
        exchange=ex,
        received=f"no answer after {ex.request_body_size} body bytes: {ex.error}",
        documented="an HTTP answer the client can read, even if the target answers early and closes",
        message=f"the connection ended with no answer to {what}",
    )
    judge_all(
        lambda: verdict.status_in(
            rid, ex, allowed, f"status in {sorted(allowed)} for {what}", message=f"{what}: {sent.figures()}"
        ),
        lambda: verdict.answered(ex, operation, what),
    )
