"""Strictly valid PNG, JPEG, TIFF (and GIF) files from cached Pillow-encoded templates.

Pillow encodes each (size, colour mode, options) template once. Every example then carries its own
16-character marker, added in a way that keeps the file valid without re-encoding it:

- PNG: a ``tEXt`` chunk inserted after IHDR, with its CRC computed;
- JPEG: a COM segment inserted after the APPn segments that follow SOI (JFIF/Adobe stay first);
- TIFF and GIF: a same-length placeholder in ImageDescription / the comment extension is overwritten,
  so no offset moves.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache

from PIL import Image, ImageDraw

from ._pdf import MARKER_PLACEHOLDER, marker_bytes

# Smallest first: hypothesis shrinks towards the start of each list.
IMAGE_SIZES: tuple[tuple[int, int], ...] = ((1, 1), (17, 13), (64, 48), (320, 240), (612, 792))
PNG_MODES = ("RGB", "L", "1", "P", "LA", "RGBA")
JPEG_MODES = ("RGB", "L", "CMYK")
JPEG_QUALITIES = (85, 50, 95)
TIFF_MODES = ("RGB", "L", "1", "RGBA", "CMYK")
TIFF_COMPRESSIONS = ("raw", "tiff_lzw", "tiff_adobe_deflate", "packbits", "group4")
MAX_TIFF_FRAMES = 8

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IHDR_END = len(PNG_SIGNATURE) + 4 + 4 + 13 + 4


@cache
def _picture(size: tuple[int, int]) -> Image.Image:
    """A small 'scanned page': white, a dark frame, a few ruled lines and a grey block."""
    width, height = size
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    if width > 2 and height > 2:
        draw.rectangle((0, 0, width - 1, height - 1), outline=(20, 20, 60))
        for y in range(height // 5, height - 1, max(2, height // 6)):
            draw.line((width // 10, y, width - width // 10, y), fill=(40, 40, 40))
        draw.rectangle((width // 2, height // 10, width - width // 8, height // 4), fill=(150, 150, 150))
    else:
        image.putpixel((0, 0), (30, 60, 90))
    return image


def _encode(size: tuple[int, int], mode: str, fmt: str, **options: object) -> bytes:
    image = _picture(size).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@cache
def png_template(size: tuple[int, int], mode: str) -> bytes:
    return _encode(size, mode, "PNG")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and the CRC over type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def render_png(size: tuple[int, int], mode: str, marker: str) -> bytes:
    template = png_template(size, mode)
    text = png_chunk(b"tEXt", b"Comment\x00" + marker_bytes(marker))
    return template[:_IHDR_END] + text + template[_IHDR_END:]


@cache
def jpeg_template(size: tuple[int, int], mode: str, quality: int, progressive: bool) -> bytes:
    return _encode(size, mode, "JPEG", quality=quality, progressive=progressive)


def _after_app_segments(data: bytes) -> int:
    """Offset just past SOI and the APPn segments that follow it."""
    offset = 2
    while data[offset] == 0xFF and 0xE0 <= data[offset + 1] <= 0xEF:
        offset += 2 + struct.unpack(">H", data[offset + 2 : offset + 4])[0]
    return offset


def render_jpeg(size: tuple[int, int], mode: str, quality: int, progressive: bool, marker: str) -> bytes:
    template = jpeg_template(size, mode, quality, progressive)
    payload = b"ingest-conformance " + marker_bytes(marker)
    comment = b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload
    at = _after_app_segments(template)
    return template[:at] + comment + template[at:]


@cache
def tiff_template(size: tuple[int, int], mode: str, compression: str, frames: int) -> bytes:
    if compression == "group4" and mode != "1":
        raise ValueError("group4 compression takes bilevel (mode '1') images only")
    options: dict[str, object] = {
        "compression": None if compression == "raw" else compression,
        "description": MARKER_PLACEHOLDER.decode("ascii"),
    }
    if frames > 1:
        image = _picture(size).convert(mode)
        others = [_picture(size).rotate(180).convert(mode) for _ in range(frames - 1)]
        buffer = io.BytesIO()
        image.save(buffer, "TIFF", save_all=True, append_images=others, **options)
        data = buffer.getvalue()
    else:
        data = _encode(size, mode, "TIFF", **options)
    if data.count(MARKER_PLACEHOLDER) != frames:
        raise AssertionError("Pillow changed how it writes ImageDescription; the marker placeholder moved")
    return data


def render_tiff(size: tuple[int, int], mode: str, compression: str, frames: int, marker: str) -> bytes:
    return tiff_template(size, mode, compression, frames).replace(MARKER_PLACEHOLDER, marker_bytes(marker))


@cache
def gif_template(size: tuple[int, int]) -> bytes:
    data = _encode(size, "P", "GIF", comment=MARKER_PLACEHOLDER)
    if data.count(MARKER_PLACEHOLDER) != 1:
        raise AssertionError("Pillow changed how it writes GIF comments; the marker placeholder moved")
    return data


def render_gif(size: tuple[int, int], marker: str) -> bytes:
    return gif_template(size).replace(MARKER_PLACEHOLDER, marker_bytes(marker))
