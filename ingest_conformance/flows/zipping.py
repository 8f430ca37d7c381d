"""The ZIP workflow shared by the ZIP tests: upload, poll the import until the children exist and
end, read each child, and the judgements on what came back (ZIP-*, IMP-FILES-001)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.flows.polling import SETTLE_READS, Poll, backwards_step, settle_wait
from ingest_conformance.flows.reading import read_after_write
from ingest_conformance.flows.steps import judge_all
from ingest_conformance.flows.upload import Flow, file_fields, flow, outcome, skip_if_stalled, upload_sample
from ingest_conformance.judging.checks import RequirementFailure, body_preview
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import FileFormat, FileKind, Operation, SampleFile, ZipHazard
from ingest_conformance.wire.client import TargetClient
from ingest_conformance.wire.exchange import Exchange

CHILDREN = ("ZIP-CHILD-001", "ZIP-CHILD-002", "ZIP-CHILD-003", "ZIP-NAME-002", "IMP-FILES-001")


CORE_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png", "tiff"})
TERMINAL = frozenset({"processed", "rejected"})
CHILD_GRACE_S = 5.0  # how long children may lag behind a ZIP that already ended processed
MAX_IMPORT_POLLS = 400
MAX_CHILD_READS = 20


def basename(name: str) -> str:
    return name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def core_entries(sample: SampleFile) -> list[str]:
    """Entries of a type every operation accepts (folders, nested ZIPs and .tif are not counted)."""
    return [e for e in sample.entries if not e.endswith("/") and e.rsplit(".", 1)[-1].lower() in CORE_EXTENSIONS]


def escapes_storage(name: str) -> bool:
    """A `..` segment or an absolute path (`/x`, `C:/x`, `\\\\server`): where it would land if written as named."""
    unified = name.replace("\\", "/")
    return ".." in unified.split("/") or unified.startswith("/") or re.match(r"^[A-Za-z]:/", unified) is not None


def is_zip_name(name: object) -> bool:
    return str(name).lower().endswith(".zip")


def entry_named(name: object, entries: tuple[str, ...] | list[str]) -> str | None:
    """The entry a child called `name` stands for (DECISIONS "ZIP": a child is named after its entry's
    basename or its full path), or None when its name matches no entry."""
    text = str(name)
    return next((e for e in entries if not e.endswith("/") and text in (e, basename(e))), None)


@dataclass
class ZipRun:
    """One uploaded ZIP: its upload workflow, and what its import listed at the end."""

    sample: SampleFile
    flow: Flow
    zip_id: str | None = None
    import_id: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    last: Exchange | None = None  # the last import read (the upload before any)
    vanished: set[str] = field(default_factory=set)
    timed_out: bool = False
    # Each file's status, every change in order, as the import's reads listed it (only forward, like GET file).
    history: dict[str, list[str]] = field(default_factory=dict)

    @property
    def poll(self) -> Poll | None:
        return self.flow.polls.get(self.zip_id) if self.zip_id else None

    @property
    def final_status(self) -> str | None:
        listed = (self.file(self.zip_id) or {}).get("status")
        return str(listed) if listed else (self.poll.final_status if self.poll else None)

    def file(self, file_id: str | None) -> dict[str, Any] | None:
        return next((f for f in self.files if f.get("id") == file_id), None)

    def children_of(self, parent_id: object) -> list[dict[str, Any]]:
        return [f for f in self.files if parent_id is not None and f.get("parentFileId") == parent_id]

    @property
    def children(self) -> list[dict[str, Any]]:
        return self.children_of(self.zip_id)

    @property
    def family(self) -> list[dict[str, Any]]:
        """Children, grandchildren (nested ZIPs) and so on."""
        found: list[dict[str, Any]] = []
        frontier, seen = [self.zip_id], {self.zip_id}
        while frontier:
            for child in self.children_of(frontier.pop()):
                if child.get("id") not in seen:
                    seen.add(child.get("id"))
                    found.append(child)
                    frontier.append(child.get("id"))
        return found

    def child_named(self, entry: str) -> dict[str, Any] | None:
        return next((c for c in self.children if c.get("filename") in (entry, basename(entry))), None)

    def went_backwards(self) -> list[str]:
        """Files whose status moved backwards (or left a final status) across the import's reads."""
        return [f"{file_id}: {' -> '.join(seen)}" for file_id, seen in self.history.items() if backwards_step(seen)]

    def _remember(self) -> None:
        for f in self.files:
            seen = self.history.setdefault(str(f.get("id")), [])
            status = str(f.get("status"))
            if not seen or seen[-1] != status:
                seen.append(status)

    @classmethod
    def watch(
        cls, verdict: Verdict, client: TargetClient, suite: Suite, sample: SampleFile, result: Flow, zip_id: str
    ) -> ZipRun:
        """Poll GET import until the ZIP and every child it produced have ended (bounded), then read it
        `SETTLE_READS` more times, briefly, so a status that moves back is seen. Every answer is judged
        (`answered`: schema, no 5xx); a 404 within profile `read_after_write_s` is read again."""
        skip_if_stalled(suite)
        answer = result.answer or {}
        run = cls(sample, result, zip_id, import_id=str(answer.get("importId")), last=result.upload)
        timeout = suite.config.profile.processing_timeout_s
        deadline = time.monotonic() + timeout
        grace_until: float | None = None
        listed: set[str] = set()
        delay = suite.poll_start_s
        settling = -1  # reads left once everything has ended; -1 while not yet
        settle_s = 0.0
        started = time.monotonic()
        reads: list[Exchange] = []
        for _ in range(MAX_IMPORT_POLLS + SETTLE_READS):
            ex = read_after_write(
                client, suite, f"/v1/ingest/imports/{run.import_id}", note="poll the import for the ZIP's children"
            )
            reads.append(ex)
            run.last = ex
            try:
                body = ex.json() if ex.status == 200 else None
            except ValueError:
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("files"), list):
                break  # judged by `answered` below
            run.files = [f for f in body["files"] if isinstance(f, dict)]
            run._remember()
            ids = {str(f.get("id")) for f in run.files}
            run.vanished |= listed - ids
            listed |= ids
            if settling == 0:
                break
            if settling > 0:
                settling -= 1
                time.sleep(settle_s)
                continue
            zip_status = run.final_status
            family = run.family
            if zip_status in TERMINAL and all(f.get("status") in TERMINAL for f in family):
                ended = bool(family) or zip_status == "rejected"
                grace_until = grace_until or time.monotonic() + min(CHILD_GRACE_S, timeout)
                if ended or time.monotonic() >= grace_until:
                    settling = SETTLE_READS - 1
                    if settling < 0:
                        break
                    settle_s = settle_wait(time.monotonic() - started, suite.poll_start_s)
                    time.sleep(settle_s)
                    continue
            if time.monotonic() >= deadline:
                run.timed_out = True
                break
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 1.6, 2.0)
        else:
            run.timed_out = settling < 0
        if run.timed_out:
            suite.stalls.note(f"ZIP {zip_id}'s import did not end within {timeout:g} s in {verdict.test_id}")
        judge_all(*(lambda ex=ex: verdict.answered(ex, "getImport") for ex in reads))
        return run


