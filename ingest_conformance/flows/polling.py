"""Named multi-step workflows over a target: upload → poll the file → find it in its import.

Polling is bounded (backoff with a cap, a deadline from `processing_timeout_s`), and every
status seen is kept so a test can check that statuses only move forward.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.wire.client import TargetClient
from ingest_conformance.wire.exchange import Exchange

STATUS_ORDER = {"pending": 0, "processing": 1, "processed": 2, "rejected": 2}
TERMINAL = frozenset({"processed", "rejected"})


@dataclass
class Poll:
    """What polling GET file saw: every status in order, the last answer, and whether it ended."""

    file_id: str
    statuses: list[str] = field(default_factory=list)
    last: Exchange | None = None
    body: dict[str, Any] | None = None
    timed_out: bool = False
    not_found: bool = False

    @property
    def final_status(self) -> str | None:
        return self.statuses[-1] if self.statuses else None

    def went_backwards(self) -> tuple[str, str] | None:
        for before, after in zip(self.statuses, self.statuses[1:], strict=False):
            if STATUS_ORDER.get(after, -1) < STATUS_ORDER.get(before, -1) or (before in TERMINAL and after != before):
                return before, after
        return None


def poll_file(
    client: TargetClient,
    file_id: str,
    *,
    timeout_s: float,
    first_delay_s: float = 0.05,
    max_delay_s: float = 2.0,
    max_polls: int = 400,
) -> Poll:
    """GET /v1/ingest/files/{id} with bounded backoff until a terminal status or the deadline."""
    poll = Poll(file_id)
    deadline = time.monotonic() + timeout_s
    delay = first_delay_s
    for _ in range(max_polls):
        ex = client.get(f"/v1/ingest/files/{file_id}", note="poll file status")
        poll.last = ex
        if ex.status == 404:
            poll.not_found = True
            return poll
        if ex.status != 200:
            return poll
        try:
            body = ex.json()
        except ValueError:
            return poll
        poll.body = body if isinstance(body, dict) else None
        status = str(body.get("status")) if isinstance(body, dict) else "?"
        if not poll.statuses or poll.statuses[-1] != status:
            poll.statuses.append(status)
        if status in TERMINAL or time.monotonic() >= deadline:
            poll.timed_out = status not in TERMINAL
            return poll
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.6, max_delay_s)
    poll.timed_out = True
    return poll
