"""Strictly valid PDFs: cached pypdf-written templates, and a padded PDF of any exact size.

Templates are written once per (page count, page size) by pypdf's writer, with a 16-character
placeholder in the document title and in every page's text. An example swaps in its own marker of
the same length, so every object offset in the cross-reference table stays right and the file stays
valid without rewriting it: that is what makes hundreds of PDFs a second cheap.
"""

from __future__ import annotations

import io
from functools import cache, lru_cache

from pypdf import PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, NameObject

from ._streams import ByteSource, ConcatSource, RepeatSource

MARKER_PLACEHOLDER = b"ZQXJZQXJZQXJZQXJ"
MARKER_LENGTH = len(MARKER_PLACEHOLDER)

# name, width, height in points (smallest first: hypothesis shrinks towards the first one)
PAGE_SIZES: tuple[tuple[str, int, int], ...] = (("receipt", 226, 600), ("a4", 595, 842), ("letter", 612, 792))
MAX_PAGES = 20


def _font() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )


@cache
def pdf_template(pages: int, size: str) -> bytes:
    """A PDF of ``pages`` text pages of the named size, with the marker placeholder in it."""
    width, height = next((w, h) for name, w, h in PAGE_SIZES if name == size)
    writer = PdfWriter()
    for number in range(1, pages + 1):
        page = writer.add_blank_page(width, height)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): _font()})}
        )
        text = b"BT /F1 14 Tf 24 %d Td (INVOICE %s page %d of %d) Tj ET" % (
            height - 48,
            MARKER_PLACEHOLDER,
            number,
            pages,
        )
        stream = ContentStream(None, writer)
        stream.set_data(text)
        page.replace_contents(stream)
    writer.add_metadata({"/Title": MARKER_PLACEHOLDER.decode("ascii"), "/Creator": "ingest-conformance"})
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    if data.count(MARKER_PLACEHOLDER) != pages + 1:
        raise AssertionError("pypdf changed how it writes strings; the marker placeholder moved")
    return data


def render_pdf(pages: int, size: str, marker: str) -> bytes:
    """The cached template with ``marker`` (exactly 16 characters of [0-9A-Za-z]) in place."""
    return pdf_template(pages, size).replace(MARKER_PLACEHOLDER, marker_bytes(marker))


def marker_bytes(marker: str) -> bytes:
    raw = marker.encode("ascii")
    if len(raw) != MARKER_LENGTH or not raw.isalnum():
        raise ValueError(f"marker {marker!r} must be {MARKER_LENGTH} ASCII letters or digits")
    return raw


# --- the padded PDF -----------------------------------------------------------------------------
#
# A body of an exact size needs a file part that can grow byte by byte and still be a valid PDF.
# Comment or whitespace padding before %%EOF is risky (readers look for %%EOF and startxref in the
# last kilobyte or so, and some refuse long comment lines). Instead the padding is an unreferenced
# stream object (object 5): readers skip it by its /Length and the cross-reference table points past
# it, so pypdf (strict) reads the one page exactly as without it. /Length is written in a fixed-width
# field, and the single free byte that the digit count of `startxref` can leave is absorbed by ending
# the file with "\r\n" instead of "\n" after %%EOF; so every size from the minimum up is reachable.

_PAD_PATTERN = b"padding "
_LENGTH_WIDTH = 20


@lru_cache(maxsize=8)
def _padded_head(marker: str | None = None) -> tuple[bytes, tuple[int, ...]]:
    """Header and objects 1-4 of the padded PDF (its page text names `marker`), with the offsets of objects 1-4."""
    text = b"padded test document" if marker is None else b"%s padded" % marker_bytes(marker)
    content = b"BT /F1 14 Tf 24 744 Td (INVOICE %s) Tj ET" % text
    objects = (
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 << /Type /Font"
        b" /Subtype /Type1 /BaseFont /Helvetica >> >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    return bytes(out), tuple(offsets)


def _pad_prefix(length: int) -> bytes:
    return b"5 0 obj\n<< /Length %s >>\nstream\n" % str(length).rjust(_LENGTH_WIDTH).encode()


_PAD_SUFFIX = b"\nendstream\nendobj\n"


def _tail(offsets: tuple[int, ...], pad_offset: int, xref_offset: int, eol: bytes) -> bytes:
    entries = b"".join(b"%010d 00000 n \n" % offset for offset in (*offsets, pad_offset))
    return (
        b"xref\n0 6\n0000000000 65535 f \n"
        + entries
        + b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF" % xref_offset
        + eol
    )


def padded_pdf_min_size(marker: str | None = None) -> int:
    """The smallest padded PDF (no padding bytes); every larger size is reachable."""
    head, offsets = _padded_head(marker)
    xref = len(head) + len(_pad_prefix(0)) + len(_PAD_SUFFIX)
    return xref + len(_tail(offsets, len(head), xref, b"\n"))


def padded_pdf(size: int, *, marker: str | None = None) -> ByteSource:
    """A one-page valid PDF of exactly ``size`` bytes, streamed (constant memory for any size); its page
    text names ``marker`` (16 ASCII letters or digits) when given, so two markers give two files."""
    head, offsets = _padded_head(marker)
    fixed = len(head) + len(_pad_prefix(0)) + len(_PAD_SUFFIX)
    tail_without_number = len(_tail(offsets, len(head), 0, b"")) - 1  # minus the one digit of "0"
    for eol in (b"\n", b"\r\n"):
        target = size - tail_without_number - len(eol)  # = xref_offset + digits(xref_offset)
        for digits in range(1, 22):
            xref_offset = target - digits
            if xref_offset >= fixed and len(str(xref_offset)) == digits:
                pad = xref_offset - fixed
                source = ConcatSource(
                    (
                        head + _pad_prefix(pad),
                        RepeatSource(_PAD_PATTERN, pad),
                        _PAD_SUFFIX + _tail(offsets, len(head), xref_offset, eol),
                    )
                )
                if source.size != size:
                    raise AssertionError(f"padded PDF came out {source.size} bytes, wanted {size}")
                return source
    raise ValueError(f"a padded PDF needs at least {padded_pdf_min_size(marker)} bytes; {size} asked")
