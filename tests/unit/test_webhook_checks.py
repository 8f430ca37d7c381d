"""The webhook checks on synthetic deliveries (no network): a conformant delivery passes every rule, and
each way a sender can break one is caught as that rule's requirement, with nothing else blamed first."""

from __future__ import annotations

import copy
import json
import time
from types import SimpleNamespace
from typing import Any, cast

import pytest

from ingest_conformance.config.target import Profile, Secret, TargetConfig
from ingest_conformance.flows.hookchecks import judge_delivery, judge_ids
from ingest_conformance.flows.webhooks import Final, judge_data, judge_events
from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.judging.checks import RequirementFailure
from ingest_conformance.judging.expected import ExpectedEntry, ExpectedFailures
from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.judging.results import Outcome, RunResults
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import RUN_TAG_KEY
from ingest_conformance.webhooks.events import CASE_KEY, OTHER_ENVIRONMENT_CASE, Ours
from ingest_conformance.webhooks.receiver import PRIMARY_PATH, Delivery, Receiver
from ingest_conformance.webhooks.session import HookSession
from ingest_conformance.webhooks.signature import sign
from ingest_conformance.wire.exchange import Exchange
from ingest_conformance.wire.redaction import REDACTED

pytestmark = pytest.mark.unit

SECRET = "whsec-unit-0123456789"
HEADER = ("x-ingest-conformance-hook", "hook-value-1234")
FILE = {
    "id": "66f580d3bee75c4a542daabb",
    "accountId": "66d721ec7edc0baa3794eec1",
    "environmentId": "66d721f5ee90270bfac654a0",
    "importId": "66d711d737c788ba24e17734",
    "filename": "invoice.pdf",
    "compressed": False,
    "status": "processed",
    "createdAt": "2024-09-26T10:30:00.000Z",
    "clientData": {RUN_TAG_KEY: "ic-run-7"},
}
IMPORT = {
    "id": "66d711d737c788ba24e17734",
    "accountId": "66d721ec7edc0baa3794eec1",
    "environmentId": "66d721f5ee90270bfac654a0",
    "channel": "api",
    "status": "processed",
    "createdAt": "2024-09-26T10:30:00.000Z",
    "documents": 1,
    "files": [FILE],
}


