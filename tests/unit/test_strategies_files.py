"""Generated files are what they claim: valid ones open in independent strict readers, bad ones don't."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from strategies_helpers import FAST, StrictReadError, examples, opens, strict_open

from ingest_conformance.strategies import (
    ERR_UNSUPPORTED_FILE_FORMAT,
    Disposition,
    FileFormat,
    FileKind,
    Operation,
    SampleFile,
    ZipHazard,
    corrupt_files,
    empty_files,
    jpeg_files,
    mislabelled_files,
    outcome_allowed,
    pdf_files,
    png_files,
    sample_files,
    tiff_files,
    unsupported_files,
    valid_files,
)

pytestmark = pytest.mark.unit


@FAST
@given(valid_files())
def test_every_valid_file_opens_strictly(sample: SampleFile) -> None:
    strict_open(sample.format, sample.content)
    assert sample.kind is FileKind.VALID
    assert sample.filename.endswith("." + sample.extension)
    assert sample.extension in sample.format.extensions
    assert sample.mime_type == sample.format.mime_type


@examples(40)
@given(pdf_files(min_pages=2, max_pages=4))
def test_pdf_page_count_is_respected(sample: SampleFile) -> None:
    from pypdf import PdfReader

    assert 2 <= len(PdfReader(io.BytesIO(sample.content), strict=True).pages) == sample.pages <= 4


@examples(40)
@given(tiff_files(min_frames=2, max_frames=3))
def test_multi_page_tiffs_have_every_frame(sample: SampleFile) -> None:
    from PIL import Image

    strict_open(FileFormat.TIFF, sample.content)
    with Image.open(io.BytesIO(sample.content)) as image:
        assert getattr(image, "n_frames", 1) == sample.pages


@pytest.mark.parametrize("strategy", [png_files(), jpeg_files(), tiff_files()], ids=["png", "jpeg", "tiff"])
def test_image_strategies_cover_every_mode(strategy: st.SearchStrategy[SampleFile]) -> None:
    modes: set[str] = set()

    @examples(80)
    @given(strategy)
    def collect(sample: SampleFile) -> None:
        modes.add(sample.description.split()[1])

    collect()
    assert len(modes) >= 3, modes


@examples(50)
@given(st.data())
def test_markers_make_files_unique(data: st.DataObject) -> None:
    first = data.draw(pdf_files())
    second = data.draw(pdf_files())
    if first.filename.rsplit("-", 1)[1] != second.filename.rsplit("-", 1)[1]:  # different markers
        assert first.content != second.content


@examples(300)
@given(corrupt_files())
def test_every_corrupt_file_fails_to_open(sample: SampleFile) -> None:
    assert not opens(sample), sample
    assert sample.kind is FileKind.CORRUPT
    # What a lenient reader still opens is damaged but recoverable (DECISIONS): any final verdict.
    must = {Disposition.REFUSED_400, Disposition.REJECTED_ANY}
    allowed = sample.allowed_outcomes(Operation.UPLOAD_FILES)
    assert allowed == (must | {Disposition.ACCEPTED_PROCESSED} if sample.recoverable else must)


@examples(20)
@given(empty_files())
def test_empty_files_are_empty(sample: SampleFile) -> None:
    assert sample.content == b""
    assert Disposition.ACCEPTED_PROCESSED not in sample.allowed_outcomes(Operation.UPLOAD_SINGLE)


@examples(60)
@given(mislabelled_files())
def test_mislabelled_files_are_valid_bytes_under_another_allowed_extension(sample: SampleFile) -> None:
    strict_open(sample.format, sample.content)
    assert sample.extension not in sample.format.extensions
    assert sample.filename.endswith("." + sample.extension)
    assert Disposition.ACCEPTED_PROCESSED in sample.allowed_outcomes(Operation.UPLOAD_FILES)


@examples(40)
@given(unsupported_files())
def test_unsupported_files_are_what_they_say(sample: SampleFile) -> None:
    data = sample.content
    if sample.format is FileFormat.GIF:
        strict_open(FileFormat.GIF, data)
    elif sample.format is FileFormat.TXT:
        data.decode("ascii")
    elif sample.format is FileFormat.DOCX:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert {"[Content_Types].xml", "word/document.xml"} <= set(archive.namelist())
    else:
        assert data[:4] == b"\x7fELF" and data[4] == 2  # 64-bit
        (entry,) = struct.unpack("<Q", data[24:32])
        assert entry == 0x400000 + 64 + 56
    assert sample.allowed_outcomes(Operation.UPLOAD_FILES) == {
        Disposition.REFUSED_400,
        Disposition.REJECTED_UNSUPPORTED,
    }


def _valid(extension: str, fmt: FileFormat, entries: tuple[str, ...] = ()) -> SampleFile:
    return SampleFile(
        kind=FileKind.VALID,
        format=fmt,
        extension=extension,
        mime_type=fmt.mime_type,
        content=b"x",
        filename=f"a.{extension}",
        description="test",
        entries=entries,
    )


PROCESSED = {Disposition.ACCEPTED_PROCESSED}
UNSUPPORTED = {Disposition.REFUSED_400, Disposition.REJECTED_UNSUPPORTED}
NOT_ACCEPTED = {Disposition.REFUSED_400, Disposition.REJECTED_ANY}
EITHER = PROCESSED | NOT_ACCEPTED


@pytest.mark.parametrize(
    ("extension", "fmt", "operation", "expected"),
    [
        ("pdf", FileFormat.PDF, Operation.UPLOAD_FILES, PROCESSED),
        ("jpeg", FileFormat.JPEG, Operation.UPLOAD_SINGLE, PROCESSED),
        ("tiff", FileFormat.TIFF, Operation.UPLOAD_BY_URL, PROCESSED),
        ("tif", FileFormat.TIFF, Operation.UPLOAD_SINGLE, PROCESSED),
        ("tif", FileFormat.TIFF, Operation.UPLOAD_FILES, EITHER),
        ("zip", FileFormat.ZIP, Operation.UPLOAD_FILES, PROCESSED),
        ("zip", FileFormat.ZIP, Operation.UPLOAD_SINGLE, NOT_ACCEPTED),
        ("zip", FileFormat.ZIP, Operation.UPLOAD_SINGLE_URL, NOT_ACCEPTED),
        ("zip", FileFormat.ZIP, Operation.UPLOAD_BY_URL, EITHER),
    ],
)
def test_allowed_outcomes_follow_decisions(
    extension: str, fmt: FileFormat, operation: Operation, expected: set[Disposition]
) -> None:
    entries = ("a.pdf",) if fmt is FileFormat.ZIP else ()
    assert _valid(extension, fmt, entries).allowed_outcomes(operation) == expected


def test_profile_choices_narrow_the_either_cases() -> None:
    tif = _valid("tif", FileFormat.TIFF)
    assert tif.allowed_outcomes(Operation.UPLOAD_FILES, tif_accepted=True) == PROCESSED
    assert tif.allowed_outcomes(Operation.UPLOAD_FILES, tif_accepted=False) == NOT_ACCEPTED
    archive = _valid("zip", FileFormat.ZIP, ("a.pdf",))
    assert archive.allowed_outcomes(Operation.UPLOAD_BY_URL, by_url_accepts_zip=False) == NOT_ACCEPTED
    empty = _valid("zip", FileFormat.ZIP, ())
    assert empty.allowed_outcomes(Operation.UPLOAD_FILES) == {
        Disposition.ACCEPTED_PROCESSED,
        Disposition.REJECTED_ANY,
        Disposition.REFUSED_400,
    }


def test_outcomes_match_observations() -> None:
    unsupported = frozenset(UNSUPPORTED)
    assert outcome_allowed(unsupported, status_code=400)
    assert outcome_allowed(unsupported, status_code=201, file_status="rejected", error=ERR_UNSUPPORTED_FILE_FORMAT)
    assert not outcome_allowed(unsupported, status_code=201, file_status="rejected", error="ERR_OTHER")
    assert not outcome_allowed(unsupported, status_code=201, file_status="processed")
    assert not outcome_allowed(unsupported, status_code=500)
    assert Disposition.REJECTED_ANY.matches(status_code=200, file_status="rejected", error="ERR_CORRUPTED_FILE")
    assert not Disposition.REJECTED_ANY.matches(status_code=200, file_status="rejected", error=None)
    with pytest.raises(ValueError, match="not final"):
        Disposition.ACCEPTED_PROCESSED.matches(status_code=201, file_status="pending")


def test_sample_file_checks_its_own_consistency() -> None:
    with pytest.raises(ValueError, match="does not end"):
        SampleFile(FileKind.VALID, FileFormat.PDF, "pdf", "application/pdf", b"", "a.png", "x")
    with pytest.raises(ValueError, match="hazard"):
        SampleFile(FileKind.HOSTILE_ZIP, FileFormat.ZIP, "zip", "application/zip", b"", "a.zip", "x")
    sample = SampleFile(FileKind.VALID, FileFormat.PDF, "pdf", "application/pdf", b"%PDF", "a.pdf", "x", hazard=None)
    assert "size=4" in repr(sample) and b"%PDF" not in repr(sample).encode()
    assert sample.with_filename("b.pdf").filename == "b.pdf"


@examples(120)
@given(sample_files())
def test_sample_files_never_allow_processing_of_bad_bytes(sample: SampleFile) -> None:
    for operation in Operation:
        allowed = sample.allowed_outcomes(operation)
        assert allowed, sample
        # Damaged but recoverable bytes (a lenient reader opens them) may be processed: DECISIONS "Formats".
        if sample.kind in (FileKind.CORRUPT, FileKind.EMPTY, FileKind.UNSUPPORTED) and not sample.recoverable:
            assert Disposition.ACCEPTED_PROCESSED not in allowed
        if sample.hazard is ZipHazard.CORRUPT_DIRECTORY and not sample.recoverable:
            assert Disposition.ACCEPTED_PROCESSED not in allowed


@examples(60)
@given(valid_files(operation=Operation.UPLOAD_SINGLE))
def test_valid_files_for_an_operation_are_accepted_by_it(sample: SampleFile) -> None:
    assert sample.format is not FileFormat.ZIP
    assert sample.allowed_outcomes(Operation.UPLOAD_SINGLE) == PROCESSED


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: pdf_files(min_pages=0), "min_pages"),
        (lambda: pdf_files(min_pages=3, max_pages=2), "greater than max_pages"),
        (lambda: png_files(modes=["XYZ"]), "modes"),
        (lambda: png_files(sizes=[(3, 3)]), "sizes"),
        (lambda: tiff_files(max_frames=99), "max_frames"),
        (lambda: jpeg_files(extensions=["png"]), "extensions"),
        (lambda: corrupt_files(corruptions=["melted"]), "corruptions"),
        (lambda: valid_files(formats=[FileFormat.GIF]), "formats"),
        (lambda: valid_files(formats=[FileFormat.ZIP], operation=Operation.UPLOAD_SINGLE), "accepted by"),
        (lambda: sample_files(kinds=[]), "kinds"),
    ],
)
def test_arguments_are_checked_up_front(build: object, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        build()  # type: ignore[operator]


def test_strict_reader_catches_a_flipped_byte() -> None:
    from ingest_conformance.strategies._images import render_png

    data = bytearray(render_png((17, 13), "RGB", "0" * 16))
    data[40] ^= 0xFF  # inside the tEXt chunk: the CRC no longer matches
    with pytest.raises(StrictReadError, match="CRC"):
        strict_open(FileFormat.PNG, bytes(data))


def test_requirement_ids_exist_in_the_catalogue() -> None:
    import yaml

    from ingest_conformance.spec import REQUIREMENTS_PATH

    known = {item["id"] for item in yaml.safe_load(REQUIREMENTS_PATH.read_text(encoding="utf-8"))["requirements"]}
    seen: set[str] = set()

    @examples(150)
    @given(sample_files())
    def check(sample: SampleFile) -> None:
        for operation in Operation:
            ids = sample.requirement_ids(operation)
            assert set(ids) <= known, ids
            seen.update(ids)

    check()
    assert {"UPL-CORRUPT-001", "UPL-UNSUP-001", "UPL-EXT-001", "ZIP-HOST-002", "UPL-FMT-004"} <= seen
