"""Reading a client's multipart body back into parts, exactly and strictly, and naming how it encodes filenames.

The body is in memory (respx hands over the whole request), so this parser simply splits on the
delimiter; it keeps every part's raw Content-Disposition bytes and reports framing mistakes and
malformed filename parameters instead of guessing, because those are what the SDK checks judge.
It is the suite's own parser: the mock has a different, streaming one (import rule, ARCHITECTURE.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PERCENT = re.compile(rb"%[0-9A-Fa-f]{2}")


@dataclass
class FormPart:
    name: str
    disposition: bytes  # the raw header value
    filename_raw: bytes | None  # between the quotes (escapes kept), or the token
    filename_star: bytes | None  # the raw ext-value of filename*
    content_type: str | None
    content: bytes
    problems: list[str] = field(default_factory=list)  # malformed filename parameter

    @property
    def is_file(self) -> bool:
        return self.filename_raw is not None or self.filename_star is not None


def boundary_of(content_type: str) -> str | None:
    match = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', content_type, re.IGNORECASE)
    return (match.group(1) or match.group(2)) if match else None


def parse_form(body: bytes, boundary: str) -> tuple[list[FormPart], list[str]]:
    """The parts of `body`, and what is wrong with its framing (empty when well-formed)."""
    delimiter = b"--" + boundary.encode("latin-1")
    problems: list[str] = []
    start = body.find(delimiter)
    if start < 0:
        return [], [f"the boundary {boundary!r} never occurs in the body"]
    if start and not body[:start].endswith(b"\r\n"):
        problems.append("text before the first boundary does not end with CRLF")
    chunks = body[start + len(delimiter) :].split(b"\r\n" + delimiter)
    parts: list[FormPart] = []
    closed = False
    for index, chunk in enumerate(chunks):
        if chunk.startswith(b"--"):
            closed = True
            if index != len(chunks) - 1:
                problems.append("parts follow the closing boundary")
            break
        if not chunk.startswith(b"\r\n"):
            problems.append(f"part {index + 1}: the boundary line is not followed by CRLF")
            continue
        head, sep, content = chunk[2:].partition(b"\r\n\r\n")
        if not sep:
            problems.append(f"part {index + 1}: no blank line ends its headers")
            continue
        part = _part(head, content)
        if part is None:
            problems.append(f"part {index + 1}: no `Content-Disposition: form-data; name=...` header")
            continue
        parts.append(part)
    if not closed:
        problems.append("the closing boundary (--boundary--) is missing")
    return parts, problems


def _part(head: bytes, content: bytes) -> FormPart | None:
    headers: dict[str, bytes] = {}
    for line in head.split(b"\r\n"):
        key, sep, value = line.partition(b":")
        if sep:
            headers.setdefault(key.strip().lower().decode("latin-1"), value.strip())
    disposition = headers.get("content-disposition")
    if disposition is None or not disposition.lower().startswith(b"form-data"):
        return None
    params, problems = disposition_params(disposition[len(b"form-data") :])
    if "name" not in params:
        return None
    ctype = headers.get("content-type")
    return FormPart(
        name=params["name"].decode("utf-8", "replace"),
        disposition=disposition,
        filename_raw=params.get("filename"),
        filename_star=params.get("filename*"),
        content_type=ctype.decode("latin-1") if ctype is not None else None,
        content=content,
        problems=problems,
    )


def disposition_params(rest: bytes) -> tuple[dict[str, bytes], list[str]]:
    """`; key="quoted"; key=token` strictly: an unclosed quote or text after a closing quote is reported."""
    params: dict[str, bytes] = {}
    problems: list[str] = []
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in b" \t;":
            i += 1
        key_start = i
        while i < n and rest[i] not in b"=;":
            i += 1
        key = rest[key_start:i].strip().lower().decode("latin-1")
        if i >= n or rest[i] != ord("="):
            continue
        i += 1
        if i < n and rest[i] == ord('"'):
            i += 1
            value = bytearray()
            while i < n and rest[i] != ord('"'):
                if rest[i] == ord("\\") and i + 1 < n:
                    value += rest[i : i + 2]  # escapes are kept: the filename checks judge them
                    i += 2
                    continue
                value.append(rest[i])
                i += 1
            if i >= n:
                problems.append(f"the quoted {key} never closes")
            i += 1
            tail = i
            while i < n and rest[i] != ord(";"):
                i += 1
            if rest[tail:i].strip():
                problems.append(
                    f"text after the closing quote of {key}: {bytes(rest[tail:i])[:40]!r} (an unescaped double quote?)"
                )
            params.setdefault(key, bytes(value))
        else:
            start = i
            while i < n and rest[i] != ord(";"):
                i += 1
            params.setdefault(key, rest[start:i].strip())
    if b"\x00" in params.get("filename", b""):
        problems.append("a NUL byte in the filename")
    return params, problems


def api_reads(raw: bytes) -> str:
    """The text the API reads from raw `filename="..."` bytes: ISO-8859-1, with `\\"` and `\\\\` unescaped."""
    return re.sub(r'\\(["\\])', r"\1", raw.decode("latin-1"))


def latin1_wire(text: str) -> bytes | None:
    """How a name must go on the wire to come back as `text` (None if it does not fit ISO-8859-1)."""
    try:
        return text.replace("\\", "\\\\").replace('"', '\\"').encode("latin-1")
    except UnicodeEncodeError:
        return None


def filename_encoding(raw: bytes | None, star: bytes | None) -> str:
    """A short name for how a filename went on the wire (for the SDK report and the client matrix)."""
    words: list[str] = []
    if raw is not None:
        if raw.isascii():
            words.append("ASCII")
        else:
            try:
                raw.decode("utf-8")
                words.append("raw UTF-8")
            except UnicodeDecodeError:
                words.append("raw ISO-8859-1")
        if _PERCENT.search(raw):
            words.append("percent escapes")
        if b'\\"' in raw:
            words.append('quote as \\"')
    if star is not None:
        words.append("RFC 5987 filename*")
    return ", ".join(words) or "no filename"
