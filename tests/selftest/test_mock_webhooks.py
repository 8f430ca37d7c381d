"""The mock's webhooks, seen by a tiny receiver on loopback (no suite involved): every setting does
what it says, every webhook fault shows its bug (and the conformant mock does not), every webhook
personality stays conformant, deliveries are retried as DECISIONS says and never hold up requests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from ingest_conformance.mock import MockSettings, RunningMock, run_mock
from ingest_conformance.mock.faults import FAULTS
from ingest_conformance.mock.personalities import WEBHOOK_PERSONALITIES
from ingest_conformance.mock.webhooks import retry_after_seconds

from . import samples
from .conftest import fast
from .helpers import KEY_A, KEY_B, TERMINAL, upload
from .hookreceiver import Answer, Arrival, HookReceiver, Policy, hook_receiver

pytestmark = pytest.mark.selftest

SECRET = "whsec-selftest"
ENV_B = "66d721f5ee90270bfac654b0"
MAX_RETRIES = 2
ENVELOPE = {"id", "type", "timestamp", "version", "data"}


def standard_files() -> list[tuple[str, bytes]]:
    """A processed PDF, a rejected GIF and a ZIP with two children: every kind of event."""
    return [
        ("a.pdf", samples.pdf()),
        ("b.gif", samples.gif()),
        ("c.zip", samples.zip_of({"x.pdf": samples.pdf(), "y.png": samples.png()})),
    ]


def hook_settings(receiver: HookReceiver, **overrides: Any) -> MockSettings:
    base: dict[str, Any] = {
        "webhook_url": receiver.url + "/a",
        "webhook_url_b": receiver.url + "/b",
        "webhook_secret": SECRET,
        "webhook_retry_delay_s": 0.05,
        "webhook_timeout_s": 2.0,
        "webhook_max_retries": MAX_RETRIES,
    }
    return fast(**{**base, **overrides})


@dataclass
class Observed:
    settings: MockSettings
    arrivals: list[Arrival]
    imp: dict[str, Any]  # GET import after every file is final
    files: dict[str, dict[str, Any]]  # GET file of every file of the import, by id
    uploaded_at: float


def _wait_final(client: httpx.Client, import_id: str, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        imp: dict[str, Any] = client.get(f"/v1/ingest/imports/{import_id}").json()
        if imp["files"] and all(f["status"] in TERMINAL for f in imp["files"]):
            return imp
        assert time.monotonic() < deadline, f"import {import_id} not final after {timeout}s"
        time.sleep(0.02)


@contextmanager
def mock_client(settings: MockSettings, key: str = KEY_A) -> Iterator[tuple[RunningMock, httpx.Client]]:
    with run_mock(settings) as mock, httpx.Client(base_url=mock.base_url, headers={"x-api-key": key}, timeout=30) as c:
        yield mock, c


def observe(
    policy: Policy | None = None,
    files: list[tuple[str, bytes]] | None = None,
    key: str = KEY_A,
    quiet_s: float = 0.6,
    **overrides: Any,
) -> Observed:
    """Upload `files` to a webhook-enabled mock, wait for every file to be final and the deliveries
    to settle, and return what the receiver got next to what GET answers."""
    with hook_receiver(policy) as receiver:
        settings = hook_settings(receiver, **overrides)
        with mock_client(settings, key) as (_, client):
            started = time.monotonic()
            import_id = upload(client, files or [("a.pdf", samples.pdf())])["importId"]
            imp = _wait_final(client, import_id)
            arrivals = receiver.settle(quiet_s)
            by_id = {f["id"]: client.get(f"/v1/ingest/files/{f['id']}").json() for f in imp["files"]}
            imp = client.get(f"/v1/ingest/imports/{import_id}").json()
    return Observed(settings, arrivals, imp, by_id, started)


def verifies(arrival: Arrival, settings: MockSettings) -> bool:
    """The signature header is HMAC(secret, raw body) in hex or base64, with or without `algo=`."""
    value = arrival.headers.get(settings.webhook_signature_header.lower())
    if value is None:
        return False
    algorithm = settings.webhook_algorithm
    value = value.removeprefix(f"{algorithm}=")
    digest = hmac.new(SECRET.encode(), arrival.body, algorithm).digest()
    return hmac.compare_digest(value, digest.hex()) or hmac.compare_digest(value, base64.b64encode(digest).decode())


def key_of(arrival: Arrival) -> tuple[str, str]:
    """What an event is about: its type and the id of its data (redeliveries share it)."""
    event = arrival.event
    data = event["data"] if isinstance(event["data"], dict) else json.loads(event["data"])
    return event["type"], data["id"]


def problems(o: Observed) -> list[str]:
    """Everything DECISIONS' Webhooks section would hold against these deliveries ([] = conformant)."""
    found: list[str] = []
    s = o.settings
    firsts = {}
    ids: dict[str, tuple[str, str]] = {}
    for a in o.arrivals:
        event = a.event
        if set(event) != ENVELOPE:
            found.append(f"envelope keys {sorted(event)}")
            continue
        if not isinstance(event["data"], dict):
            found.append(f"data is {type(event['data']).__name__}")
            continue
        key = key_of(a)
        if ids.setdefault(event["id"], key) != key:
            found.append(f"id {event['id']} names two events {ids[event['id']]} and {key}")
        firsts.setdefault(key, a)
        if a.method != s.webhook_method:
            found.append(f"method {a.method}")
        if a.path != "/a":
            found.append(f"delivered to {a.path}")
        if not verifies(a, s):
            found.append(f"signature of {key} does not verify")
        for name, value in s.webhook_headers:
            if a.headers.get(name.lower()) != value:
                found.append(f"custom header {name} missing")
        stamp = event["timestamp"]
        if s.webhook_timestamp == "iso":
            if not isinstance(stamp, str) or datetime.fromisoformat(stamp).tzinfo is None:
                found.append(f"timestamp {stamp!r}")
        elif not isinstance(stamp, int):
            found.append(f"timestamp {stamp!r} is not epoch milliseconds")
        if not isinstance(event["version"], str):
            found.append("version is not a string")
    keys_by_id: dict[tuple[str, str], set[str]] = {}
    for a in o.arrivals:
        if isinstance(a.event.get("data"), dict):
            keys_by_id.setdefault(key_of(a), set()).add(a.event["id"])
    found += [f"{k} redelivered under several ids" for k, v in keys_by_id.items() if len(v) > 1]
    for file_id, file in o.files.items():
        kind = "file.processed" if file["status"] == "processed" else "file.rejected"
        if kind not in s.webhook_events:
            continue
        first = firsts.get((kind, file_id))
        if first is None:
            found.append(f"no {kind} for {file['filename']}")
        elif first.event["data"] != file:
            found.append(f"{kind} data of {file['filename']} differs from GET: {first.event['data']}")
    imp_event = firsts.get(("import.processed", o.imp["id"]))
    if "import.processed" in s.webhook_events:
        if imp_event is None:
            found.append("no import.processed")
        elif imp_event.event["data"] != o.imp:
            found.append(f"import.processed data differs from GET: {imp_event.event['data']}")
    expected = {("import.processed", o.imp["id"])} | {
        ("file.processed" if f["status"] == "processed" else "file.rejected", i) for i, f in o.files.items()
    }
    found += [f"unexpected event {k}" for k in firsts if k not in expected]
    return found


