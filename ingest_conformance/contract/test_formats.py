"""Formats per operation: allowed types, unsupported, corrupt, empty and mislabelled files (UPL-*)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from ingest_conformance import strategies as s
from ingest_conformance.flows.generation import for_examples, one_example, salt_of
from ingest_conformance.flows.upload import LIFECYCLE, judge_sample
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import TargetClient


def by_extension(ext: str) -> st.SearchStrategy[s.SampleFile]:
    if ext == "pdf":
        return s.pdf_files(max_pages=3)
    if ext in ("jpg", "jpeg"):
        return s.jpeg_files(extensions=[ext])
    if ext == "png":
        return s.png_files()
    if ext in ("tif", "tiff"):
        return s.tiff_files(extensions=[ext])
    return s.zip_files(min_entries=1, max_entries=3)


UPLOAD_CASES = [
    ("pdf", "UPL-FMT-001"),
    ("jpeg", "UPL-FMT-001"),
    ("jpg", "UPL-FMT-001"),
    ("png", "UPL-FMT-001"),
    ("tiff", "UPL-FMT-001"),
    ("zip", "UPL-FMT-002"),
    ("tif", "UPL-TIF-001"),
]
SINGLE_CASES = ["pdf", "jpeg", "jpg", "png", "tiff", "tif"]


@pytest.mark.requirement("UPL-FMT-001", "UPL-FMT-002", "UPL-TIF-001", *LIFECYCLE)
@pytest.mark.parametrize(("ext", "rid"), UPLOAD_CASES, ids=[e for e, _ in UPLOAD_CASES])
def test_uploads_accept_each_allowed_type(
    client: TargetClient, verdict: Verdict, suite: Suite, ext: str, rid: str
) -> None:
    # For .tif the sample's allowed outcomes follow profile uploads_accept_tif (either answer when unset).
    sample = one_example(suite, by_extension(ext), salt=salt_of(ext))
    judge_sample(verdict, client, suite, sample, rid, operation=s.Operation.UPLOAD_FILES)


@pytest.mark.requirement("UPL-FMT-003", *LIFECYCLE)
@pytest.mark.parametrize("ext", SINGLE_CASES)
def test_single_accepts_each_allowed_type(client: TargetClient, verdict: Verdict, suite: Suite, ext: str) -> None:
    sample = one_example(suite, by_extension(ext), salt=salt_of(ext))
    judge_sample(verdict, client, suite, sample, "UPL-FMT-003", operation=s.Operation.UPLOAD_SINGLE)


@pytest.mark.requirement("UPL-FMT-004", *LIFECYCLE)
def test_single_does_not_unpack_a_zip(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    sample = one_example(suite, s.zip_files(min_entries=1, max_entries=2))
    result = judge_sample(verdict, client, suite, sample, "UPL-FMT-004", operation=s.Operation.UPLOAD_SINGLE)
    for file_id, poll in result.polls.items():
        if poll.body is None:
            continue  # never read: nothing to judge here (the workflow has judged why)
        body = poll.body
        verdict.require(
            "UPL-FMT-004",
            body.get("status") != "processed",
            exchange=poll.last,
            received=f"file {file_id} ended {body.get('status')!r}",
            documented="a .zip on single is refused with 400 or ends rejected, never processed",
        )


KIND_CASES = [
    (s.FileKind.UNSUPPORTED, "UPL-UNSUP-001"),
    (s.FileKind.CORRUPT, "UPL-CORRUPT-001"),
    (s.FileKind.EMPTY, "UPL-CORRUPT-001"),
    (s.FileKind.MISLABELLED, "UPL-EXT-001"),
]
FILE_OPERATIONS = [s.Operation.UPLOAD_FILES, s.Operation.UPLOAD_SINGLE]


def damage_aware(rid: str, sample: s.SampleFile) -> str:
    """UPL-CORRUPT-001 for bytes no lenient reader opens; UPL-DAMAGED-001 (INFO) for ones it still opens."""
    return sample.damage_requirement if rid == "UPL-CORRUPT-001" else rid


@pytest.mark.requirement("UPL-UNSUP-001", "UPL-CORRUPT-001", "UPL-DAMAGED-001", "UPL-EXT-001", *LIFECYCLE)
@pytest.mark.parametrize("operation", FILE_OPERATIONS, ids=lambda o: o.value)
@pytest.mark.parametrize(("kind", "rid"), KIND_CASES, ids=[k.value for k, _ in KIND_CASES])
def test_files_that_are_not_what_they_claim(
    client: TargetClient, verdict: Verdict, suite: Suite, kind: s.FileKind, rid: str, operation: s.Operation
) -> None:
    """Each generated file carries the verdicts DECISIONS.md allows for it; the target must give one. A corrupt
    draw that the lenient reader of DECISIONS still opens is damaged but recoverable: UPL-DAMAGED-001 (INFO)."""

    def check(sample: s.SampleFile) -> None:
        judge_sample(verdict, client, suite, sample, damage_aware(rid, sample), operation=operation)

    for_examples(
        suite,
        s.sample_files(kinds=[kind]),
        check,
        quick=2,
        standard=4,
        full=20,
        salt=salt_of(kind.value, operation.value),
    )
