"""Webhooks: the target's file.processed, file.rejected and import.processed events, at the suite's receiver.

Every test uploads its own files (tagged with the run tag and a case marker in clientData), watches them
to their final state, and judges the events they owe. Only deliveries about this run's uploads are judged;
a shared sandbox's other traffic is ignored. Without a webhook configuration every test here is skipped
with the one reason webhooks/session.py gives. (HOOK-*)
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest

from ingest_conformance import strategies as s
from ingest_conformance.flows.generation import one_example, salt_of
from ingest_conformance.flows.hookchecks import PER_DELIVERY, judge_delivery, judge_ids
from ingest_conformance.flows.upload import UPLOADS, post_parts, tag_info
from ingest_conformance.flows.webhooks import Final, arrivals, judge_events, watch
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import Part, SampleFile
from ingest_conformance.webhooks.events import CASE_KEY, OTHER_ENVIRONMENT_CASE, event_type, is_file_event_about
from ingest_conformance.webhooks.receiver import PRIMARY_PATH, SECOND_PATH, Answer, Delivery, Receiver
from ingest_conformance.webhooks.session import HookSession
from ingest_conformance.wire.client import Auth, TargetClient

RETRY_AFTER_S = 2  # what the Retry-After test asks for: long enough to tell from a default 300 ms retry
EVENTS = ("HOOK-EVT-001", "HOOK-EVT-002", "HOOK-EVT-003", "HOOK-DATA-001", "HOOK-TYPE-002")


@pytest.fixture(scope="session")
def hooks(suite: Suite) -> HookSession:
    """The run's receiver; every webhook test skips with one reason when webhooks are not configured."""
    session = suite.hooks
    if session is None or session.receiver is None or session.skip_reason:
        pytest.skip(session.skip_reason if session is not None and session.skip_reason else "webhooks not set up")
    return session


def _upload(
    client: TargetClient,
    suite: Suite,
    hooks: HookSession,
    samples: list[SampleFile],
    case: str,
    *,
    auth: Auth = "api_key",
) -> tuple[set[str], str] | None:
    """Upload `samples` in one request tagged with `case`; (file ids, import id), or None when refused."""
    info = tag_info(suite, clientData={CASE_KEY: case})
    ex = post_parts(client, UPLOADS, [*(Part.file(x) for x in samples), Part.json("info", info)], auth=auth, note=case)
    answer = ex.json() if ex.status is not None and 200 <= ex.status < 300 else None
    if not isinstance(answer, dict) or not isinstance(answer.get("importId"), str):
        return None
    files = {str(f["id"]) for f in answer.get("files") or [] if isinstance(f, dict) and isinstance(f.get("id"), str)}
    hooks.ours.add(files=files, imports={answer["importId"]}, other=auth != "api_key")
    return files, answer["importId"]


def _watched(
    client: TargetClient, suite: Suite, hooks: HookSession, import_id: str, *, auth: Auth = "api_key"
) -> list[Final]:
    finals = watch(client, suite, import_id, auth=auth)
    hooks.ours.add(files={f.id for f in finals if f.kind == "file"}, other=auth != "api_key")
    return finals


def _pdf(suite: Suite, name: str) -> SampleFile:
    return one_example(suite, s.pdf_files(max_pages=1), salt=salt_of("webhooks", name))


