"""Streaming multipart/form-data parsing that keeps the raw header bytes.

python-multipart's low-level `MultipartParser` does the framing; the part headers are parsed here,
because filenames must be decoded exactly as the docs describe: the raw `filename="..."` bytes are
ISO-8859-1 (so a raw UTF-8 name comes back garbled, as the docs warn). File contents go to spooled
temporary files: small ones stay in memory, large ones move to disk, so memory stays bounded.
"""

from __future__ import annotations

import tempfile
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import IO

from python_multipart.multipart import MultipartParser
from starlette.requests import Request

from .errors import ApiError, BodyAborted
from .faults import fault_of

SPOOL_IN_MEMORY = 1024 * 1024  # file parts beyond this roll over to a temporary file on disk
MAX_PART_HEADER_BYTES = 16 * 1024  # room for long Latin-1 filenames; python-multipart's default is 4 KiB
MAX_BOUNDARY = 200


def new_spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # the caller owns and closes it


@dataclass(frozen=True)
class FormRules:
    """The choices of how a form is read (MockSettings: path_names, percent_names, filename_star,
    size_scope). The defaults are the mock's own: strip directories, keep `%XX`, plain filename first."""

    refuse_paths: bool = False
    decode_percent: bool = False
    prefer_star: bool = False
    max_file_bytes: int | None = None  # size_scope="part": a file part over this gets 413
    close_on_oversize: bool = False  # oversize_mode="close": answer that 413 without reading on


class PartTooLarge(ApiError):
    """A file part over the per-part size limit (size_scope="part")."""


@dataclass
class Part:
    """One part of a form. `filename` is None for a text field (no filename parameter at all)."""

    name: str
    filename: str | None
    raw_filename: bytes | None
    filename_star: str | None
    content_type: str | None
    content: IO[bytes] | None = None
    text: bytearray = field(default_factory=bytearray)
    size: int = 0

    @property
    def is_file(self) -> bool:
        return self.filename is not None


