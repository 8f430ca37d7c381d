"""Byte sources and request bodies that stream in constant memory, whatever their size.

A :class:`ByteSource` knows its exact size without holding its bytes, so a body's Content-Length is
exact before the first byte is sent. A :class:`RequestBody` is re-iterable: pass it as httpx's
``content=`` (and a retry after a 429 iterates it again), or feed :meth:`RequestBody.iter_chunked`
to a raw socket for ``Transfer-Encoding: chunked``.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Iterable, Iterator

DEFAULT_CHUNK_SIZE = 64 * 1024


class ByteSource(abc.ABC):
    """A sequence of bytes of known size, produced chunk by chunk."""

    @property
    @abc.abstractmethod
    def size(self) -> int: ...

    @abc.abstractmethod
    def iter_chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        """The bytes in order, in pieces of at most ``chunk_size`` (usually exactly that)."""

    def read_all(self) -> bytes:
        """Every byte at once: only for sizes that fit in memory comfortably."""
        return b"".join(self.iter_chunks())

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for chunk in self.iter_chunks():
            digest.update(chunk)
        return digest.hexdigest()

    def __len__(self) -> int:
        return self.size


class BytesSource(ByteSource):
    """Bytes already in memory."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)

    @property
    def size(self) -> int:
        return len(self.data)

    def iter_chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        view = memoryview(self.data)
        for start in range(0, len(view), chunk_size):
            yield bytes(view[start : start + chunk_size])

    def read_all(self) -> bytes:
        return self.data

    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def __repr__(self) -> str:
        return f"BytesSource(size={self.size})"


class RepeatSource(ByteSource):
    """``pattern`` repeated (and cut) to exactly ``size`` bytes; one chunk-sized block is ever allocated."""

    __slots__ = ("_size", "pattern")

    def __init__(self, pattern: bytes, size: int) -> None:
        if not pattern:
            raise ValueError("pattern must not be empty")
        if size < 0:
            raise ValueError(f"size={size} must not be negative")
        self.pattern = bytes(pattern)
        self._size = size

    @property
    def size(self) -> int:
        return self._size

    def iter_chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        # A whole number of patterns per block, so consecutive blocks join seamlessly.
        per_block = max(1, chunk_size // len(self.pattern))
        block = self.pattern * per_block
        remaining = self._size
        while remaining >= len(block):
            yield block
            remaining -= len(block)
        if remaining:
            yield block[:remaining]

    def __repr__(self) -> str:
        return f"RepeatSource(pattern={self.pattern[:16]!r}, size={self._size})"


class ConcatSource(ByteSource):
    """Several sources (or plain bytes) one after the other."""

    __slots__ = ("_size", "pieces")

    def __init__(self, pieces: Iterable[bytes | ByteSource]) -> None:
        self.pieces = tuple(as_source(piece) for piece in pieces)
        self._size = sum(piece.size for piece in self.pieces)

    @property
    def size(self) -> int:
        return self._size

    def iter_chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        for piece in self.pieces:
            yield from piece.iter_chunks(chunk_size)

    def __repr__(self) -> str:
        return f"ConcatSource(size={self._size}, pieces={len(self.pieces)})"


def as_source(value: bytes | ByteSource) -> ByteSource:
    if isinstance(value, ByteSource):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return BytesSource(bytes(value))
    raise TypeError(f"expected bytes or a ByteSource, got {type(value).__name__}")


class RequestBody(abc.ABC):
    """A request body that streams: exact length up front, re-iterable, usable as httpx ``content=``."""

    chunk_size: int = DEFAULT_CHUNK_SIZE

    @property
    @abc.abstractmethod
    def content_type(self) -> str: ...

    @property
    @abc.abstractmethod
    def content_length(self) -> int: ...

    @abc.abstractmethod
    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]: ...

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_bytes()

    def to_bytes(self) -> bytes:
        """The whole body in memory (for small bodies, cassettes and tests)."""
        return b"".join(self.iter_bytes())

    def headers(self, *, chunked: bool = False) -> dict[str, str]:
        """Content-Type plus either the exact Content-Length or ``Transfer-Encoding: chunked``."""
        framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(self.content_length)}
        return {"Content-Type": self.content_type, **framing}

    def iter_chunked(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in HTTP/1.1 chunked transfer coding, for a raw socket writer."""
        return chunked_encoding(self.iter_bytes(chunk_size))


class StreamedBody(RequestBody):
    """Any :class:`ByteSource` sent as a body of one content type."""

    def __init__(
        self,
        source: ByteSource,
        *,
        content_type: str = "application/octet-stream",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self.source = source
        self._content_type = content_type
        self.chunk_size = chunk_size

    @property
    def content_type(self) -> str:
        return self._content_type

    @property
    def content_length(self) -> int:
        return self.source.size

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.source.iter_chunks(chunk_size or self.chunk_size)

    def __repr__(self) -> str:
        return f"StreamedBody(content_type={self._content_type!r}, content_length={self.content_length})"


def chunked_encoding(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Wrap chunks in HTTP/1.1 chunked framing (empty chunks skipped, since one would end the body)."""
    for chunk in chunks:
        if chunk:
            yield b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    yield b"0\r\n\r\n"
