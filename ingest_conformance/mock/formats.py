"""Which formats each operation accepts, what a file really is, and whether it is valid.

Type = extension AND content: the name must carry an allowed extension; then the magic bytes decide
(PNG bytes named `.pdf` are processed as the PNG they are, or with `wrong_extension="reject"`
rejected: an INFO choice DECISIONS allows), and a
known-but-unsupported format (GIF bytes named `.pdf`) is unsupported. "Valid" means what the suite
means: pypdf reads every page; Pillow `verify()` and then `load()` succeed (with `decoding="lenient"`,
what a lenient reader opens: leniency.py). Empty is never valid.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import IO

from PIL import Image
from pypdf import PdfReader

from .leniency import image_opens, pdf_opens, truncated_images
from .settings import MockSettings

ERR_UNSUPPORTED = "ERR_UNSUPPORTED_FILE_FORMAT"
ERR_CORRUPTED = "ERR_CORRUPTED_FILE"
ERR_DOWNLOADING = "ERR_DOWNLOADING_FILE"

EXTENSION_KIND = {
    ".pdf": "pdf",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".tiff": "tiff",
    ".tif": "tiff",
    ".zip": "zip",
}
MIME = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "zip": "application/zip",
}
PILLOW_FORMAT = {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF"}

# Magic numbers of formats we recognise but never accept (so they are "unsupported", not "corrupt").
UNSUPPORTED_MAGIC = (
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"RIFF",
    b"\xd0\xcf\x11\xe0",
    b"MZ",
    b"\x7fELF",
    b"{\\rtf",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
)
SNIFF_BYTES = 1024
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485  # Pillow's own bomb threshold (~270 MB as RGB)


@dataclass(frozen=True)
class Rules:
    """The extensions one operation (or the inside of a ZIP) accepts."""

    extensions: frozenset[str]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(EXTENSION_KIND[e] for e in self.extensions)


BASE = frozenset({".pdf", ".jpeg", ".jpg", ".png", ".tiff"})


def uploads_rules(settings: MockSettings) -> Rules:
    extensions = BASE | {".zip"} | ({".tif"} if settings.uploads_accept_tif else set())
    if settings.fault == "uploads-refuse-jpg":
        extensions -= {".jpg"}
    if settings.fault == "uploads-refuse-zip":
        extensions -= {".zip"}
    return Rules(extensions)


def single_rules(settings: MockSettings) -> Rules:
    extensions = BASE | {".tif"}
    if settings.fault == "single-refuses-tif":
        extensions -= {".tif"}
    if settings.fault == "single-unpacks-zip":
        extensions |= {".zip"}
    return Rules(extensions)


def url_rules(settings: MockSettings) -> Rules:
    return Rules(BASE | {".tif"} | ({".zip"} if settings.byurl_accepts_zip else set()))


def extension(filename: str) -> str:
    return os.path.splitext(filename)[1].lower()


def sniff(head: bytes) -> str | None:
    """The format the first bytes announce: one of MIME's keys, 'unsupported', or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if b"%PDF-" in head[:SNIFF_BYTES]:  # the PDF spec tolerates junk before the header
        return "pdf"
    if head.startswith(UNSUPPORTED_MAGIC):
        return "unsupported"
    return None


@dataclass(frozen=True)
class Classification:
    kind: str | None  # what to process the bytes as; None when rejected
    error: str | None

    @property
    def mime(self) -> str | None:
        return MIME.get(self.kind) if self.kind else None


def classify(filename: str, head: bytes, rules: Rules, *, wrong_extension: str = "sniff") -> Classification:
    """Decide the type from name and first bytes. Content validity is `validate`'s job.
    `wrong_extension="reject"`: bytes of another allowed type than the name says are unsupported."""
    ext_kind = EXTENSION_KIND.get(extension(filename))
    if extension(filename) not in rules.extensions or ext_kind is None:
        return Classification(None, ERR_UNSUPPORTED)
    magic = sniff(head)
    if magic is None:  # garbage or empty: judged as what the name says, and validation fails
        return Classification(ext_kind, None)
    if magic in rules.kinds and (magic == ext_kind or wrong_extension == "sniff"):
        return Classification(magic, None)
    return Classification(None, ERR_UNSUPPORTED)


def read_head(content: IO[bytes]) -> bytes:
    content.seek(0)
    head = content.read(SNIFF_BYTES)
    content.seek(0)
    return head


def size_of(content: IO[bytes]) -> int:
    content.seek(0, os.SEEK_END)
    size = content.tell()
    content.seek(0)
    return size


