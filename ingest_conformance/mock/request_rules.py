"""The mock's own reading of the client requirements (spec/client-requirements.yaml), for --validate-requests.

Written apart from the suite's SDK harness on purpose (ARCHITECTURE.md: the mock imports nothing of
the suite); the two share only the spec files, so they cannot agree by construction. Each rule takes
what the middleware saw of one request and returns violations as (requirement id, message).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml
from jsonschema.validators import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ingest_conformance.spec import CLIENT_REQUIREMENTS_PATH, OPENAPI_PATH

Violation = tuple[str, str]
FORM_PARTS = {
    "uploadFiles": ("files", frozenset({"files", "urls", "info"})),
    "uploadSingle": ("file", frozenset({"file", "info"})),
}
_TYPES_BY_EXTENSION = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "zip": "application/zip",
}
_URI = "urn:mock:openapi"


@dataclass
class SeenPart:
    """One multipart part as it streamed past: its raw Content-Disposition, type, and (for text) content."""

    disposition: bytes
    content_type: str | None
    name: str = ""
    filename: bytes | None = None  # raw bytes between the quotes, escapes kept
    filename_star: bytes | None = None
    malformed: str = ""  # why the filename parameter is not a well-formed quoted string
    size: int = 0
    text: bytearray = field(default_factory=bytearray)  # kept for fields without a filename (bounded)

    def describe(self) -> dict[str, Any]:
        raw = self.filename
        return {
            "name": self.name,
            "filename_raw_hex": raw.hex() if raw is not None else None,
            "filename_encoding": encoding_of(raw, self.filename_star) if self.is_file else None,
            "filename_read_as": read_as(raw) if raw is not None else None,
            "content_type": self.content_type,
            "size": self.size,
        }

    @property
    def is_file(self) -> bool:
        return self.filename is not None or self.filename_star is not None


def scan_disposition(part: SeenPart) -> None:
    """Fill name/filename from the raw header, noting a filename that is not a well-formed quoted string."""
    text = part.disposition
    for key, value, problem in _params(text):
        if key == "name" and not part.name:
            part.name = value.decode("utf-8", "replace")
        elif key == "filename" and part.filename is None:
            part.filename, part.malformed = value, problem
        elif key == "filename*" and part.filename_star is None:
            part.filename_star = value
    if part.filename is not None and b"\x00" in part.filename:
        part.malformed = part.malformed or "NUL byte in the filename"


_PARAM = re.compile(rb';\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)(")?|([^;]*))([^;]*)')


def _params(header: bytes) -> list[tuple[str, bytes, str]]:
    """(key, value, problem) per parameter; quoted values keep their escapes."""
    out: list[tuple[str, bytes, str]] = []
    for match in _PARAM.finditer(header):
        key, quoted, closing, token, tail = match.groups()
        problem = ""
        if quoted is not None and closing is None:
            problem = "an unterminated quoted string"
        elif quoted is not None and tail.strip():
            problem = f"{tail.strip()[:30]!r} follows the closing quote (an unescaped double quote?)"
        out.append((key.decode().lower(), quoted if quoted is not None else (token or b"").strip(), problem))
    return out


def read_as(raw: bytes) -> str:
    """What the API makes of raw filename bytes: ISO-8859-1 text, `\\"` and `\\\\` unescaped."""
    return raw.decode("latin-1").replace('\\"', '"').replace("\\\\", "\\")


def encoding_of(raw: bytes | None, star: bytes | None) -> str:
    kinds = []
    if raw is not None:
        if all(b < 0x80 for b in raw):
            kinds.append("ASCII")
        else:
            try:
                raw.decode("utf-8")
                kinds.append("raw UTF-8")
            except UnicodeDecodeError:
                kinds.append("raw ISO-8859-1")
        if re.search(rb"%[0-9A-Fa-f]{2}", raw):
            kinds.append("percent escapes")
        if b'\\"' in raw:
            kinds.append('quote as \\"')
    if star is not None:
        kinds.append("RFC 5987 filename*")
    return ", ".join(kinds)


class ClientRules:
    """The spec's routes and request schemas, and the client requirements' levels and statements."""

    def __init__(self, single_url_path: str) -> None:
        spec = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
        listed = yaml.safe_load(CLIENT_REQUIREMENTS_PATH.read_text(encoding="utf-8"))["requirements"]
        self.levels = {r["id"]: r["level"] for r in listed if "mock" in r["checked_by"]}
        self.statements = {r["id"]: r["statement"] for r in listed}
        registry: Registry[Any] = Registry().with_resource(
            _URI, Resource.from_contents(spec, default_specification=DRAFT202012)
        )
        self.routes: list[tuple[str, re.Pattern[str], str]] = []
        self.schemas: dict[str, Draft202012Validator] = {}
        for path, item in spec["paths"].items():
            for method, op in item.items():
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                real = single_url_path if op.get("x-path-profile-setting") else path
                pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(real))
                self.routes.append((method.upper(), re.compile(f"^{pattern}$"), op["operationId"]))
                body = op.get("requestBody", {}).get("content", {}).get("application/json")
                if body:
                    self.schemas[op["operationId"]] = Draft202012Validator(
                        {"$ref": _URI + body["schema"]["$ref"]}, registry=registry
                    )

    def operation(self, method: str, path: str) -> tuple[str | None, bool]:
        known = [op for m, pattern, op in self.routes if pattern.match(path)]
        hit = [op for m, pattern, op in self.routes if m == method and pattern.match(path)]
        return (hit[0] if hit else None), bool(known)

    # -- the rules ---------------------------------------------------------------------------------
    def headers_and_query(self, operation: str, credential: str | None, query: str) -> list[Violation]:
        out: list[Violation] = []
        if credential is None:
            out.append(("SDK-AUTH-001", "no x-api-key or x-access-token header"))
        if operation == "listImports":
            if credential == "x-access-token":
                out.append(("SDK-AUTH-002", "list-imports sent with x-access-token; it documents x-api-key only"))
            counts: dict[str, int] = {}
            for key, value in parse_qsl(query, keep_blank_values=True):
                counts[key] = counts.get(key, 0) + 1
                bounds = {"skip": (0, 10), "limit": (1, 15)}.get(key)
                if key not in ("environmentId", "skip", "limit"):
                    out.append(("SDK-QUERY-001", f"undocumented query parameter {key!r}"))
                elif bounds and not (value.isdigit() and bounds[0] <= int(value) <= bounds[1]):
                    out.append(("SDK-QUERY-001", f"{key}={value!r} outside the integers {bounds[0]}..{bounds[1]}"))
            out += [("SDK-QUERY-001", f"{k!r} sent {n} times") for k, n in counts.items() if n > 1]
        return out

    def form(self, operation: str, parts: list[SeenPart]) -> list[Violation]:
        file_name, allowed = FORM_PARTS[operation]
        rid = "SDK-PART-001" if operation == "uploadFiles" else "SDK-PART-002"
        out: list[Violation] = []
        names = [p.name for p in parts]
        for name in sorted(set(names) - allowed):
            hint = f"; the file part is called {file_name!r}" if name in ("file", "files") else ""
            out.append((rid, f"part {name!r} is not a part of {operation}{hint}"))
        if operation == "uploadFiles" and not {"files", "urls"} & set(names):
            out.append((rid, "neither a `files` nor a `urls` part"))
        if operation == "uploadSingle" and names.count("file") != 1:
            out.append((rid, f"{names.count('file')} `file` parts; exactly one is expected"))
        for part in parts:
            out += self._part(part, file_name)
        if names.count("info") > 1:
            out.append(("SDK-INFO-001", f"info sent {names.count('info')} times"))
        return out

    def _part(self, part: SeenPart, file_name: str) -> list[Violation]:
        out: list[Violation] = []
        if part.name == file_name and not part.is_file:
            out.append(("SDK-PART-003", f"`{file_name}` sent as a text field (no filename)"))
        if part.name == "urls":
            value = part.text.decode("utf-8", "replace").strip()
            if part.is_file:
                out.append(("SDK-PART-004", "a `urls` part with a filename"))
            elif value and not (urlsplit(value).scheme in ("http", "https") and urlsplit(value).netloc):
                out.append(("SDK-PART-004", f"`urls` value {value[:60]!r} is not an absolute http(s) URL"))
        if part.name == "info":
            out += _info(part)
        if part.is_file and part.name != "info":
            out += _filename(part)
        return out

    def json_body(self, operation: str, content_type: str, body: bytes) -> list[Violation]:
        if content_type.split(";")[0].strip().lower() != "application/json":
            return [("SDK-JSON-001", f"Content-Type {content_type or '(none)'!r} instead of application/json")]
        try:
            document = json.loads(body)
        except ValueError:
            return [("SDK-JSON-001", f"the body is not JSON: {body[:60]!r}")]
        return [
            ("SDK-JSON-001", f"{'/'.join(map(str, e.path)) or 'body'}: {e.message[:120]}")
            for e in self.schemas[operation].iter_errors(document)
        ]


def _info(part: SeenPart) -> list[Violation]:
    out: list[Violation] = []
    ctype = (part.content_type or "").split(";")[0].strip().lower()
    if ctype not in ("", "text/plain", "application/json"):
        out.append(("SDK-CTYPE-002", f"info with Content-Type {part.content_type!r}"))
    text = part.text.decode("utf-8", "replace").strip()
    if not text:
        return out
    try:
        value = json.loads(text)
    except ValueError:
        shape = "key=value pairs" if re.match(r"[\w.\[\]]+=", text) else "not JSON"
        return [*out, ("SDK-INFO-001", f"info is {shape}: {text[:60]!r}; a JSON object is expected")]
    if not isinstance(value, dict):
        out.append(("SDK-INFO-001", f"info is a JSON {type(value).__name__}; a JSON object is expected"))
    return out


def _filename(part: SeenPart) -> list[Violation]:
    out: list[Violation] = []
    if part.malformed:
        out.append(("SDK-NAME-001", f"filename {part.filename!r}: {part.malformed}"))
    raw = part.filename or b""
    extension = read_as(raw).rsplit(".", 1)[-1].lower() if b"." in raw else ""
    ctype = (part.content_type or "").split(";")[0].strip().lower()
    wanted = {_TYPES_BY_EXTENSION.get(extension, ""), "application/octet-stream"} - {""}
    if extension == "zip":
        wanted.add("application/x-zip-compressed")
    if not ctype or (extension in _TYPES_BY_EXTENSION and ctype not in wanted):
        out.append(("SDK-CTYPE-001", f"file {raw!r} with Content-Type {part.content_type!r}"))
    if any(b >= 0x80 for b in raw):
        try:
            text = raw.decode("utf-8")
            text.encode("latin-1")
        except (UnicodeDecodeError, UnicodeEncodeError):
            return out
        out.append(("SDK-NAME-002", f"{text!r} sent as UTF-8 {raw!r}: the API reads {read_as(raw)!r}"))
    return out
