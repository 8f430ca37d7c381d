"""A wire-exact multipart/form-data encoder.

The body is exactly the bytes described: our boundary, our raw header bytes (Latin-1 filenames
included), our per-part Content-Type. It can also be wrong on purpose: ``files`` as a plain field,
empty parts, unknown part names, no final boundary. Parts may be :class:`ByteSource` streams, so a
multi-gigabyte body is encoded lazily with an exact Content-Length.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis.errors import InvalidArgument

from ._filenames import SampleFilename
from ._model import SampleFile
from ._streams import DEFAULT_CHUNK_SIZE, ByteSource, BytesSource, RequestBody, as_source

DEFAULT_BOUNDARY = "ingest-conformance-7d3f0a91c2b4e658"
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
CRLF = b"\r\n"
CURL_INLINE_LIMIT = 64 * 1024
_NAME_ESCAPES = str.maketrans({'"': "%22", "\r": "%0D", "\n": "%0A"})


@dataclass(frozen=True)
class Part:
    """One part: its name, its content, and optionally a filename and a Content-Type.

    ``sample`` links a file part to the :class:`SampleFile` it carries, so a test can ask it for the
    allowed outcomes. A part without ``filename`` is a plain field.
    """

    name: str
    content: bytes | ByteSource
    filename: SampleFilename | None = None
    content_type: str | None = None
    sample: SampleFile | None = field(default=None, compare=False)

    @classmethod
    def file(
        cls,
        sample: SampleFile,
        *,
        name: str = "files",
        filename: SampleFilename | None = None,
        content_type: str | None = None,
    ) -> Part:
        """A file part for ``sample``: its own name and MIME type unless others are given."""
        return cls(
            name=name,
            content=sample.content,
            filename=filename if filename is not None else SampleFilename.plain(sample.filename),
            content_type=content_type if content_type is not None else sample.mime_type,
            sample=sample,
        )

    @classmethod
    def text(cls, name: str, value: str | bytes, *, content_type: str | None = None) -> Part:
        """A plain field (no filename); text goes out as UTF-8."""
        return cls(
            name=name, content=value.encode("utf-8") if isinstance(value, str) else value, content_type=content_type
        )

    @classmethod
    def json(cls, name: str, value: object, *, content_type: str | None = None) -> Part:
        """A plain field holding ``value`` as compact JSON text (how clients send ``info``)."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return cls.text(name, text, content_type=content_type)

    @property
    def source(self) -> ByteSource:
        return as_source(self.content)

    @property
    def size(self) -> int:
        return self.source.size

    @property
    def header_bytes(self) -> bytes:
        """Everything from ``Content-Disposition`` to the blank line before the content."""
        # Names are written as browsers write them (WHATWG): UTF-8, with " CR LF percent-escaped.
        quoted_name = self.name.translate(_NAME_ESCAPES).encode("utf-8")
        disposition = b'Content-Disposition: form-data; name="' + quoted_name + b'"'
        if self.filename is not None:
            disposition += b"; " + self.filename.disposition
        lines = [disposition]
        if self.content_type is not None:
            lines.append(b"Content-Type: " + self.content_type.encode("latin-1"))
        return CRLF.join(lines) + CRLF + CRLF