def _check_pdf(content: IO[bytes]) -> None:
    reader = PdfReader(content, strict=True)  # strict: a truncated file (no %%EOF) fails
    if len(reader.pages) < 1:
        raise ValueError("PDF without pages")
    for page in reader.pages:
        _ = page.mediabox
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()


# Bytes per value of each TIFF field type (TIFF 6.0 section 2, BigTIFF types 16-18).
_TIFF_TYPE_SIZE = {
    1: 1,
    2: 1,
    3: 2,
    4: 4,
    5: 8,
    6: 1,
    7: 1,
    8: 2,
    9: 4,
    10: 8,
    11: 4,
    12: 8,
    13: 4,
    16: 8,
    17: 8,
    18: 8,
}


def _check_tiff_chain(content: IO[bytes]) -> None:
    """Every IFD (page) of the chain, and every tag value it points to, lies inside the file. Pillow
    stops counting pages, with only a warning, at a next-IFD offset past the end (a multi-page TIFF
    cut after page one would pass) and never reads tags it does not need."""
    size = size_of(content)

    def read(fmt: str, at: int) -> int:
        content.seek(at)
        raw = content.read(struct.calcsize(fmt))
        if len(raw) < struct.calcsize(fmt):
            raise ValueError(f"TIFF structure at {at} lies past the end ({size} bytes)")
        return int(struct.unpack(fmt, raw)[0])

    header = read_head(content)
    order = "<" if header[:2] == b"II" else ">"
    big = header[2:4] in (b"+\x00", b"\x00+")  # BigTIFF: 8-byte offsets and counts, 20-byte entries
    off_fmt, count_fmt, entry = (order + "Q", order + "Q", 20) if big else (order + "I", order + "H", 12)
    offset = read(off_fmt, 8 if big else 4)
    seen: set[int] = set()
    while offset:
        if offset in seen or len(seen) > 65_535:
            raise ValueError("TIFF IFD chain loops")
        seen.add(offset)
        count = read(count_fmt, offset)
        first = offset + struct.calcsize(count_fmt)
        for at in range(first, first + count * entry, entry):
            kind, values = read(order + "H", at + 2), read(count_fmt if big else order + "I", at + 4)
            length = values * _TIFF_TYPE_SIZE.get(kind, 1)
            if length > struct.calcsize(off_fmt):  # not inline: the entry holds the value's offset
                value_at = read(off_fmt, at + entry - struct.calcsize(off_fmt))
                if value_at + length > size:
                    raise ValueError(f"TIFF tag value at {value_at} runs past the end ({size} bytes)")
        offset = read(off_fmt, first + count * entry)
    content.seek(0)


def _check_image(content: IO[bytes], kind: str) -> None:
    if kind == "tiff":
        _check_tiff_chain(content)
    with truncated_images(False):
        _decode_strictly(content, kind)


def _decode_strictly(content: IO[bytes], kind: str) -> None:
    with Image.open(content) as image:
        if image.format != PILLOW_FORMAT[kind]:
            raise ValueError(f"{image.format} bytes where {kind} was expected")
        image.verify()  # structure and, for PNG, every chunk CRC
    content.seek(0)
    with Image.open(content) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:  # decoding it would take unbounded memory
            raise ValueError("image too large to decode")
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            image.load()  # decodes every pixel: truncated data fails here
    if kind == "jpeg":
        content.seek(max(0, size_of(content) - 64))
        if not content.read().rstrip(b"\x00\r\n ").endswith(b"\xff\xd9"):
            raise ValueError("JPEG without an end-of-image marker")


def validate(content: IO[bytes], kind: str, *, lenient: bool = False) -> str | None:
    """None when the bytes are a complete, readable `kind` file; else the error code. ZIPs are
    checked by zips.py (their limits need the settings); here a ZIP only has to be non-empty.
    `lenient`: readable is what a lenient reader still opens (leniency.py)."""
    if size_of(content) == 0:
        return ERR_CORRUPTED
    try:
        if lenient and kind == "pdf":
            return None if pdf_opens(content) else ERR_CORRUPTED
        if lenient and kind in PILLOW_FORMAT:
            return None if image_opens(content, PILLOW_FORMAT[kind], MAX_PIXELS) else ERR_CORRUPTED
        if kind == "pdf":
            _check_pdf(content)
        elif kind in PILLOW_FORMAT:
            _check_image(content, kind)
    except Exception:  # every reader error (and Image.DecompressionBombError) means "not valid"
        return ERR_CORRUPTED
    finally:
        content.seek(0)
    return None