def run_zip(verdict: Verdict, client: TargetClient, suite: Suite, sample: SampleFile) -> ZipRun:
    """Upload `sample`, judge the upload workflow, then watch its import."""
    upload = upload_sample(client, suite, sample, operation=Operation.UPLOAD_FILES)
    result = flow(verdict, client, suite, upload, "uploadFiles")
    if result.answer is None or not result.files:
        return ZipRun(sample, result, last=upload)
    return ZipRun.watch(verdict, client, suite, sample, result, result.files[0].id)


def judge_accepted(verdict: Verdict, run: ZipRun) -> None:
    body = run.poll.body if run.poll else None
    compressed = body.get("compressed") if body else None
    verdict.require(
        "ZIP-ACCEPT-001",
        run.zip_id is not None and compressed is True,
        exchange=run.poll.last if run.poll and run.poll.last else run.flow.upload,
        received=f"upload {body_preview(run.flow.upload)}"
        if run.zip_id is None
        else f"compressed={compressed!r} at GET file",
        documented="an uploaded ZIP of allowed files is accepted and its file has compressed true",
        message=run.sample.description,
    )


def judge_children(verdict: Verdict, client: TargetClient, suite: Suite, run: ZipRun, *, min_children: int) -> None:
    """IMP-FILES-001 and ZIP-CHILD-001/002/003 on the last import read; each child is read once."""
    if run.zip_id is None:
        return
    listed = {str(f.get("id")) for f in run.files}
    verdict.require(
        "IMP-FILES-001",
        run.zip_id in listed and not run.vanished,
        exchange=run.last,
        received=f"ZIP {run.zip_id} listed: {run.zip_id in listed}; listed once, then gone: {sorted(run.vanished)}",
        documented="the import lists every file of the upload, ZIP children included once they exist",
    )
    children, family = run.children, run.family
    wanted = core_entries(run.sample)[:min_children]
    names = [c.get("filename") for c in children]
    missing = [e for e in wanted if run.child_named(e) is None]
    if wanted:  # no entry owed a child (min_children 0, or only nested entries): nothing to judge
        verdict.require(
            "ZIP-CHILD-001",
            not missing,
            exchange=run.last,
            received=f"no child for entries {missing}; file(s) with parentFileId {run.zip_id}: {names}",
            documented=f"a child per entry of an allowed type ({wanted}) with parentFileId = the ZIP's id",
            message=f"{run.sample.description}: children missing from the import",
        )
    strangers = [n for n in names if entry_named(n, run.sample.entries) is None]
    if children:
        verdict.require(
            "ZIP-NAME-002",
            not strangers,
            exchange=run.last,
            received=f"children named {strangers}, entries {list(run.sample.entries)}",
            documented="each child is named after its entry: the entry's basename or its full path",
            message=f"{run.sample.description}: a child whose name matches no entry",
        )
    moved = run.went_backwards()
    if run.history:
        verdict.require(
            "LIFE-STATUS-002",
            not moved,
            exchange=run.last,
            received=f"across the import's reads: {moved}",
            documented="a file's status only moves forward, as every read of its import lists it",
        )
    if not family:
        return
    unfinished = [f"{c.get('filename')}: {c.get('status')}" for c in family if c.get("status") not in TERMINAL]
    verdict.require(
        "ZIP-CHILD-003",
        not unfinished and not run.timed_out,
        exchange=run.last,
        received=f"unfinished children {unfinished}",
        documented="every child ends processed or rejected within processing_timeout_s",
    )
    for child in children[:MAX_CHILD_READS]:
        read_child(verdict, client, suite, run, child)
    flagged = [
        f"{c.get('filename')}: compressed={c.get('compressed')!r}"
        for c in family
        if not is_zip_name(c.get("filename")) and c.get("compressed") is not False
    ]
    verdict.require(
        "ZIP-CHILD-002",
        not flagged,
        exchange=run.last,
        received=f"{flagged}",
        documented="each file extracted from a ZIP has compressed false (nested ZIPs aside)",
    )


