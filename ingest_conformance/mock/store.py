"""The mock's in-memory state: environments, imports and files, behind one lock.

Handlers and background workers only see JSON snapshots (plain dicts), never the live records, so
a response can never show a half-applied update. File status only moves forward.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

STATUS_RANK = {"pending": 0, "processing": 1, "processed": 2, "rejected": 2}
TERMINAL = frozenset({"processed", "rejected"})
LIST_WINDOW = timedelta(days=7)  # list-imports shows the last 7 days only (LI page)
WRITE_LAG = timedelta(seconds=1.5)  # the `read-after-write-lag` fault
LIST_CACHE_S = 60.0  # the `list-imports-cached` fault
# Optional fields DECISIONS lets a target give as null or leave out (nullable_fields="absent").
NULLABLE = frozenset({"companyId", "parentFileId", "error", "updatedAt", "clientData", "mimeType", "documentIds"})

_counter = itertools.count(int.from_bytes(os.urandom(3), "big"))
_process_bytes = os.urandom(5)


def new_id() -> str:
    """A 24-lowercase-hex id shaped like a MongoDB ObjectId: time, process, counter."""
    seconds = int(time.time()) & 0xFFFFFFFF
    count = next(_counter) & 0xFFFFFF
    return seconds.to_bytes(4, "big").hex() + _process_bytes.hex() + count.to_bytes(3, "big").hex()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Environment:
    account_id: str
    environment_id: str
    api_key: str
    access_token: str


@dataclass
class FileRecord:
    id: str
    account_id: str
    environment_id: str
    import_id: str
    filename: str
    compressed: bool
    created_at: datetime
    document_id: str | None
    mime_type: str | None = None
    company_id: str | None = None
    parent_file_id: str | None = None
    client_data: dict[str, Any] | None = None
    status: str = "pending"
    error: str | None = None
    document_ids: list[str] = field(default_factory=list)
    updated_at: datetime | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "accountId": self.account_id,
            "environmentId": self.environment_id,
            "importId": self.import_id,
            "filename": self.filename,
            "compressed": self.compressed,
            "status": self.status,
            "mimeType": self.mime_type,
            "companyId": self.company_id,
            "parentFileId": self.parent_file_id,
            "documentIds": list(self.document_ids),
            "error": self.error,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at) if self.updated_at else None,
            "clientData": dict(self.client_data) if self.client_data is not None else None,
        }


@dataclass
class ImportRecord:
    id: str
    account_id: str
    environment_id: str
    channel: str
    created_at: datetime
    sequence: int
    client_data: dict[str, Any]
    file_ids: list[str] = field(default_factory=list)
    sealed: bool = False  # the upload request has registered all its files (webhook completion waits for it)
    announced: bool = False  # import.processed has been published


class Store:
    """Thread-safe store. Lookups are scoped to an environment: another environment's ids read as
    unknown, so isolation cannot be forgotten by a handler."""

    def __init__(
        self,
        environments: list[Environment],
        max_imports: int,
        fault: str | None = None,
        *,
        read_lag_s: float = 0.0,
        list_order: str = "newest",
        skip_unit: str = "items",
        drop_nulls: bool = False,
    ) -> None:
        self.environments = tuple(environments)
        self._read_lag = timedelta(seconds=read_lag_s)  # read_lag_ms: new records stay unseen this long
        self._list_order = list_order
        self._skip_unit = skip_unit
        self._drop_nulls = drop_nulls
        self._max_imports = max_imports
        self._fault = fault  # a named fault mode (faults.py); None for the conformant store
        self._list_cache: dict[tuple[str, int, int], tuple[float, tuple[int, list[dict[str, Any]]]]] = {}
        self._lock = threading.Lock()
        self._imports: OrderedDict[str, ImportRecord] = OrderedDict()
        self._files: dict[str, FileRecord] = {}
        self._sequence = itertools.count()

    # -- writes ---------------------------------------------------------------------------------
    def create_import(self, env: Environment, client_data: dict[str, Any], channel: str = "api") -> str:
        record = ImportRecord(
            new_id(), env.account_id, env.environment_id, channel, datetime.now(UTC), next(self._sequence), client_data
        )
        with self._lock:
            self._imports[record.id] = record
            self._evict()
        return record.id

    def _evict(self) -> None:
        """Forget the oldest *finished* imports past the cap (a soft cap: an import still being
        uploaded or processed is never dropped under its workers). Called with the lock held."""
        excess = len(self._imports) - self._max_imports
        if excess <= 0:
            return
        for imp in list(self._imports.values()):
            files = [self._files[f] for f in imp.file_ids if f in self._files]
            if files and all(f.status in TERMINAL for f in files):
                del self._imports[imp.id]
                for file_id in imp.file_ids:
                    self._files.pop(file_id, None)
                excess -= 1
                if excess <= 0:
                    return

    def create_file(
        self,
        import_id: str,
        filename: str,
        *,
        compressed: bool,
        mime_type: str | None,
        company_id: str | None,
        client_data: dict[str, Any] | None,
        parent_file_id: str | None = None,
        with_document: bool = True,
    ) -> str:
        """Register a `pending` file under an import; readable at once (read-your-writes)."""
        with self._lock:
            imp = self._imports.get(import_id)
            if imp is None:  # cannot happen for an unfinished import (see _evict); kept as a guard
                raise KeyError(import_id)
            record = FileRecord(
                id=new_id(),
                account_id=imp.account_id,
                environment_id=imp.environment_id,
                import_id=import_id,
                filename=filename,
                compressed=compressed,
                created_at=datetime.now(UTC),
                document_id=new_id() if with_document else None,
                mime_type=mime_type,
                company_id=company_id,
                parent_file_id=parent_file_id,
                client_data=client_data,
            )
            self._files[record.id] = record
            imp.file_ids.append(record.id)
            return record.id

    def advance(
        self,
        file_id: str,
        status: str,
        *,
        error: str | None = None,
        mime_type: str | None = None,
        compressed: bool | None = None,
    ) -> bool:
        """Move a file forward. Returns False (and changes nothing) for a backward or repeated move,
        or a file the store has forgotten."""
        with self._lock:
            record = self._files.get(file_id)
            if record is None or STATUS_RANK[status] <= STATUS_RANK[record.status]:
                return False
            record.status = status
            record.updated_at = datetime.now(UTC)
            if mime_type is not None:
                record.mime_type = mime_type
            if compressed is not None:
                record.compressed = compressed
            if status == "rejected":
                record.error = error or "ERR_PROCESSING_FAILED"
                if self._fault == "rejected-without-error":
                    record.error = None
                record.document_ids = []
            elif status == "processed":
                record.error = "" if self._fault == "processed-with-empty-error" else None
                record.document_ids = [] if record.compressed or not record.document_id else [record.document_id]
            return True

    def requeue(self, file_id: str) -> None:
        """Put a file back to `pending`: only the `retry-requeues-to-pending` fault does this."""
        with self._lock:
            record = self._files.get(file_id)
            if record is not None and self._fault == "retry-requeues-to-pending":
                record.status = "pending"
                record.updated_at = datetime.now(UTC)

    def set_compressed(self, file_id: str, mime_type: str) -> None:
        """Mark a file an archive once its bytes show it (a URL download is only known late)."""
        with self._lock:
            record = self._files.get(file_id)
            if record is not None:
                record.compressed = True
                record.mime_type = mime_type
                record.document_id = None
                record.updated_at = datetime.now(UTC)

    # -- reads ----------------------------------------------------------------------------------
    def document_id(self, file_id: str) -> str | None:
        with self._lock:
            record = self._files.get(file_id)
            return None if record is None or record.compressed else record.document_id

    def status_of(self, file_id: str) -> str | None:
        with self._lock:
            record = self._files.get(file_id)
            return None if record is None else record.status

    def parent_of(self, file_id: str) -> str | None:
        with self._lock:
            record = self._files.get(file_id)
            return None if record is None else record.parent_file_id

    def children_terminal(self, parent_id: str) -> bool:
        with self._lock:
            parent = self._files.get(parent_id)
            if parent is None:
                return True
            imp = self._imports.get(parent.import_id)
            siblings = [self._files[f] for f in imp.file_ids if f in self._files] if imp else []
            return all(f.status in TERMINAL for f in siblings if f.parent_file_id == parent_id)

    def any_child_processed(self, parent_id: str) -> bool:
        with self._lock:
            parent = self._files.get(parent_id)
            imp = self._imports.get(parent.import_id) if parent else None
            siblings = [self._files[f] for f in imp.file_ids if f in self._files] if imp else []
            return any(f.status == "processed" for f in siblings if f.parent_file_id == parent_id)

    def get_file(self, env: Environment, file_id: str) -> dict[str, Any] | None:
        with self._lock:
            record = self._files.get(file_id)
            if record is None or (
                record.environment_id != env.environment_id and self._fault != "iso-file-any-environment"
            ):
                return None
            if self._fault == "read-after-write-lag" and datetime.now(UTC) - record.created_at < WRITE_LAG:
                return None  # fault: the record is written by a queue consumer, a moment after the answer
            if self._unseen(record.created_at):
                return None
            return self._view(record, direct=True)

    def environment_of(self, kind: str, record_id: str) -> str | None:
        """The environment a file or import (`kind`) belongs to, whoever asks; None if unknown."""
        with self._lock:
            record = self._files.get(record_id) if kind == "file" else self._imports.get(record_id)
            return None if record is None else record.environment_id

    def _unseen(self, created_at: datetime) -> bool:
        """Still inside the read lag (read_lag_ms): written, but not yet readable."""
        return bool(self._read_lag) and datetime.now(UTC) - created_at < self._read_lag

    def get_import(self, env: Environment, import_id: str) -> dict[str, Any] | None:
        with self._lock:
            imp = self._imports.get(import_id)
            if imp is None or (
                imp.environment_id != env.environment_id and self._fault != "iso-import-any-environment"
            ):
                return None
            if self._unseen(imp.created_at):
                return None
            return self._import_view(imp)

    def _import_view(self, imp: ImportRecord) -> dict[str, Any]:
        """An import as GET import answers it (files still inside the read lag left out). Lock held."""
        files = [self._files[f] for f in imp.file_ids if f in self._files]
        body = self._summary(imp, files)
        files = [f for f in files if not self._unseen(f.created_at)]
        if self._fault == "import-keeps-last-file-only":  # each uploaded file overwrote the list
            top = [f for f in files if f.parent_file_id is None]
            files = [f for f in files if f.parent_file_id is not None or f is top[-1]]
        body["files"] = [self._view(f, direct=False) for f in files]
        body["clientData"] = dict(imp.client_data)
        body["providerInfo"] = None
        return body

    # -- webhooks (webhook_events.py): views without a caller's environment, and import completion --
    def file_view(self, file_id: str) -> dict[str, Any] | None:
        """A file as GET file answers it to its own environment, or None if forgotten."""
        with self._lock:
            record = self._files.get(file_id)
            return None if record is None else self._view(record, direct=True)

    def seal_import(self, import_id: str) -> None:
        """The upload request has registered every file it will (ZIP children come later, under a parent)."""
        with self._lock:
            imp = self._imports.get(import_id)
            if imp is not None:
                imp.sealed = True

    def claim_completion(self, import_id: str, *, started_only: bool = False) -> dict[str, Any] | None:
        """The import's GET view, exactly once, when it is sealed and every file is final (with
        `started_only`, the `webhook-import-early` fault's test: no file is pending); else None."""
        with self._lock:
            imp = self._imports.get(import_id)
            if imp is None or imp.announced or not imp.sealed:
                return None
            files = [self._files[f] for f in imp.file_ids if f in self._files]
            done = (lambda f: f.status != "pending") if started_only else (lambda f: f.status in TERMINAL)
            if not files or not all(done(f) for f in files):
                return None
            imp.announced = True
            return self._import_view(imp)

    def list_imports(self, environment_id: str, skip: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """Imports of one environment from the last 7 days, in `list_order` (newest first by default),
        and their total count; `skip` counts imports, or whole pages with skip_unit="pages"."""
        since = datetime.now(UTC) - LIST_WINDOW
        key = (environment_id, skip, limit)
        with self._lock:
            cached = self._list_cache.get(key)
            if self._fault == "list-imports-cached" and cached and time.monotonic() - cached[0] < LIST_CACHE_S:
                return cached[1]  # fault: the list is served from a cache that outlives new imports
            matching = [
                imp
                for imp in self._imports.values()
                if (imp.environment_id == environment_id or self._fault == "iso-list-all-environments")
                and imp.created_at >= since
                and not self._unseen(imp.created_at)
            ]
            if self._list_order == "unordered":  # stable, but of no meaning: a hash of the id
                matching.sort(key=lambda imp: hashlib.sha1(imp.id.encode()).digest())
            else:
                matching.sort(key=lambda imp: imp.sequence, reverse=self._list_order == "newest")
            start = skip * limit if self._skip_unit == "pages" else skip
            page = [
                self._summary(imp, [self._files[f] for f in imp.file_ids if f in self._files])
                for imp in matching[start : start + limit]
            ]
            if self._fault == "list-imports-cached":
                self._list_cache[key] = (time.monotonic(), (len(matching), page))
            return len(matching), page

    def _view(self, record: FileRecord, *, direct: bool) -> dict[str, Any]:
        """A file as answered: GET file (`direct`) or inside its import. Render-time faults act here."""
        view = record.snapshot()
        fault, child = self._fault, record.parent_file_id is not None
        if direct and fault == "status-in-progress-leaks" and view["status"] == "processing":
            view["status"] = "in_progress"  # fault: the internal enum name leaks through GET file
        if fault == "status-done" and view["status"] == "processed":
            view["status"] = "done"  # fault: a renamed enum value reaches the API
        if direct and fault == "file-created-at-epoch":
            view["createdAt"] = int(record.created_at.timestamp() * 1000)
        if fault == "zip-not-marked-compressed" and not child:
            view["compressed"] = False
        if fault == "zip-children-without-parent":
            view["parentFileId"] = None
        if fault == "zip-children-marked-compressed" and child:
            view["compressed"] = True
        if self._drop_nulls:  # nullable_fields="absent": optional fields without a value left out
            view = {k: v for k, v in view.items() if not (v is None and k in NULLABLE)}
        return view

    @staticmethod
    def _summary(imp: ImportRecord, files: list[FileRecord]) -> dict[str, Any]:
        done = bool(files) and all(f.status in TERMINAL for f in files)
        return {
            "id": imp.id,
            "accountId": imp.account_id,
            "environmentId": imp.environment_id,
            "channel": imp.channel,
            "status": "processed" if done else "processing",
            "createdAt": iso(imp.created_at),
            "documents": sum(len(f.document_ids) for f in files),
        }
