"""The Python SDK harness: respx routes answering from the spec, judging every request the SDK makes.

    with SdkHarness() as harness:
        sdk = MySdk(base_url=harness.base_url, api_key=harness.api_key)   # any httpx-based SDK
        harness.expect_success(lambda: sdk.upload([...]), filenames=["façade.pdf"])
        harness.expect_errors(lambda: sdk.get_file("0" * 24))      # every documented error, then 500, 503
        harness.expect_retry_after(lambda: sdk.list_imports())     # a 429 with Retry-After first
    print(harness.report().render())                               # met / broken, per client requirement

While it runs, every httpx request in the process is answered by the harness (respx), so nothing
leaves the machine. Answers are schema-valid successes drawn with hypothesis, or the errors a
scenario asks for; each request is checked against spec/client-requirements.yaml.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import respx

from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.judging.results import CheckRecord, Outcome, RunResults
from ingest_conformance.sdk.answers import SpecAnswers, error_body, names_from_request
from ingest_conformance.sdk.forms import api_reads
from ingest_conformance.sdk.inspection import MULTIPART_OPS, Observation, RequestInspector
from ingest_conformance.sdk.report import HarnessReport
from ingest_conformance.sdk.requirements import client_requirement
from ingest_conformance.wire.exchange import Exchange

T = TypeVar("T")
DEFAULT_BASE_URL = "https://ingest.sdk-harness.invalid"
API_KEY = "sdk-harness-api-key"
ACCESS_TOKEN = "sdk-harness-access-token"
MAX_REQUESTS_PER_CALL = 5  # SDK-RETRY-003
REQUEST_CAP = 10_000  # every loop bounded, scenarios or not
TIMING_SLACK_S = 0.05  # clock granularity between the SDK's sleep and our stopwatch
FINAL_ERRORS = frozenset({400, 401, 403, 404, 413, 415})
SERVER_ERRORS = (500, 503)


class HarnessAbort(BaseException):
    """Raised into the SDK when one call goes past MAX_REQUESTS_PER_CALL: a BaseException, so it escapes
    the `except Exception: retry` loops it exists to stop."""


@dataclass(frozen=True)
class Scripted:
    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class _Call:
    label: str
    requests: list[Exchange] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)
    aborted: bool = False


class SdkHarness:
    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str = API_KEY,
        access_token: str = ACCESS_TOKEN,
        seed: int = 0,
        spec_path: Path | None = None,
        test_id: str = "sdk-harness",
        retry_after_s: int = 1,
    ) -> None:
        document = load_openapi(spec_path) if spec_path is not None else load_openapi()
        self.base_url, self.api_key, self.access_token = base_url.rstrip("/"), api_key, access_token
        self.test_id, self.retry_after_s = test_id, retry_after_s
        self.spec = OpenAPIDocument(document)
        self.inspector = RequestInspector(document)
        self.answers = SpecAnswers(document, seed)
        self.results = RunResults(seed=seed, config={"base_url": self.base_url, "spec": str(spec_path or "installed")})
        self.exchanges: list[Exchange] = []
        self._queue: deque[Scripted] = deque()
        self._sticky: Scripted | None = None
        self._not_before: tuple[float, float] | None = None  # (earliest allowed next request, Retry-After given)
        self._call: _Call | None = None
        self._intended: Sequence[str] | None = None
        self._router: respx.MockRouter | None = None
        self._lock = threading.RLock()

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> SdkHarness:
        router = respx.MockRouter(base_url=self.base_url, assert_all_called=False, assert_all_mocked=True)
        router.route().mock(side_effect=self._handle)
        router.start()
        self._router = router
        return self

    def stop(self) -> None:
        if self._router is not None:
            self._router.stop()
            self._router = None
        self.results.finished_at = time.time()

    def __enter__(self) -> SdkHarness:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripted answers ----------------------------------------------------------------------------
    def answer(self, status: int, *, body: Any = None, headers: dict[str, str] | None = None, times: int = 1) -> None:
        """Answer the next `times` requests with `status` (a NestJS-shaped error body unless `body` is given)."""
        extra = dict(headers or {})
        if status == 429:
            extra.setdefault("Retry-After", str(self.retry_after_s))
        for _ in range(times):
            self._queue.append(Scripted(status, error_body(status) if body is None else body, tuple(extra.items())))

    # -- scenarios ---------------------------------------------------------------------------------
    def expect_success(
        self, call: Callable[[], T], *, filenames: Sequence[str] | None = None, label: str = "", examples: int = 1
    ) -> T | None:
        """Run `call` `examples` times against fresh schema-valid answers; it must accept each (SDK-RESP-001).

        `filenames` are the names the call uploads, in order: they make the filename check exact.
        """
        result: T | None = None
        for _ in range(examples):
            with self._calling(label or "success", filenames) as c:
                try:
                    result = call()
                except HarnessAbort:
                    continue
                except Exception as exc:
                    last = c.requests[-1] if c.requests else None
                    answer = f"{last.status} {last.response_body[:200].decode('utf-8', 'replace')}" if last else "-"
                    self._record(
                        "SDK-RESP-001",
                        False,
                        f"{c.label}: the call raised {type(exc).__name__}: "
                        f"{str(exc)[:200]} on a schema-valid answer: {answer}",
                        last,
                    )
                    continue
            if c.requests:
                self._record("SDK-RESP-001", True, "", c.requests[-1])
            else:
                self.results.harness_errors.append(f"{c.label}: the call made no request to {self.base_url}")
        return result

    def expect_errors(
        self,
        call: Callable[[], Any],
        *,
        statuses: Sequence[int] | None = None,
        is_error: Callable[[Any], bool] | None = None,
        label: str = "",
    ) -> None:
        """Run `call` once per error status (default: every 4xx the spec documents for the operations the
        call uses, then 500 and 503); each must reach the caller as an error (SDK-ERR-001/002), final
        errors must not be resent (SDK-RETRY-002), retries must stay bounded (SDK-RETRY-003)."""
        label = label or "errors"
        if statuses is None:
            with (
                self._calling(f"{label} (learning the operation)", None) as probe,
                contextlib.suppress(Exception, HarnessAbort),
            ):
                call()
            documented = {s for op in probe.operations for s in self.spec.documented_statuses(op)}
            statuses = sorted(s for s in documented if 400 <= s < 500 and s != 405) + list(SERVER_ERRORS)
        for status in statuses:
            headers = (("Retry-After", str(self.retry_after_s)),) if status == 429 else ()
            self._sticky = Scripted(status, error_body(status), headers)
            try:
                with self._calling(f"{label} [{status}]", None) as c:
                    try:
                        value, raised = call(), None
                    except HarnessAbort:
                        continue
                    except Exception as exc:
                        value, raised = None, exc
            finally:
                self._sticky = None
            self._judge_error(c, status, value, raised, is_error)

    def expect_retry_after(self, call: Callable[[], T], *, label: str = "") -> T | None:
        """Answer the call's first request with 429 and `Retry-After`, then successes: a retry must wait
        that long (SDK-RETRY-001); not retrying is fine if the 429 reaches the caller as an error."""
        self._queue.append(Scripted(429, error_body(429), (("Retry-After", str(self.retry_after_s)),)))
        result: T | None = None
        raised: Exception | None = None
        with self._calling(label or "retry-after", None) as c:
            try:
                result = call()
            except HarnessAbort:
                return None
            except Exception as exc:
                raised = exc
        self._queue.clear()
        if len(c.requests) == 1:
            self._record(
                "SDK-RETRY-001",
                None,
                f"{c.label}: the SDK does not retry a 429; nothing to time",
                None,
                outcome=Outcome.SKIP,
            )
            self._judge_error(c, 429, result, raised, None)
        elif raised is not None:
            self._record(
                "SDK-RESP-001",
                False,
                f"{c.label}: the call raised {type(raised).__name__}: "
                f"{str(raised)[:200]} although its retry got a success answer",
                c.requests[-1],
            )
        else:
            self._record("SDK-RESP-001", True, "", c.requests[-1])
        return result

    # -- results -----------------------------------------------------------------------------------
    def report(self) -> HarnessReport:
        return HarnessReport(self.results, self.test_id, self.base_url, secrets=(self.api_key, self.access_token))

    def assert_conformant(self, *, strict: bool = False) -> None:
        """Raise AssertionError listing every broken MUST (and SHOULD, if strict), with its messages."""
        report = self.report()
        if report.failed(strict=strict):
            raise AssertionError(report.render(only_broken=True))

    # -- internals ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _calling(self, label: str, filenames: Sequence[str] | None) -> Iterator[_Call]:
        call = _Call(label)
        self._call, self._intended = call, filenames
        try:
            yield call
        finally:
            self._call, self._intended, self._not_before = None, None, None

    def _judge_error(
        self, c: _Call, status: int, value: Any, raised: Exception | None, is_error: Callable[[Any], bool] | None
    ) -> None:
        last = c.requests[-1] if c.requests else None
        if raised is not None:
            self._record("SDK-ERR-001", True, "", last)
            names_status = str(status) in str(raised) or status in (
                getattr(raised, "status_code", None),
                getattr(raised, "status", None),
            )
            self._record(
                "SDK-ERR-002",
                names_status,
                f"{c.label}: {type(raised).__name__}: {str(raised)[:160]!r} does not name the status {status}",
                last,
            )
        elif is_error is not None and is_error(value):
            self._record("SDK-ERR-001", True, "", last)
        else:
            self._record(
                "SDK-ERR-001",
                False,
                f"{c.label}: the call returned {value!r:.160} for a {status} answer instead of raising",
                last,
            )
        if (status == 429 or status >= 500) and c.requests:  # the call gave up by itself: bounded
            self._record("SDK-RETRY-003", True, "", last)
        if status in FINAL_ERRORS and c.requests:
            sent = len(c.requests)
            self._record(
                "SDK-RETRY-002",
                sent == 1,
                f"{c.label}: {c.requests[0].method} "
                f"{urlsplit(c.requests[0].url).path} was sent {sent} times after a final {status}",
                last,
            )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            now = time.monotonic()
            body = request.read()
            exchange = Exchange.for_request(request.method, str(request.url), list(request.headers.multi_items()), body)
            call = self._call
            if call is not None and len(call.requests) >= MAX_REQUESTS_PER_CALL:
                call.aborted = True
                self._record(
                    "SDK-RETRY-003",
                    False,
                    f"{call.label}: the call sent a request #{len(call.requests) + 1}"
                    f" ({request.method} {request.url.path}); the harness stopped it",
                    call.requests[-1],
                )
                raise HarnessAbort(f"{call.label}: more than {MAX_REQUESTS_PER_CALL} requests in one call")
            if len(self.exchanges) >= REQUEST_CAP:
                raise HarnessAbort(f"more than {REQUEST_CAP} requests in one harness")
            headers = {k.lower(): v for k, v in request.headers.items()}
            inspected = self.inspector.inspect(
                request.method, str(request.url), headers, body, intended_filenames=self._intended
            )
            status, payload, extra = self._choose(inspected.operation, request, body, inspected.parts)
            response = httpx.Response(
                status,
                headers=[("content-type", "application/json"), *extra],
                content=json.dumps(payload).encode("utf-8"),
            )
            exchange.status, exchange.response_body = status, response.content
            exchange.response_headers = list(response.headers.multi_items())
            self.exchanges.append(exchange)
            for observation in inspected.observations:
                self._observe(observation, exchange)
            self._judge_timing(now, exchange, call)
            if status == 429:
                self._not_before = (now + self.retry_after_s, float(self.retry_after_s))
            if call is not None:
                call.requests.append(exchange)
                call.operations.update([inspected.operation] if inspected.operation else [])
            return response

    def _choose(
        self, operation: str | None, request: httpx.Request, body: bytes, parts: Sequence[Any]
    ) -> tuple[int, Any, tuple[tuple[str, str], ...]]:
        scripted = self._queue.popleft() if self._queue else self._sticky
        if scripted is not None:
            return scripted.status, scripted.body, scripted.headers
        if operation is None:
            return 404, error_body(404, f"Cannot {request.method} {request.url.path}"), ()
        names: list[str] = []
        if operation in MULTIPART_OPS:
            file_part = MULTIPART_OPS[operation][0]
            names = [
                api_reads(p.filename_raw) if p.filename_raw is not None else "file"
                for p in parts
                if p.name == file_part
            ]
            names += [
                p.content.decode("utf-8", "replace").rstrip("/").rsplit("/", 1)[-1]
                for p in parts
                if p.name == "urls" and p.content.strip()
            ]
        else:
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                names = names_from_request(operation, [], json.loads(body or b"null"))
        status, payload = self.answers.success(
            operation, path=request.url.path, query=request.url.query.decode("ascii", "replace"), filenames=names
        )
        return status, payload, ()

    def _judge_timing(self, now: float, exchange: Exchange, call: _Call | None) -> None:
        if self._not_before is None:
            return
        earliest, given = self._not_before
        self._not_before = None
        waited = now - (earliest - given)
        where = f"{call.label}: " if call else ""
        self._record(
            "SDK-RETRY-001",
            now >= earliest - TIMING_SLACK_S,
            f"{where}{exchange.method} "
            f"{urlsplit(exchange.url).path} sent {waited:.2f} s after a 429 with Retry-After: {given:g}",
            exchange,
        )

    def _observe(self, observation: Observation, exchange: Exchange) -> None:
        label = self._call.label if self._call else "outside any scenario"
        message = f"{label}: {observation.message}" if observation.message else ""
        outcome = Outcome.INFO if observation.ok is None else None
        self._record(observation.requirement_id, observation.ok, message, exchange, outcome=outcome)

    def _record(
        self, rid: str, ok: bool | None, message: str, exchange: Exchange | None, *, outcome: Outcome | None = None
    ) -> None:
        requirement = client_requirement(rid)
        level = str(requirement.level)
        if outcome is None:
            outcome = Outcome.PASS if ok else {"MUST": Outcome.FAIL, "SHOULD": Outcome.WARN}.get(level, Outcome.INFO)
        shown = "" if outcome is Outcome.PASS else message
        record = CheckRecord(
            rid,
            level,
            outcome,
            self.test_id,
            message=shown,
            received=shown,
            documented=requirement.statement if outcome in (Outcome.FAIL, Outcome.WARN) else "",
        )
        self.results.add(record, [exchange] if exchange is not None else [])
