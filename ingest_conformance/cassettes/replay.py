"""Replaying a cassette offline, and judging every recorded answer against a (possibly newer) spec.

respx answers each recorded request with its recorded response; the request is sent again through
httpx, so what is judged is what an httpx client receives. Every answer gets the checks a run gives
every answer (no 5xx, JSON errors, schema, id shape, documented status, Retry-After) against the
given spec, and again against the spec the cassette was recorded with: where the two verdicts differ,
that is spec drift, reported per operation and requirement. Nothing leaves the process.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import respx

from ingest_conformance.cassettes.record import CassetteEntry
from ingest_conformance.config.target import TargetConfig
from ingest_conformance.judging.catalogue import Catalogue
from ingest_conformance.judging.checks import EVERY_ANSWER, Case, Check, CheckContext, RequirementFailure, body_preview
from ingest_conformance.judging.openapi import OpenAPIDocument
from ingest_conformance.judging.results import CheckRecord, Outcome, RunResults
from ingest_conformance.webhooks.receiver import DELIVERY_NOTE
from ingest_conformance.wire.exchange import Exchange

# Statuses the contract allows on any operation, documented there or not (as the fuzzing judge has it).
CONTRACT_ERRORS = frozenset({400, 401, 403, 404, 405, 413, 415, 429})
# Framing headers httpx recomputes; Content-Encoding goes too, because cassettes hold decoded bodies.
_FRAMING = frozenset({"host", "content-length", "transfer-encoding", "content-encoding", "connection"})
ANY_BODY = "*"  # the key of entries whose request body was not stored (streamed or over the limit)
_SEVERITY = (Outcome.INFO, Outcome.WARN, Outcome.FAIL)  # outcomes that mean "broken"


class ReplayMismatch(AssertionError):
    """A request that no recorded exchange answers (the cassette and the request disagree)."""


# -- respx answering from a cassette ------------------------------------------------------------------
def _key(method: str, url: str, body: bytes | None) -> tuple[str, str, str]:
    return method.upper(), url, hashlib.sha256(body).hexdigest() if body is not None else ANY_BODY


def cassette_router(entries: Iterable[CassetteEntry]) -> respx.MockRouter:
    """A respx router answering every recorded request with its recorded response, in recorded order.

    Requests are matched exactly on method, URL and body bytes (headers are not compared, so redacted
    credentials do not matter); entries whose body was not stored match any body. Once the answers
    recorded for a request are used up, the last one is repeated (a client polling a file). Use it
    for an SDK's own tests as well: `with cassette_router(entries): ...` answers every httpx client.
    """
    queues: dict[tuple[str, str, str], deque[CassetteEntry]] = {}
    last: dict[tuple[str, str, str], CassetteEntry] = {}
    for entry in entries:
        queues.setdefault(_key(entry.method, entry.url, entry.request_body.data), deque()).append(entry)

    def answer(request: httpx.Request) -> httpx.Response:
        exact = _key(request.method, str(request.url), request.read())
        for key in (exact, (*exact[:2], ANY_BODY)):
            queue = queues.get(key)
            if queue:
                last[key] = entry = queue.popleft()
                return recorded_response(entry, request)
            if key in last:
                return recorded_response(last[key], request)
        raise ReplayMismatch(
            f"no recorded exchange answers {request.method} {request.url} (body sha256 {exact[2][:16]}…)"
        )

    router = respx.MockRouter(assert_all_called=False, assert_all_mocked=True)
    router.route().mock(side_effect=answer)
    return router


def recorded_response(entry: CassetteEntry, request: httpx.Request) -> httpx.Response:
    if entry.status is None or entry.response_body is None:  # no answer was recorded: the transport failed
        raise httpx.ReadError(entry.error or "no answer was recorded", request=request)
    headers = [(k, v) for k, v in entry.response_headers if k.lower() not in _FRAMING]
    return httpx.Response(entry.status, headers=headers, content=entry.response_body.data or b"", request=request)


def resend(http: httpx.Client, entry: CassetteEntry) -> Exchange:
    """Send `entry`'s request again through `http` and record what came back."""
    body = entry.request_body
    headers = [(k, v) for k, v in entry.request_headers if k.lower() not in _FRAMING]
    request = http.build_request(entry.method, entry.url, headers=headers, content=body.data or b"")
    exchange = Exchange.for_request(
        entry.method,
        entry.url,
        list(request.headers.multi_items()),
        body.data,
        streamed_size=body.size,
        streamed_sha256=body.sha256,
    )
    exchange.note = f"replay of #{entry.seq}" + (f" ({entry.note})" if entry.note else "")
    try:
        response = http.send(request)
        exchange.status = response.status_code
        exchange.response_headers = list(response.headers.multi_items())
        exchange.response_body = response.content
    except httpx.TransportError as exc:
        exchange.error = f"{type(exc).__name__}: {exc}"
    return exchange


