"""The lenient reading of a file (`decoding="lenient"`): what real decoders make of damaged content.

DECISIONS.md: bytes "no reader can open" are judged against a lenient reader (Pillow with
`ImageFile.LOAD_TRUNCATED_IMAGES`, pypdf with `strict=False`, `zipfile`); damaged but recoverable
content (a tail cut off, a bad CRC in a later chunk, a damaged ZIP directory that zipfile still
lists) may be processed. A lenient mock processes exactly that; the mock's own code, written apart
from the suite's samples, so the two cannot agree by construction.

Pillow reads LOAD_TRUNCATED_IMAGES as a module-wide flag, so every Pillow decode of the mock (the
strict one too, which wants it off) runs under one lock with the flag set as it needs it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import IO

from PIL import Image, ImageFile
from pypdf import PdfReader

_PILLOW_FLAG = threading.Lock()


@contextlib.contextmanager
def truncated_images(allowed: bool) -> Iterator[None]:
    """Pillow decodes with LOAD_TRUNCATED_IMAGES set to `allowed`, restored afterwards."""
    with _PILLOW_FLAG:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = allowed
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def pdf_opens(content: IO[bytes]) -> bool:
    """pypdf, not strict, finds at least one page (it rebuilds a lost xref table by scanning)."""
    try:
        return len(PdfReader(content, strict=False).pages) >= 1
    except Exception:  # any reader error: nothing it could open
        return False


def image_opens(content: IO[bytes], pillow_format: str, max_pixels: int) -> bool:
    """Pillow opens the bytes as `pillow_format` and load() succeeds with truncated data allowed
    (no verify(): a bad CRC in a later chunk is what a lenient reader lets pass)."""
    try:
        with truncated_images(True), Image.open(content) as image:
            if image.format != pillow_format:
                return False
            width, height = image.size
            if width * height > max_pixels:  # decoding it would take unbounded memory
                return False
            image.load()
            return True
    except Exception:  # UnidentifiedImageError, OSError, DecompressionBombError...
        return False
