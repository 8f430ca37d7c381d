"""Every sample the suite sends as MUST-corrupt fails the lenient reader DECISIONS names ("Formats").

DECISIONS: bytes are corrupt (refused or rejected, never processed) only when a *lenient* reader cannot
open them: Pillow with ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` cannot ``load()`` the image, pypdf with
``strict=False`` finds no page, ``zipfile`` cannot list the archive. What such a reader still opens is
damaged but recoverable (INFO). The reader here is written apart from the strategies' own
(``strategies/_lenient.py``), and each drawn sample is checked one by one, both ways: a MUST-corrupt sample
must not open, a sample marked ``recoverable`` must.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
import zipfile
from collections.abc import Iterator

import pytest
from hypothesis import given
from PIL import Image, ImageFile
from pypdf import PdfReader
from strategies_helpers import examples

from ingest_conformance.strategies import (
    Disposition,
    FileFormat,
    FileKind,
    Operation,
    SampleFile,
    ZipHazard,
    corrupt_files,
    empty_files,
    hostile_zip_files,
    sample_files,
)

pytestmark = pytest.mark.unit


@contextlib.contextmanager
def _quiet_and_truncation_tolerant() -> Iterator[None]:
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    pypdf_logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
        pypdf_logger.setLevel(level)


def lenient_reader_opens(sample: SampleFile) -> bool:
    """Whether the reader DECISIONS names opens the sample as the format its bytes claim (its extension)."""
    claimed = sample.format
    with _quiet_and_truncation_tolerant():
        try:
            if claimed is FileFormat.PDF:
                return len(PdfReader(io.BytesIO(sample.content), strict=False).pages) > 0
            if claimed is FileFormat.ZIP:
                with zipfile.ZipFile(io.BytesIO(sample.content)) as archive:
                    archive.namelist()
                return True
            with Image.open(io.BytesIO(sample.content)) as image:
                image.load()
            return True
        except Exception:  # every reader error is "cannot open"
            return False


def must_be_corrupt(sample: SampleFile) -> bool:
    """The suite sends it as MUST-corrupt: no allowed verdict for it is `processed`."""
    allowed = sample.allowed_outcomes(Operation.UPLOAD_FILES)
    return Disposition.ACCEPTED_PROCESSED not in allowed


def check_one(sample: SampleFile) -> None:
    opens = lenient_reader_opens(sample)
    if must_be_corrupt(sample):
        assert not sample.recoverable, sample
        assert not opens, f"sent as MUST-corrupt, yet a lenient reader opens it: {sample!r}"
        assert sample.damage_requirement == "UPL-CORRUPT-001"
    else:
        assert sample.recoverable and opens, f"marked recoverable, yet a lenient reader cannot open it: {sample!r}"
        assert sample.damage_requirement == "UPL-DAMAGED-001"
        assert "UPL-DAMAGED-001" in sample.requirement_ids(Operation.UPLOAD_FILES)


@examples(400)
@given(corrupt_files())
def test_every_corrupt_sample_is_judged_by_the_lenient_reader(sample: SampleFile) -> None:
    check_one(sample)


@examples(60)
@given(empty_files())
def test_every_empty_sample_fails_the_lenient_reader(sample: SampleFile) -> None:
    assert must_be_corrupt(sample)
    check_one(sample)


@examples(120)
@given(sample_files(kinds=[FileKind.CORRUPT, FileKind.EMPTY]))
def test_the_samples_the_contract_tests_draw_are_judged_alike(sample: SampleFile) -> None:
    check_one(sample)


@examples(60)
@given(hostile_zip_files(hazards=[ZipHazard.CORRUPT_DIRECTORY]))
def test_every_damaged_directory_is_judged_by_zipfile(sample: SampleFile) -> None:
    check_one(sample)


@pytest.mark.parametrize(
    ("damages", "recoverable"), [(("signature",), False), (("end_record",), False), (("offset",), True)]
)
def test_which_directory_damage_zipfile_recovers(damages: tuple[str, ...], recoverable: bool) -> None:
    """A wrong directory offset is what Python's zipfile recovers (the false alarm of issue 12)."""

    @examples(10)
    @given(hostile_zip_files(hazards=[ZipHazard.CORRUPT_DIRECTORY], damages=damages))
    def check(sample: SampleFile) -> None:
        assert sample.recoverable is recoverable
        check_one(sample)

    check()


@pytest.mark.parametrize("fmt", [FileFormat.PDF, FileFormat.JPEG, FileFormat.PNG, FileFormat.TIFF, FileFormat.ZIP])
@pytest.mark.parametrize("corruption", ["header_only", "garbage_after_magic"])
def test_the_must_corrupt_kinds_stay_corrupt_for_every_format(fmt: FileFormat, corruption: str) -> None:
    """A file cut inside its header and the right magic followed by garbage are corrupt for every format,
    so UPL-CORRUPT-001 keeps samples of each whatever the lenient reader recovers."""

    @examples(15)
    @given(corrupt_files(formats=[fmt], corruptions=[corruption]))
    def check(sample: SampleFile) -> None:
        assert must_be_corrupt(sample), sample
        check_one(sample)

    check()


def test_truncation_yields_both_kinds() -> None:
    """Cutting off a file's tail gives recoverable samples (INFO) as well as corrupt ones (MUST)."""
    seen: set[bool] = set()

    @examples(80)
    @given(corrupt_files(formats=[FileFormat.JPEG, FileFormat.PDF], corruptions=["truncated"]))
    def collect(sample: SampleFile) -> None:
        seen.add(sample.recoverable)

    collect()
    assert seen == {True, False}