# -- the conformant mock and each setting -------------------------------------------------------------
def test_every_final_file_and_the_import_yield_one_event_each_matching_get() -> None:
    o = observe(files=standard_files())
    assert problems(o) == []
    kinds = sorted(key_of(a)[0] for a in o.arrivals)
    assert kinds == ["file.processed"] * 4 + ["file.rejected", "import.processed"]  # pdf, zip, 2 children; gif
    children = [f for f in o.files.values() if f["parentFileId"]]
    assert len(children) == 2 and all(("file.processed", c["id"]) in map(key_of, o.arrivals) for c in children)
    assert all(a.headers["content-type"] == "application/json" for a in o.arrivals)
    assert len({a.event["id"] for a in o.arrivals}) == len(o.arrivals)


@pytest.mark.parametrize(
    "overrides",
    [
        {
            "webhook_algorithm": "sha1",
            "webhook_encoding": "base64",
            "webhook_method": "PUT",
            "webhook_signature_header": "x-signature",
            "webhook_headers": (("x-tenant", "t-1"), ("authorization", "Bearer receiver-token")),
        },
        {"webhook_algorithm": "sha512", "webhook_signature_prefix": True},
    ],
    ids=["sha1-base64-put-headers", "sha512-prefixed"],
)
def test_signature_method_and_headers_follow_the_settings(overrides: dict[str, Any]) -> None:
    o = observe(**overrides)
    assert problems(o) == []
    assert len(o.arrivals) == 2
    for a in o.arrivals:
        assert verifies(a, o.settings)
        assert a.headers.get("x-invofox-signature") is None or o.settings.webhook_signature_header == (
            "x-invofox-signature"
        )
        if o.settings.webhook_signature_prefix:
            assert a.headers[o.settings.webhook_signature_header].startswith("sha512=")


