"""The webhook receiver over real loopback HTTP, and whole `--select webhooks` runs against a mock beside
which a test-only sender (hooksender.py) delivers the events: a conformant sender passes, and each broken
one is caught as the requirement it breaks. (The bundled mock's own sender lives on the mock side.)"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from pathlib import Path

import httpx
import pytest

from ingest_conformance.mock import run_mock
from ingest_conformance.webhooks.receiver import PRIMARY_PATH, SECOND_PATH, Answer, Receiver
from ingest_conformance.webhooks.signature import sign, verify
from ingest_conformance.wire.client import EXCHANGE_TAPS
from ingest_conformance.wire.exchange import Exchange
from ingest_conformance.wire.redaction import REDACTED

from .conftest import fast
from .helpers import KEY_A, KEY_B
from .hooksender import HookSender, SenderSettings
from .suiterun import SuiteRun, run_suite

pytestmark = pytest.mark.selftest

SECRET = "selftest-secret-0123456789"


def test_receiver_keeps_deliveries_wire_exact_and_answers_at_once() -> None:
    body = b'{"type":"file.processed","id":"e1","timestamp":"2024-12-15T14:30:00Z","version":"1.0","data":{}}'
    tapped: list[Exchange] = []
    EXCHANGE_TAPS.append(tapped.append)
    try:
        with Receiver() as receiver, httpx.Client(timeout=5) as http:
            signature = sign(body, SECRET, "sha512", encoding="base64", prefix=True)
            answer = http.put(
                receiver.url(PRIMARY_PATH),
                content=body,
                headers={"x-invofox-signature": signature, "X-Custom": "a", "content-type": "application/json"},
            )
            chunked = http.post(receiver.url(SECOND_PATH), content=iter([body[:10], body[10:]]))
            stray = http.post(receiver.local_url + "/elsewhere", content=b"{}")
    finally:
        EXCHANGE_TAPS.remove(tapped.append)
    assert (answer.status_code, chunked.status_code, stray.status_code) == (200, 200, 200)
    first, second, third = receiver.deliveries()
    assert (first.method, first.body, first.header("x-custom")) == ("PUT", body, "a")
    assert verify(first.body, first.header("x-invofox-signature"), SECRET, "sha512").ok
    assert dict(first.exchange.request_headers)["x-invofox-signature"] == REDACTED
    assert second.body == body and second.at(SECOND_PATH) and not second.at(PRIMARY_PATH)
    assert not third.at(PRIMARY_PATH) and receiver.deliveries(PRIMARY_PATH) == [first]
    assert first.received_at <= second.received_at and first.exchange.status == 200
    assert [ex.id for ex in tapped] == [d.exchange.id for d in (first, second, third)]  # cassettes see them


def test_receiver_refuses_and_stalls_chosen_deliveries_only() -> None:
    with Receiver() as receiver, httpx.Client(timeout=0.5) as http:
        refuse = receiver.answer_with(lambda d: b'"a"' in d.body, Answer(503, retry_after="2"), times=2)
        stall = receiver.answer_with(lambda d: b'"s"' in d.body, Answer(stall_s=1.5), times=1)
        statuses = [http.post(receiver.url(), content=b'{"k":"a"}').status_code for _ in range(3)]
        other = http.post(receiver.url(), content=b'{"k":"b"}')
        with pytest.raises(httpx.ReadTimeout):
            http.post(receiver.url(), content=b'{"k":"s"}')
        again = http.post(receiver.url(), content=b'{"k":"s"}')
    assert statuses == [503, 503, 200] and other.status_code == 200 and again.status_code == 200
    assert len(refuse.hits) == 2 and len(stall.hits) == 1
    refused = receiver.deliveries()[0]
    assert refused.exchange.header("retry-after") == "2" and refused.answered == 503
    stalled = next(d for d in receiver.deliveries() if d.seq == stall.hits[0])
    assert stalled.answered is None and "stalled" in (stalled.exchange.error or "")


def test_receiver_close_cuts_a_stall_short() -> None:
    receiver = Receiver().start()
    receiver.answer_with(lambda d: True, Answer(stall_s=60), times=None)
    worker = threading.Thread(target=lambda: _post_quietly(receiver.url()), daemon=True)
    worker.start()
    assert receiver.wait_until(lambda ds: len(ds) == 1, 5)
    receiver.close()
    worker.join(5)
    assert not worker.is_alive()


def _post_quietly(url: str) -> None:
    with contextlib.suppress(httpx.TransportError):
        httpx.post(url, content=b"{}", timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _webhook_run(tmp_path: Path, **faults: object) -> SuiteRun:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = SenderSettings(base + PRIMARY_PATH, base + SECOND_PATH, SECRET, **faults)  # type: ignore[arg-type]
    with run_mock(fast()) as mock, HookSender(mock.base_url, {"primary": KEY_A, "second": KEY_B}, settings):
        return run_suite(
            mock.base_url,
            "--select",
            "webhooks",
            "--webhook-listen",
            f"127.0.0.1:{port}",
            "--set",
            f"webhook_secret={SECRET}",
            "--set",
            f"webhook_custom_headers={settings.header[0]}:{settings.header[1]}",
            "--set",
            "webhook_delay_s=3",
            "--set",
            "webhook_receiver_timeout_s=2",
            report_dir=tmp_path,
        )


@pytest.mark.slow
def test_a_conformant_sender_passes_every_webhook_requirement(tmp_path: Path) -> None:
    run = _webhook_run(tmp_path)
    assert run.exit_code == 0, run.output
    passed = {rid for rid, outcome in run.outcomes.items() if outcome == "pass"}
    assert {
        "HOOK-EVT-001",
        "HOOK-EVT-002",
        "HOOK-EVT-003",
        "HOOK-ENV-001",
        "HOOK-TYPE-001",
        "HOOK-TYPE-002",
        "HOOK-DATA-001",
        "HOOK-DATA-002",
        "HOOK-ID-001",
        "HOOK-ID-002",
        "HOOK-ISO-001",
        "HOOK-RETRY-001",
        "HOOK-RETRY-003",
        "HOOK-RETRY-004",
        "HOOK-SIG-001",
        "HOOK-SIG-002",
        "HOOK-HDR-001",
        "HOOK-METH-001",
    } <= passed, run.outcomes
    results = json.loads((tmp_path / "results.json").read_text())
    text = json.dumps(results)
    assert SECRET not in text and "hook-header-value-42" not in text  # secret and custom header value redacted


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "rid"),
    [
        ({"unsigned": True}, "HOOK-SIG-001"),
        ({"leak_other_environment": True}, "HOOK-ISO-001"),
        ({"skip_rejected": True}, "HOOK-EVT-001"),
        ({"retry_storm": 8}, "HOOK-RETRY-003"),
    ],
    ids=["unsigned", "other-environment", "no-rejected-event", "retry-storm"],
)
def test_a_broken_sender_is_caught_as_its_requirement(tmp_path: Path, fault: dict[str, object], rid: str) -> None:
    run = _webhook_run(tmp_path, **fault)
    assert run.exit_code == 1, run.output
    assert run.outcomes.get(rid) == "fail", (run.outcomes, run.output)


@pytest.mark.slow
def test_without_a_webhook_configuration_the_feature_is_skipped_with_one_reason(tmp_path: Path) -> None:
    with run_mock(fast()) as mock:
        run = run_suite(mock.base_url, "--select", "webhooks", report_dir=tmp_path)
    assert run.exit_code == 0, run.output
    hooks = {rid: out for rid, out in run.outcomes.items() if rid.startswith("HOOK-") and "-PROF-" not in rid}
    # PROFILE settings are judged by no test; HOOK-RETRY-002's only test runs from level standard on.
    assert hooks.pop("HOOK-RETRY-002") == "disabled"
    assert len(hooks) == 24 and set(hooks.values()) == {"skip"}
    results = json.loads((tmp_path / "results.json").read_text())
    reasons = {r["message"] for req in results["requirements"] for r in req["records"] if req["feature"] == "webhooks"}
    assert len(reasons) == 1 and "--webhook-listen" in reasons.pop()
