"""Judging and running schemathesis cases: every answer gets the checks every answer gets plus the
documented-status rule; examples run seeded, generate phase only; the spec's links run as a state machine.

schemathesis generates the cases (positive and negative, from spec/ingest.openapi.yaml with our real files
registered; shaped by `fuzz_cases`) and walks the spec's links; it never sends nor judges. `fuzz_wire` turns
each case into fixed bytes sent by `TargetClient`. schemathesis' `positive_data_acceptance` and
`negative_data_rejection` are not applied: the spec is deliberately permissive (the "files or urls" rule and
id shapes live outside the schema), so they would fail conformant targets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.schemas import BaseSchema

from ingest_conformance.flows.fuzz_wire import as_response
from ingest_conformance.flows.generation import run_seeded, seed_of
from ingest_conformance.judging.checks import RequirementFailure, body_preview
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import TargetClient
from ingest_conformance.wire.exchange import Exchange

T = TypeVar("T")
# Error statuses the contract allows on any operation, documented there or not (DECISIONS.md).
CONTRACT_ERRORS = frozenset({400, 401, 403, 404, 405, 413, 415, 429})
UPLOADS = frozenset({"uploadFiles", "uploadByUrl", "uploadSingle", "uploadSingleUrl"})


# -- judging ---------------------------------------------------------------------------------------------
@dataclass
class Judge:
    """Judges every fuzz answer; keeps the first failures and lets the run finish (no replay by hypothesis)."""

    verdict: Verdict
    suite: Suite
    failures: list[RequirementFailure] = field(default_factory=list)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)

    def __call__(self, ex: Exchange, operation_id: str, description: str) -> None:
        tally = self.statuses.setdefault(operation_id, {})
        tally[ex.status or 0] = tally.get(ex.status or 0, 0) + 1
        try:
            self._judge(ex, operation_id, description)
        except RequirementFailure as failure:
            self.failures.append(failure)

    def _judge(self, ex: Exchange, operation_id: str, description: str) -> None:
        if ex.status is None:
            self.verdict.require(
                "ERR-5XX-001",
                False,
                received=body_preview(ex),
                exchange=ex,
                documented="an HTTP answer to every request (a 4xx for a client mistake)",
                message=f"no answer for: {description}",
            )
            return
        if ex.status == 429:  # still limited after the client's bounded waits: never a failure
            self.verdict.observe("RATE-429-001", f"429 persisted after bounded retries: {description}", ex)
            return
        self.verdict.answered(ex, operation_id, description)
        allowed = self.suite.spec.documented_statuses(operation_id) | CONTRACT_ERRORS
        self.verdict.status_in(
            "RESP-SCHEMA-001",
            ex,
            allowed,
            f"a status the spec documents for {operation_id}, or one the contract allows on "
            f"any operation: {sorted(allowed)}",
            message=f"undocumented status for: {description}",
        )

    def readable(self, ex: Exchange, description: str) -> None:
        """RAW-READ-001: a file id an upload answer named, followed through the spec's link, reads 200."""
        grace = self.suite.config.profile.read_after_write_s
        when = f"within {grace:g} s (profile read_after_write_s)" if grace else "at once"
        try:
            self.verdict.status_in(
                "RAW-READ-001",
                ex,
                {200},
                f"the uploaded file is readable at GET file {when}",
                message=f"uploaded file not readable: {description}",
            )
        except RequirementFailure as failure:
            self.failures.append(failure)

    def finish(self) -> None:
        """Record the 429s the client waited out (RATE-429-001, RATE-429-002), then raise the first MUST
        failure seen (each was recorded when it happened)."""
        limited = [ex for ex in self.verdict.exchanges if ex.status == 429]
        if limited:
            self.verdict.observe(
                "RATE-429-001", f"{len(limited)} answers were 429; each was waited out and retried", limited[-1]
            )
            bare = [ex for ex in limited if ex.header("retry-after") is None]
            self.verdict.require(
                "RATE-429-002",
                not bare,
                received=f"{len(bare)} of {len(limited)} 429 answers without Retry-After",
                documented="a 429 carries Retry-After (seconds)",
                exchange=bare[0] if bare else limited[-1],
                message="429 without Retry-After",
            )
        if self.failures:
            raise self.failures[0]

    def summary(self) -> str:
        return "; ".join(
            f"{op}: " + ", ".join(f"{s or 'no answer'}x{n}" for s, n in sorted(tally.items()))
            for op, tally in self.statuses.items()
        )


# -- running ----------------------------------------------------------------------------------------------
FUZZ_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "derandomize": False,
    "print_blob": False,
    "phases": [Phase.generate],
    "suppress_health_check": list(HealthCheck),
}


def run_examples(
    suite: Suite, strategy: st.SearchStrategy[T], body: Callable[[T], None], *, examples: int, salt: int
) -> None:
    """Like `generation.for_examples`, with every health check off: schemathesis' negative strategies filter
    heavily by design, and a filtered draw costs no request. Seeded the same way (`generation.run_seeded`:
    never hypothesis' seed-independent simplest example); hypothesis' own novelty keeps the cases apart."""
    run_seeded(seed_of(suite, salt), strategy, body, examples=examples, distinct=False, **FUZZ_SETTINGS)


def draw_examples(suite: Suite, strategy: st.SearchStrategy[T], *, examples: int, salt: int) -> list[T]:
    """`examples` values of `strategy`, drawn as `run_examples` would draw them (seeded), sending nothing."""
    drawn: list[T] = []
    run_examples(suite, strategy, drawn.append, examples=examples, salt=salt)
    return drawn


def uploaded_ids(ex: Exchange, operation_id: str) -> set[str]:
    """The file ids a 2xx upload answer names (read-your-writes applies to each)."""
    if operation_id not in UPLOADS or ex.status is None or not 200 <= ex.status < 300:
        return set()
    try:
        body = ex.json()
    except ValueError:
        return set()
    if not isinstance(body, dict):
        return set()
    files: list[Any] = body["files"] if isinstance(body.get("files"), list) else [body]
    return {
        str(f.get("id", f.get("fileId")))
        for f in files
        if isinstance(f, dict) and isinstance(f.get("id", f.get("fileId")), str)
    }


def reread(client: TargetClient, ex: Exchange, grace_s: float) -> Exchange:
    """GET the same URL again until 200 or the profile's read-after-write grace runs out (bounded)."""
    deadline = time.monotonic() + grace_s
    while ex.status != 200 and time.monotonic() < deadline:
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        ex = client.send("GET", ex.url, note="read-your-writes, within profile read_after_write_s")
    return ex


def chain_machine(schema: BaseSchema, step: Callable[[Case[Any]], Exchange]) -> type[Any]:
    """schemathesis' state machine over the spec's links, sending with `step` and judging nothing itself."""

    def call(self: Any, case: Case[Any], **kwargs: Any) -> Response:
        return as_response(step(case))

    def validate_response(
        self: Any, response: Response, case: Case[Any], additional_checks: Any = None, **kwargs: Any
    ) -> None:
        return None  # `step` has judged the answer already

    base: type[Any] = schema.as_state_machine()
    return type("FuzzChain", (base,), {"call": call, "validate_response": validate_response})