def strip_directories(name: str) -> str:
    """Keep the last path segment: clients (old browsers, careless SDKs) send full paths."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def parse_header_params(value: bytes) -> tuple[bytes, dict[str, bytes]]:
    """Split `type; key=value; key="quoted"` on raw bytes. In quoted values only `\\"` and `\\\\`
    are unescaped: other backslashes stay, so a Windows path keeps its separators."""
    head, _, rest = value.partition(b";")
    params: dict[str, bytes] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i : i + 1] in (b" ", b"\t", b";"):
            i += 1
        start = i
        while i < n and rest[i : i + 1] not in (b"=", b";"):
            i += 1
        key = rest[start:i].strip().lower().decode("latin-1")
        if i >= n or rest[i : i + 1] == b";":
            if key:
                params.setdefault(key, b"")
            continue
        i += 1  # the '='
        while i < n and rest[i : i + 1] in (b" ", b"\t"):
            i += 1
        if rest[i : i + 1] == b'"':
            i += 1
            out = bytearray()
            while i < n and rest[i : i + 1] != b'"':
                if rest[i : i + 1] == b"\\" and rest[i + 1 : i + 2] in (b'"', b"\\"):
                    i += 1
                out += rest[i : i + 1]
                i += 1
            i += 1  # the closing quote (a missing one just ends the value)
            val = bytes(out)
        else:
            start = i
            while i < n and rest[i : i + 1] != b";":
                i += 1
            val = rest[start:i].strip()
        if key:
            params.setdefault(key, val)
    return head.strip().lower(), params


def decode_ext_value(value: bytes) -> str | None:
    """RFC 5987 `charset'lang'percent-encoded` (what `filename*` carries), or None if unreadable."""
    try:
        charset, _, encoded = value.decode("latin-1").split("'", 2)
        return urllib.parse.unquote_to_bytes(encoded).decode(charset or "utf-8", errors="replace")
    except (ValueError, LookupError):
        return None


def boundary_of(content_type: str | None) -> bytes:
    if not content_type:
        raise ApiError(400, "expected a multipart/form-data body (Content-Type is missing)")
    kind, params = parse_header_params(content_type.encode("latin-1"))
    if kind != b"multipart/form-data":
        raise ApiError(400, f"expected a multipart/form-data body, got {kind.decode('latin-1')!r}")
    boundary = params.get("boundary", b"")
    if not boundary:
        raise ApiError(400, "multipart/form-data without a boundary parameter")
    if len(boundary) > MAX_BOUNDARY or any(c in boundary for c in b"\r\n"):
        raise ApiError(400, "invalid multipart boundary")
    return boundary


class FormCollector:
    """Feeds body chunks to MultipartParser and builds `Part`s from its callbacks."""

    def __init__(
        self,
        boundary: bytes,
        *,
        max_field_bytes: int,
        max_parts: int,
        fault: str | None = None,
        rules: FormRules | None = None,
    ) -> None:
        self.parts: list[Part] = []
        self._fault = fault
        self._rules = rules or FormRules()
        self._max_field = max_field_bytes
        self._max_parts = max_parts
        self._headers: list[tuple[bytes, bytes]] = []
        self._field = bytearray()
        self._value = bytearray()
        self._current: Part | None = None
        self.ended = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": lambda d, s, e: self._field.extend(d[s:e]),
                "on_header_value": lambda d, s, e: self._value.extend(d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_end": self._end,
            },
            max_header_size=MAX_PART_HEADER_BYTES,
        )

    def feed(self, chunk: bytes) -> None:
        self._parser.write(chunk)

    def close(self) -> None:
        for part in self.parts:
            if part.content is not None:
                part.content.close()

    def _part_begin(self) -> None:
        if len(self.parts) >= self._max_parts:
            raise ApiError(400, f"too many parts (at most {self._max_parts})")
        self._headers = []
        self._current = None

    def _header_end(self) -> None:
        self._headers.append((bytes(self._field).strip().lower(), bytes(self._value).strip()))
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        disposition = next((v for k, v in self._headers if k == b"content-disposition"), None)
        if disposition is None:
            raise ApiError(400, "multipart part without a Content-Disposition header")
        kind, params = parse_header_params(disposition)
        if kind != b"form-data" or not params.get("name"):
            raise ApiError(400, "multipart part without form-data name")
        raw = params.get("filename")
        star = decode_ext_value(params["filename*"]) if "filename*" in params else None
        filename = self._filename(raw, star)
        if filename is not None and self._fault:
            filename = self._faulty_filename(raw, star, filename)
        ctype = next((v for k, v in self._headers if k == b"content-type"), None)
        part = Part(
            name=params["name"].decode("latin-1"),
            filename=filename,
            raw_filename=raw,
            filename_star=star,
            content_type=ctype.decode("latin-1") if ctype else None,
        )
        if part.is_file:
            part.content = new_spool()
        self.parts.append(part)
        self._current = part

    def _filename(self, raw: bytes | None, star: str | None) -> str | None:
        """The name as stored: ISO-8859-1 `filename` (or `filename*`), directories dropped or refused."""
        rules = self._rules
        sent = star if star is not None and (raw is None or rules.prefer_star) else None
        if sent is None and raw is not None:
            sent = raw.decode("latin-1")
        if sent is None:
            return None
        if rules.decode_percent:
            sent = urllib.parse.unquote(sent, errors="replace")
        if rules.refuse_paths and ("/" in sent or "\\" in sent):
            raise ApiError(400, "filename must not contain directories")
        return strip_directories(sent)

    def _faulty_filename(self, raw: bytes | None, star: str | None, filename: str) -> str:
        """How the filename faults read the name (the conformant reading is the caller's)."""
        fault = self._fault
        if fault == "filename-latin1-as-utf8" and raw is not None:
            return strip_directories(raw.decode("utf-8", errors="replace"))
        if fault == "filename-quote-kept-escaped":
            return filename.replace('"', '\\"')
        if fault == "filename-spaces-to-underscores":
            return filename.replace(" ", "_")
        if fault == "filename-keeps-path":
            return raw.decode("latin-1") if raw is not None else star or filename
        return filename

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current
        if part is None:
            return
        part.size += end - start
        limit = self._rules.max_file_bytes
        if part.content is not None and limit is not None and part.size > limit:
            raise PartTooLarge(413, f"file {part.filename!r} is larger than the limit of {limit} bytes")
        if part.content is not None:
            part.content.write(data[start:end])
        elif part.size > self._max_field:
            raise ApiError(400, f"form field {part.name!r} is longer than {self._max_field} bytes")
        else:
            part.text += data[start:end]

    def _end(self) -> None:
        self.ended = True


class BodyStream:
    """The raw request body, chunk by chunk, never held whole."""

    def __init__(self, request: Request) -> None:
        self._receive = request.receive
        self.finished = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while not self.finished:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise BodyAborted()
            self.finished = not message.get("more_body", False)
            chunk = message.get("body", b"")
            if chunk:
                yield chunk

    async def discard_rest(self) -> None:
        """Read what is left, so a body that is both malformed and too large still gets its 413
        (the size limit counts it on the way) and the connection stays usable."""
        async for _ in self:
            pass


async def read_form(
    request: Request,
    *,
    max_field_bytes: int = 1024 * 1024,
    max_parts: int = 1000,
    rules: FormRules | None = None,
    only: frozenset[str] | None = None,
) -> list[Part]:
    """Parse a multipart request. Any framing problem is the client's: 400, never 500. `only`:
    the part names allowed (another one is refused with 400); None allows any."""
    fault = fault_of(request)
    collector = FormCollector(
        boundary_of(request.headers.get("content-type")),
        max_field_bytes=max_field_bytes,
        max_parts=max_parts,
        fault=fault,
        rules=rules,
    )
    stream = BodyStream(request)
    try:
        async for chunk in stream:
            collector.feed(chunk)
        if not collector.ended:
            raise ApiError(400, "malformed multipart body: the closing boundary is missing")
        for part in collector.parts:
            if fault == "files-text-field-accepted" and part.name == "files" and not part.is_file:
                part.filename, part.content = "files", new_spool()  # fault: a text field taken as a file
                part.content.write(bytes(part.text))
            if part.content is not None:
                part.content.seek(0)
        unknown = sorted({p.name for p in collector.parts} - only) if only is not None else []
        if unknown:
            collector.close()
            raise ApiError(400, f"unexpected form field(s): {', '.join(unknown)}")
        return collector.parts
    except BodyAborted:
        collector.close()
        raise
    except PartTooLarge as exc:
        collector.close()
        if rules is not None and rules.close_on_oversize:  # as the body-size middleware's 'close' mode
            raise ApiError(413, exc.message, {"connection": "close"}) from None
        await stream.discard_rest()
        raise
    except ApiError:
        collector.close()
        await stream.discard_rest()
        raise
    except Exception as exc:  # the parser's own errors and anything odd in the bytes
        collector.close()
        await stream.discard_rest()
        if fault == "malformed-multipart-500":
            raise  # fault: the parser's error is not mapped to a 400
        raise ApiError(400, f"malformed multipart body: {exc}") from exc
