"""Strategies for valid files of every allowed format, ZIPs included.

Each draw picks a cached template (pages / size / colour mode / options) and a 16-hex-digit marker
that makes the bytes unique; both shrink towards the first, simplest template and marker 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from . import _images, _pdf, _zips
from ._checks import check_bool, check_bounds, check_int, check_members
from ._model import FileFormat, FileKind, Operation, SampleFile, Support, extension_support

# Eight random bytes, not an integer: hypothesis draws integers near its favourite constants (0, 1, 2**64-1...)
# about one time in twenty, so two seeds would now and then build the very same file; bytes come out even.
MARKERS: st.SearchStrategy[str] = st.binary(min_size=8, max_size=8).map(bytes.hex)
_STEMS = ("invoice", "receipt", "scan", "delivery-note")
ALLOWED_FORMATS = (FileFormat.PDF, FileFormat.JPEG, FileFormat.PNG, FileFormat.TIFF, FileFormat.ZIP)


def _filename(stem: str, marker: str, extension: str) -> str:
    return f"{stem}-{marker[-8:]}.{extension}"


def _extensions(fmt: FileFormat, extensions: Sequence[str] | None) -> tuple[str, ...]:
    if extensions is None:
        return fmt.extensions
    return check_members(extensions, "extensions", fmt.extensions)


def _sizes(sizes: object) -> tuple[tuple[int, int], ...]:
    if not isinstance(sizes, (list, tuple)):
        raise InvalidArgument(f"sizes={sizes!r} must be a list or tuple of (width, height) pairs")
    pairs = [tuple(size) if isinstance(size, (list, tuple)) else size for size in sizes]
    return check_members(pairs, "sizes", _images.IMAGE_SIZES)


def _valid(
    fmt: FileFormat, extension: str, content: bytes, stem: str, marker: str, description: str, **extra: object
) -> SampleFile:
    return SampleFile(
        kind=FileKind.VALID,
        format=fmt,
        extension=extension,
        mime_type=fmt.mime_type,
        content=content,
        filename=_filename(stem, marker, extension),
        description=description,
        **extra,  # type: ignore[arg-type]
    )


def pdf_files(*, min_pages: int = 1, max_pages: int = 5) -> st.SearchStrategy[SampleFile]:
    """Valid PDFs of ``min_pages``..``max_pages`` text pages (receipt, A4 or Letter size).

    Written by pypdf's writer; pypdf (strict) reads every page. Shrinks towards one receipt-size page.
    """
    check_int(min_pages, "min_pages", min_value=1, max_value=_pdf.MAX_PAGES)
    check_int(max_pages, "max_pages", min_value=1, max_value=_pdf.MAX_PAGES)
    check_bounds(min_pages, max_pages, "min_pages", "max_pages")
    return st.builds(
        _build_pdf,
        st.integers(min_pages, max_pages),
        st.sampled_from([name for name, _, _ in _pdf.PAGE_SIZES]),
        MARKERS,
        st.sampled_from(_STEMS),
    )


def _build_pdf(pages: int, size: str, marker: str, stem: str) -> SampleFile:
    content = _pdf.render_pdf(pages, size, marker)
    return _valid(FileFormat.PDF, "pdf", content, stem, marker, f"{pages}-page {size} PDF", pages=pages)


def png_files(
    *, modes: Sequence[str] = _images.PNG_MODES, sizes: Sequence[tuple[int, int]] = _images.IMAGE_SIZES
) -> st.SearchStrategy[SampleFile]:
    """Valid PNGs in the given colour ``modes`` and pixel ``sizes``; every chunk CRC is right.

    Shrinks towards a 1x1 RGB image.
    """
    chosen_modes = check_members(modes, "modes", _images.PNG_MODES)
    chosen_sizes = _sizes(sizes)
    return st.builds(
        _build_png, st.sampled_from(chosen_sizes), st.sampled_from(chosen_modes), MARKERS, st.sampled_from(_STEMS)
    )


def _build_png(size: tuple[int, int], mode: str, marker: str, stem: str) -> SampleFile:
    content = _images.render_png(size, mode, marker)
    return _valid(FileFormat.PNG, "png", content, stem, marker, f"{size[0]}x{size[1]} {mode} PNG")


def jpeg_files(
    *,
    modes: Sequence[str] = _images.JPEG_MODES,
    sizes: Sequence[tuple[int, int]] = _images.IMAGE_SIZES,
    extensions: Sequence[str] | None = None,
) -> st.SearchStrategy[SampleFile]:
    """Valid baseline or progressive JPEGs (ending with EOI) named .jpg or .jpeg.

    Shrinks towards a 1x1 RGB baseline JPEG of quality 85 named .jpg.
    """
    chosen_modes = check_members(modes, "modes", _images.JPEG_MODES)
    chosen_sizes = _sizes(sizes)
    return st.builds(
        _build_jpeg,
        st.sampled_from(chosen_sizes),
        st.sampled_from(chosen_modes),
        st.sampled_from(_images.JPEG_QUALITIES),
        st.booleans(),
        st.sampled_from(_extensions(FileFormat.JPEG, extensions)),
        MARKERS,
        st.sampled_from(_STEMS),
    )


def _build_jpeg(
    size: tuple[int, int], mode: str, quality: int, progressive: bool, extension: str, marker: str, stem: str
) -> SampleFile:
    content = _images.render_jpeg(size, mode, quality, progressive, marker)
    kind = "progressive" if progressive else "baseline"
    description = f"{size[0]}x{size[1]} {mode} {kind} JPEG q{quality}"
    return _valid(FileFormat.JPEG, extension, content, stem, marker, description)


def tiff_files(
    *,
    modes: Sequence[str] = _images.TIFF_MODES,
    sizes: Sequence[tuple[int, int]] = _images.IMAGE_SIZES,
    min_frames: int = 1,
    max_frames: int = 3,
    extensions: Sequence[str] | None = None,
) -> st.SearchStrategy[SampleFile]:
    """Valid TIFFs (raw, LZW, deflate, PackBits or Group 4), single- or multi-page, named .tiff or .tif.

    Every strip offset lies inside the file. Shrinks towards a 1x1 uncompressed RGB single page (.tiff).
    """
    chosen_modes = check_members(modes, "modes", _images.TIFF_MODES)
    chosen_sizes = _sizes(sizes)
    check_int(min_frames, "min_frames", min_value=1, max_value=_images.MAX_TIFF_FRAMES)
    check_int(max_frames, "max_frames", min_value=1, max_value=_images.MAX_TIFF_FRAMES)
    check_bounds(min_frames, max_frames, "min_frames", "max_frames")
    return st.builds(
        _build_tiff,
        st.sampled_from(chosen_sizes),
        st.sampled_from(chosen_modes),
        st.sampled_from(_images.TIFF_COMPRESSIONS),
        st.integers(min_frames, max_frames),
        st.sampled_from(_extensions(FileFormat.TIFF, extensions)),
        MARKERS,
        st.sampled_from(_STEMS),
    )


def _build_tiff(
    size: tuple[int, int], mode: str, compression: str, frames: int, extension: str, marker: str, stem: str
) -> SampleFile:
    if compression == "group4" and mode != "1":
        compression = "tiff_lzw"  # Group 4 codes bilevel images only
    content = _images.render_tiff(size, mode, compression, frames, marker)
    description = f"{frames}-page {size[0]}x{size[1]} {mode} TIFF ({compression})"
    return _valid(FileFormat.TIFF, extension, content, stem, marker, description, pages=frames)


# Small members keep every valid archive far below 1 MiB uncompressed.
_SMALL_SIZES = ((17, 13), (64, 48))


@cache  # one strategy object for every draw: hypothesis validates a new strategy on its first draw
def _zip_members() -> st.SearchStrategy[SampleFile]:
    return st.one_of(
        pdf_files(max_pages=2),
        png_files(sizes=_SMALL_SIZES, modes=("RGB", "L")),
        jpeg_files(sizes=_SMALL_SIZES, modes=("RGB", "L")),
        tiff_files(sizes=_SMALL_SIZES, modes=("RGB", "L"), max_frames=2, extensions=("tiff",)),
    )


def zip_files(
    *, min_entries: int = 0, max_entries: int = 4, allow_nested: bool = True
) -> st.SearchStrategy[SampleFile]:
    """Valid ZIPs of ``min_entries``..``max_entries`` valid PDF/PNG/JPEG/TIFF files, stored or deflated.

    Entries may sit in a folder; with ``allow_nested`` one entry may be a ZIP itself (of one file).
    ``min_entries=0`` admits the empty archive. Every archive stays under 1 MiB uncompressed.
    Shrinks towards the fewest entries, deflated, no folders, no nesting.
    """
    check_int(min_entries, "min_entries", min_value=0, max_value=16)
    check_int(max_entries, "max_entries", min_value=0, max_value=16)
    check_bounds(min_entries, max_entries, "min_entries", "max_entries")
    check_bool(allow_nested, "allow_nested")
    return _zip_strategy(min_entries, max_entries, allow_nested)


@cache
def _zip_member_lists(min_entries: int, max_entries: int) -> st.SearchStrategy[list[SampleFile]]:
    return st.lists(_zip_members(), min_size=min_entries, max_size=max_entries)


@st.composite
def _zip_strategy(draw: st.DrawFn, min_entries: int, max_entries: int, allow_nested: bool) -> SampleFile:
    members = draw(_zip_member_lists(min_entries, max_entries))
    folder = draw(st.sampled_from(("", "scans/", "2024/q1/")))
    entries: list[tuple[str, bytes]] = []
    for index, member in enumerate(members):
        entries.append((f"{folder}{index + 1:02d}-{member.filename}", member.content))
    nested = allow_nested and entries and draw(st.booleans())
    if nested:
        inner = _zips.build_zip([entries[-1]])
        entries[-1] = (f"{folder}nested-{len(entries)}.zip", inner)
    if folder and entries:
        entries.insert(0, (folder, b""))
    content = _zips.build_zip(entries, deflate=draw(st.booleans().map(lambda stored: not stored)))
    marker = draw(MARKERS)
    files = sum(1 for name, _ in entries if not name.endswith("/"))
    description = f"ZIP of {files} file(s)" + (" with a nested ZIP" if nested else "") if files else "empty ZIP"
    return _valid(
        FileFormat.ZIP,
        "zip",
        content,
        "bundle",
        marker,
        description,
        entries=tuple(name for name, _ in entries),
    )


def valid_files(
    *, formats: Sequence[FileFormat] = ALLOWED_FORMATS, operation: Operation | None = None
) -> st.SearchStrategy[SampleFile]:
    """Strictly valid files of the given ``formats``.

    With ``operation``, only formats and extensions that operation must accept are drawn (no .zip for
    single, .tif only for single), so each draw's ``allowed_outcomes(operation)`` is {processed}
    (an empty ZIP aside). Shrinks towards the first format's simplest file.
    """
    chosen = check_members(formats, "formats", ALLOWED_FORMATS)
    if operation is not None:
        check_members([operation], "operation", tuple(Operation))
    parts: list[st.SearchStrategy[SampleFile]] = []
    for fmt in chosen:
        extensions = [
            ext for ext in fmt.extensions if operation is None or extension_support(operation, ext) is Support.YES
        ]
        if not extensions:
            continue
        if fmt is FileFormat.PDF:
            parts.append(pdf_files())
        elif fmt is FileFormat.PNG:
            parts.append(png_files())
        elif fmt is FileFormat.JPEG:
            parts.append(jpeg_files(extensions=extensions))
        elif fmt is FileFormat.TIFF:
            parts.append(tiff_files(extensions=extensions))
        else:
            parts.append(zip_files(min_entries=1))
    if not parts:
        raise InvalidArgument(f"none of formats={[f.value for f in chosen]} is accepted by {operation}")
    return st.one_of(parts)