def test_without_a_secret_deliveries_are_unsigned() -> None:
    o = observe(webhook_secret="")
    assert len(o.arrivals) == 2 and all("x-invofox-signature" not in a.headers for a in o.arrivals)


def test_only_subscribed_events_are_sent() -> None:
    o = observe(files=standard_files(), webhook_events=("file.rejected",))
    assert problems(o) == []
    assert [key_of(a)[0] for a in o.arrivals] == ["file.rejected"]


@pytest.mark.parametrize("url_b", [True, False], ids=["b-configured", "b-unconfigured"])
def test_each_environment_gets_only_its_own_events(url_b: bool) -> None:
    with hook_receiver() as receiver:
        settings = hook_settings(receiver, webhook_url_b=receiver.url + "/b" if url_b else "")
        with mock_client(settings, KEY_B) as (_, client):
            imp = _wait_final(client, upload(client, [("a.pdf", samples.pdf())])["importId"])
            arrivals = receiver.settle()
    assert all(a.path == "/b" and a.event["data"]["environmentId"] == ENV_B for a in arrivals)
    assert len(arrivals) == (2 if url_b else 0), imp


# -- retries ---------------------------------------------------------------------------------------------
def _always(status: int, **headers: str) -> Policy:
    return lambda arrival: Answer(status, dict(headers))


def _first_fails(answer: Answer) -> Policy:
    return lambda arrival: answer if arrival.nth == 1 else Answer()


def test_a_5xx_is_redelivered_with_the_same_bytes_at_most_max_retries_times() -> None:
    o = observe(_always(503), quiet_s=1.0)
    by_id: dict[str, list[Arrival]] = {}
    for a in o.arrivals:
        by_id.setdefault(a.event["id"], []).append(a)
    assert len(by_id) == 2 and all(len(v) == 1 + MAX_RETRIES for v in by_id.values())
    assert all(len({a.body for a in v}) == 1 for v in by_id.values())
    gaps = [v[1].at - v[0].at for v in by_id.values()] + [v[2].at - v[1].at for v in by_id.values()]
    assert all(g >= 0.04 for g in gaps), gaps  # the configured backoff, 0.05 s then 0.1 s


def test_a_success_after_a_5xx_stops_the_retries_and_a_4xx_is_final() -> None:
    assert len(observe(_first_fails(Answer(500))).arrivals) == 4  # two events, one redelivery each
    assert len(observe(_always(400)).arrivals) == 2


def test_retry_after_is_honoured_within_its_bound() -> None:
    o = observe(_first_fails(Answer(503, {"Retry-After": "1"})), quiet_s=1.5)
    firsts = {a.event["id"]: a.at for a in o.arrivals if a.nth == 1}
    gaps = [a.at - firsts[a.event["id"]] for a in o.arrivals if a.nth == 2]
    assert len(gaps) == 2 and all(0.9 <= g < 3 for g in gaps), gaps
    capped = observe(_first_fails(Answer(503, {"Retry-After": "30"})), quiet_s=1.0, webhook_retry_after_max_s=0.2)
    assert len(capped.arrivals) == 4  # a 30 s Retry-After was held to 0.2 s


def test_no_answer_within_the_timeout_is_redelivered() -> None:
    o = observe(_first_fails(Answer(200, stall_s=2.0)), quiet_s=1.5, webhook_timeout_s=0.4)
    firsts = {a.event["id"]: a.at for a in o.arrivals if a.nth == 1}
    gaps = [a.at - firsts[a.event["id"]] for a in o.arrivals if a.nth == 2]
    assert len(gaps) == 2 and all(0.4 <= g < 1.5 for g in gaps), gaps


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("0.5") == 0.5
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    assert retry_after_seconds("-3") == 0.0


def test_deliveries_never_hold_up_requests_and_the_queue_is_bounded() -> None:
    with hook_receiver(lambda arrival: Answer(200, stall_s=3.0)) as receiver:
        settings = hook_settings(receiver, webhook_queue_size=2, webhook_concurrency=1, webhook_timeout_s=5.0)
        with mock_client(settings) as (_, client):
            files = [(f"{i}.pdf", samples.pdf()) for i in range(5)]
            imp = _wait_final(client, upload(client, files)["importId"])
            started = time.monotonic()
            for f in imp["files"]:
                assert client.get(f"/v1/ingest/files/{f['id']}").status_code == 200
            assert time.monotonic() - started < 1.0  # five GETs while a delivery stalls
            log = client.get("/__mock__/webhooks").json()
    assert log["enabled"] and log["pending"] <= 2 and log["dropped"] >= 4  # 6 events, room for 2


