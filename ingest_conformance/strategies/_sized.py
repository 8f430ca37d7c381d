"""Bodies of an exact size: any-size streams, and uploads of exactly N bytes around a limit.

The limit in DECISIONS.md is on the TOTAL request body, so the multipart framing counts: the file
part is sized to fill what the delimiters and headers leave. The file is a valid PDF padded with an
unreferenced stream object (see ``_pdf.padded_pdf`` for why not comments or whitespace, and why not
a second field: an unknown part may be refused with 400 and a huge ``info`` may trip field-size
limits, either of which would blur the 413 test).
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis.errors import InvalidArgument

from ._checks import check_int, check_str
from ._filenames import SampleFilename
from ._multipart import DEFAULT_BOUNDARY, MultipartBody, Part
from ._pdf import padded_pdf, padded_pdf_min_size
from ._streams import DEFAULT_CHUNK_SIZE, RepeatSource, StreamedBody


def streamed_body(
    size: int,
    *,
    content_type: str = "application/octet-stream",
    pattern: bytes = b"\x00",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> StreamedBody:
    """A body of exactly ``size`` bytes (``pattern`` repeated) that streams in constant memory.

    Iterate it (httpx ``content=``) with ``body.headers()`` for an exact Content-Length, or
    ``body.headers(chunked=True)`` and ``body.iter_chunked()`` for a raw chunked upload.
    """
    check_int(size, "size", min_value=0)
    check_str(content_type, "content_type")
    if not isinstance(pattern, bytes) or not pattern:
        raise InvalidArgument(f"pattern={pattern!r} must be non-empty bytes")
    check_int(chunk_size, "chunk_size", min_value=1, max_value=64 << 20)
    return StreamedBody(RepeatSource(pattern, size), content_type=content_type, chunk_size=chunk_size)


def sizes_around(limit: int, *, spread: int = 1) -> tuple[int, ...]:
    """``limit - spread`` .. ``limit + spread``: the sizes that straddle a body-size limit."""
    check_int(limit, "limit", min_value=1)
    check_int(spread, "spread", min_value=0, max_value=limit - 1)
    return tuple(range(limit - spread, limit + spread + 1))


def sized_upload_body(
    total_size: int,
    *,
    field_name: str = "files",
    filename: str = "padded.pdf",
    boundary: str = DEFAULT_BOUNDARY,
    extra_parts: Sequence[Part] = (),
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    marker: str | None = None,
) -> MultipartBody:
    """A multipart upload whose whole body is exactly ``total_size`` bytes.

    ``extra_parts`` (e.g. an ``info`` part) come first; the last part is a valid one-page PDF, padded
    to fill the rest, whose text names ``marker`` when given (see ``padded_pdf``). Constant memory for
    any size. Raises ``InvalidArgument`` below the smallest reachable size (the framing plus a ~650-byte PDF).
    """
    check_int(total_size, "total_size", min_value=1)
    check_str(field_name, "field_name")
    check_str(filename, "filename")
    extras = tuple(extra_parts)
    name = SampleFilename.plain(filename)

    def body(content_size: int) -> MultipartBody:
        content = padded_pdf(content_size, marker=marker) if content_size else b""
        part = Part(name=field_name, content=content, filename=name, content_type="application/pdf")
        return MultipartBody([*extras, part], boundary=boundary, chunk_size=chunk_size)

    framing = body(0).content_length
    smallest = framing + padded_pdf_min_size(marker)
    if total_size < smallest:
        raise InvalidArgument(f"total_size={total_size} is below the smallest such body ({smallest} bytes)")
    result = body(total_size - framing)
    if result.content_length != total_size:
        raise AssertionError(f"sized body came out {result.content_length} bytes, wanted {total_size}")
    return result


def upload_bodies_around(
    limit: int,
    *,
    spread: int = 1,
    field_name: str = "files",
    filename: str = "padded.pdf",
    boundary: str = DEFAULT_BOUNDARY,
    extra_parts: Sequence[Part] = (),
) -> dict[int, MultipartBody]:
    """``{size: body}`` for every size in ``sizes_around(limit, spread=spread)`` (see
    :func:`sized_upload_body`); the bodies are lazy, so a 100 MiB limit costs no memory."""
    return {
        size: sized_upload_body(
            size, field_name=field_name, filename=filename, boundary=boundary, extra_parts=extra_parts
        )
        for size in sizes_around(limit, spread=spread)
    }