def read_child(verdict: Verdict, client: TargetClient, suite: Suite, run: ZipRun, child: dict[str, Any]) -> None:
    ex = read_after_write(client, suite, f"/v1/ingest/files/{child.get('id')}", note="read a ZIP child")
    verdict.answered(ex, "getFile")
    try:
        body = ex.json() if ex.status == 200 else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        verdict.require(
            "ZIP-CHILD-001",
            False,
            exchange=ex,
            received=body_preview(ex),
            documented="a child listed in the import is readable at GET file",
        )
        return
    same = {"parentFileId": run.zip_id, "importId": run.import_id}
    differ = {k: body.get(k) for k, v in same.items() if body.get(k) != v}
    verdict.require(
        "ZIP-CHILD-001",
        not differ,
        exchange=ex,
        received=f"{differ}",
        documented=f"the child names its ZIP and import: {same}",
    )
    file_fields(verdict, body, ex)
    if not is_zip_name(body.get("filename")):
        verdict.require(
            "ZIP-CHILD-002",
            body.get("compressed") is False,
            exchange=ex,
            received=f"compressed={body.get('compressed')!r}",
            documented="compressed false",
        )


def observe_names(verdict: Verdict, run: ZipRun) -> None:
    """ZIP-NAME-001, when some entry sits in a folder (else basename and full path coincide)."""
    entries = [e for e in run.sample.entries if not e.endswith("/")]
    names = [str(c.get("filename")) for c in run.children]
    if not names or not any("/" in e for e in entries):
        return
    if all(n in entries for n in names):
        how = "the entry's full path"
    elif all(n in {basename(e) for e in entries} for n in names):
        how = "the entry's basename"
    else:
        how = "neither the entry's basename nor its path"
    verdict.observe("ZIP-NAME-001", f"children named by {how}: entries {entries} -> {names}", run.last)


