"""The mock's lenient reading (`decoding="lenient"`), without a socket: recoverable damage passes,
what no lenient reader opens does not, and Pillow's process-wide flag never leaks into the strict
reading (the two share one lock)."""

from __future__ import annotations

import io
import random
import struct
import warnings

import pytest
from PIL import Image, ImageFile

from ingest_conformance.mock import formats
from ingest_conformance.mock.leniency import truncated_images

pytestmark = pytest.mark.unit


def _validate(data: bytes, kind: str, *, lenient: bool) -> str | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow and pypdf warn on damaged input; the verdict is what counts
        return formats.validate(io.BytesIO(data), kind, lenient=lenient)


def _image(fmt: str, side: int = 48) -> bytes:
    pixels = random.Random(side).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, format=fmt)
    return out.getvalue()


def _bad_idat_crc(png: bytes) -> bytes:
    data = bytearray(png)
    at = data.find(b"IDAT") - 4
    end = at + 8 + struct.unpack(">I", data[at : at + 4])[0]
    data[end : end + 4] = bytes(b ^ 0xFF for b in data[end : end + 4])
    return bytes(data)


RECOVERABLE = {
    "png-bad-idat-crc": (lambda: _bad_idat_crc(_image("PNG")), "png"),
    "jpeg-tail-cut": (lambda: _image("JPEG")[: len(_image("JPEG")) * 3 // 4], "jpeg"),
    "tiff-tail-cut": (lambda: _image("TIFF")[: len(_image("TIFF")) * 3 // 4], "tiff"),
}
UNRECOVERABLE = {
    "empty": (lambda: b"", "png"),
    "garbage": (lambda: b"\x00garbage" * 20, "pdf"),
    "png-magic-then-garbage": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "png"),
    "jpeg-header-cut": (lambda: _image("JPEG")[:12], "jpeg"),
    "pdf-header-only": (lambda: b"%PDF-1.7\n", "pdf"),
}


@pytest.mark.parametrize("case", list(RECOVERABLE))
def test_recoverable_damage_passes_only_the_lenient_reading(case: str) -> None:
    make, kind = RECOVERABLE[case]
    data = make()
    assert _validate(data, kind, lenient=False) == formats.ERR_CORRUPTED
    assert _validate(data, kind, lenient=True) is None


@pytest.mark.parametrize("case", list(UNRECOVERABLE))
def test_what_no_lenient_reader_opens_fails_both_readings(case: str) -> None:
    make, kind = UNRECOVERABLE[case]
    for lenient in (False, True):
        assert _validate(make(), kind, lenient=lenient) == formats.ERR_CORRUPTED, lenient


def test_pillows_flag_is_set_per_reading_and_restored_as_found() -> None:
    cut = _image("JPEG")[: len(_image("JPEG")) * 3 // 4]
    assert _validate(cut, "jpeg", lenient=True) is None and ImageFile.LOAD_TRUNCATED_IMAGES is False
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as a careless caller in the same process might
    try:
        assert _validate(cut, "jpeg", lenient=False) == formats.ERR_CORRUPTED
        with truncated_images(False):
            assert ImageFile.LOAD_TRUNCATED_IMAGES is False
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored as found
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
