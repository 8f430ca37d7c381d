"""ZIP uploads: children in the import, hostile archives, bombs (ZIP-*, IMP-FILES-001).

Each ZIP goes through the shared upload workflow (answer, read back, poll the ZIP to its end), then
its import is polled until the ZIP's children exist and have all ended (bounded by profile
`processing_timeout_s`); every child is read once at GET file. INFO requirements record what the
target chose where DECISIONS.md allows either answer.
"""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from ingest_conformance import strategies as s
from ingest_conformance.flows.generation import for_examples, one_example, salt_of
from ingest_conformance.flows.sizing import require_heavy
from ingest_conformance.flows.steps import judge_all
from ingest_conformance.flows.upload import LIFECYCLE, UPLOADS, flow, outcome, post_parts, tag_info
from ingest_conformance.flows.zipping import (
    BOMB_RATIO,
    CHILDREN,
    HOSTILE_HAZARDS,
    ZipRun,
    core_entries,
    handmade_zip,
    judge_accepted,
    judge_children,
    judge_hostile,
    observe_names,
    observe_nested,
    run_zip,
)
from ingest_conformance.judging.checks import body_preview
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import FileFormat, Operation, Part, SampleFile, ZipHazard
from ingest_conformance.wire.client import TargetClient


@pytest.mark.requirement("ZIP-ACCEPT-001", "ZIP-BOMB-001", "ZIP-NAME-001", "ZIP-SKIP-001", *CHILDREN, *LIFECYCLE)
def test_zip_of_allowed_files_unpacks_into_children(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    def check(sample: SampleFile) -> None:
        run = run_zip(verdict, client, suite, sample)
        judge_all(
            lambda: judge_accepted(verdict, run),
            lambda: outcome(verdict, suite, "ZIP-BOMB-001", sample, Operation.UPLOAD_FILES, run.flow.upload, run.poll),
            lambda: judge_children(verdict, client, suite, run, min_children=len(core_entries(sample))),
        )
        observe_names(verdict, run)
        observe_nested(verdict, run)

    for_examples(
        suite, s.zip_files(min_entries=1, max_entries=4), check, quick=2, standard=5, full=25, salt=salt_of("zip-valid")
    )


@pytest.mark.requirement("ZIP-BOMB-001", "ZIP-ACCEPT-001", *CHILDREN, *LIFECYCLE)
def test_small_zip_that_compresses_well_is_no_bomb(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    """An uncompressed scan (a raw 612x792 TIFF page, ~485 KB) deflates about 160:1. Under 1 MiB uncompressed
    a ZIP is never a bomb, however well it compresses: a ratio guard must not refuse it."""
    scan = one_example(
        suite,
        s.tiff_files(sizes=[(612, 792)], modes=["L"], max_frames=1, extensions=["tiff"]).filter(
            lambda f: f.description.endswith("(raw)")
        ),
        salt=salt_of("zip-ratio"),
    )
    sample = handmade_zip([scan], "scan", f"ZIP of one {scan.description}, deflated ~160:1")
    run = run_zip(verdict, client, suite, sample)
    judge_all(
        lambda: judge_accepted(verdict, run),
        lambda: outcome(verdict, suite, "ZIP-BOMB-001", sample, Operation.UPLOAD_FILES, run.flow.upload, run.poll),
        lambda: judge_children(verdict, client, suite, run, min_children=1),
    )


@pytest.mark.requirement("ZIP-SKIP-001", "ZIP-NAME-001", *CHILDREN, *LIFECYCLE)
def test_zip_with_an_unsupported_entry(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    """Not a ZIP "of allowed files" (ZIP-ACCEPT-001 does not bind): refusing it (400) or rejecting it is recorded.
    Accepted and not rejected, the PDF inside must become a child; the unsupported entry may be skipped or
    become a rejected child."""
    pdf, other = one_example(
        suite, st.tuples(s.pdf_files(max_pages=1), s.unsupported_files()), salt=salt_of("zip-unsupported")
    )
    sample = handmade_zip([pdf, other], "mixed", f"ZIP of a PDF and a {other.description}", folder="scans/")
    run = run_zip(verdict, client, suite, sample)
    if run.zip_id is None:
        refused = f"the ZIP was refused at upload: {body_preview(run.flow.upload)}"
        verdict.observe("ZIP-SKIP-001", f"{sample.description}: {refused}", run.flow.upload)
        return
    rejected = run.final_status == "rejected"  # the whole ZIP refused: its PDF need not become a child
    judge_children(verdict, client, suite, run, min_children=0 if rejected else 1)
    entry = sample.entries[1]
    child = run.child_named(entry)
    seen = (
        "skipped (no child)"
        if child is None
        else (f"a child named {child.get('filename')!r} ending {child.get('status')} ({child.get('error')})")
    )
    verdict.observe(
        "ZIP-SKIP-001",
        f"unsupported entry {entry!r} ({other.description}): {seen}; the ZIP ends {run.final_status}",
        run.last,
    )
    observe_names(verdict, run)


@pytest.mark.requirement("ZIP-ALLREJ-001", *CHILDREN, *LIFECYCLE)
def test_zip_whose_children_all_fail(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    members = one_example(
        suite,
        st.lists(
            s.corrupt_files(formats=[FileFormat.PDF, FileFormat.PNG]).filter(lambda f: not f.recoverable),
            min_size=1,
            max_size=2,
            unique_by=lambda f: f.content,
        ),
        salt=salt_of("zip-all-rejected"),
    )
    sample = handmade_zip(members, "all-corrupt", f"ZIP of {len(members)} corrupt file(s)")
    run = run_zip(verdict, client, suite, sample)
    if run.zip_id is None:
        verdict.observe(
            "ZIP-ALLREJ-001", f"the ZIP was refused at upload: {body_preview(run.flow.upload)}", run.flow.upload
        )
        return
    judge_children(verdict, client, suite, run, min_children=0)
    children = run.children
    statuses = sorted(str(c.get("status")) for c in children)
    verdict.observe(
        "ZIP-ALLREJ-001",
        f"{sample.description}: children {statuses or 'none'}; the ZIP itself ends {run.final_status}",
        run.last,
    )


# A damaged central directory both ways DECISIONS tells apart: one `zipfile` cannot list (a corrupt file,
# UPL-CORRUPT-001) and one it still lists (damaged but recoverable, UPL-DAMAGED-001, INFO).
DAMAGE_GROUPS = {"unlistable": ("signature", "end_record"), "listable": ("offset",)}


@pytest.mark.requirement("ZIP-HOST-001", "ZIP-HOST-002", "UPL-CORRUPT-001", "UPL-DAMAGED-001", *LIFECYCLE)
@pytest.mark.parametrize("hazard", HOSTILE_HAZARDS, ids=lambda h: h.value)
def test_hostile_zip(client: TargetClient, verdict: Verdict, suite: Suite, hazard: ZipHazard) -> None:
    """Each hazard every run (a quick run drawing three of four left one out, by seed); a damaged directory
    both listable and not."""
    groups = DAMAGE_GROUPS if hazard is ZipHazard.CORRUPT_DIRECTORY else {"": ("signature",)}
    for group, damages in groups.items():
        for_examples(
            suite,
            s.hostile_zip_files(hazards=[hazard], min_depth=3, max_depth=12, damages=damages),
            lambda sample: judge_hostile(verdict, client, suite, sample),
            quick=1,
            standard=2,
            full=8,
            salt=salt_of("zip-hostile", hazard.value, group) if group else salt_of("zip-hostile", hazard.value),
        )


@pytest.mark.requirement("ZIP-HOST-001", *LIFECYCLE)
def test_zip_bomb(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    require_heavy(suite, "ZIP bombs")
    wanted = (1 << 32) - 2 if suite.config.level == "full" else 1 << 30
    # The bomb inflates ~1000:1; keep its upload well under max_request_bytes so a 413 cannot hide it.
    size = max(1 << 20, min(wanted, (suite.config.profile.max_request_bytes - 65536) * BOMB_RATIO))
    sample = one_example(suite, s.hostile_zip_files(hazards=[ZipHazard.BOMB], bomb_size=size), salt=salt_of("zip-bomb"))
    judge_hostile(verdict, client, suite, sample)


@pytest.mark.requirement("IMP-FILES-001", "ZIP-CHILD-001", *LIFECYCLE)
def test_import_lists_every_file_of_the_upload(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    """A ZIP and a PDF in one request: the import lists both, then the ZIP's children too."""
    archive, pdf = one_example(
        suite,
        st.tuples(s.zip_files(min_entries=1, max_entries=3, allow_nested=False), s.pdf_files(max_pages=1)),
        salt=salt_of("import-files"),
    )
    upload = post_parts(
        client,
        UPLOADS,
        [Part.file(archive), Part.file(pdf), Part.json("info", tag_info(suite))],
        note="a ZIP and a PDF in one upload",
    )
    result = flow(verdict, client, suite, upload, "uploadFiles")
    if not result.accepted or not result.files:
        pytest.skip(f"the upload was not accepted ({upload.summary()}); the format tests judge why")
    zip_id = next((u.id for u in result.files if u.filename == archive.filename), result.files[0].id)
    run = ZipRun.watch(verdict, client, suite, archive, result, zip_id)
    judge_children(verdict, client, suite, run, min_children=len(core_entries(archive)))
    listed = {str(f.get("id")) for f in run.files}
    missing = sorted(u.id for u in result.files if u.id not in listed)
    verdict.require(
        "IMP-FILES-001",
        not missing,
        exchange=run.last,
        received=f"not listed: {missing}",
        documented="the import lists every uploaded file",
        message="an uploaded file is missing",
    )
