"""The rules every webhook delivery of ours is held to, whatever the test: method, signature, custom
headers, envelope, type and schema (DECISIONS.md, Webhooks), and the id rules across deliveries.

Each is recorded against the delivery's exchange, so the report shows the delivery that passed or broke it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from ingest_conformance.judging.checks import short
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.webhooks.events import IMPORT_EVENT, event_type, is_informational, subject_id
from ingest_conformance.webhooks.receiver import Delivery
from ingest_conformance.webhooks.signature import Algorithm, verify

# The schema of each in-scope event in spec/ingest.openapi.yaml (components, used by its `webhooks:`).
EVENT_SCHEMAS = {
    "file.processed": "FileProcessedEvent",
    "file.rejected": "FileRejectedEvent",
    "import.processed": "ImportProcessedEvent",
}
# What a test that judges deliveries checks on each of them, for its requirement marker.
PER_DELIVERY = (
    "HOOK-METH-001",
    "HOOK-SIG-001",
    "HOOK-SIG-002",
    "HOOK-HDR-001",
    "HOOK-ENV-001",
    "HOOK-TS-001",
    "HOOK-TYPE-001",
    "HOOK-DATA-002",
    "HOOK-OTHER-001",
)


def judge_delivery(verdict: Verdict, suite: Suite, delivery: Delivery) -> None:
    """Every rule one delivery can be judged by on its own."""
    profile = suite.config.profile
    ex = delivery.exchange
    where = f"delivery #{delivery.seq} ({event_type(delivery) or 'no type'} about {subject_id(delivery)})"
    allowed = (profile.webhook_method,) if profile.webhook_method else ("POST", "PUT")
    verdict.require(
        "HOOK-METH-001",
        delivery.method in allowed,
        exchange=ex,
        received=f"{delivery.method} {delivery.path}",
        documented=f"method {' or '.join(allowed)} (profile webhook_method)",
        message=where,
    )
    if profile.webhook_secret is not None:
        header = profile.webhook_signature_header
        values = delivery.header_values(header)
        signed = verdict.require(
            "HOOK-SIG-001",
            len(values) == 1 and bool(values[0].strip()),
            exchange=ex,
            received=f"{len(values)} {header} header(s)",
            documented=f"one {header} header on every delivery (profile webhook_signature_header)",
            message=where,
        )
        if signed:  # no single signature (an expected failure): nothing for HOOK-SIG-002 to verify
            algorithm = cast(Algorithm, profile.webhook_signature_algorithm)
            result = verify(delivery.body, values[0], profile.webhook_secret.reveal(), algorithm)
            verdict.require(
                "HOOK-SIG-002",
                result.ok,
                exchange=ex,
                received=f"{header}: {result.detail}",
                documented=f"HMAC-{algorithm} of the raw body with webhook_secret, hex or base64, optional "
                f"'{algorithm}=' prefix",
                message=where,
            )
    missing = [
        f"{name} ({'absent' if delivery.header(name) is None else 'another value'})"
        for name, value in profile.webhook_custom_headers
        if delivery.header(name) != value
    ]
    if profile.webhook_custom_headers:
        verdict.require(
            "HOOK-HDR-001",
            not missing,
            exchange=ex,
            received=f"custom headers missing or changed: {missing}",
            documented="every header of profile webhook_custom_headers, with its configured value",
            message=where,
        )
    event, problem = delivery.parsed
    envelope = _envelope_problems(event) if problem is None else [problem]
    verdict.require(
        "HOOK-ENV-001",
        not envelope,
        exchange=ex,
        received="; ".join(envelope),
        documented="a JSON object with id (string), timestamp (ISO 8601 string or a number), version (string), "
        "data (object)",
        message=where,
    )
    if not isinstance(event, dict):
        return  # an envelope broken (and listed as an expected failure): nothing more to read
    body = cast(dict[str, Any], event)
    if isinstance(body.get("timestamp"), int | float):
        verdict.observe("HOOK-TS-001", f"{where}: timestamp is a number ({body['timestamp']!r})", ex)
    kind = event_type(delivery)
    if is_informational(kind):
        verdict.observe("HOOK-OTHER-001", f"{where}: an informational {kind} event", ex)
        return
    subscribed = profile.webhook_events
    verdict.require(
        "HOOK-TYPE-001",
        kind in subscribed,
        exchange=ex,
        received=f"type {body.get('type')!r}",
        documented=f"one of the subscribed types {list(subscribed)} (profile webhook_events), or file.uploaded / "
        "document.* (informational)",
        message=where,
    )
    assert kind is not None
    errors = suite.spec.validate_component(EVENT_SCHEMAS[kind], body) if kind in EVENT_SCHEMAS else []
    verdict.require(
        "HOOK-DATA-002",
        not errors,
        exchange=ex,
        received="; ".join(errors[:5]),
        documented=f"the {EVENT_SCHEMAS.get(kind, kind)} schema of spec/ingest.openapi.yaml "
        f"(data: the {'Import' if kind == IMPORT_EVENT else 'File'} schema)",
        message=where,
    )


def _envelope_problems(event: Any) -> list[str]:
    if not isinstance(event, dict):
        return [f"the body is a JSON {type(event).__name__}, not an object"]
    problems = [f"{key} is {short(event.get(key), 60)}" for key in ("id", "version") if not _text(event.get(key))]
    if not isinstance(event.get("data"), dict):
        problems.append(f"data is {short(event.get('data'), 60)}")
    stamp = event.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, str | int | float):
        problems.append(f"timestamp is {short(stamp, 60)}")
    elif isinstance(stamp, str) and not _iso8601(stamp):
        problems.append(f"timestamp {stamp!r} is not ISO 8601")
    return problems


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _iso8601(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in text or " " in text or len(text) == 10


def judge_ids(verdict: Verdict, deliveries: Iterable[Delivery]) -> None:
    """HOOK-ID-001 (different events never share an id) and HOOK-DUP-001 (repeats of one event, INFO)."""
    events: dict[str, set[tuple[str | None, str | None]]] = defaultdict(set)
    first: dict[str, Delivery] = {}
    counts: dict[str, int] = defaultdict(int)
    for d in deliveries:
        event = d.event
        if event is None or not isinstance(event.get("id"), str):
            continue
        events[event["id"]].add((event_type(d), subject_id(d)))
        first.setdefault(event["id"], d)
        counts[event["id"]] += 1
    if not events:
        return
    distinct: set[tuple[str | None, str | None]] = set().union(*events.values())
    shared = {i: sorted(map(str, kinds)) for i, kinds in events.items() if len(kinds) > 1}
    example = first[next(iter(shared))] if shared else None
    if len(distinct) >= 2:  # with one event, no two different events could have shared an id
        verdict.require(
            "HOOK-ID-001",
            not shared,
            exchange=example.exchange if example is not None else None,
            received=f"ids shared by different events: {short(shared, 400)}",
            documented="every event has an id of its own",
            message=f"{len(distinct)} events with {len(events)} id(s) judged over {sum(counts.values())} deliveries",
        )
    repeated = {i: n for i, n in counts.items() if n > 1}
    verdict.observe(
        "HOOK-DUP-001",
        f"{len(repeated)} of {len(events)} event ids came more than once"
        + (f": {short(repeated, 200)}" if repeated else ""),
    )
