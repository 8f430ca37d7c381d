"""The mock's content validation agrees with the strategies: every valid sample file passes, every
corrupt one fails. A disagreement is a false alarm in the suite's default run (CI saw one: a 2-page
TIFF cut after its first page passed Pillow, which stops counting pages at an IFD past the end)."""

from __future__ import annotations

import io
import random
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from ingest_conformance import strategies as s
from ingest_conformance.mock import formats

pytestmark = pytest.mark.unit

IMAGE_FORMATS = {s.FileFormat.PDF: "pdf", s.FileFormat.JPEG: "jpeg", s.FileFormat.PNG: "png", s.FileFormat.TIFF: "tiff"}


def _tiff(pages: int, mode: str, compression: str) -> bytes:
    noise = random.Random(pages)  # incompressible pixels, so every page has real strip data
    frames = [
        Image.frombytes("L", (16, 12), bytes(noise.randrange(256) for _ in range(16 * 12))).convert(mode)
        for _ in range(pages)
    ]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], compression=compression)
    return out.getvalue()


def _validate(data: bytes, kind: str) -> str | None:
    """As the running mock sees it: Pillow's warnings stay warnings (pytest's filterwarnings=error
    would turn them into exceptions, which validate() counts as corrupt, hiding a missing check)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return formats.validate(io.BytesIO(data), kind)


def _payload_end(data: bytes) -> int:
    """Where the bytes that matter end: Pillow pads appended pages with zeros."""
    return len(data.rstrip(b"\x00"))


@settings(max_examples=40, deadline=None)
@given(s.corrupt_files())
def test_every_corrupt_sample_is_refused_by_the_mock(sample: s.SampleFile) -> None:
    kind = IMAGE_FORMATS.get(sample.format)
    if kind is None:  # a corrupt ZIP is judged by zips.py, with the settings' limits
        return
    assert _validate(sample.content, kind) == formats.ERR_CORRUPTED, sample.description


@settings(max_examples=40, deadline=None)
@given(s.valid_files())
def test_every_valid_sample_passes_the_mock(sample: s.SampleFile) -> None:
    kind = IMAGE_FORMATS.get(sample.format)
    if kind is None:
        return
    assert _validate(sample.content, kind) is None, sample.description


def test_the_tiff_ci_caught_is_refused() -> None:
    """The CI case: page two's IFD offset points past the end of a 2-page TIFF cut to 48%."""
    whole = _tiff(2, "L", "packbits")
    cut = whole[: len(whole) * 48 // 100]
    with pytest.warns(UserWarning), Image.open(io.BytesIO(cut)) as image:
        assert image.n_frames == 1  # what Pillow alone concludes, so the IFD walk is what catches it
    assert _validate(cut, "tiff") == formats.ERR_CORRUPTED


@pytest.mark.parametrize("compression", ["raw", "packbits", "tiff_lzw", "tiff_adobe_deflate"])
@pytest.mark.parametrize("mode", ["1", "L", "RGB", "CMYK"])
@pytest.mark.parametrize("pages", [1, 3])
def test_every_prefix_of_a_tiff_is_refused(pages: int, mode: str, compression: str) -> None:
    whole = _tiff(pages, mode, compression)
    assert _validate(whole, "tiff") is None
    passing = [n for n in range(_payload_end(whole)) if _validate(whole[:n], "tiff") is None]
    assert passing == []


def test_a_tiff_whose_ifd_chain_loops_is_refused() -> None:
    whole = bytearray(_tiff(1, "L", "raw"))
    first = int.from_bytes(whole[4:8], "little")
    count = int.from_bytes(whole[first : first + 2], "little")
    next_at = first + 2 + 12 * count
    whole[next_at : next_at + 4] = first.to_bytes(4, "little")  # the page points back at itself
    assert _validate(bytes(whole), "tiff") == formats.ERR_CORRUPTED


@given(st.binary(max_size=64))
def test_garbage_after_a_tiff_header_is_refused(tail: bytes) -> None:
    assert _validate(b"II*\x00" + tail, "tiff") == formats.ERR_CORRUPTED
