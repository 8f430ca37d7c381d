"""The webhook workflow: upload -> watch the import until everything is final -> the events that must come.

`watch` polls the upload's import (bounded by `processing_timeout_s`) and notes when each file, ZIP
children included, and the import itself were first seen final, then reads each final file once at GET
file: that answer is what the event's `data` must agree with. `await_events` waits for the events those
finals owe (each within `webhook_delay_s` of being seen final), and `judge_events` judges them.
Per-delivery rules (method, signature, custom headers, envelope, type, schema) are in `hookchecks.py`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ingest_conformance.flows.hookchecks import judge_delivery
from ingest_conformance.flows.polling import TERMINAL
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.webhooks.events import IMPORT_EVENT, IN_SCOPE, event_type, subject_id
from ingest_conformance.webhooks.receiver import PRIMARY_PATH, Delivery, Receiver
from ingest_conformance.webhooks.session import HookSession
from ingest_conformance.wire.client import Auth, TargetClient
from ingest_conformance.wire.exchange import Exchange

MAX_POLLS = 600


@dataclass
class Final:
    """A file or import seen final: when (monotonic), and how GET answered it then."""

    kind: str  # "file" or "import"
    id: str
    body: dict[str, Any]
    exchange: Exchange
    seen_at: float
    zip_child: bool = False

    @property
    def event(self) -> str:
        return IMPORT_EVENT if self.kind == "import" else f"file.{self.body.get('status')}"

    @property
    def requirement(self) -> str:
        if self.kind == "import":
            return "HOOK-EVT-003"
        return "HOOK-EVT-002" if self.zip_child else "HOOK-EVT-001"


def watch(client: TargetClient, suite: Suite, import_id: str, *, auth: Auth = "api_key") -> list[Final]:
    """Poll the import until it and all its files are final (bounded); each final file read once."""
    deadline = time.monotonic() + suite.config.profile.processing_timeout_s
    delay = suite.poll_start_s
    seen: dict[str, float] = {}
    body: dict[str, Any] = {}
    ex: Exchange | None = None
    import_final: float | None = None
    for _ in range(MAX_POLLS):
        ex = client.get(f"/v1/ingest/imports/{import_id}", auth=auth, note="watch the import for its webhook events")
        answer = ex.json() if ex.status == 200 else None
        if not isinstance(answer, dict):
            break
        body, now = answer, time.monotonic()
        files = [f for f in body.get("files") or [] if isinstance(f, dict) and isinstance(f.get("id"), str)]
        for f in files:
            if f.get("status") in TERMINAL:
                seen.setdefault(f["id"], now)
        if body.get("status") == "processed" and files and all(f.get("status") in TERMINAL for f in files):
            import_final = now
            break
        if now >= deadline:
            break
        time.sleep(min(delay, max(0.0, deadline - now)))
        delay = min(delay * 1.6, 1.0)
    finals: list[Final] = []
    for file_id, at in seen.items():
        got = client.get(f"/v1/ingest/files/{file_id}", auth=auth, note="the final file, as its event must show it")
        answer = got.json() if got.status == 200 else None
        if isinstance(answer, dict) and answer.get("status") in TERMINAL:
            finals.append(Final("file", file_id, answer, got, at, zip_child=bool(answer.get("parentFileId"))))
    if import_final is not None and ex is not None:
        finals.append(Final("import", import_id, body, ex, import_final))
    return finals


def subscribed(suite: Suite, finals: Iterable[Final]) -> list[Final]:
    """The finals whose event type the environment is subscribed to (profile `webhook_events`)."""
    return [f for f in finals if f.event in suite.config.profile.webhook_events]


def arrivals(deliveries: Iterable[Delivery], final: Final) -> list[Delivery]:
    """The deliveries (at the primary path) of the event `final` owes, in arrival order."""
    return [d for d in deliveries if d.at(PRIMARY_PATH) and subject_id(d) == final.id and event_type(d) == final.event]


def about(deliveries: Iterable[Delivery], final: Final) -> list[Delivery]:
    """Every delivery at the primary path about `final`'s file or import, whatever its type."""
    return [d for d in deliveries if d.at(PRIMARY_PATH) and subject_id(d) == final.id]


