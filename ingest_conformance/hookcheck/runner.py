"""Sending webhook-check's cases to a receiver and judging each answer.

Each case is one or more requests and an expectation about their answers (status class and time):
valid events get a 2xx within the timeout (Invofox's 30 s, after which it retries), a forged or
unsigned event gets a refusal (4xx; a 5xx would make Invofox send the forgery again), a redelivery
gets the same answer as the first delivery. Requests go one at a time, except the burst.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import httpx

from . import events

Outcome = Literal["pass", "fail", "warn", "skip"]
MAX_BURST = 500


@dataclass(frozen=True)
class CheckSettings:
    receiver_url: str
    secret: str = ""
    algorithm: str = "sha256"
    encoding: str = "hex"
    prefix: bool = False
    signature_header: str = "x-invofox-signature"
    method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()
    timeout_s: float = 30.0
    burst: int = 50


@dataclass
class Answer:
    status: int | None  # None: no answer within the timeout, or no connection
    seconds: float
    problem: str = ""
    unreachable: bool = False  # the connection itself failed (nothing listening, DNS, TLS)


@dataclass
class CaseResult:
    name: str
    sends: str
    expects: str
    outcome: Outcome = "pass"
    detail: str = ""
    answers: list[Answer] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Request:
    body: bytes
    signature: str | None  # the header value, or None to send none


def shown_url(url: str) -> str:
    """The URL for reports: a password in it or a query string (often a token) is masked."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(":" + parts.password + "@", ":***@")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query="***" if parts.query else ""))


class Checker:
    def __init__(self, settings: CheckSettings, client: httpx.AsyncClient) -> None:
        self.s = settings
        self.client = client
        self.tag = f"webhook-check-{uuid.uuid4().hex[:12]}"
        self.import_id = events.new_id()
        self.first: Request | None = None  # the first valid event, redelivered by the `redelivery` case
        self.first_answer: Answer | None = None

    # -- building requests ----------------------------------------------------------------------
    def signed(self, event: dict[str, Any]) -> Request:
        body = events.body_of(event)
        s = self.s
        return Request(body, events.sign(s.secret, body, s.algorithm, s.encoding, s.prefix) if s.secret else None)

    def forged(self, event: dict[str, Any]) -> Request:
        body = events.body_of(event)
        wrong = events.sign("not-" + self.s.secret, body, self.s.algorithm, self.s.encoding, self.s.prefix)
        return Request(body, wrong)

    def file(self, status: str, filename: str, **extra: Any) -> dict[str, Any]:
        return events.file_object(self.import_id, status=status, filename=filename, run_tag=self.tag, **extra)

    # -- sending --------------------------------------------------------------------------------
    async def send(self, request: Request) -> Answer:
        headers = {"content-type": "application/json", "user-agent": "ingest-conformance-webhook-check"}
        headers.update(dict(self.s.headers))
        if request.signature is not None:
            headers[self.s.signature_header] = request.signature
        started = time.monotonic()
        try:
            response = await asyncio.wait_for(
                self.client.request(self.s.method, self.s.receiver_url, content=request.body, headers=headers),
                timeout=self.s.timeout_s,
            )
        except TimeoutError:
            return Answer(None, round(time.monotonic() - started, 3), f"no answer within {self.s.timeout_s:g} s")
        except httpx.HTTPError as exc:
            seconds = round(time.monotonic() - started, 3)
            unreachable = isinstance(exc, httpx.ConnectError | httpx.UnsupportedProtocol)
            return Answer(None, seconds, f"{type(exc).__name__}: {exc}", unreachable)
        return Answer(response.status_code, round(time.monotonic() - started, 3))


# -- judging --------------------------------------------------------------------------------------
def _said(answer: Answer) -> str:
    return f"{answer.status} in {answer.seconds:g} s" if answer.status is not None else answer.problem


def expect_ack(case: CaseResult, answer: Answer) -> None:
    case.answers.append(answer)
    if answer.status is None or not 200 <= answer.status < 300:
        case.outcome, case.detail = "fail", f"got {_said(answer)}"
    else:
        case.detail = f"acknowledged: {_said(answer)}"


def expect_refusal(case: CaseResult, answer: Answer) -> None:
    case.answers.append(answer)
    if answer.status is not None and 400 <= answer.status < 500:
        case.detail = f"refused: {_said(answer)}"
    elif answer.status is not None and 200 <= answer.status < 300:
        case.outcome, case.detail = "fail", f"accepted ({_said(answer)}): the signature is not checked"
    elif answer.status is not None and answer.status >= 500:
        case.outcome, case.detail = "fail", f"got {_said(answer)}: a 5xx makes the sender deliver it again"
    else:
        case.outcome, case.detail = "fail", f"got {_said(answer)}"


def expect_tolerated(case: CaseResult, answer: Answer) -> None:
    """An unknown event type: 2xx passes; a 4xx is a warning (a logged failed delivery); else fails."""
    case.answers.append(answer)
    if answer.status is not None and 200 <= answer.status < 300:
        case.detail = f"acknowledged: {_said(answer)}"
    elif answer.status is not None and 400 <= answer.status < 500:
        case.outcome = "warn"
        case.detail = f"refused ({_said(answer)}): the sender logs a failed delivery for every new event type"
    else:
        case.outcome, case.detail = "fail", f"got {_said(answer)}: the sender retries it"


