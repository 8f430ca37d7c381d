"""ZIPs: valid ones are small and open fully; hostile ones are what they claim, read from their central directory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis.errors import InvalidArgument
from strategies_helpers import FAST, StrictReadError, examples, strict_open

from ingest_conformance.strategies import (
    Disposition,
    FileFormat,
    FileKind,
    Operation,
    SampleFile,
    ZipHazard,
    hostile_zip_files,
    zip_files,
)

pytestmark = pytest.mark.unit


def _declared_total(data: bytes) -> int:
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            total += info.file_size
            if info.filename.endswith(".zip"):
                total += _declared_total(archive.read(info))
    return total


@FAST
@given(zip_files())
def test_valid_zips_open_and_stay_under_one_mebibyte(sample: SampleFile) -> None:
    strict_open(FileFormat.ZIP, sample.content)
    assert _declared_total(sample.content) < 1 << 20
    with zipfile.ZipFile(io.BytesIO(sample.content)) as archive:
        assert tuple(archive.namelist()) == sample.entries
        for info in archive.infolist():
            if info.is_dir():
                continue
            extension = info.filename.rsplit(".", 1)[-1]
            fmt = next(f for f in FileFormat if extension in f.extensions)
            strict_open(fmt, archive.read(info))  # every member is itself strictly valid


def test_zip_strategy_reaches_empty_nested_and_foldered_archives() -> None:
    seen: set[str] = set()

    @examples(150)
    @given(zip_files())
    def collect(sample: SampleFile) -> None:
        if not sample.entries:
            seen.add("empty")
        if any(name.endswith(".zip") for name in sample.entries):
            seen.add("nested")
        if any(name.endswith("/") for name in sample.entries):
            seen.add("folder")

    collect()
    assert seen == {"empty", "nested", "folder"}


@examples(80)
@given(hostile_zip_files(bomb_size=16 << 20))
def test_hostile_zips_are_what_they_claim(sample: SampleFile) -> None:
    assert sample.kind is FileKind.HOSTILE_ZIP and sample.hazard is not None
    data = sample.content
    if sample.hazard is ZipHazard.CORRUPT_DIRECTORY:
        with pytest.raises(StrictReadError):
            strict_open(FileFormat.ZIP, data)
        # Only a directory zipfile cannot list is MUST-corrupt; one it lists is damaged but recoverable (INFO).
        processed_allowed = Disposition.ACCEPTED_PROCESSED in sample.allowed_outcomes(Operation.UPLOAD_FILES)
        assert processed_allowed is sample.recoverable
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert tuple(names) == sample.entries
        if sample.hazard is ZipHazard.TRAVERSAL:
            assert any(".." in name.split("/") for name in names)
        elif sample.hazard is ZipHazard.ABSOLUTE_PATH:
            assert any(name.startswith(("/", "\\")) or name[1:3] in (":/", ":\\") for name in names)
        elif sample.hazard is ZipHazard.BOMB:
            (info,) = infos
            assert info.file_size == 16 << 20
            assert info.compress_size * 500 < info.file_size  # high ratio, small on the wire
            assert archive.testzip() is None  # inflates fully, CRC right
        else:
            depth = 0
            inner = data
            while True:
                with zipfile.ZipFile(io.BytesIO(inner)) as level:
                    (only,) = level.namelist()
                    inner = level.read(only)
                depth += 1
                if not only.endswith(".zip"):
                    break
            assert depth >= 10
            strict_open(FileFormat.PDF, inner)
    assert Disposition.ACCEPTED_PROCESSED in sample.allowed_outcomes(Operation.UPLOAD_FILES)
    assert Disposition.ACCEPTED_PROCESSED not in sample.allowed_outcomes(Operation.UPLOAD_SINGLE)


def test_default_bomb_is_a_gibibyte_in_about_a_megabyte() -> None:
    @examples(3)
    @given(hostile_zip_files(hazards=[ZipHazard.BOMB]))
    def check(sample: SampleFile) -> None:
        end = sample.content.rindex(b"PK\x05\x06")
        (directory,) = struct.unpack("<I", sample.content[end + 16 : end + 20])
        usize, _name_length = struct.unpack("<I H", sample.content[directory + 24 : directory + 30])
        assert usize == 1 << 30
        assert len(sample.content) < 1_100_000
        with zipfile.ZipFile(io.BytesIO(sample.content)) as archive, archive.open(archive.namelist()[0]) as member:
            head = member.read(1 << 20)
        assert head == bytes(1 << 20)

    check()


def test_bomb_stream_is_valid_deflate_at_block_boundaries() -> None:
    from ingest_conformance.strategies._zips import bomb_zip

    for size in (1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20):
        data = bomb_zip(size, name="b.pdf")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = archive.read("b.pdf")
        assert content == bytes(size)
        assert zlib.crc32(content) == archive.getinfo("b.pdf").CRC


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bomb_size": 10}, "bomb_size"),
        ({"min_depth": 30, "max_depth": 20}, "greater than"),
        ({"hazards": ["bomb"]}, "hazards"),
    ],
)
def test_hostile_arguments_are_checked(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        hostile_zip_files(**kwargs)  # type: ignore[arg-type]


def test_zip_arguments_are_checked() -> None:
    with pytest.raises(InvalidArgument, match="allow_nested"):
        zip_files(allow_nested="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="greater than"):
        zip_files(min_entries=3, max_entries=1)
