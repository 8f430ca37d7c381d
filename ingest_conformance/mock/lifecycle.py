"""Background processing: pending -> processing -> processed | rejected, forward only.

A scheduler thread keeps the delays (so waiting costs no worker), and a small thread pool does the
CPU-bound checks (pypdf, Pillow, zipfile) and the downloads, off the event loop. A ZIP stays
`processing` until every child it produced is terminal, so its import cannot turn `processed` early.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

from . import formats, zips
from .downloads import DownloadFailed, download
from .settings import MockSettings
from .store import Store
from .webhook_events import WebhookEvents

log = logging.getLogger("ingest_conformance.mock")
ERR_PROCESSING = "ERR_PROCESSING_FAILED"
ERR_NO_VALID_FILES = "ERR_NO_VALID_FILES"  # zip_all_rejected="rejected": no child was processed


@dataclass(eq=False)
class Job:
    """One file to carry through its lifecycle. Owns `content` until the job ends."""

    file_id: str
    import_id: str
    filename: str
    rules: formats.Rules
    content: IO[bytes] | None = None
    url: str | None = None
    error: str | None = None  # already known to end rejected (e.g. an unsafe ZIP entry)
    company_id: str | None = None
    client_data: dict[str, Any] | None = None
    parent_id: str | None = None
    zip_depth: int = 0  # how many archives this file sits inside
    budget: zips.Budget | None = None

    def release(self) -> None:
        if self.content is not None:
            self.content.close()
            self.content = None


class Lifecycle:
    def __init__(self, settings: MockSettings, store: Store, events: WebhookEvents | None = None) -> None:
        self._settings = settings
        self._store = store
        self._events = events
        self._heap: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopping = False
        self._jobs: set[Job] = set()
        self._awaiting_children: set[str] = set()
        self._retried: set[str] = set()  # files the `retry-requeues-to-pending` fault sent back once
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(self._settings.workers, thread_name_prefix="mock-worker")
        self._thread = threading.Thread(target=self._run_scheduler, name="mock-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._heap.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        with self._cond:
            leftover, self._jobs = self._jobs, set()
        for job in leftover:
            job.release()

    def submit(self, job: Job) -> None:
        with self._cond:
            if self._stopping:
                job.release()
                return
            self._jobs.add(job)
        self._later(self._begin, job)

    def seal(self, import_id: str) -> None:
        """The upload request has registered all its files: the import may now complete."""
        self._store.seal_import(import_id)
        if self._events is not None:
            self._events.import_check(import_id)

    # -- scheduling -----------------------------------------------------------------------------
    def _later(self, action: Callable[..., None], *args: Any) -> None:
        due = time.monotonic() + self._settings.processing_delay
        with self._cond:
            heapq.heappush(self._heap, (due, next(self._seq), action, args))
            self._cond.notify()

    def _run_scheduler(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._heap or self._heap[0][0] > time.monotonic()):
                    self._cond.wait(None if not self._heap else self._heap[0][0] - time.monotonic())
                if self._stopping:
                    return
                _, _, action, args = heapq.heappop(self._heap)
            try:
                action(*args)
            except Exception:
                log.exception("mock scheduler step failed")

    # -- steps ----------------------------------------------------------------------------------
    def _begin(self, job: Job) -> None:
        self._store.advance(job.file_id, "processing")
        if self._settings.fault == "retry-requeues-to-pending" and job.file_id not in self._retried:
            self._retried.add(job.file_id)
            self._later(self._requeue, job)  # fault: a worker retry puts the file back to pending
            return
        if self._events is not None and self._settings.fault == "webhook-import-early":
            self._events.import_check(job.import_id, started_only=True)  # fault: 'started' taken for 'final'
        if self._pool is None:
            return
        try:
            self._pool.submit(self._work_safely, job)
        except RuntimeError:  # the pool is shutting down
            job.release()

    def _requeue(self, job: Job) -> None:
        self._store.requeue(job.file_id)
        self._later(self._begin, job)

    def _work_safely(self, job: Job) -> None:
        try:
            self._work(job)
        except Exception:
            log.exception("mock failed processing file %s", job.file_id)
            self._later(self._finish, job, "rejected", ERR_PROCESSING, None)
        finally:
            job.release()
            with self._cond:
                self._jobs.discard(job)

    def _work(self, job: Job) -> None:
        if job.error is not None:
            self._later(self._finish, job, "rejected", job.error, None)
            return
        if job.url is not None:
            try:
                job.content = download(
                    job.url,
                    timeout=self._settings.download_timeout,
                    max_bytes=self._settings.max_request_bytes,
                    fault=self._settings.fault,
                )
            except DownloadFailed as exc:
                log.debug("download of file %s failed: %s", job.file_id, exc)
                self._later(self._finish, job, "rejected", formats.ERR_DOWNLOADING, None)
                return
        assert job.content is not None
        verdict = self._classify(job.filename, job.content, job.rules)
        if verdict.kind is None:
            error = formats.ERR_CORRUPTED if self._settings.fault == "unsupported-wrong-error-code" else verdict.error
            self._later(self._finish, job, "rejected", error, None)
        elif verdict.kind == "zip":
            self._expand(job, job.content)
        else:
            error = formats.validate(job.content, verdict.kind, lenient=self._settings.decoding == "lenient")
            if self._settings.fault == "corrupt-files-processed":
                error = None  # fault: the content is never validated
            self._later(self._finish, job, "rejected" if error else "processed", error, verdict.mime)

    def _expand(self, job: Job, content: IO[bytes]) -> None:
        self._store.set_compressed(job.file_id, formats.MIME["zip"])
        depth = job.zip_depth + 1
        if depth > self._settings.zip_max_depth:
            self._later(self._finish, job, "rejected", zips.ERR_ZIP_LIMIT, None)
            return
        budget = job.budget or zips.Budget(self._settings.zip_max_total_bytes)
        try:
            children = zips.expand(content, self._settings, budget)
        except zips.ZipRejected as rejected:
            log.debug("archive %s rejected: %s", job.file_id, rejected)
            self._later(self._finish, job, "rejected", rejected.code, None)
            return
        children = self._odd_entries(children, job.rules)
        child_jobs: list[Job] = []
        try:
            for child in children:
                kind = self._classify(child.name, child.content, job.rules).kind if child.content is not None else None
                child_id = self._store.create_file(
                    job.import_id,
                    child.name,
                    compressed=kind == "zip",
                    mime_type=None,
                    company_id=job.company_id,
                    client_data=job.client_data,
                    parent_file_id=job.file_id,
                    with_document=kind != "zip",
                )
                child_jobs.append(
                    Job(
                        child_id,
                        job.import_id,
                        child.name,
                        job.rules,
                        child.content,
                        error=child.error,
                        company_id=job.company_id,
                        client_data=job.client_data,
                        parent_id=job.file_id,
                        zip_depth=depth,
                        budget=budget,
                    )
                )
                child.content = None
        except KeyError:  # the import was evicted from the store meanwhile
            zips.close_all(children)
            for orphan in child_jobs:
                orphan.release()
            return
        if not child_jobs or self._settings.fault == "zip-children-never-finish":
            for orphan in child_jobs:  # only with that fault: the children are never queued
                orphan.release()
            if not child_jobs and self._settings.zip_all_rejected == "rejected":
                self._later(self._finish, job, "rejected", ERR_NO_VALID_FILES, None)
                return
            self._later(self._finish, job, "processed", None, formats.MIME["zip"])
            return
        with self._cond:
            self._awaiting_children.add(job.file_id)
        for child_job in child_jobs:
            self.submit(child_job)

    def _finish(self, job: Job, status: str, error: str | None, mime: str | None) -> None:
        if status == "rejected" and self._settings.fault == "rejected-never-finish":
            return  # fault: the rejection is never saved; the file stays processing
        if self._settings.fault == "processing-never-ends":
            return  # fault: no result is ever saved; every file stays processing
        stale = None
        if self._events is not None and self._settings.fault == "webhook-stale-data":
            stale = self._store.file_view(job.file_id)  # fault: the event is built from the record read before the save
        if self._store.advance(job.file_id, status, error=error, mime_type=mime) and self._events is not None:
            self._events.file_final(job.file_id, status, stale)
            self._events.import_check(job.import_id)
        parent = job.parent_id
        if parent is None or not self._store.children_terminal(parent):
            return
        with self._cond:
            if parent not in self._awaiting_children:
                return  # another child already completed the parent
            self._awaiting_children.discard(parent)
        # The parent's own lifecycle: an archive is processed once all its children are terminal
        # (or, with zip_all_rejected="rejected", rejected when none of them was processed).
        parent_job = Job(parent, job.import_id, "", job.rules, parent_id=self._store.parent_of(parent))
        if self._settings.zip_all_rejected == "rejected" and not self._store.any_child_processed(parent):
            self._later(self._finish, parent_job, "rejected", ERR_NO_VALID_FILES, None)
            return
        self._later(self._finish, parent_job, "processed", None, formats.MIME["zip"])

    def _classify(self, name: str, content: IO[bytes], rules: formats.Rules) -> formats.Classification:
        head = formats.read_head(content)
        return formats.classify(name, head, rules, wrong_extension=self._settings.wrong_extension)

    def _odd_entries(self, children: list[zips.Child], rules: formats.Rules) -> list[zips.Child]:
        """Unsupported entries and nested ZIPs, as `zip_unsupported` and `zip_nested` say: kept (a
        rejected child; a nested ZIP expanded), turned into rejected children, or skipped."""
        kept: list[zips.Child] = []
        for child in children:
            kind = self._classify(child.name, child.content, rules) if child.content is not None else None
            odd = None
            if kind is not None and kind.kind is None and self._settings.zip_unsupported == "skip":
                odd = "skip"
            elif kind is not None and kind.kind == "zip" and self._settings.zip_nested != "expand":
                odd = self._settings.zip_nested
            if odd is None:
                kept.append(child)
                continue
            assert child.content is not None
            child.content.close()
            if odd == "reject":
                kept.append(zips.Child(child.name, None, formats.ERR_UNSUPPORTED))
        return kept