@pytest.mark.requirement(*EVENTS, *PER_DELIVERY, "HOOK-ID-001", "HOOK-DUP-001", "HOOK-ORDER-001", "HOOK-CTYPE-001")
def test_events_for_every_final_file_and_import(
    client: TargetClient, verdict: Verdict, suite: Suite, hooks: HookSession
) -> None:
    """A PDF and a ZIP of two files in one upload, an unsupported file in another: every file (ZIP children
    included) that ends processed or rejected, and each import, gets its event with data as GET shows it."""
    zipped = one_example(suite, s.zip_files(min_entries=2, max_entries=2, allow_nested=False), salt=salt_of("hook-zip"))
    odd = one_example(suite, s.unsupported_files(), salt=salt_of("hook-unsupported"))
    finals: list[Final] = []
    for samples, case in (([_pdf(suite, "events"), zipped], "events"), ([odd], "events-rejected")):
        uploaded = _upload(client, suite, hooks, samples, case)
        if uploaded is not None:  # an unsupported file may be refused at once (400): then it owes no event
            finals += _watched(client, suite, hooks, uploaded[1])
    owed = [f for f in finals if f.event in suite.config.profile.webhook_events]
    if not owed:
        pytest.skip("no upload reached a final state the environment is subscribed to; the lifecycle tests judge why")
    judged = judge_events(verdict, suite, hooks, owed)
    judge_ids(verdict, judged)
    kinds = [f"{event_type(d)}" for d in sorted(judged, key=lambda d: d.arrived)]
    verdict.observe("HOOK-ORDER-001", f"{len(judged)} deliveries judged, in arrival order: {kinds}")
    types = sorted({(d.header("content-type") or "(none)") for d in judged})
    verdict.observe("HOOK-CTYPE-001", f"Content-Type of the deliveries: {types}")


def _refused_then(
    client: TargetClient,
    suite: Suite,
    hooks: HookSession,
    case: str,
    answer: Answer,
    *,
    times: int | None,
    enough: Callable[[list[Delivery]], bool],
    extra_s: float = 0.0,
    settle: bool = False,
) -> tuple[Final, list[Delivery]]:
    """Upload one PDF whose file events get `answer` (the first `times`), then wait until `enough(its
    deliveries)` or its window ends (and, with `settle`, until tries stop: `_wait_for_quiet`); skips when
    no delivery came to refuse."""
    receiver = hooks.receiver
    assert receiver is not None
    ids: set[str] = set()
    rule = receiver.answer_with(
        lambda d: d.at(PRIMARY_PATH) and is_file_event_about(d, case=case, file_ids=ids), answer, times=times
    )
    try:
        uploaded = _upload(client, suite, hooks, [_pdf(suite, case)], case)
        if uploaded is None:
            pytest.skip("the upload was not accepted; the upload tests judge why")
        ids |= uploaded[0]
        finals = [f for f in _watched(client, suite, hooks, uploaded[1]) if f.kind == "file"]
        if not finals or finals[0].event not in suite.config.profile.webhook_events:
            pytest.skip("the file did not reach a final state the environment is subscribed to")
        final = finals[0]
        end = final.seen_at + suite.config.profile.webhook_delay_s + extra_s
        receiver.wait_until(lambda ds: enough(arrivals(ds, final)), end - time.monotonic())
        if settle:
            _wait_for_quiet(receiver, suite, final, enough)
    finally:
        receiver.drop(rule)
    came = arrivals(receiver.deliveries(), final)
    if not rule.hits:
        pytest.skip(f"no {final.event} event came for the file to refuse; HOOK-EVT-001 judges that")
    return final, came


def _wait_for_quiet(receiver: Receiver, suite: Suite, final: Final, enough: Callable[[list[Delivery]], bool]) -> None:
    """Until `enough` holds or no further try of `final`'s event comes for a quiet period after the last one:
    the receiver timeout or the largest gap seen, whichever is longer, capped by `webhook_delay_s`. Bounded:
    each round needs a new delivery, and `enough` ends it."""
    profile = suite.config.profile

    def beyond(seen: int) -> Callable[[list[Delivery]], bool]:
        return lambda ds: len(arrivals(ds, final)) > seen

    while True:
        came = arrivals(receiver.deliveries(), final)
        if not came or enough(came):
            return
        gaps = [b.arrived - a.arrived for a, b in itertools.pairwise(came)]
        quiet = min(max([profile.webhook_receiver_timeout_s, *gaps]), profile.webhook_delay_s)
        more = receiver.wait_until(beyond(len(came)), came[-1].arrived + quiet - time.monotonic())
        if not more:
            return


