"""The per-test judge: turns check results into records at the requirement's level.

A MUST that breaks raises (the test fails); a SHOULD that breaks is recorded as a warning and
the test goes on; INFO is recorded and never fails. A deviation listed in the expected-failures
file is recorded as expected-failure instead of failing. A check that had nothing to judge records
nothing (a pass only counts when the answer could have failed it), and every record names the
operation it exercised (exercised.py), so the per-operation tables count only where checks ran.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.judging.catalogue import Catalogue
from ingest_conformance.judging.checks import EVERY_ANSWER, Case, Check, CheckContext, RequirementFailure, body_preview
from ingest_conformance.judging.exercised import OperationMap, exercised_operation
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
    _operations: OperationMap | None = field(default=None, init=False, repr=False)

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
        operation: str | None = None,
    ) -> bool:
        """Record `requirement_id` as held (ok) or broken; a broken MUST raises. `operation` names the
        operation exercised when the judged answer alone does not tell (e.g. a poll after an upload).
        Returns `ok`, so a later step that needs this one to have held can stop (a broken SHOULD, INFO or
        expected failure returns)."""
        if ok:
            self._record(requirement_id, Outcome.PASS, exchange, operation=operation)
            return True
        self.broken(
            RequirementFailure(
                requirement_id, received=str(received), documented=documented, exchange=exchange, message=message
            ),
            operation=operation,
        )
        return False

    def check(self, fn: Check, exchange: Exchange, case: Case) -> bool:
        """Run a registered check. Its declared requirements pass only when it judged the answer (returned
        True); a check with nothing to judge records nothing. Returns whether it judged."""
        if self.ctx is None:
            raise RuntimeError("this Verdict was built without a CheckContext; it can record but not run checks")
        operation = case.operation if case.operation in self.ctx.spec.operations else None
        try:
            judged = fn(self.ctx, exchange, case)
        except RequirementFailure as failure:
            self.broken(failure, operation=operation)
            return True
        if judged:
            for rid in getattr(fn, "requirements", ()):
                self._record(rid, Outcome.PASS, exchange, operation=operation)
        return bool(judged)

    def answered(self, exchange: Exchange, operation: str, description: str = "") -> None:
        """The checks every answer gets: no 5xx, JSON errors, schema conformance, id shape."""
        case = Case(operation, description)
        for fn in EVERY_ANSWER:
            self.check(fn, exchange, case)

    def status_in(
        self,
        requirement_id: str,
        exchange: Exchange,
        allowed: Iterable[int],
        documented: str = "",
        message: str = "",
        *,
        operation: str | None = None,
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
            operation=operation,
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

    def observe(
        self, requirement_id: str, observation: str, exchange: Exchange | None = None, *, operation: str | None = None
    ) -> None:
        """INFO: record what the target did; never fails."""
        self._record(
            requirement_id, Outcome.INFO, exchange, message=observation, received=observation, operation=operation
        )

    # -- internals ---------------------------------------------------------------------------------
    def broken(self, failure: RequirementFailure, *, operation: str | None = None) -> None:
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
                operation=operation,
            )
            return
        found = {"message": failure.message, "received": failure.received, "documented": failure.documented}
        # A PROFILE requirement binds once the profile declares a choice: breaking it is a failure.
        if level in ("MUST", "PROFILE"):
            self._record(rid, Outcome.FAIL, ex, operation=operation, **found)
            raise failure
        if level == "SHOULD":
            self._record(rid, Outcome.WARN, ex, operation=operation, **found)
            self.warnings.append(failure.render())
            return
        self._record(rid, Outcome.INFO, ex, operation=operation, **found)

    def operation_of(self, requirement_id: str, exchange: Exchange | None, named: str | None = None) -> str | None:
        """The operation a record of `requirement_id` on `exchange` counts under (exercised.py)."""
        if self._operations is None and self.ctx is not None:
            self._operations = OperationMap(self.ctx.spec, self.ctx.config.profile.single_url_path)
        return exercised_operation(
            self.catalogue[requirement_id].operations,
            named=named,
            exchange=exchange,
            earlier=self.exchanges,
            operations=self._operations,
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
        operation: str | None = None,
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
                operation=self.operation_of(requirement_id, exchange, operation),
            ),
            exchanges,
        )
