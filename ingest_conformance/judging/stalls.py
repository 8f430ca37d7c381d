"""Run-wide memory of files that never reached a final status, so a stuck target fails fast.

Against a target whose files never leave `processing`, every test that polls would wait the whole
`processing_timeout_s` again, and a standard run would take an hour. Once `limit` files (two: one could
be a fluke) have run past the timeout, LIFE-STATUS-003 has failed with evidence, and the tests that
still need a final status are skipped with a reason naming that failure; the run then ends within about
twice the timeout plus its normal time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

STALLS_BEFORE_SKIPPING = 2


@dataclass
class Stalls:
    timeout_s: float
    limit: int = STALLS_BEFORE_SKIPPING
    seen: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note(self, what: str) -> None:
        """One file (or ZIP import) ran past the timeout: `what` says which, in which test."""
        with self._lock:
            self.seen.append(what)

    @property
    def tripped(self) -> bool:
        return len(self.seen) >= self.limit

    def skip_reason(self) -> str | None:
        """Why a test needing a final status is not run now; None while polling is still worth it."""
        if not self.tripped:
            return None
        first = "; ".join(self.seen[: self.limit])
        return (
            f"{len(self.seen)} files already ran past processing_timeout_s ({self.timeout_s:g} s) in this run "
            f"(LIFE-STATUS-003 failed: {first}); tests that need a final status are skipped so the run ends"
        )