@dataclass(frozen=True)
class PartDescription:
    """What a part is, for reports, cassettes and curl reproductions."""

    name: str
    filename_raw: bytes | None
    filename_text: str | None
    content_type: str | None
    size: int
    sha256: str

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly: the raw filename as hex (exact) and as a Python bytes literal (readable)."""
        return {
            "name": self.name,
            "filename_raw_hex": self.filename_raw.hex() if self.filename_raw is not None else None,
            "filename_raw_repr": repr(self.filename_raw) if self.filename_raw is not None else None,
            "filename_text": self.filename_text,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


class MultipartBody(RequestBody):
    """A multipart/form-data body, encoded exactly and streamed lazily.

    ``terminated=False`` leaves out the closing ``--boundary--`` line (a negative test).
    """

    def __init__(
        self,
        parts: Iterable[Part],
        *,
        boundary: str = DEFAULT_BOUNDARY,
        terminated: bool = True,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self.parts = tuple(parts)
        for part in self.parts:
            if not isinstance(part, Part):
                raise InvalidArgument(f"parts must be Part objects, got {type(part).__name__}")
        if not isinstance(boundary, str) or not _BOUNDARY.fullmatch(boundary):
            raise InvalidArgument(f"boundary={boundary!r} is not an RFC 2046 boundary (1-70 of bchars)")
        delimiter = b"--" + boundary.encode("ascii")
        for part in self.parts:
            source = part.source
            if isinstance(source, BytesSource) and delimiter in source.data:
                raise InvalidArgument(f"boundary {boundary!r} occurs in the content of part {part.name!r}")
        self.boundary = boundary
        self.terminated = terminated
        self.chunk_size = chunk_size
        self._delimiter = delimiter

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _framing(self) -> Iterator[bytes | ByteSource]:
        for part in self.parts:
            yield self._delimiter + CRLF + part.header_bytes
            yield part.source
            yield CRLF
        if self.terminated:
            yield self._delimiter + b"--" + CRLF

    @property
    def content_length(self) -> int:
        return sum(len(piece) if isinstance(piece, bytes) else piece.size for piece in self._framing())

    @property
    def framing_size(self) -> int:
        """Bytes the body has beyond its parts' contents (delimiters and headers)."""
        return self.content_length - sum(part.size for part in self.parts)

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        size = chunk_size or self.chunk_size
        pending = b""
        for piece in self._framing():
            if isinstance(piece, bytes):
                pending += piece
                continue
            if piece.size <= size:  # small content joins its framing: fewer, fuller chunks
                pending += piece.read_all()
                continue
            if pending:
                yield pending
                pending = b""
            yield from piece.iter_chunks(size)
        if pending:
            yield pending

    def describe(self) -> tuple[PartDescription, ...]:
        """One description per part (hashing streams them: cheap for small parts)."""
        return tuple(
            PartDescription(
                name=part.name,
                filename_raw=part.filename.raw if part.filename else None,
                filename_text=part.filename.text if part.filename else None,
                content_type=part.content_type,
                size=part.size,
                sha256=part.source.sha256() if part.size else hashlib.sha256().hexdigest(),
            )
            for part in self.parts
        )

    def curl_command(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body_file: str | Path | None = None,
        method: str = "POST",
    ) -> str:
        """A curl command that sends exactly this body.

        With ``body_file`` the body is written there and sent with ``--data-binary @file``; without it
        the body is inlined as an ANSI-C quoted string, which is only allowed for small bodies that are
        valid UTF-8 without NUL bytes (raw Latin-1 filenames need the file). ``Expect:`` is blanked so
        curl does not add ``Expect: 100-continue`` to a large body. Redacting credentials in
        ``headers`` is the caller's job.
        """
        args = ["curl", "--silent", "--show-error", "--request", method, url]
        for name, value in {"Content-Type": self.content_type, **(headers or {}), "Expect": ""}.items():
            args += ["--header", f"{name}:" if value == "" else f"{name}: {value}"]
        if body_file is not None:
            path = Path(body_file)
            with path.open("wb") as handle:
                for chunk in self.iter_bytes():
                    handle.write(chunk)
            return shlex.join([*args, "--data-binary", f"@{path}"])
        if self.content_length > CURL_INLINE_LIMIT:
            raise InvalidArgument(f"a {self.content_length}-byte body needs body_file to be reproduced")
        body = self.to_bytes()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidArgument("the body is not valid UTF-8 (raw filename bytes?): pass body_file") from None
        if "\x00" in text:
            raise InvalidArgument("the body holds NUL bytes, which no shell argument carries: pass body_file")
        return shlex.join(args) + " --data-binary " + _ansi_c_quote(text)

    def __repr__(self) -> str:
        names = ", ".join(part.name for part in self.parts)
        end = "" if self.terminated else ", unterminated"
        return f"MultipartBody([{names}], boundary={self.boundary!r}, content_length={self.content_length}{end})"


def _ansi_c_quote(text: str) -> str:
    """Bash ``$'...'`` quoting that survives copy and paste: control characters become escapes."""
    escapes = {"\\": "\\\\", "'": "\\'", "\r": "\\r", "\n": "\\n", "\t": "\\t"}
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "$'" + "".join(out) + "'"
