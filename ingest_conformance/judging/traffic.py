"""What the run's traffic looked like in time: one small row per request, one per file processed.

The results document keeps only the exchanges that back a check, so timings are taken here from
every exchange any `TargetClient` completes (a session tap, see `Suite.start`), as compact rows
with no bodies and no headers: the report's charts and `ingest-conformance diff` read their
aggregates (reporting/timings.py), never the rows themselves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ingest_conformance.wire.exchange import Exchange

FINAL = ("processed", "rejected")


@dataclass(frozen=True)
class RequestRow:
    sent_at: float  # epoch seconds
    elapsed_s: float
    method: str
    path: str
    status: int | None
    attempt: int  # > 0: a retry after a 429


@dataclass(frozen=True)
class ProcessingRow:
    """One uploaded file: its format (by its name's extension), seconds to a final status, which one."""

    file_format: str
    seconds: float
    status: str  # processed, rejected, "timed out" (the profile's timeout passed) or "no final status" (an error)


@dataclass
class Traffic:
    requests: list[RequestRow] = field(default_factory=list)
    processing: list[ProcessingRow] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def tap(self, exchange: Exchange) -> None:
        """An `EXCHANGE_TAPS` observer: one row per completed exchange."""
        row = RequestRow(
            exchange.sent_at,
            round(exchange.elapsed_s, 4),
            exchange.method,
            urlsplit(exchange.url).path,
            exchange.status,
            exchange.attempt,
        )
        with self._lock:
            self.requests.append(row)

    def processed(
        self, filename: str, upload: Exchange, last: Exchange | None, final_status: str | None, timed_out: bool
    ) -> None:
        """Record one file followed to its end: from the upload's answer to the answer naming a final status."""
        if last is None or not upload.sent_at or not last.sent_at:
            return
        answered = upload.sent_at + upload.elapsed_s
        seconds = max(0.0, last.sent_at + last.elapsed_s - answered)
        status = str(final_status) if final_status in FINAL else "timed out" if timed_out else "no final status"
        with self._lock:
            self.processing.append(ProcessingRow(file_format(filename), round(seconds, 4), status))

    def extend(self, other: Traffic) -> None:
        """Fold in another process's traffic (a parallel run's worker)."""
        with self._lock:
            self.requests += other.requests
            self.processing += other.processing

    def __getstate__(self) -> dict[str, Any]:  # shipped between xdist processes: the lock stays behind
        return {"requests": self.requests, "processing": self.processing}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.requests = list(state["requests"])
        self.processing = list(state["processing"])
        self._lock = threading.Lock()


_FORMATS = {
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "tif": "tiff",
    "tiff": "tiff",
    "zip": "zip",
}


def file_format(filename: str) -> str:
    """The format a file is sent as, by its name's extension (the documented formats; anything else: other)."""
    _, dot, extension = filename.rpartition(".")
    return _FORMATS.get(extension.lower(), "other") if dot else "other"