def await_events(receiver: Receiver, suite: Suite, finals: list[Final]) -> list[Delivery]:
    """Wait until every final has its event, or each one's window (`webhook_delay_s`) has passed."""
    delay = suite.config.profile.webhook_delay_s
    last = max((f.seen_at + delay for f in finals), default=time.monotonic())
    receiver.wait_until(lambda ds: all(arrivals(ds, f) for f in finals), last - time.monotonic())
    return receiver.deliveries()


def judge_events(verdict: Verdict, suite: Suite, hooks: HookSession, finals: list[Final]) -> list[Delivery]:
    """HOOK-EVT-*, then every delivery about these finals (per-delivery rules), HOOK-DATA-001, HOOK-TYPE-002."""
    assert hooks.receiver is not None
    deliveries = await_events(hooks.receiver, suite, finals)
    delay = suite.config.profile.webhook_delay_s
    for final in finals:
        came = arrivals(deliveries, final)
        first = came[0] if came else None
        late = first is not None and first.arrived > final.seen_at + delay
        others = sorted({str(event_type(d)) for d in about(deliveries, final)} - {final.event})
        verdict.require(
            final.requirement,
            first is not None and not late,
            exchange=first.exchange if first is not None else final.exchange,
            received=f"{final.event} for {final.kind} {final.id} came "
            + (f"{first.arrived - final.seen_at:.1f} s after it was seen final" if first else "never")
            + (f" (other events about it: {others})" if others else ""),
            documented=f"a {final.event} event within {delay:g} s (profile webhook_delay_s) of the "
            f"{'ZIP child' if final.zip_child else final.kind} reaching {final.body.get('status')}",
            message=f"no timely {final.event} event for {final.kind} {final.id}",
        )
    judged = [d for f in finals for d in about(deliveries, f)]
    for delivery in judged:
        judge_delivery(verdict, suite, delivery)
    for final in finals:
        for delivery in about(deliveries, final):
            judge_data(verdict, final, delivery)
    return judged


def judge_data(verdict: Verdict, final: Final, delivery: Delivery) -> None:
    """HOOK-DATA-001 (data as GET answers it), then HOOK-TYPE-002 (the type matches the state of data)."""
    event = delivery.event or {}
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(event.get("type"), str):
        return  # HOOK-ENV-001 / HOOK-TYPE-001 have judged it
    kind = str(event["type"])
    if kind not in IN_SCOPE or kind.split(".", 1)[0] != final.kind:
        return  # informational (file.uploaded, document.*) or unknown: HOOK-OTHER-001 / HOOK-TYPE-001 judge it
    keys = ("id", "status") if final.kind == "import" else ("id", "status", "filename", "importId")
    differ = [f"{k}: {data.get(k)!r} (GET: {final.body.get(k)!r})" for k in keys if data.get(k) != final.body.get(k)]
    if final.kind == "file" and final.body.get("status") == "rejected" and data.get("error") != final.body.get("error"):
        differ.append(f"error: {data.get('error')!r} (GET: {final.body.get('error')!r})")
    given = final.body.get("clientData")
    if isinstance(given, dict) and given:
        got = data.get("clientData")
        missing = {k: v for k, v in given.items() if not isinstance(got, dict) or got.get(k) != v}
        if missing:
            differ.append(f"clientData lacks {missing!r} (got {got!r})")
    verdict.require(
        "HOOK-DATA-001",
        not differ,
        exchange=delivery.exchange,
        received="; ".join(differ),
        documented=f"data is the {final.kind} as GET answers it once final",
        message=f"{kind} #{delivery.seq}: data differs from GET {final.kind}",
    )
    state = data.get("status")
    if final.kind == "import":
        files = [f for f in data.get("files") or [] if isinstance(f, dict)]
        unfinished = [f"{f.get('id')}: {f.get('status')}" for f in files if f.get("status") not in TERMINAL]
        ok = kind == IMPORT_EVENT and state == "processed" and not unfinished
        received = f"{kind} with data.status {state!r}" + (f", files not final: {unfinished}" if unfinished else "")
    else:
        ok = kind == f"file.{state}"
        received = f"{kind} with data.status {state!r}"
    verdict.require(
        "HOOK-TYPE-002",
        ok,
        exchange=delivery.exchange,
        received=received,
        documented="file.processed for a processed file, file.rejected for a rejected one, import.processed "
        "for a processed import whose files are all final",
    )