# -- faults --------------------------------------------------------------------------------------------
def _redeliveries(o: Observed) -> dict[tuple[str, str], list[Arrival]]:
    out: dict[tuple[str, str], list[Arrival]] = {}
    for a in o.arrivals:
        out.setdefault(key_of(a), []).append(a)
    return out


def _first_per_event_fails(answer: Answer) -> Policy:
    """Fail the first delivery of each event, keyed by what it is about (not its id, which may change)."""
    seen: set[tuple[str, str]] = set()

    def policy(arrival: Arrival) -> Answer:
        key = key_of(arrival)
        if key in seen:
            return Answer()
        seen.add(key)
        return answer

    return policy


@dataclass(frozen=True)
class Probe:
    shows: Callable[[Observed], bool]  # True when the bug shows
    policy: Callable[[], Policy | None] = lambda: None
    files: Callable[[], list[tuple[str, bytes]]] = standard_files
    key: str = KEY_A
    overrides: tuple[tuple[str, Any], ...] = ()


def _missing(kind: str, child: bool | None = None) -> Callable[[Observed], bool]:
    def shows(o: Observed) -> bool:
        got = {key_of(a) for a in o.arrivals}
        wanted = [
            (kind, i)
            for i, f in o.files.items()
            if ("file.processed" if f["status"] == "processed" else "file.rejected") == kind
            and (child is None or bool(f["parentFileId"]) == child)
        ]
        return any(k not in got for k in wanted)

    return shows


def _import_early(o: Observed) -> bool:
    events = [a.event for a in o.arrivals if a.event["type"] == "import.processed"]
    return any(
        e["data"]["status"] != "processed" or any(f["status"] not in TERMINAL for f in e["data"]["files"])
        for e in events
    )


def _no_import_event(o: Observed) -> bool:
    return not any(a.event["type"] == "import.processed" for a in o.arrivals)


def _stale(o: Observed) -> bool:
    return any(a.event["type"].startswith("file.") and a.event["data"]["status"] not in TERMINAL for a in o.arrivals)


def _data_not_object(o: Observed) -> bool:
    return any(not isinstance(a.event["data"], dict) for a in o.arrivals)


def _bad_signature(o: Observed) -> bool:
    return any(not verifies(a, o.settings) for a in o.arrivals)


def _shared_ids(o: Observed) -> bool:
    about: dict[str, set[tuple[str, str]]] = {}
    for a in o.arrivals:
        about.setdefault(a.event["id"], set()).add(key_of(a))
    return any(len(keys) > 1 for keys in about.values())


def _new_id_on_redelivery(o: Observed) -> bool:
    return any(len({a.event["id"] for a in v}) > 1 for v in _redeliveries(o).values())


def _too_few_tries(o: Observed) -> bool:
    return any(len(v) < 1 + MAX_RETRIES for v in _redeliveries(o).values())


def _too_many_tries(o: Observed) -> bool:
    return any(len(v) > 1 + MAX_RETRIES for v in _redeliveries(o).values())


def _retry_after_ignored(o: Observed) -> bool:
    gaps = [v[1].at - v[0].at for v in _redeliveries(o).values() if len(v) > 1]
    return not gaps or any(g < 0.9 for g in gaps)


def _other_environment(o: Observed) -> bool:
    return any(a.path == "/a" and a.event["data"]["environmentId"] == ENV_B for a in o.arrivals)


def _headers_dropped(o: Observed) -> bool:
    return any(a.headers.get("x-tenant") != "t-1" for a in o.arrivals)


def _one_pdf() -> list[tuple[str, bytes]]:
    return [("a.pdf", samples.pdf())]