def _judge_redelivery(verdict: Verdict, suite: Suite, came: list[Delivery], first_answer: str, rid: str) -> bool:
    """`rid` (the event came again), then HOOK-ID-002 and HOOK-RETRY-005 on the redelivery; whether it came."""
    for d in came:
        judge_delivery(verdict, suite, d)
    if not verdict.require(
        rid,
        len(came) >= 2,
        exchange=came[0].exchange,
        received=f"{len(came)} delivery(ies) after the receiver answered {first_answer}",
        documented="the event is delivered again",
    ):
        return False  # no redelivery (an expected failure): nothing for the checks below to judge
    first, again = came[0], came[1]
    same = first.event is not None and again.event is not None and first.event.get("id") == again.event.get("id")
    verdict.require(
        "HOOK-ID-002",
        same,
        exchange=again.exchange,
        received=f"first id {(first.event or {}).get('id')!r}, redelivered as {(again.event or {}).get('id')!r}",
        documented="a redelivery keeps the event's id (receivers deduplicate on it)",
    )
    verdict.observe("HOOK-RETRY-005", f"redelivered {again.arrived - first.arrived:.2f} s after {first_answer}")
    return True


@pytest.mark.requirement("HOOK-RETRY-001", "HOOK-ID-002", "HOOK-RETRY-005", *PER_DELIVERY)
def test_redelivery_after_a_5xx(client: TargetClient, verdict: Verdict, suite: Suite, hooks: HookSession) -> None:
    _, came = _refused_then(client, suite, hooks, "retry-503", Answer(503), times=1, enough=lambda ds: len(ds) >= 2)
    _judge_redelivery(verdict, suite, came, "503", "HOOK-RETRY-001")


@pytest.mark.requirement("HOOK-RETRY-001", "HOOK-RETRY-004", "HOOK-ID-002", "HOOK-RETRY-005", *PER_DELIVERY)
def test_retry_after_is_honoured(client: TargetClient, verdict: Verdict, suite: Suite, hooks: HookSession) -> None:
    answer = Answer(503, retry_after=str(RETRY_AFTER_S))
    _, came = _refused_then(
        client, suite, hooks, "retry-after", answer, times=1, enough=lambda ds: len(ds) >= 2, extra_s=RETRY_AFTER_S
    )
    if not _judge_redelivery(verdict, suite, came, answer.describe(), "HOOK-RETRY-001"):
        return
    gap = came[1].arrived - came[0].arrived
    verdict.require(
        "HOOK-RETRY-004",
        gap >= 0.9 * RETRY_AFTER_S,
        exchange=came[1].exchange,
        received=f"redelivered {gap:.2f} s after a 503 with Retry-After: {RETRY_AFTER_S}",
        documented=f"the next try waits the {RETRY_AFTER_S} s Retry-After asks for",
    )


@pytest.mark.level("standard")
@pytest.mark.requirement("HOOK-RETRY-002", "HOOK-ID-002", "HOOK-RETRY-005", *PER_DELIVERY)
def test_redelivery_after_no_answer(client: TargetClient, verdict: Verdict, suite: Suite, hooks: HookSession) -> None:
    stall = suite.config.profile.webhook_receiver_timeout_s + 1.0
    answer = Answer(stall_s=stall)
    _, came = _refused_then(
        client, suite, hooks, "retry-stall", answer, times=1, enough=lambda ds: len(ds) >= 2, extra_s=stall
    )
    _judge_redelivery(verdict, suite, came, answer.describe(), "HOOK-RETRY-002")


@pytest.mark.requirement("HOOK-RETRY-001", "HOOK-RETRY-003", "HOOK-RETRY-005", *PER_DELIVERY)
def test_retries_stop_at_the_maximum(client: TargetClient, verdict: Verdict, suite: Suite, hooks: HookSession) -> None:
    """Every try answered 503: the event comes again, but at most `webhook_max_retries` more times (the wait
    ends early once that is exceeded, else only after a quiet period with no further try)."""
    most = 1 + suite.config.profile.webhook_max_retries
    _, came = _refused_then(
        client, suite, hooks, "retry-max", Answer(503), times=None, enough=lambda ds: len(ds) > most, settle=True
    )
    for d in came:
        judge_delivery(verdict, suite, d)
    verdict.require(
        "HOOK-RETRY-001",
        len(came) >= 2,
        exchange=came[0].exchange,
        received=f"{len(came)} delivery(ies) while every one was answered 503",
        documented="the event is delivered again",
    )
    verdict.require(
        "HOOK-RETRY-003",
        len(came) <= most,
        exchange=came[-1].exchange,
        received=f"{len(came)} deliveries of one event, every one answered 503",
        documented=f"the first try and at most {most - 1} more (profile webhook_max_retries)",
    )
    gaps = [f"{b.arrived - a.arrived:.2f}" for a, b in itertools.pairwise(came)]
    verdict.observe("HOOK-RETRY-005", f"{len(came)} tries, gaps in seconds: {gaps}")