async def run_check(settings: CheckSettings, progress: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:
    """Every case against the receiver, in order; stops early (one failed case) if it cannot be reached."""
    limits = httpx.Limits(max_connections=max(settings.burst, 1))
    async with httpx.AsyncClient(timeout=None, limits=limits, follow_redirects=False, trust_env=False) as client:
        checker = Checker(settings, client)
        results: list[CaseResult] = []
        for case_fn in CASES:
            case = await case_fn(checker)
            results.append(case)
            if progress is not None:
                progress(case)
            if case.answers and all(a.unreachable for a in case.answers):
                break  # nothing is listening: the other cases would say the same
        return results


# -- the cases ------------------------------------------------------------------------------------
async def _file_processed(c: Checker) -> CaseResult:
    case = CaseResult("file-processed", "a signed file.processed", "2xx within the timeout")
    c.first = c.signed(events.envelope("file.processed", c.file("processed", "invoice.pdf")))
    c.first_answer = await c.send(c.first)
    expect_ack(case, c.first_answer)
    return case


async def _redelivery(c: Checker) -> CaseResult:
    case = CaseResult(
        "redelivery", "the same file.processed again (same id, same bytes)", "2xx, the same status as the first time"
    )
    assert c.first is not None and c.first_answer is not None  # the file-processed case runs first
    first, again = c.first_answer, await c.send(c.first)
    expect_ack(case, again)
    if case.outcome == "pass" and first.status != again.status:
        case.outcome = "fail"
        case.detail = f"first {_said(first)}, redelivered {_said(again)}"
    elif case.outcome == "pass":
        case.detail = f"same answer: {_said(first)}, then {_said(again)}"
    return case


async def _file_rejected(c: Checker) -> CaseResult:
    case = CaseResult("file-rejected", "a signed file.rejected (error ERR_UNSUPPORTED_FILE_FORMAT)", "2xx in time")
    expect_ack(case, await c.send(c.signed(events.envelope("file.rejected", c.file("rejected", "scan.gif")))))
    return case


async def _import_processed(c: Checker) -> CaseResult:
    case = CaseResult("import-processed", "a signed import.processed with its files", "2xx within the timeout")
    files = [c.file("processed", "invoice.pdf"), c.file("rejected", "scan.gif")]
    data = events.import_object(c.import_id, files, c.tag)
    expect_ack(case, await c.send(c.signed(events.envelope("import.processed", data))))
    return case


async def _numeric_timestamp(c: Checker) -> CaseResult:
    case = CaseResult(
        "numeric-timestamp", "file.processed whose timestamp is epoch milliseconds (a number)", "2xx in time"
    )
    event = events.envelope("file.processed", c.file("processed", "b.pdf"), timestamp=int(time.time() * 1000))
    expect_ack(case, await c.send(c.signed(event)))
    return case


async def _extra_fields(c: Checker) -> CaseResult:
    case = CaseResult("extra-fields", "file.processed with undocumented fields (envelope `url`, data extras)", "2xx")
    data = {**c.file("processed", "c.pdf"), "pages": 2}
    expect_ack(case, await c.send(c.signed({**events.envelope("file.processed", data), "url": ""})))
    return case


async def _unknown_type(c: Checker) -> CaseResult:
    case = CaseResult(
        "unknown-type", "a signed event of a type the receiver does not know (file.archived)", "2xx (4xx warns)"
    )
    expect_tolerated(case, await c.send(c.signed(events.envelope("file.archived", c.file("processed", "d.pdf")))))
    return case


async def _bad_signature(c: Checker) -> CaseResult:
    case = CaseResult("bad-signature", "file.processed signed with another secret", "a refusal (4xx)")
    if not c.s.secret:
        case.outcome, case.detail = "skip", "no --secret: the receiver's signature check cannot be tested"
        return case
    expect_refusal(case, await c.send(c.forged(events.envelope("file.processed", c.file("processed", "e.pdf")))))
    return case


async def _missing_signature(c: Checker) -> CaseResult:
    case = CaseResult("missing-signature", "file.processed without the signature header", "a refusal (4xx)")
    if not c.s.secret:
        case.outcome, case.detail = "skip", "no --secret: unsigned events are what this receiver expects"
        return case
    body = events.body_of(events.envelope("file.processed", c.file("processed", "f.pdf")))
    expect_refusal(case, await c.send(Request(body, None)))
    return case


async def _burst(c: Checker) -> CaseResult:
    n = c.s.burst
    case = CaseResult(
        "zip-burst", f"{n} file.processed of one ZIP's children at once", "every one 2xx within the timeout"
    )
    if n == 0:
        case.outcome, case.detail = "skip", "--burst 0"
        return case
    parent = c.file("processed", "batch.zip", compressed=True)
    requests = [
        c.signed(events.envelope("file.processed", c.file("processed", f"page-{i:03}.pdf", parent_id=parent["id"])))
        for i in range(n)
    ]
    answers = await asyncio.gather(*(c.send(r) for r in requests))
    case.answers = list(answers)
    bad = [a for a in answers if a.status is None or not 200 <= a.status < 300]
    seconds = [a.seconds for a in answers]
    timing = f"median {statistics.median(seconds):g} s, slowest {max(seconds):g} s"
    if bad:
        case.outcome = "fail"
        case.detail = f"{len(bad)} of {n} not acknowledged in time (first: {_said(bad[0])}); {timing}"
    else:
        case.detail = f"{n} of {n} acknowledged; {timing}"
    return case


CASES = (
    _file_processed,
    _redelivery,
    _file_rejected,
    _import_processed,
    _numeric_timestamp,
    _extra_fields,
    _unknown_type,
    _bad_signature,
    _missing_signature,
    _burst,
)
