"""The per-test judge: turns check results into records at the requirement's level.

A MUST that breaks raises (the test fails); a SHOULD that breaks is recorded as a warning and
the test goes on; INFO is recorded and never fails. A deviation listed in the expected-failures
file is recorded as expected-failure instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.judging.catalogue import Catalogue
from ingest_conformance.judging.checks import EVERY_ANSWER, Case, Check, CheckContext, RequirementFailure, body_preview
from ingest_conformance.judging.expected import ExpectedFailures
from ingest_conformance.judging.results import CheckRecord, Outcome, RunResults
from ingest_conformance.wire.exchange import Exchange


@dataclass
class Verdict:
    test_id: str
    catalogue: Catalogue
    results: RunResults
    expected: ExpectedFailures
    strict: bool = False
    ctx: CheckContext | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def level(self, requirement_id: str) -> str:
        return str(self.catalogue[requirement_id].level)

    # -- the three ways a test reports -----------------------------------------------------------
    def require(
        self,
        requirement_id: str,
        ok: bool,
        *,
        received: Any = "",
        documented: str = "",
        exchange: Exchange | None = None,
        message: str = "",
    ) -> bool:
        """Record `requirement_id` as held (ok) or broken; a broken MUST raises. Returns `ok`, so a later step
        that needs this one to have held can stop (a broken SHOULD, INFO or expected failure returns)."""
        if ok:
            self._record(requirement_id, Outcome.PASS, exchange)
            return True
        self.broken(
            RequirementFailure(
                requirement_id, received=str(received), documented=documented, exchange=exchange, message=message
            )
        )
        return False

    def check(self, fn: Check, exchange: Exchange, case: Case) -> None:
        """Run a registered check; its declared requirements pass unless it raises."""
        if self.ctx is None:
            raise RuntimeError("this Verdict was built without a CheckContext; it can record but not run checks")
        try:
            fn(self.ctx, exchange, case)
        except RequirementFailure as failure:
            self.broken(failure)
            return
        for rid in getattr(fn, "requirements", ()):
            self._record(rid, Outcome.PASS, exchange)

    def answered(self, exchange: Exchange, operation: str, description: str = "") -> None:
        """The checks every answer gets: no 5xx, JSON errors, schema conformance, id shape."""
        case = Case(operation, description)
        for fn in EVERY_ANSWER:
            self.check(fn, exchange, case)

    def status_in(
        self, requirement_id: str, exchange: Exchange, allowed: Iterable[int], documented: str = "", message: str = ""
    ) -> bool:
        """`requirement_id` holds when the answer's status is one of `allowed` (returned, as `require` does)."""
        allowed = sorted(set(allowed))
        return self.require(
            requirement_id,
            exchange.status in allowed,
            received=body_preview(exchange),
            documented=documented or f"status in {allowed}",
            exchange=exchange,
            message=message or f"unexpected status for {exchange.method} {exchange.url}",
        )

    def judge_rate_limits(self) -> None:
        """RATE-429-001/002 over every 429 this test met (the client waited and retried each)."""
        for ex in self.exchanges:
            if ex.status != 429:
                continue
            retry_after = ex.header("retry-after")
            self.observe(
                "RATE-429-001", f"429 on {ex.method} {ex.url}; waited {retry_after or '1 (default)'} s and retried", ex
            )
            self.require(
                "RATE-429-002",
                retry_after is not None and retry_after.strip().isdigit(),
                exchange=ex,
                received=f"Retry-After: {retry_after!r}",
                documented="a 429 carries Retry-After in seconds",
            )

    def observe(self, requirement_id: str, observation: str, exchange: Exchange | None = None) -> None:
        """INFO: record what the target did; never fails."""
        self._record(requirement_id, Outcome.INFO, exchange, message=observation, received=observation)

    # -- internals ---------------------------------------------------------------------------------
    def broken(self, failure: RequirementFailure) -> None:
        rid = failure.requirement_id
        level = self.level(rid)
        ex = failure.exchange
        entry = self.expected.match(rid, self.test_id)
        if entry is not None:
            self._record(
                rid,
                Outcome.XFAIL,
                ex,
                message=f"expected failure: {entry.reason}",
                received=failure.received,
                documented=failure.documented,
            )
            return
        # A PROFILE requirement binds once the profile declares a choice: breaking it is a failure.
        if level in ("MUST", "PROFILE"):
            self._record(
                rid, Outcome.FAIL, ex, message=failure.message, received=failure.received, documented=failure.documented
            )
            raise failure
        if level == "SHOULD":
            self._record(
                rid, Outcome.WARN, ex, message=failure.message, received=failure.received, documented=failure.documented
            )
            self.warnings.append(failure.render())
            return
        self._record(
            rid, Outcome.INFO, ex, message=failure.message, received=failure.received, documented=failure.documented
        )

    def _record(
        self,
        requirement_id: str,
        outcome: Outcome,
        exchange: Exchange | None,
        *,
        message: str = "",
        received: str = "",
        documented: str = "",
    ) -> None:
        exchanges: Iterable[Exchange] = [exchange] if exchange is not None else []
        self.results.add(
            CheckRecord(
                requirement_id,
                self.level(requirement_id),
                outcome,
                self.test_id,
                message=message,
                received=received,
                documented=documented,
            ),
            exchanges,
        )