def observe_nested(verdict: Verdict, run: ZipRun) -> None:
    for entry in [e for e in run.sample.entries if is_zip_name(e)]:
        child = run.child_named(entry)
        seen = (
            "skipped (no child of that name)"
            if child is None
            else (
                f"a child (compressed {child.get('compressed')!r}, ends {child.get('status')}) with "
                f"{len(run.children_of(child.get('id')))} child(ren) of its own"
            )
        )
        verdict.observe("ZIP-SKIP-001", f"nested ZIP entry {entry!r}: {seen}", run.last)


def handmade_zip(members: list[SampleFile], stem: str, description: str, *, folder: str = "") -> SampleFile:
    """A valid archive of `members` (numbered, so names never collide), optionally inside `folder`."""
    buffer = io.BytesIO()
    entries = [f"{folder}{i + 1:02d}-{m.filename}" for i, m in enumerate(members)]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, member in zip(entries, members, strict=True):
            # A ZipInfo keeps its own compress_type (stored) unless told: deflate as the archive says.
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                member.content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    marker = members[0].filename.rsplit(".", 1)[0][-8:]
    return SampleFile(
        kind=FileKind.VALID,
        format=FileFormat.ZIP,
        extension="zip",
        mime_type="application/zip",
        content=buffer.getvalue(),
        filename=f"{stem}-{marker}.zip",
        description=description,
        entries=tuple(entries),
    )


HOSTILE_HAZARDS = [h for h in ZipHazard if h is not ZipHazard.BOMB]
BOMB_RATIO = 900  # a little under what the strategy's bomb achieves (~1010:1)


def judge_hostile(verdict: Verdict, client: TargetClient, suite: Suite, sample: SampleFile) -> None:
    """Every hostile ZIP: never a 5xx, at upload or any later read (ZIP-HOST-001); never processed while a
    child carries a `../` or absolute path (ZIP-HOST-002). A damaged directory that `zipfile` cannot list is a
    corrupt file (UPL-CORRUPT-001: refused or rejected); one it still lists (a wrong directory offset) is damaged
    but recoverable (UPL-DAMAGED-001, INFO: processed or rejected, both fine). Every extracted file is read
    once, as later reads must not 5xx either."""
    start = len(verdict.exchanges)
    failure: RequirementFailure | None = None
    try:
        run = run_zip(verdict, client, suite, sample)
        rid = sample.damage_requirement if sample.hazard is ZipHazard.CORRUPT_DIRECTORY else "ZIP-HOST-001"
        judge_all(
            lambda: outcome(verdict, suite, rid, sample, Operation.UPLOAD_FILES, run.flow.upload, run.poll),
            lambda: judge_escapes(verdict, run),
        )
        for child in run.family[:MAX_CHILD_READS]:
            path = f"/v1/ingest/files/{child.get('id')}"
            verdict.answered(read_after_write(client, suite, path, note="read a hostile ZIP's child"), "getFile")
    except RequirementFailure as broken:
        failure = broken
    errors = [ex for ex in verdict.exchanges[start:] if ex.status is not None and ex.status >= 500]
    verdict.require(
        "ZIP-HOST-001",
        not errors,
        exchange=errors[0] if errors else None,
        received="; ".join(ex.summary() for ex in errors[:3]),
        documented="a hostile ZIP never gets a 5xx, at upload or later reads",
        message=f"server error for {sample.description}",
    )
    if failure is not None:
        raise failure


def judge_escapes(verdict: Verdict, run: ZipRun) -> None:
    if run.sample.hazard not in (ZipHazard.TRAVERSAL, ZipHazard.ABSOLUTE_PATH):
        return
    if run.zip_id is None or not run.family:
        return  # refused, or no extracted file: no entry that could have been written anywhere to judge
    # A child may be named by its entry's full path (allowed), so a `../` name alone is no evidence: the
    # entry was written out only when that child was extracted and processed, not refused as rejected.
    escaped = [
        str(c.get("filename"))
        for c in run.family
        if escapes_storage(str(c.get("filename", ""))) and c.get("status") == "processed"
    ]
    verdict.require(
        "ZIP-HOST-002",
        not (escaped and run.final_status == "processed"),
        exchange=run.last,
        received=f"the ZIP ends processed with processed child(ren) named {escaped}",
        documented="never processed while an entry is written outside the target's storage",
        message=f"{run.sample.description}: an entry kept a path outside the target's storage",
    )
