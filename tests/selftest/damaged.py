"""Damaged but recoverable samples for the mock's `decoding` choice (DECISIONS: a lenient reader still
opens them, a strict one does not), and unrecoverable ones that both refuse. Each is derived from a
valid sample; test_mock_decoding.py checks each against the mock's own readers first."""

from __future__ import annotations

import io
import random
import re
import struct
import zlib

from PIL import Image

from . import samples


def png_bad_idat_crc() -> bytes:
    """A PNG whose IDAT chunk (a later chunk: the header chunks stay right) has a wrong CRC."""
    data = bytearray(samples.png())
    at = data.find(b"IDAT") - 4
    length = struct.unpack(">I", data[at : at + 4])[0]
    crc = at + 8 + length
    data[crc : crc + 4] = bytes(b ^ 0xFF for b in data[crc : crc + 4])
    return bytes(data)


def jpeg_tail_cut() -> bytes:
    """A JPEG of noise without its last quarter (no EOI marker; the scan data stops early)."""
    pixels = random.Random(7).randbytes(64 * 64 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (64, 64), pixels).save(out, format="JPEG", quality=90)
    data = out.getvalue()
    return data[: len(data) * 3 // 4]


def pdf_xref_offset_damaged() -> bytes:
    """A two-page PDF whose `startxref` points 13 bytes past its table (pypdf strict=False scans for
    the objects instead; a tail cut off loses %%EOF, which even a lenient pypdf refuses)."""
    data = samples.pdf(pages=2)
    at = data.rfind(b"startxref")
    found = re.match(rb"startxref\s+(\d+)", data[at:])
    assert found is not None
    return data[:at] + b"startxref\n" + str(int(found.group(1)) + 13).encode() + b"\n%%EOF\n"


def zip_directory_offset_damaged() -> bytes:
    """A ZIP of one PDF whose end-of-central-directory record points 7 bytes off: zipfile still lists
    the archive (it trusts the directory's real place), but every entry's local header is misplaced."""
    data = bytearray(samples.zip_of({"in.pdf": samples.pdf()}))
    eocd = data.rfind(b"PK\x05\x06")
    offset = struct.unpack("<I", data[eocd + 16 : eocd + 20])[0]
    data[eocd + 16 : eocd + 20] = struct.pack("<I", offset - 7)
    return bytes(data)


def zip_entry_bad_crc() -> bytes:
    """A ZIP of two PDFs whose second entry's stored CRC is wrong (its data still inflates)."""
    data = bytearray(samples.zip_of({"good.pdf": samples.pdf(), "bad.pdf": samples.pdf(pages=2)}))
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    local = struct.unpack("<I", data[central + 42 : central + 46])[0]
    for crc_at in (central + 16, local + 14):
        data[crc_at : crc_at + 4] = struct.pack("<I", zlib.crc32(b"not the data"))
    return bytes(data)


def header_cut(data: bytes) -> bytes:
    """The first 12 bytes: magic and a fragment of the header, nothing a reader can open."""
    return data[:12]