PROBES: dict[str, Probe] = {
    "webhook-rejected-no-event": Probe(_missing("file.rejected")),
    "webhook-zip-children-no-event": Probe(_missing("file.processed", child=True)),
    "webhook-import-early": Probe(_import_early, overrides=(("processing_delay", 0.3),)),
    "webhook-import-never": Probe(_no_import_event),
    "webhook-stale-data": Probe(_stale),
    "webhook-data-as-string": Probe(_data_not_object),
    "webhook-wrong-signature": Probe(_bad_signature),
    "webhook-missing-signature": Probe(_bad_signature),
    "webhook-body-reserialised": Probe(_bad_signature),
    "webhook-duplicate-ids": Probe(_shared_ids),
    "webhook-redelivery-new-id": Probe(_new_id_on_redelivery, lambda: _first_per_event_fails(Answer(503)), _one_pdf),
    "webhook-no-retry": Probe(_too_few_tries, lambda: _always(503), _one_pdf),
    "webhook-timeout-not-retried": Probe(
        _too_few_tries, lambda: lambda a: Answer(200, stall_s=1.0), _one_pdf, overrides=(("webhook_timeout_s", 0.3),)
    ),
    "webhook-retry-storm": Probe(_too_many_tries, lambda: _always(503), _one_pdf),
    "webhook-retry-after-ignored": Probe(
        _retry_after_ignored, lambda: _first_per_event_fails(Answer(503, {"Retry-After": "1"})), _one_pdf
    ),
    "webhook-other-environment": Probe(_other_environment, files=_one_pdf, key=KEY_B),
    "webhook-custom-headers-dropped": Probe(
        _headers_dropped, files=_one_pdf, overrides=(("webhook_headers", (("x-tenant", "t-1"),)),)
    ),
}


def test_every_webhook_fault_has_a_probe() -> None:
    assert sorted(PROBES) == sorted(f.name for f in FAULTS if f.name.startswith("webhook-"))
    assert all(f.requirement_id.startswith("HOOK-") for f in FAULTS if f.name.startswith("webhook-"))


@pytest.mark.parametrize("fault", list(PROBES))
def test_the_webhook_fault_shows_and_the_conformant_mock_does_not(fault: str) -> None:
    probe = PROBES[fault]
    for name, expected in ((fault, True), (None, False)):
        o = observe(probe.policy(), probe.files(), probe.key, 1.2, fault=name, **dict(probe.overrides))
        assert o.arrivals or fault == "webhook-import-never", f"no delivery at all with fault={name}"
        assert probe.shows(o) is expected, f"fault={name}: {[a.event for a in o.arrivals]}"
        if name is None and probe.key == KEY_A:
            assert problems(o) == []


# -- personalities -------------------------------------------------------------------------------------
@pytest.mark.parametrize("personality", list(WEBHOOK_PERSONALITIES))
def test_each_webhook_personality_is_conformant_and_does_what_it_is_named(personality: str) -> None:
    overrides = WEBHOOK_PERSONALITIES[personality]
    o = observe(files=standard_files(), quiet_s=0.6 + overrides.get("webhook_send_delay_s", 0), **overrides)
    assert problems(o) == []
    a = o.arrivals[0]
    signature = a.headers["x-invofox-signature"]
    if personality == "webhook-put":
        assert {x.method for x in o.arrivals} == {"PUT"}
    elif personality == "webhook-base64":
        assert len(base64.b64decode(signature, validate=True)) == hashlib.sha256().digest_size
    elif personality == "webhook-prefixed":
        assert signature.startswith("sha256=")
    elif personality == "webhook-slow":
        assert min(x.at for x in o.arrivals) - o.uploaded_at >= overrides["webhook_send_delay_s"]
    elif personality == "webhook-epoch-timestamps":
        assert abs(a.event["timestamp"] / 1000 - time.time()) < 60
    else:
        raise AssertionError(f"no check for personality {personality}")


# -- CLI -------------------------------------------------------------------------------------------------
def _mock_cli(*flags: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ingest_conformance", "mock", *flags]
    env = {**os.environ, "COLUMNS": "200"}  # help lines unwrapped
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def test_cli_documents_the_webhook_flags_and_refuses_bad_ones() -> None:
    help_text = _mock_cli("--help").stdout
    for flag in ("--webhook-url ", "--webhook-url-b", "--webhook-secret", "--webhook-algorithm", "--webhook-encoding"):
        assert flag in help_text
    assert "(default: file.processed,file.rejected,import.processed)" in help_text
    for bad in (
        ["--webhook-url", "ftp://x"],
        ["--webhook-header", "no-colon"],
        ["--webhook-events", "file.uploaded"],
        ["--webhook-algorithm", "md5"],
        ["--webhook-url-b", "http://127.0.0.1:1/b"],
    ):
        done = _mock_cli("--port", "0", *bad)
        assert done.returncode == 2, (bad, done.stderr)
        assert "Traceback" not in done.stderr


def test_health_never_shows_the_secret_or_header_values() -> None:
    with hook_receiver() as receiver:
        settings = hook_settings(receiver, webhook_headers=(("authorization", "Bearer receiver-token"),))
        with mock_client(settings) as (_, client):
            text = client.get("/__mock__/health").text
    assert SECRET not in text and "receiver-token" not in text and '"authorization"' in text
