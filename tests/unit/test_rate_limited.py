"""A 429 still there after the client's bounded retries is a skip named "rate-limited", never a failure
(DECISIONS "Rate limits"), on every path: a plain send, a status poll, a hypothesis-driven test, the fuzzer."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest_conformance.config.target import Secret
from ingest_conformance.flows import fuzz_wire
from ingest_conformance.flows.fuzz_wire import WireRequest
from ingest_conformance.flows.polling import poll_file
from ingest_conformance.wire.client import MAX_429_RETRIES, Credentials, RateLimited, TargetClient

pytestmark = pytest.mark.unit


def limited_client(seen: list[httpx.Request]) -> TargetClient:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(429, headers={"retry-after": "0"}, json={"message": "slow down"})

    http = httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(answer))
    return TargetClient("http://127.0.0.1:9", Credentials(api_key=Secret("k")), http=http)


def test_a_persistent_429_raises_rate_limited_after_the_retries() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(RateLimited) as raised:
        limited_client(seen).get("/v1/ingest/imports", auth="none")
    assert len(seen) == MAX_429_RETRIES + 1
    assert str(raised.value).startswith("rate-limited")
    assert raised.value.exchange.status == 429


def test_a_status_poll_stops_on_it() -> None:
    with pytest.raises(RateLimited):
        poll_file(limited_client([]), "0" * 24, timeout_s=5)


def test_hypothesis_passes_it_through_unshrunk() -> None:
    seen: list[httpx.Request] = []
    client = limited_client(seen)

    @settings(max_examples=5, database=None, derandomize=True)
    @given(st.integers())
    def check(_: int) -> None:
        client.get("/v1/ingest/imports", auth="none")

    with pytest.raises(RateLimited):
        check()
    assert len(seen) == MAX_429_RETRIES + 1  # one example, no replays or shrinking


def test_the_fuzzer_records_the_answer_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    """One rate-limited fuzz case comes back as its 429 (the fuzz judge records it, not judged)."""
    monkeypatch.setattr(fuzz_wire, "wire_request", lambda case, base_url: WireRequest("GET", "/x", {}, None))
    ex = fuzz_wire.send_case(limited_client([]), None, "http://127.0.0.1:9", "a case")  # type: ignore[arg-type]
    assert ex.status == 429


def test_pytest_reports_a_skip_whose_reason_starts_rate_limited(tmp_path: Path) -> None:
    test_file = tmp_path / "test_limited.py"
    test_file.write_text(
        textwrap.dedent(
            """
            import httpx
            from ingest_conformance.wire.client import Credentials, TargetClient

            def test_needs_an_answer():
                http = httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(
                    lambda request: httpx.Response(429, headers={"retry-after": "0"})))
                TargetClient("http://127.0.0.1:9", Credentials(), http=http).get("/x", auth="none")
            """
        )
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:ingest_conformance",
            str(test_file),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout and "rate-limited: GET" in done.stdout, done.stdout
