"""Turning an accepted upload into an import, its files and their background jobs.

All four upload operations end here. In `rejection="sync"` mode unsupported or invalid files are
refused with 400 before anything is stored; in the default `async` mode everything readable is
accepted and the lifecycle rejects what is bad, with the documented ERR_* codes. Records exist
before the answer is sent, so every returned id is readable at once.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

from starlette.concurrency import run_in_threadpool

from . import formats, zips
from .downloads import is_downloadable_scheme
from .errors import ApiError
from .inputs import Info
from .lifecycle import Job, Lifecycle
from .settings import MockSettings
from .store import Environment, Store


@dataclass
class Incoming:
    """One file of a request: uploaded bytes or a URL to fetch later. `info` is per-file (by-url)."""

    filename: str
    rules: formats.Rules
    content: IO[bytes] | None = None
    url: str | None = None
    info: Info | None = None


@dataclass(frozen=True)
class Created:
    file_id: str
    filename: str
    document_id: str | None


class Intake:
    def __init__(self, settings: MockSettings, store: Store, lifecycle: Lifecycle) -> None:
        self._settings = settings
        self._store = store
        self._lifecycle = lifecycle

    async def accept(self, env: Environment, incoming: list[Incoming], batch: Info | None) -> tuple[str, list[Created]]:
        """Store an import with one file per entry and start their lifecycles. Raises ApiError
        (before storing anything, so the caller still owns every content) in sync mode."""
        incoming = self._faulty_selection(incoming) if self._settings.fault else incoming
        if self._settings.rejection == "sync":
            for item in incoming:
                problem = await run_in_threadpool(self._sync_problem, item)
                if problem:
                    raise ApiError(400, f"file {item.filename!r} refused: {problem}")
        batch = batch or Info()
        import_id = self._store.create_import(env, dict(batch.client_data or {}))
        created: list[Created] = []
        for item in incoming:
            head = formats.read_head(item.content) if item.content is not None else b""
            if self._settings.fault == "empty-file-500" and item.content is not None:
                _ = head[0]  # fault: type sniffing indexes the first byte; an empty file raises (a 500)
            compressed = formats.classify(item.filename, head, item.rules).kind == "zip"
            if compressed and self._settings.fault == "zip-corrupt-500" and item.content is not None:
                zipfile.ZipFile(item.content).close()  # fault: an unreadable directory raises (a 500)
            per_file = item.info.client_data if item.info and item.info.client_data is not None else None
            client_data = per_file if per_file is not None else batch.client_data
            if self._settings.fault == "client-data-dropped":
                client_data = None  # fault: clientData stays on the import only
            file_id = self._store.create_file(
                import_id,
                item.filename,
                compressed=compressed,
                mime_type=None,
                company_id=batch.company,
                client_data=dict(client_data) if client_data is not None else None,
                with_document=not compressed,
            )
            created.append(Created(file_id, item.filename, self._store.document_id(file_id)))
            job = Job(
                file_id,
                import_id,
                item.filename,
                item.rules,
                item.content,
                url=item.url,
                company_id=batch.company,
                client_data=client_data,
            )
            item.content = None  # the job owns it now
            self._lifecycle.submit(job)
        self._lifecycle.seal(import_id)  # every file is registered: the import may now complete (webhooks)
        return import_id, created

    def _faulty_selection(self, incoming: list[Incoming]) -> list[Incoming]:
        """Which entries the combination faults keep (the conformant intake keeps them all)."""
        uploaded = [i for i in incoming if i.content is not None]
        by_url = [i for i in incoming if i.content is None]
        if self._settings.fault == "multi-files-keeps-last" and len(uploaded) > 1:
            for dropped in uploaded[:-1]:  # fault: the form was parsed into a dict; the last part wins
                assert dropped.content is not None
                dropped.content.close()
            return uploaded[-1:] + by_url
        if self._settings.fault == "urls-ignored-with-files" and uploaded:
            return uploaded  # fault: `urls` are read only when there is no file part
        return incoming

    def _sync_problem(self, item: Incoming) -> str | None:
        """What the lifecycle would reject the file for, decided now (sync mode)."""
        if item.url is not None:
            if not is_downloadable_scheme(item.url):
                return formats.ERR_DOWNLOADING + " (only http and https URLs are downloadable)"
            return formats.classify(item.filename, b"", item.rules).error  # the name's extension only
        assert item.content is not None
        head = formats.read_head(item.content)
        verdict = formats.classify(item.filename, head, item.rules, wrong_extension=self._settings.wrong_extension)
        if verdict.kind is None:
            return verdict.error
        if verdict.kind == "zip":
            return zips.check(item.content, self._settings)
        return formats.validate(item.content, verdict.kind, lenient=self._settings.decoding == "lenient")