# -- judging one answer against one spec ---------------------------------------------------------------
@dataclass(frozen=True)
class Judgement:
    check: str  # which check: a requirement may be judged by several on one answer
    requirement_id: str
    outcome: Outcome
    failure: RequirementFailure | None = None


class AnswerJudge:
    """The checks a run gives every answer, as findings instead of raised failures."""

    def __init__(self, spec: OpenAPIDocument, catalogue: Catalogue, config: TargetConfig) -> None:
        self.spec, self.catalogue, self.ctx = spec, catalogue, CheckContext(config, catalogue, spec)
        self._routes: list[tuple[str, re.Pattern[str], str]] = []
        for operation_id, (method, path, op) in spec.operations.items():
            if op.get("x-path-profile-setting") == "single_url_path":
                path = config.profile.single_url_path
            segments = [
                "[^/]+" if seg.startswith("{") and seg.endswith("}") else re.escape(seg) for seg in path.split("/")
            ]
            pattern = re.compile("^" + "/".join(segments) + "$")
            self._routes.append((method, pattern, operation_id))

    def operation(self, method: str, url: str) -> tuple[str | None, bool]:
        """(operationId, path known): the operation a request was for, or None and whether its path exists."""
        path = urlsplit(url).path
        known = False
        for op_method, pattern, operation_id in self._routes:
            if pattern.match(path):
                known = True
                if op_method == method.upper():
                    return operation_id, True
        return None, known

    def judge(self, ex: Exchange) -> tuple[str | None, list[Judgement]]:
        if ex.note.startswith(DELIVERY_NOTE):
            return None, []  # a webhook delivery the target sent to the suite's receiver: no API answer to judge
        operation, path_known = self.operation(ex.method, ex.url)
        if ex.status is None:
            return operation, []
        if operation is None:
            return None, self._undocumented(ex, path_known)
        findings: list[Judgement] = []
        case = Case(operation, f"replayed {ex.method} {urlsplit(ex.url).path}")
        for fn in EVERY_ANSWER:
            findings += self._run(fn, ex, case)
        allowed = self.spec.documented_statuses(operation) | CONTRACT_ERRORS
        if ex.status in allowed:
            findings.append(Judgement("documented_status", "RESP-SCHEMA-001", Outcome.PASS))
        else:
            findings.append(
                self._broken(
                    "documented_status",
                    RequirementFailure(
                        "RESP-SCHEMA-001",
                        received=body_preview(ex),
                        exchange=ex,
                        documented=f"a status the spec documents for {operation}, or one the contract allows on any "
                        f"operation: {sorted(allowed)}",
                        message=f"undocumented status {ex.status} for {operation}",
                    ),
                )
            )
        if ex.status == 429:
            retry_after = ex.header("retry-after")
            ok = retry_after is not None and retry_after.strip().isdigit()
            findings.append(
                Judgement("retry_after", "RATE-429-002", Outcome.PASS)
                if ok
                else self._broken(
                    "retry_after",
                    RequirementFailure(
                        "RATE-429-002",
                        received=f"Retry-After: {retry_after!r}",
                        exchange=ex,
                        documented="a 429 carries Retry-After in seconds",
                        message="429 without Retry-After seconds",
                    ),
                )
            )
        return operation, findings

    def _undocumented(self, ex: Exchange, path_known: bool) -> list[Judgement]:
        """A request the spec has no operation for: a success there is the target serving an undefined route."""
        if not path_known and not urlsplit(ex.url).path.startswith("/v1/"):
            return []  # DECISIONS: outside /v1/ anything but a 5xx is fine (METH-PATH-002, INFO)
        rid, allowed = ("METH-405-001", {404, 405}) if path_known else ("METH-PATH-001", {404})
        assert ex.status is not None
        if ex.status in allowed:
            return [Judgement("undocumented_route", rid, Outcome.PASS)]
        if 200 <= ex.status < 300:
            where = "an undocumented method on a documented path" if path_known else "a path the spec does not define"
            message = f"success for {where}: {ex.method} {urlsplit(ex.url).path}"
            return [
                self._broken(
                    "undocumented_route",
                    RequirementFailure(
                        rid,
                        received=body_preview(ex),
                        exchange=ex,
                        message=message,
                        documented=f"{where} answers {sorted(allowed)}",
                    ),
                )
            ]
        return []  # other refusals (401, 400) are not judged here, as the run did not judge them either

    def _run(self, fn: Check, ex: Exchange, case: Case) -> list[Judgement]:
        try:
            fn(self.ctx, ex, case)
        except RequirementFailure as failure:
            return [self._broken(fn.__name__, failure)]
        return [Judgement(fn.__name__, rid, Outcome.PASS) for rid in getattr(fn, "requirements", ())]

    def _broken(self, check: str, failure: RequirementFailure) -> Judgement:
        level = str(self.catalogue[failure.requirement_id].level)
        outcome = {"MUST": Outcome.FAIL, "PROFILE": Outcome.FAIL, "SHOULD": Outcome.WARN}.get(level, Outcome.INFO)
        return Judgement(check, failure.requirement_id, outcome, failure)


