"""ZIP archives: valid ones (flat, nested, empty) and hostile ones (traversal, absolute, bomb, ...).

Valid archives stay far under 1 MiB uncompressed (DECISIONS: such a ZIP is never a bomb). Hostile ones
are written exactly as described, and the bomb by hand: one deflate block of 1 MiB of zeros, flushed
so it is byte-aligned and history-free, repeated; the archive inflates to ``bomb_size`` bytes while
sending about a thousandth of that.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from functools import lru_cache

ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so an archive is a pure function of its entries
VALID_ZIP_LIMIT = 1 << 20  # uncompressed bytes a valid test ZIP stays under
MAX_BOMB_SIZE = 0xFFFF_FFFE  # beyond this the archive needs ZIP64 records
_BLOCK = 1 << 20


def build_zip(members: Sequence[tuple[str, bytes]], *, deflate: bool = True) -> bytes:
    """An archive with ``members`` (name, content) in order; folder names end with '/'."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_STORED if name.endswith("/") else method
            info.external_attr = (0o40755 << 16 | 0x10) if name.endswith("/") else 0o100644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def uncompressed_size(data: bytes) -> int:
    """Sum of the entry sizes the central directory declares, nested archives included."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            total += info.file_size
            if info.filename.lower().endswith(".zip"):
                total += uncompressed_size(archive.read(info))
    return total


def nest(inner: bytes, depth: int, *, leaf_name: str) -> bytes:
    """``inner`` (named ``leaf_name``) wrapped in ``depth`` archives, each holding the next as level-N.zip."""
    data = build_zip([(leaf_name, inner)])
    for level in range(depth - 1, 0, -1):
        data = build_zip([(f"level-{level}.zip", data)])
    return data


@lru_cache(maxsize=4)
def _zero_block() -> bytes:
    """1 MiB of zeros as non-final, byte-aligned raw deflate blocks that need no earlier history."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(bytes(_BLOCK)) + compressor.flush(zlib.Z_FULL_FLUSH)


@lru_cache(maxsize=4)
def _zeros_deflated(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``size`` zero bytes, and the CRC-32 of those bytes."""
    block = _zero_block()
    full, rest = divmod(size, _BLOCK)
    zeros, crc = bytes(_BLOCK), 0
    for _ in range(full):
        crc = zlib.crc32(zeros, crc)
    tail_compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = tail_compressor.compress(bytes(rest)) + tail_compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(bytes(rest), crc)
    return block * full + tail, crc


def bomb_zip(size: int, *, name: str) -> bytes:
    """One deflated entry ``name`` that inflates to ``size`` zero bytes (written by hand, no ZIP64)."""
    if not 0 < size <= MAX_BOMB_SIZE:
        raise ValueError(f"bomb size {size} must be in 1..{MAX_BOMB_SIZE}")
    data, crc = _zeros_deflated(size)
    raw_name = name.encode("utf-8")
    dos_time, dos_date = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00
    common = struct.pack("<HHHHHIII", 20, 0, 8, dos_time, dos_date, crc, len(data), size)
    local = b"PK\x03\x04" + common + struct.pack("<HH", len(raw_name), 0) + raw_name
    central = (
        b"PK\x01\x02"
        + struct.pack("<H", 20)
        + common
        + struct.pack("<HHHHHII", len(raw_name), 0, 0, 0, 0, 0o100644 << 16, 0)
        + raw_name
    )
    directory_offset = len(local) + len(data)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), directory_offset, 0)
    return local + data + central + end


def damage_directory(data: bytes, how: str) -> bytes:
    """``data`` (a valid archive) with its central directory made unreadable.

    ``signature``: the first central header's signature is overwritten; ``offset``: the end record
    points the directory past the end of the file; ``end_record``: the end-of-directory record's signature is
    overwritten, so no reader can find the directory at all.
    """
    end = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack("<I", data[end + 16 : end + 20])
    if how == "signature":
        return data[:offset] + b"PK\x01\xff" + data[offset + 4 :]
    if how == "offset":
        return data[: end + 16] + struct.pack("<I", len(data) + 4096) + data[end + 20 :]
    if how == "end_record":
        return data[:end] + b"PK\x05\xff" + data[end + 4 :]
    raise ValueError(f"unknown damage {how!r}")


DIRECTORY_DAMAGES = ("signature", "offset", "end_record")
