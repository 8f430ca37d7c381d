"""Named multi-step workflows over a target: upload → poll the file → find it in its import.

Polling is bounded (backoff with a cap, a deadline from `processing_timeout_s`). Every answer and
every status seen is kept, so a test can schema-check each answer and check that statuses only move
forward across every read (DECISIONS "Processing lifecycle"). After the first final status the file is
read a couple more times, briefly, so a flip back (processed -> processing, rejected -> processed) is
seen; an undocumented status stops the polling at once (it is a failure, and waiting cannot mend it).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.wire.client import TargetClient
from ingest_conformance.wire.exchange import Exchange

STATUS_ORDER = {"pending": 0, "processing": 1, "processed": 2, "rejected": 2}
TERMINAL = frozenset({"processed", "rejected"})
SETTLE_READS = 2  # reads after the first final status
SETTLE_S = 0.25  # the longest wait before each of them


def settle_wait(took_s: float, first_delay_s: float) -> float:
    """The wait before each read after the final status: half the time the file took to get there, between
    the first poll delay and `SETTLE_S`. A flip back (a worker retry, a second writer) happens on the
    target's own processing time scale, so a target that finishes in 30 ms is re-read 15 ms later, not 250."""
    return min(SETTLE_S, max(first_delay_s, took_s / 2))


@dataclass
class Poll:
    """What polling GET file saw: every answer and status in order, the last answer, and how it ended."""

    file_id: str
    statuses: list[str] = field(default_factory=list)  # each change of status, in order
    exchanges: list[Exchange] = field(default_factory=list)  # every answer read
    last: Exchange | None = None
    body: dict[str, Any] | None = None
    timed_out: bool = False
    not_found: bool = False
    unknown: str | None = None  # an undocumented status seen (polling stopped there)

    @property
    def final_status(self) -> str | None:
        return self.statuses[-1] if self.statuses else None

    def went_backwards(self) -> tuple[str, str] | None:
        return backwards_step(self.statuses)


def backwards_step(statuses: list[str]) -> tuple[str, str] | None:
    """The first move of `statuses` (each change, in order) that goes back or leaves a final status. Undocumented
    statuses are left out: they are LIFE-STATUS-001's failure, not a move backwards."""
    known = [s for s in statuses if s in STATUS_ORDER]
    for before, after in itertools.pairwise(known):
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
    grace_s: float = 0.0,
    settle_reads: int = SETTLE_READS,
    settle_s: float | None = None,
) -> Poll:
    """GET /v1/ingest/files/{id} with bounded backoff until a final status (then `settle_reads` more reads),
    an undocumented status, or the deadline. A 404 within `grace_s` (profile read_after_write_s) of the
    first read is read again; a 429 that outlasts the client's retries raises `RateLimited` (a skip).
    `settle_s` is the wait before each read after the final status (default: `settle_wait`)."""
    poll = Poll(file_id)
    started = time.monotonic()
    deadline = started + timeout_s
    delay = first_delay_s
    settling = -1  # reads left after the first final status; -1 while not final yet
    for _ in range(max_polls + settle_reads):
        ex = client.get(f"/v1/ingest/files/{file_id}", note="poll file status")
        poll.exchanges.append(ex)
        poll.last = ex
        if ex.status == 404 and time.monotonic() < started + grace_s and not poll.statuses:
            time.sleep(min(0.2, max(0.0, started + grace_s - time.monotonic())))
            continue
        status = _status_of(ex)
        if status is None:
            poll.not_found = ex.status == 404
            return poll
        poll.body = ex.json()
        if not poll.statuses or poll.statuses[-1] != status:
            poll.statuses.append(status)
        if status not in STATUS_ORDER:
            poll.unknown = status
            return poll
        if settling == 0:
            return poll
        if settling > 0:
            settling -= 1
        elif status in TERMINAL:
            settling = settle_reads - 1
            if settle_reads <= 0:
                return poll
            if settle_s is None:
                settle_s = settle_wait(time.monotonic() - started, first_delay_s)
        elif time.monotonic() >= deadline:
            poll.timed_out = True
            return poll
        wait = settle_s if settling >= 0 and settle_s is not None else min(delay, max(0.0, deadline - time.monotonic()))
        time.sleep(wait)
        delay = min(delay * 1.6, max_delay_s)
    poll.timed_out = poll.final_status not in TERMINAL
    return poll


def _status_of(ex: Exchange) -> str | None:
    """The `status` of a 200 file answer (None for any other answer, or a body that is no object)."""
    if ex.status != 200:
        return None
    try:
        body = ex.json()
    except ValueError:
        return None
    return str(body.get("status")) if isinstance(body, dict) else None