# -- the replay of a whole cassette ---------------------------------------------------------------------
@dataclass
class Drift:
    """Per operation and requirement: answers judged differently by the given spec than the recorded one."""

    broken: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # now broken, held before
    fixed: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # now held, broken before

    def add(self, kind: str, operation: str, rid: str, text: str) -> None:
        table = self.broken if kind == "broken" else self.fixed
        table.setdefault(operation, {}).setdefault(rid, []).append(text)

    def to_dict(self) -> dict[str, Any]:
        def view(table: Mapping[str, Mapping[str, list[str]]]) -> dict[str, Any]:
            return {
                op: {rid: {"count": len(items), "first": items[0]} for rid, items in sorted(reqs.items())}
                for op, reqs in sorted(table.items())
            }

        return {"broken": view(self.broken), "fixed": view(self.fixed)}

    def lines(self) -> list[str]:
        out = []
        for kind, table in (("drift", self.broken), ("fixed by the new spec", self.fixed)):
            for op, reqs in sorted(table.items()):
                for rid, items in sorted(reqs.items()):
                    out.append(f"{kind}: {op} {rid} x{len(items)}: {items[0]}")
        return out


@dataclass
class Replay:
    results: RunResults
    drift: Drift
    replayed: int = 0
    unanswered: int = 0


def replay_entries(
    entries: Iterable[CassetteEntry], *, new: AnswerJudge, recorded: AnswerJudge, into: Replay
) -> Replay:
    """Re-send every entry through httpx with respx answering, and judge each answer under both specs.

    `new` judges by the given spec, `recorded` by the spec the cassette was recorded with; the verdicts
    go into `into.results` and the differences into `into.drift` (several cassettes add up).
    """
    entries = list(entries)
    outcome, results = into, into.results
    router = cassette_router(entries)
    with httpx.Client(transport=httpx.MockTransport(router.handler), follow_redirects=False) as http:
        for entry in entries:
            try:
                ex = resend(http, entry)
            except ReplayMismatch as exc:
                results.harness_errors.append(str(exc))
                continue
            outcome.replayed += 1
            if ex.status is None:
                outcome.unanswered += 1
                continue
            operation, findings = new.judge(ex)
            old_operation, old_findings = recorded.judge(ex)
            before = {(f.check, f.requirement_id): f.outcome for f in old_findings}
            label = operation or old_operation or "(no operation)"
            test = f"replay[{label}] {entry.test}"
            for finding in findings:
                record = _record(finding, new.catalogue, test)
                key = (finding.check, finding.requirement_id)
                was = before.get(key, Outcome.PASS)
                if finding.outcome in _SEVERITY and was not in _SEVERITY:
                    text = f"{record.message}: {record.received}" if record.received else record.message
                    outcome.drift.add("broken", label, finding.requirement_id, text[:200])
                    record.message = f"[spec drift: held against the recorded spec] {record.message}"
                elif finding.outcome is Outcome.PASS and was in _SEVERITY:
                    outcome.drift.add("fixed", label, finding.requirement_id, f"#{entry.seq} {entry.test}")
                    record.message = "[spec drift: broken against the recorded spec, holds against this one]"
                results.add(record, [ex])
    return outcome


def _record(finding: Judgement, catalogue: Catalogue, test: str) -> CheckRecord:
    record = CheckRecord(finding.requirement_id, str(catalogue[finding.requirement_id].level), finding.outcome, test)
    if finding.failure is not None:
        failure = finding.failure
        record.message, record.received, record.documented = failure.message, failure.received, failure.documented
    return record
