"""Strategies for files a target must not process: corrupt, empty, mislabelled, unsupported, hostile.

Corrupt files start from a valid file of the format, so they look right at a glance (right magic,
right extension) and fail only on a full read. Garbage comes from a PRNG seeded by the draw, so a
shrunk example is still noise, never a run of zeros that a lenient reader might skip.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Sequence

from hypothesis import strategies as st

from . import _images, _zips
from ._checks import check_bounds, check_int, check_members
from ._files import MARKERS, jpeg_files, pdf_files, png_files, tiff_files, valid_files, zip_files
from ._lenient import lenient_opens
from ._model import (
    CORE_EXTENSIONS,
    FORMAT_BY_EXTENSION,
    MIME_BY_EXTENSION,
    FileFormat,
    FileKind,
    SampleFile,
    ZipHazard,
)

CORRUPTIONS = ("truncated", "header_only", "garbage_after_magic")
CORRUPTIBLE_FORMATS = (FileFormat.PDF, FileFormat.JPEG, FileFormat.PNG, FileFormat.TIFF, FileFormat.ZIP)
UNSUPPORTED_FORMATS = (FileFormat.GIF, FileFormat.TXT, FileFormat.DOCX, FileFormat.ELF)
LABEL_EXTENSIONS = (*sorted(CORE_EXTENSIONS), "zip")
_MAGIC: dict[FileFormat, tuple[bytes, ...]] = {
    FileFormat.PDF: (b"%PDF-1.7\n", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
    FileFormat.JPEG: (b"\xff\xd8\xff\xe0",),
    FileFormat.PNG: (_images.PNG_SIGNATURE,),
    FileFormat.TIFF: (b"II*\x00", b"MM\x00*"),
    FileFormat.ZIP: (b"PK\x03\x04",),
}
_SMALL = ((17, 13), (64, 48))


def _small_valid(fmt: FileFormat) -> st.SearchStrategy[SampleFile]:
    return {
        FileFormat.PDF: pdf_files(max_pages=2),
        FileFormat.JPEG: jpeg_files(sizes=_SMALL),
        FileFormat.PNG: png_files(sizes=_SMALL),
        FileFormat.TIFF: tiff_files(sizes=_SMALL, max_frames=2),
        FileFormat.ZIP: zip_files(min_entries=1, max_entries=2, allow_nested=False),
    }[fmt]


def _header_only(fmt: FileFormat, content: bytes) -> bytes:
    if fmt is FileFormat.PDF:
        return content[: content.index(b"\n", 9) + 1]  # "%PDF-1.x\n%<binary>\n"
    if fmt is FileFormat.PNG:
        return content[:33]  # signature and IHDR, no IDAT, no IEND
    if fmt is FileFormat.JPEG:
        return content[: _images._after_app_segments(content)]  # SOI and APPn, no tables, no scan
    if fmt is FileFormat.TIFF:
        return content[:8]  # byte order, 42 and an IFD offset pointing past the end
    (name_length,) = struct.unpack("<H", content[26:28])  # ZIP: the first local header alone
    return content[: 30 + name_length]


def corrupt_files(
    *,
    formats: Sequence[FileFormat] = CORRUPTIBLE_FORMATS,
    corruptions: Sequence[str] = CORRUPTIONS,
) -> st.SearchStrategy[SampleFile]:
    """Files with the right extension and magic that no strict reader opens.

    ``truncated``: a valid file cut to 25-75% of its length; ``header_only``: just the format's header;
    ``garbage_after_magic``: the magic number then 16-4096 random bytes. A draw the lenient reader of
    DECISIONS still opens (a JPEG or PNG cut after its first scan lines often is) comes ``recoverable``:
    damaged but recoverable, judged as INFO (UPL-DAMAGED-001), not as corrupt. Shrinks towards a truncated PDF.
    """
    chosen = check_members(formats, "formats", CORRUPTIBLE_FORMATS)
    how = check_members(corruptions, "corruptions", CORRUPTIONS)
    return st.sampled_from(chosen).flatmap(lambda fmt: _corrupt(fmt, how))


@st.composite
def _corrupt(draw: st.DrawFn, fmt: FileFormat, corruptions: tuple[str, ...]) -> SampleFile:
    source = draw(_small_valid(fmt))
    how = draw(st.sampled_from(corruptions))
    if how == "truncated":
        percent = draw(st.integers(25, 75))
        content = source.content[: len(source.content) * percent // 100]
        description = f"{source.description} truncated to {percent}%"
    elif how == "header_only":
        content = _header_only(fmt, source.content)
        description = f"{fmt.value.upper()} header only ({len(content)} bytes)"
    else:
        magic = draw(st.sampled_from(_MAGIC[fmt]))
        noise = random.Random(draw(st.integers(0, 2**32 - 1))).randbytes(draw(st.integers(16, 4096)))
        content = magic + noise
        description = f"{fmt.value.upper()} magic followed by {len(noise)} random bytes"
    recoverable = lenient_opens(fmt, content)
    return SampleFile(
        kind=FileKind.CORRUPT,
        format=fmt,
        extension=source.extension,
        mime_type=source.mime_type,
        content=content,
        filename=source.filename,
        description=description + (" (a lenient reader still opens it)" if recoverable else ""),
        recoverable=recoverable,
    )


def empty_files(*, extensions: Sequence[str] = LABEL_EXTENSIONS) -> st.SearchStrategy[SampleFile]:
    """Zero-byte files named with one of ``extensions``. Shrinks towards the first extension."""
    chosen = check_members(extensions, "extensions", (*LABEL_EXTENSIONS, "tif"))
    return st.builds(_empty, st.sampled_from(chosen), MARKERS)


def _empty(extension: str, marker: str) -> SampleFile:
    return SampleFile(
        kind=FileKind.EMPTY,
        format=FORMAT_BY_EXTENSION[extension],
        extension=extension,
        mime_type=MIME_BY_EXTENSION[extension],
        content=b"",
        filename=f"empty-{marker[-8:]}.{extension}",
        description=f"zero bytes named .{extension}",
    )


def mislabelled_files(*, formats: Sequence[FileFormat] = CORRUPTIBLE_FORMATS) -> st.SearchStrategy[SampleFile]:
    """Valid files of one allowed format named (and typed) as another, e.g. PNG bytes as ``x.pdf``.

    Shrinks towards a one-page PDF labelled with the first other extension.
    """
    chosen = check_members(formats, "formats", CORRUPTIBLE_FORMATS)
    return st.sampled_from(chosen).flatmap(_mislabel)


def _mislabel(fmt: FileFormat) -> st.SearchStrategy[SampleFile]:
    labels = [ext for ext in LABEL_EXTENSIONS if ext not in fmt.extensions]
    return st.builds(_relabel, _small_valid(fmt), st.sampled_from(labels))


def _relabel(source: SampleFile, label: str) -> SampleFile:
    stem = source.filename.rsplit(".", 1)[0]
    return SampleFile(
        kind=FileKind.MISLABELLED,
        format=source.format,
        extension=label,
        mime_type=MIME_BY_EXTENSION[label],
        content=source.content,
        filename=f"{stem}.{label}",
        description=f"{source.description} named .{label}",
        entries=source.entries,
        pages=source.pages,
    )


def unsupported_files(*, formats: Sequence[FileFormat] = UNSUPPORTED_FORMATS) -> st.SearchStrategy[SampleFile]:
    """Files of types no operation accepts: a valid GIF, plain text, a DOCX-like ZIP, an ELF-like binary.

    Shrinks towards a 1x1 GIF.
    """
    chosen = check_members(formats, "formats", UNSUPPORTED_FORMATS)
    return st.builds(_unsupported, st.sampled_from(chosen), MARKERS, st.sampled_from(FileFormat.ELF.extensions))


def _unsupported(fmt: FileFormat, marker: str, elf_extension: str) -> SampleFile:
    if fmt is FileFormat.GIF:
        content, description = _images.render_gif((17, 13), marker), "17x13 GIF"
    elif fmt is FileFormat.TXT:
        content = f"INVOICE {marker}\nTotal: 12.34 EUR\n".encode("ascii")
        description = "plain text"
    elif fmt is FileFormat.DOCX:
        content, description = _docx(marker), "DOCX-like ZIP (word/document.xml)"
    else:
        content, description = _elf(marker), "ELF-like x86-64 executable"
    extension = elf_extension if fmt is FileFormat.ELF else fmt.extensions[0]
    return SampleFile(
        kind=FileKind.UNSUPPORTED,
        format=fmt,
        extension=extension,
        mime_type=fmt.mime_type,
        content=content,
        filename=f"document-{marker[-8:]}.{extension}",
        description=description,
    )


def _docx(marker: str) -> bytes:
    word = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    return _zips.build_zip(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                b'openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main'
                b'+xml"/></Types>',
            ),
            (
                "_rels/.rels",
                b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
                b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                b'Target="word/document.xml"/></Relationships>',
            ),
            (
                "word/document.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{word}"><w:body><w:p><w:r>'
                f"<w:t>INVOICE {marker}</w:t></w:r></w:p></w:body></w:document>".encode(),
            ),
        ]
    )


def _elf(marker: str) -> bytes:
    """An ELF64 header, one PT_LOAD program header, and code for exit(0) followed by the marker."""
    code = b"\xb8\x3c\x00\x00\x00\x31\xff\x0f\x05" + marker.encode("ascii")  # mov eax,60; xor edi,edi; syscall
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    size = 64 + 56 + len(code)
    header = ident + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x400078, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    program = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, size, size, 0x1000)
    return header + program + code


def hostile_zip_files(
    *,
    hazards: Sequence[ZipHazard] = tuple(ZipHazard),
    bomb_size: int = 1 << 30,
    min_depth: int = 10,
    max_depth: int = 40,
    damages: Sequence[str] = _zips.DIRECTORY_DAMAGES,
) -> st.SearchStrategy[SampleFile]:
    """ZIPs built to hurt a careless extractor; each carries its ``hazard``.

    traversal (``../`` entry names), absolute_path (``/x``, ``C:/x``, ``C:\\x``), bomb (one entry that
    inflates to ``bomb_size`` zero bytes, ~1/1000 of that on the wire), corrupt_directory (the central
    directory damaged one of the ``damages`` ways; an archive ``zipfile`` still lists, as it does a wrong
    directory offset, comes ``recoverable``), deep_nesting (a PDF inside ``min_depth``..``max_depth`` nested
    ZIPs). Shrinks towards a one-level traversal.
    """
    chosen = check_members(hazards, "hazards", tuple(ZipHazard))
    chosen_damages = check_members(damages, "damages", _zips.DIRECTORY_DAMAGES)
    check_int(bomb_size, "bomb_size", min_value=1 << 20, max_value=_zips.MAX_BOMB_SIZE)
    check_int(min_depth, "min_depth", min_value=2, max_value=200)
    check_int(max_depth, "max_depth", min_value=2, max_value=200)
    check_bounds(min_depth, max_depth, "min_depth", "max_depth")
    return _hostile(chosen, bomb_size, min_depth, max_depth, chosen_damages)


@st.composite
def _hostile(
    draw: st.DrawFn,
    hazards: tuple[ZipHazard, ...],
    bomb_size: int,
    min_depth: int,
    max_depth: int,
    damages: tuple[str, ...] = _zips.DIRECTORY_DAMAGES,
) -> SampleFile:
    hazard = draw(st.sampled_from(hazards))
    marker = draw(MARKERS)
    tag = marker[-8:]
    pdf = draw(pdf_files(max_pages=1)).content
    if hazard is ZipHazard.TRAVERSAL:
        ups = draw(st.integers(1, 6))
        name = draw(st.sampled_from(("../" * ups, "docs/" + "../" * (ups + 1)))) + f"escape-{tag}.pdf"
        entries = [(f"ok-{tag}.pdf", pdf), (name, pdf)]
        content, description = _zips.build_zip(entries), f"entry named {name!r}"
    elif hazard is ZipHazard.ABSOLUTE_PATH:
        name = draw(st.sampled_from(("/tmp/", "/etc/", "C:/", "C:\\Windows\\", "\\\\server\\share\\")))
        name += f"escape-{tag}.pdf"
        entries = [(f"ok-{tag}.pdf", pdf), (name, pdf)]
        content, description = _zips.build_zip(entries), f"entry named {name!r}"
    elif hazard is ZipHazard.BOMB:
        entries = [(f"bomb-{tag}.pdf", b"")]
        content = _zips.bomb_zip(bomb_size, name=entries[0][0])
        description = f"bomb: {len(content)} bytes inflating to {bomb_size}"
    elif hazard is ZipHazard.CORRUPT_DIRECTORY:
        damage = draw(st.sampled_from(damages))
        members = draw(st.lists(valid_files(formats=(FileFormat.PDF, FileFormat.PNG)), min_size=1, max_size=3))
        entries = [(f"{i + 1:02d}-{m.filename}", m.content) for i, m in enumerate(members)]
        content = _zips.damage_directory(_zips.build_zip(entries), damage)
        description = f"central directory damaged ({damage})"
        if lenient_opens(FileFormat.ZIP, content):
            description += ", still listed by a lenient reader"
    else:
        depth = draw(st.integers(min_depth, max_depth))
        content = _zips.nest(pdf, depth, leaf_name=f"deep-{tag}.pdf")
        entries = [("level-1.zip", b"")]
        description = f"PDF nested {depth} ZIPs deep"
    return SampleFile(
        kind=FileKind.HOSTILE_ZIP,
        format=FileFormat.ZIP,
        extension="zip",
        mime_type=FileFormat.ZIP.mime_type,
        content=content,
        filename=f"hostile-{hazard.value.replace('_', '-')}-{tag}.zip",
        description=description,
        hazard=hazard,
        entries=tuple(name for name, _ in entries),
        recoverable=hazard is ZipHazard.CORRUPT_DIRECTORY and lenient_opens(FileFormat.ZIP, content),
    )
