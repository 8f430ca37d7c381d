"""Real sample files for the mock's selftests, generated (never hand-waved): every "valid" file here
opens fully in pypdf or Pillow, every "corrupt" one is derived from a valid one and does not."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter


def pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for index in range(pages):
        writer.add_blank_page(width=200 + index, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image(fmt: str, size: tuple[int, int] = (24, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(out, format=fmt)
    return out.getvalue()


def jpeg() -> bytes:
    return _image("JPEG")


def png() -> bytes:
    return _image("PNG")


def tiff() -> bytes:
    return _image("TIFF")


def gif() -> bytes:
    return _image("GIF")


def truncated(data: bytes) -> bytes:
    """The first half of a valid file: structure announced, content missing."""
    return data[: len(data) // 2]


def zip_of(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return out.getvalue()


def zip_bomb(uncompressed: int = 24 * 1024 * 1024) -> bytes:
    """Zeros at a ratio of about 1000:1, well past 1 MiB: every bomb guard must catch it."""
    out = io.BytesIO()
    block = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("zeros.pdf", "w", force_zip64=False) as entry,
    ):
        for _ in range(uncompressed // len(block)):
            entry.write(block)
    return out.getvalue()


def zip_with_lying_size(data: bytes) -> bytes:
    """One entry whose central directory and local header declare a smaller size than it has."""
    archive = bytearray(zip_of({"liar.pdf": data}))
    real = len(data).to_bytes(4, "little")
    small = (len(data) // 4).to_bytes(4, "little")
    # Uncompressed size sits at offset 22 of the local header and offset 24 of the central entry.
    local = archive.find(b"PK\x03\x04")
    central = archive.find(b"PK\x01\x02")
    assert archive[local + 22 : local + 26] == real and archive[central + 24 : central + 28] == real
    archive[local + 22 : local + 26] = small
    archive[central + 24 : central + 28] = small
    return bytes(archive)


def png_bad_crc() -> bytes:
    """A PNG whose IHDR chunk CRC (bytes 29..33: signature 8 + length 4 + type 4 + data 13) is wrong."""
    data = png()
    return data[:29] + bytes(b ^ 0xFF for b in data[29:33]) + data[33:]


def noisy_png(target_bytes: int) -> bytes:
    """A valid PNG of random pixels (incompressible), close to but not above `target_bytes`."""
    import random

    rng = random.Random(target_bytes)
    side = int((target_bytes / 3) ** 0.5)
    while True:
        pixels = rng.randbytes(side * side * 3)
        out = io.BytesIO()
        Image.frombytes("RGB", (side, side), pixels).save(out, format="PNG", compress_level=0)
        if len(out.getvalue()) <= target_bytes:
            return out.getvalue()
        side -= 4


def pixel_bomb_png() -> bytes:
    """A tiny PNG that decodes to 100 megapixels: valid structure, but an image bomb."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG", optimize=False)
    return out.getvalue()
