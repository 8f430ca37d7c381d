"""The lenient reader DECISIONS names ("Formats"): whether damaged bytes can still be opened as a format.

"No reader can open" is judged against a lenient reader, not a strict one: Pillow with
``ImageFile.LOAD_TRUNCATED_IMAGES = True`` that can ``load()`` the image, pypdf with ``strict=False`` that
finds a page, ``zipfile`` that can list the archive. Bytes it opens are damaged but recoverable (INFO: a
target may process or reject them); bytes it cannot open are MUST-corrupt (refused or rejected).
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
import zipfile

from PIL import Image, ImageFile

from ._model import FileFormat

_IMAGE_FORMATS = frozenset({FileFormat.JPEG, FileFormat.PNG, FileFormat.TIFF})
# LOAD_TRUNCATED_IMAGES is a Pillow module global: set it only around our own load, one at a time.
_PILLOW_LOCK = threading.Lock()


def lenient_opens(fmt: FileFormat, content: bytes) -> bool:
    """Whether the lenient reader for ``fmt`` opens ``content`` (formats it does not cover: False)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # readers warn about damage; a warning is not a refusal
        try:
            if fmt is FileFormat.PDF:
                return _pdf_has_a_page(content)
            if fmt is FileFormat.ZIP:
                with zipfile.ZipFile(io.BytesIO(content)) as archive:
                    archive.infolist()
                return True
            if fmt in _IMAGE_FORMATS:
                return _image_loads(content)
        except Exception:  # any reader error means "cannot open"; readers raise many kinds
            return False
    return False


def _image_loads(content: bytes) -> bool:
    with _PILLOW_LOCK:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.load()
            return True
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _pdf_has_a_page(content: bytes) -> bool:
    from pypdf import PdfReader  # imported here: only corrupt PDFs need it

    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # pypdf logs every repair it makes; the answer is all we need
    try:
        return len(PdfReader(io.BytesIO(content), strict=False).pages) > 0
    finally:
        logger.setLevel(level)
