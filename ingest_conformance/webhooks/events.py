"""What a delivery is about, and whether it is ours: event types, subjects and correlation with uploads.

A shared sandbox delivers every event of the environment, the suite's and everybody else's. An event is
*ours* when its `data` names a file or import this run created (ids the tests register), or carries the
run tag in `data.clientData` (every upload of the suite sends it, flows/upload.py `tag_info`). Events
that are not ours are ignored: kept in the receiver, never judged.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.strategies import RUN_TAG_KEY
from ingest_conformance.webhooks.receiver import Delivery

FILE_EVENTS = ("file.processed", "file.rejected")
IMPORT_EVENT = "import.processed"
IN_SCOPE = (*FILE_EVENTS, IMPORT_EVENT)
# clientData key naming the test case an upload belongs to, so a receiver rule can pick its deliveries.
CASE_KEY = "ingestConformanceHookCase"
OTHER_ENVIRONMENT_CASE = "other-environment"  # the isolation test's uploads with the second credential

__all__ = [
    "CASE_KEY",
    "FILE_EVENTS",
    "IMPORT_EVENT",
    "IN_SCOPE",
    "OTHER_ENVIRONMENT_CASE",
    "Ours",
    "case_of",
    "event_type",
    "is_informational",
    "subject_id",
]


def event_type(delivery: Delivery) -> str | None:
    event = delivery.event
    value = event.get("type") if event is not None else None
    return value if isinstance(value, str) else None


def is_informational(kind: str | None) -> bool:
    """`file.uploaded` (old docs only) and `document.*`: recorded when they come, never required."""
    return kind is not None and (kind == "file.uploaded" or kind.startswith("document."))


def data_of(delivery: Delivery) -> dict[str, Any] | None:
    event = delivery.event
    data = event.get("data") if event is not None else None
    return data if isinstance(data, dict) else None


def subject_id(delivery: Delivery) -> str | None:
    """The id of the file, import or document the event is about (`data.id`, or `data._id` for documents)."""
    data = data_of(delivery)
    if data is None:
        return None
    value = data.get("id", data.get("_id"))
    return value if isinstance(value, str) else None


def client_data(delivery: Delivery) -> dict[str, Any]:
    data = data_of(delivery) or {}
    value = data.get("clientData")
    return value if isinstance(value, dict) else {}


def case_of(delivery: Delivery) -> str | None:
    value = client_data(delivery).get(CASE_KEY)
    return value if isinstance(value, str) else None


def is_file_event_about(delivery: Delivery, *, case: str, file_ids: set[str]) -> bool:
    """A file.* delivery of the test case `case` (by its clientData marker, or by a file id it registered)."""
    kind = event_type(delivery)
    if kind not in FILE_EVENTS:
        return False
    return case_of(delivery) == case or subject_id(delivery) in file_ids


@dataclass
class Ours:
    """The files and imports this run created (registered by the tests), plus the run tag: correlation."""

    run_tag: str
    file_ids: set[str] = field(default_factory=set)
    import_ids: set[str] = field(default_factory=set)
    other_environment: set[str] = field(default_factory=set)  # ids created with the second credential
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, files: set[str] | None = None, imports: set[str] | None = None, other: bool = False) -> None:
        with self._lock:
            if other:
                self.other_environment |= (files or set()) | (imports or set())
            else:
                self.file_ids |= files or set()
                self.import_ids |= imports or set()

    def owns(self, delivery: Delivery) -> bool:
        """An event about something this run created in the primary environment."""
        subject = subject_id(delivery)
        data = data_of(delivery) or {}
        if case_of(delivery) == OTHER_ENVIRONMENT_CASE:
            return False
        with self._lock:
            if subject is not None and subject in self.other_environment:
                return False
            if subject in self.file_ids or subject in self.import_ids or data.get("importId") in self.import_ids:
                return True
        return client_data(delivery).get(RUN_TAG_KEY) == self.run_tag

    def from_other_environment(self, delivery: Delivery) -> bool:
        data = data_of(delivery) or {}
        if case_of(delivery) == OTHER_ENVIRONMENT_CASE:
            return True
        with self._lock:
            return subject_id(delivery) in self.other_environment or data.get("importId") in self.other_environment