@pytest.mark.requirement("HOOK-ISO-001")
def test_no_events_from_another_environment(
    client: TargetClient, verdict: Verdict, suite: Suite, hooks: HookSession, second_environment: str
) -> None:
    """A file uploaded with the other environment's credential: its events never reach this environment's
    receiver path. A control upload here shows that deliveries work while the test waits."""
    receiver = hooks.receiver
    assert receiver is not None
    auth: Auth = "second_api_key" if second_environment == "second_api_key" else "second_access_token"
    other = _upload(client, suite, hooks, [_pdf(suite, "other")], OTHER_ENVIRONMENT_CASE, auth=auth)
    control = _upload(client, suite, hooks, [_pdf(suite, "control")], "isolation-control")
    if other is None or control is None:
        pytest.skip("an upload was not accepted; the upload tests judge why")
    subscribed = suite.config.profile.webhook_events
    theirs = [f for f in _watched(client, suite, hooks, other[1], auth=auth) if f.event in subscribed]
    if not theirs:
        pytest.skip(
            "the other environment's upload reached no final state that owes a subscribed event: no event was due"
        )
    ours = [f for f in _watched(client, suite, hooks, control[1]) if f.event in subscribed]
    if not ours:
        pytest.skip("the control upload owes no subscribed event; the lifecycle tests judge why")
    delay = suite.config.profile.webhook_delay_s
    end = max(f.seen_at for f in [*ours, *theirs]) + delay
    wanted = [*ours, *(theirs if hooks.second_registered else [])]

    def settled(ds: list[Delivery]) -> bool:
        return all(_arrived_anywhere(ds, f) for f in wanted)

    receiver.wait_until(settled, end - time.monotonic())
    if not all(arrivals(receiver.deliveries(), f) for f in ours):
        pytest.skip("the control upload's events did not come, so their absence proves nothing; HOOK-EVT-001 judges")
    time.sleep(min(1.0, delay))  # a leak that comes right after the control event is not missed
    leaked = [d for d in receiver.deliveries(PRIMARY_PATH) if hooks.ours.from_other_environment(d)]
    at_second = [d for d in receiver.deliveries(SECOND_PATH) if hooks.ours.from_other_environment(d)]
    verdict.require(
        "HOOK-ISO-001",
        not leaked,
        exchange=leaked[0].exchange if leaked else None,
        received=f"{len(leaked)} event(s) about the other environment's upload at {PRIMARY_PATH}: "
        f"{[event_type(d) for d in leaked]}",
        documented="no event about a file of another environment reaches this environment's receiver",
        message=f"the other environment's own path received {len(at_second)} of its events",
    )


def _arrived_anywhere(deliveries: list[Delivery], final: Final) -> bool:
    return any(_about(d, final) and (d.at(PRIMARY_PATH) or d.at(SECOND_PATH)) for d in deliveries)


def _about(d: Delivery, final: Final) -> bool:
    data = (d.event or {}).get("data")
    return isinstance(data, dict) and data.get("id") == final.id and event_type(d) == final.event


@pytest.mark.requirement("HOOK-ID-001", "HOOK-DUP-001")
def test_event_ids_are_unique_across_the_run(verdict: Verdict, suite: Suite, hooks: HookSession) -> None:
    """Over every delivery about this run's uploads so far (all tests, not only these): two different events
    never share an id."""
    assert hooks.receiver is not None
    ours = [d for d in hooks.receiver.deliveries(PRIMARY_PATH) if hooks.ours.owns(d)]
    if not ours:
        pytest.skip("no delivery about this run's uploads has come; the event tests judge why")
    judge_ids(verdict, ours)
