"""Independent readers for the strategies' tests: they never use the code under test.

``strict_open`` opens a file the way a strict target would (pypdf strict, Pillow verify + load of
every frame, PNG CRCs, JPEG EOI, TIFF strip offsets, zipfile CRCs); ``parse_multipart`` splits a
body with python-multipart's low-level parser and hands back each part's raw header bytes.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from PIL import Image
from pypdf import PdfReader
from python_multipart.multipart import MultipartParser

from ingest_conformance.strategies import FileFormat, SampleFile

# Example budgets are small on purpose: the whole strategies suite stays under a minute.
FAST = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def examples(n: int) -> settings:
    return settings(FAST, max_examples=n)


class StrictReadError(Exception):
    """The file is not strictly valid; the message says why."""


def check_png_crcs(data: bytes) -> None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise StrictReadError("no PNG signature")
    offset, seen_end = 8, False
    while offset < len(data):
        if offset + 8 > len(data):
            raise StrictReadError("chunk header cut short")
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(data):
            raise StrictReadError(f"{kind!r} chunk runs past the end")
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[offset + 4 : end - 4]) != crc:
            raise StrictReadError(f"bad CRC in {kind!r}")
        seen_end = kind == b"IEND"
        offset = end
    if not seen_end:
        raise StrictReadError("no IEND chunk")


def check_tiff_offsets(data: bytes) -> None:
    """Every IFD and every strip (offset + byte count) lies inside the file."""
    order = {b"II": "<", b"MM": ">"}.get(data[:2])
    if order is None or len(data) < 8:
        raise StrictReadError("no TIFF header")
    (ifd,) = struct.unpack(order + "I", data[4:8])
    sizes = {3: 2, 4: 4}
    frames = 0
    while ifd:
        frames += 1
        if ifd + 2 > len(data) or frames > 64:
            raise StrictReadError(f"IFD at {ifd} outside the file")
        (count,) = struct.unpack(order + "H", data[ifd : ifd + 2])
        if ifd + 2 + 12 * count + 4 > len(data):
            raise StrictReadError("IFD runs past the end")
        tags: dict[int, list[int]] = {}
        for index in range(count):
            entry = data[ifd + 2 + 12 * index : ifd + 14 + 12 * index]
            tag, kind, n = struct.unpack(order + "HHI", entry[:8])
            if kind not in sizes:
                continue
            width = sizes[kind]
            raw = entry[8:12] if width * n <= 4 else None
            if raw is None:
                (pointer,) = struct.unpack(order + "I", entry[8:12])
                if pointer + width * n > len(data):
                    raise StrictReadError(f"tag {tag} values outside the file")
                raw = data[pointer : pointer + width * n]
            fmt = order + ("H" if width == 2 else "I") * n
            tags[tag] = list(struct.unpack(fmt, raw[: width * n]))
        for start, size in zip(tags.get(273, []), tags.get(279, []), strict=True):
            if start + size > len(data):
                raise StrictReadError("strip outside the file")
        (ifd,) = struct.unpack(order + "I", data[ifd + 2 + 12 * count : ifd + 6 + 12 * count])


def strict_open(fmt: FileFormat, data: bytes) -> None:
    """Open ``data`` as ``fmt`` as strictly as a careful target would; raise on any problem."""
    try:
        if fmt is FileFormat.PDF:
            reader = PdfReader(io.BytesIO(data), strict=True)
            if not reader.pages:
                raise StrictReadError("no pages")
            for page in reader.pages:
                page.extract_text()
            return
        if fmt is FileFormat.ZIP:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                bad = archive.testzip()
                if bad is not None:
                    raise StrictReadError(f"bad CRC in {bad}")
                for name in archive.namelist():
                    if name.lower().endswith(".zip"):
                        strict_open(FileFormat.ZIP, archive.read(name))
            return
        if fmt is FileFormat.PNG:
            check_png_crcs(data)
        if fmt is FileFormat.JPEG and not data.endswith(b"\xff\xd9"):
            raise StrictReadError("JPEG does not end with EOI")
        if fmt is FileFormat.TIFF:
            check_tiff_offsets(data)
        with Image.open(io.BytesIO(data)) as image:
            expected = {FileFormat.PNG: "PNG", FileFormat.JPEG: "JPEG", FileFormat.TIFF: "TIFF", FileFormat.GIF: "GIF"}
            if image.format != expected.get(fmt):
                raise StrictReadError(f"Pillow reads {image.format}, not {fmt.value}")
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            for frame in range(getattr(image, "n_frames", 1)):
                image.seek(frame)
                image.load()
    except StrictReadError:
        raise
    except Exception as exc:  # any reader error means "does not open"
        raise StrictReadError(f"{type(exc).__name__}: {exc}") from exc


def opens(sample: SampleFile) -> bool:
    try:
        strict_open(sample.format, sample.content)
    except StrictReadError:
        return False
    return True


@dataclass
class ParsedPart:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    data: bytes = b""


@dataclass
class ParsedBody:
    parts: list[ParsedPart]
    complete: bool


def parse_multipart(body: bytes, boundary: str) -> ParsedBody:
    """Split ``body`` with python-multipart's MultipartParser; raw header bytes are kept as they are."""
    parts: list[ParsedPart] = []
    state: dict[str, object] = {"field": b"", "value": b"", "ended": False}
    chunks: list[bytes] = []

    def on_part_begin() -> None:
        parts.append(ParsedPart())
        chunks.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunks.append(data[start:end])

    def on_part_end() -> None:
        parts[-1].data = b"".join(chunks)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] = bytes(state["field"]) + data[start:end]  # type: ignore[arg-type]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] = bytes(state["value"]) + data[start:end]  # type: ignore[arg-type]

    def on_header_end() -> None:
        parts[-1].headers[bytes(state["field"]).lower()] = bytes(state["value"])  # type: ignore[arg-type]
        state["field"], state["value"] = b"", b""

    def on_end() -> None:
        state["ended"] = True

    parser = MultipartParser(
        boundary,
        callbacks={  # type: ignore[arg-type]
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_end": on_end,
        },
    )
    parser.write(body)
    return ParsedBody(parts=parts, complete=bool(state["ended"]))


def rss_bytes() -> int:
    """Current resident set size of this process."""
    import psutil

    return int(psutil.Process(os.getpid()).memory_info().rss)
