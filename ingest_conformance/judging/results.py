"""One result model for every writer: per-check records rolled up per requirement.

Outcomes are kept apart: a *fail* is the target breaking a MUST, *warn* a SHOULD, *info* a
recorded observation, *skip* carries its reason, and *error* means our harness broke — it is
never counted against the target.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.judging.traffic import Traffic
from ingest_conformance.wire.exchange import Exchange


class Outcome(enum.IntEnum):
    """Ordered so that the worst wins when rolling up."""

    DISABLED = 0
    SKIP = 1
    PASS = 2
    INFO = 3
    XFAIL = 4  # a listed known deviation that happened
    WARN = 5
    STALE = 6  # a listed known deviation that no longer happens
    FAIL = 7
    ERROR = 8

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass
class CheckRecord:
    requirement_id: str
    level: str
    outcome: Outcome
    test_id: str
    message: str = ""
    received: str = ""
    documented: str = ""
    exchange_ids: list[int] = field(default_factory=list)
    operation: str | None = None  # the operation this check exercised; None when no operation applies

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement_id,
            "level": self.level,
            "outcome": self.outcome.label,
            "test": self.test_id,
            "message": self.message,
            "received": self.received,
            "documented": self.documented,
            "exchanges": self.exchange_ids,
            "operation": self.operation,
        }


@dataclass
class RunResults:
    seed: int | None
    config: dict[str, Any]
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    records: list[CheckRecord] = field(default_factory=list)
    exchanges: dict[int, Exchange] = field(default_factory=dict)
    harness_errors: list[str] = field(default_factory=list)
    unreachable: str | None = None
    traffic: Traffic = field(default_factory=Traffic)  # every request's timing, for the report's charts
    interrupted: str | None = None  # the signal that stopped the run (SIGTERM, SIGINT), if one did

    def add(self, record: CheckRecord, exchanges: Iterable[Exchange] = ()) -> None:
        for ex in exchanges:
            self.exchanges.setdefault(ex.id, ex)
            if ex.id not in record.exchange_ids:
                record.exchange_ids.append(ex.id)
        self.records.append(record)

    def by_requirement(self) -> dict[str, Outcome]:
        rolled: dict[str, Outcome] = {}
        for rec in self.records:
            rolled[rec.requirement_id] = max(rolled.get(rec.requirement_id, Outcome.DISABLED), rec.outcome)
        return rolled

    def count(self, outcome: Outcome) -> int:
        return sum(1 for o in self.by_requirement().values() if o is outcome)

    def exit_code(self, *, strict: bool) -> int:
        """0 every MUST holds; 1 a MUST failed (or a SHOULD / stale entry under strict); 3 harness;
        4 interrupted (the verdict covers only what finished)."""
        if self.unreachable:
            return ExitCode.HARNESS
        if self.interrupted:
            return ExitCode.INTERRUPTED
        rolled = self.by_requirement().values()
        if Outcome.FAIL in rolled or (strict and (Outcome.WARN in rolled or Outcome.STALE in rolled)):
            return ExitCode.NONCONFORMANT
        if Outcome.ERROR in rolled or self.harness_errors:
            return ExitCode.HARNESS
        return ExitCode.OK