def event(kind: str = "file.processed", data: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    body = {
        "type": kind,
        "id": "675e1a2b8f7d06899790871d",
        "timestamp": "2024-12-15T14:30:00.000Z",
        "version": "1.0",
        "data": copy.deepcopy(FILE if data is None else data),
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def delivery(
    body: dict[str, Any] | bytes, *, method: str = "POST", signed: bool = True, headers: dict[str, str] | None = None
) -> Delivery:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    wire = {"content-type": "application/json", HEADER[0]: HEADER[1], **(headers or {})}
    if signed:
        wire.setdefault("x-invofox-signature", sign(raw, SECRET))
    items = [(k, v) for k, v in wire.items() if v is not None]
    ex = Exchange.for_request(method, "http://hooks.example" + PRIMARY_PATH, items, raw)
    return Delivery(1, PRIMARY_PATH, method, items, raw, time.time(), time.monotonic(), ex)


def fixture_suite(**profile: Any) -> Suite:
    settings = {"webhook_secret": Secret(SECRET), "webhook_custom_headers": (HEADER,), **profile}
    config = TargetConfig(profile=Profile(**settings))
    return cast(Suite, SimpleNamespace(config=config, spec=OpenAPIDocument(load_openapi()), poll_start_s=0.0))


def new_verdict() -> Verdict:
    return Verdict("unit", load_catalogue(), RunResults(seed=1, config={}), ExpectedFailures())


def outcomes(verdict: Verdict) -> dict[str, set[Outcome]]:
    seen: dict[str, set[Outcome]] = {}
    for record in verdict.results.records:
        seen.setdefault(record.requirement_id, set()).add(record.outcome)
    return seen


def test_a_conformant_delivery_passes_every_rule() -> None:
    verdict = new_verdict()
    judge_delivery(verdict, fixture_suite(), delivery(event()))
    got = outcomes(verdict)
    for rid in ("HOOK-METH-001", "HOOK-SIG-001", "HOOK-SIG-002", "HOOK-HDR-001", "HOOK-ENV-001", "HOOK-TYPE-001"):
        assert got[rid] == {Outcome.PASS}, rid
    assert got["HOOK-DATA-002"] == {Outcome.PASS}
    assert "HOOK-TS-001" not in got


BROKEN: dict[str, tuple[str, Any]] = {
    "unsigned": ("HOOK-SIG-001", lambda: delivery(event(), signed=False)),
    "signed-then-reserialised": (
        "HOOK-SIG-002",
        lambda: delivery(
            json.dumps(event(), indent=2).encode(),
            headers={"x-invofox-signature": sign(json.dumps(event()).encode(), SECRET)},
        ),
    ),
    "plain-hash": ("HOOK-SIG-002", lambda: delivery(event(), headers={"x-invofox-signature": "ab" * 32})),
    "custom-header-dropped": ("HOOK-HDR-001", lambda: delivery(event(), headers={HEADER[0]: None})),  # type: ignore[dict-item]
    "custom-header-changed": ("HOOK-HDR-001", lambda: delivery(event(), headers={HEADER[0]: "other"})),
    "patch": ("HOOK-METH-001", lambda: delivery(event(), method="PATCH")),
    "no-id": ("HOOK-ENV-001", lambda: delivery(event(id=None))),
    "bad-timestamp": ("HOOK-ENV-001", lambda: delivery(event(timestamp="yesterday"))),
    "data-not-object": ("HOOK-ENV-001", lambda: delivery(event(data=None) | {"data": "x"})),
    "not-json": ("HOOK-ENV-001", lambda: delivery(b"type=file.processed")),
    "unknown-type": ("HOOK-TYPE-001", lambda: delivery(event("file.done"))),
    "no-type": ("HOOK-TYPE-001", lambda: delivery({k: v for k, v in event().items() if k != "type"})),
    "data-off-schema": (
        "HOOK-DATA-002",
        lambda: delivery(event(data={k: v for k, v in FILE.items() if k != "filename"})),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_broken_delivery_fails_its_own_requirement(case: str) -> None:
    rid, build = BROKEN[case]
    verdict = new_verdict()
    with pytest.raises(RequirementFailure) as failure:
        judge_delivery(verdict, fixture_suite(), build())
    assert failure.value.requirement_id == rid
    failed = {r.requirement_id for r in verdict.results.records if r.outcome is Outcome.FAIL}
    assert failed == {rid}


def test_the_profile_decides_method_and_subscription() -> None:
    with pytest.raises(RequirementFailure, match="HOOK-METH-001"):
        judge_delivery(new_verdict(), fixture_suite(webhook_method="PUT"), delivery(event()))
    judge_delivery(new_verdict(), fixture_suite(webhook_method="PUT"), delivery(event(), method="PUT"))
    with pytest.raises(RequirementFailure, match="HOOK-TYPE-001"):
        only_processed = fixture_suite(webhook_events=("file.processed",))
        judge_delivery(new_verdict(), only_processed, delivery(event("file.rejected")))


def test_without_a_secret_or_custom_headers_those_rules_are_not_judged() -> None:
    verdict = new_verdict()
    bare = fixture_suite(webhook_secret=None, webhook_custom_headers=())
    judge_delivery(verdict, bare, delivery(event(), signed=False))
    assert not {"HOOK-SIG-001", "HOOK-SIG-002", "HOOK-HDR-001"} & set(outcomes(verdict))


def test_numeric_timestamps_and_document_events_are_recorded_not_failed() -> None:
    verdict = new_verdict()
    judge_delivery(verdict, fixture_suite(), delivery(event(timestamp=1734273000.5)))
    judge_delivery(verdict, fixture_suite(), delivery(event("document.created", data={"_id": "d1"})))
    got = outcomes(verdict)
    assert got["HOOK-TS-001"] == {Outcome.INFO}
    assert got["HOOK-OTHER-001"] == {Outcome.INFO}
    assert Outcome.FAIL not in set().union(*got.values())


def final(kind: str = "file", body: dict[str, Any] | None = None, *, child: bool = False) -> Final:
    data = copy.deepcopy(body or (IMPORT if kind == "import" else FILE))
    read = Exchange.for_request("GET", "http://t/x", [], b"")
    return Final(kind, str(data["id"]), data, read, time.monotonic(), child)


@pytest.mark.parametrize(
    ("owed", "sent", "rid"),
    [
        (final(), event(data=FILE | {"status": "processing"}), "HOOK-DATA-001"),  # stale data
        (final(), event(data={k: v for k, v in FILE.items() if k != "clientData"}), "HOOK-DATA-001"),
        (
            final(body=FILE | {"status": "rejected", "error": "ERR_UNSUPPORTED_FILE_FORMAT"}),
            event("file.rejected", data=FILE | {"status": "rejected", "error": "ERR_OTHER"}),
            "HOOK-DATA-001",
        ),
        (
            final(body=FILE | {"status": "rejected", "error": "E"}),
            event("file.processed", data=FILE | {"status": "rejected", "error": "E"}),
            "HOOK-TYPE-002",
        ),
        (
            final("import"),
            event("import.processed", data=IMPORT | {"files": [FILE | {"status": "processing"}]}),
            "HOOK-TYPE-002",
        ),
        (final("import"), event("import.processed", data=IMPORT | {"status": "processing"}), "HOOK-DATA-001"),
    ],
    ids=["stale-status", "client-data-lost", "other-error", "type-against-state", "import-early", "import-stale"],
)
def test_data_must_be_what_get_answers(owed: Final, sent: dict[str, Any], rid: str) -> None:
    with pytest.raises(RequirementFailure) as failure:
        judge_data(new_verdict(), owed, delivery(sent))
    assert failure.value.requirement_id == rid


def test_consistent_data_passes() -> None:
    verdict = new_verdict()
    judge_data(verdict, final(), delivery(event()))
    judge_data(verdict, final("import"), delivery(event("import.processed", data=IMPORT)))
    assert outcomes(verdict) == {"HOOK-DATA-001": {Outcome.PASS}, "HOOK-TYPE-002": {Outcome.PASS}}


def test_ids_shared_by_different_events_fail_and_redeliveries_are_counted() -> None:
    verdict = new_verdict()
    first = delivery(event())
    judge_ids(verdict, [first, delivery(event())])  # the same event twice: a redelivery, INFO
    assert outcomes(verdict) == {"HOOK-DUP-001": {Outcome.INFO}}  # one event: no two could share an id
    assert "1 of 1 event ids came more than once" in verdict.results.records[-1].message
    other = event("import.processed", data=IMPORT)
    verdict = new_verdict()
    judge_ids(verdict, [first, delivery(event("import.processed", data=IMPORT, id="e2"))])
    assert outcomes(verdict)["HOOK-ID-001"] == {Outcome.PASS}
    with pytest.raises(RequirementFailure, match="HOOK-ID-001"):
        judge_ids(new_verdict(), [first, delivery(other)])


def test_a_missing_signature_under_an_expected_failure_does_not_crash() -> None:
    verdict = new_verdict()
    verdict.expected = ExpectedFailures([ExpectedEntry("HOOK-SIG-001", "no signature header")])
    judge_delivery(verdict, fixture_suite(), delivery(event(), signed=False))
    got = outcomes(verdict)
    assert got["HOOK-SIG-001"] == {Outcome.XFAIL}
    assert "HOOK-SIG-002" not in got  # nothing to verify
    assert got["HOOK-ENV-001"] == {Outcome.PASS}  # the rest of the delivery is still judged


def test_informational_events_about_a_final_file_are_not_held_to_its_state() -> None:
    verdict = new_verdict()
    uploaded = event("file.uploaded", data=FILE | {"status": "pending"}, id="e-up")
    judge_data(verdict, final(), delivery(uploaded))
    assert outcomes(verdict) == {}
    suite = fixture_suite(webhook_delay_s=0.3)
    session = _session(uploaded, event())
    verdict = new_verdict()
    judge_events(verdict, suite, session, [final()])
    got = outcomes(verdict)
    assert got["HOOK-DATA-001"] == {Outcome.PASS} and got["HOOK-TYPE-002"] == {Outcome.PASS}
    assert got["HOOK-OTHER-001"] == {Outcome.INFO}


def _session(*bodies: dict[str, Any]) -> HookSession:
    receiver = Receiver(public_url="http://hooks.example")  # never started: deliveries are injected
    for body in bodies:
        raw = json.dumps(body).encode()
        headers = [(HEADER[0], HEADER[1]), ("x-invofox-signature", sign(raw, SECRET))]
        receiver._arrive("POST", PRIMARY_PATH, headers, raw)
    return HookSession(receiver, None, Ours("ic-run-7"))


def test_events_owed_by_finals_are_required_within_the_delay() -> None:
    child = FILE | {"id": "66f580d3bee75c4a542daacc", "parentFileId": "66f580d3bee75c4a542daabb"}

    def owed() -> list[Final]:  # seen final just now: the window starts here
        return [final(), final(body=child, child=True), final("import")]

    suite = fixture_suite(webhook_delay_s=0.3)
    complete = _session(event(), event(data=child, id="e2"), event("import.processed", data=IMPORT, id="e3"))
    verdict = new_verdict()
    judged = judge_events(verdict, suite, complete, owed())
    assert len(judged) == 3
    assert {"HOOK-EVT-001", "HOOK-EVT-002", "HOOK-EVT-003"} <= set(outcomes(verdict))
    for missing, rid in ((0, "HOOK-EVT-001"), (1, "HOOK-EVT-002"), (2, "HOOK-EVT-003")):
        sent = [event(), event(data=child, id="e2"), event("import.processed", data=IMPORT, id="e3")]
        del sent[missing]
        session = _session(*sent)
        with pytest.raises(RequirementFailure) as failure:
            judge_events(new_verdict(), suite, session, owed())
        assert failure.value.requirement_id == rid


def test_signature_headers_are_redacted_in_the_recorded_exchange() -> None:
    session = _session(event())
    assert session.receiver is not None
    recorded = session.receiver.deliveries()[0]
    assert recorded.header("x-invofox-signature") != REDACTED  # kept for verification, in memory only
    assert dict(recorded.exchange.request_headers)["x-invofox-signature"] == REDACTED
    view = recorded.exchange.to_dict()
    assert all(v == REDACTED for k, v in view["request"]["headers"] if k == "x-invofox-signature")


def test_correlation_keeps_other_traffic_and_other_environments_out() -> None:
    ours = Ours("ic-run-7", file_ids={"f1"}, import_ids={"i1"})
    ours.add(files={"b1"}, other=True)
    assert ours.owns(delivery(event(data={"id": "f1"})))
    assert ours.owns(delivery(event(data={"id": "child", "importId": "i1"})))
    assert ours.owns(delivery(event(data={"id": "zz", "clientData": {RUN_TAG_KEY: "ic-run-7"}})))
    assert not ours.owns(delivery(event(data={"id": "zz", "clientData": {RUN_TAG_KEY: "someone-else"}})))
    assert not ours.owns(delivery(event(data={"id": "b1", "clientData": {RUN_TAG_KEY: "ic-run-7"}})))
    marked = {RUN_TAG_KEY: "ic-run-7", CASE_KEY: OTHER_ENVIRONMENT_CASE}
    tagged_b = delivery(event(data={"id": "b2", "clientData": marked}))
    assert not ours.owns(tagged_b) and ours.from_other_environment(tagged_b)
