"""Judging one request a client made against the spec: the request-shape client requirements.

`RequestInspector.inspect` returns `Observation`s (held, broken, or recorded) naming client requirement
IDs, each with a message that says what was sent and what the API expects. Multipart bodies are
judged part by part: names, filename encoding, per-part content types, `info` a JSON object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from jsonschema.validators import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ingest_conformance.sdk.forms import FormPart, api_reads, boundary_of, filename_encoding, latin1_wire, parse_form

MULTIPART_OPS = {"uploadFiles": ("files", {"files", "urls", "info"}), "uploadSingle": ("file", {"file", "info"})}
JSON_OPS = {"uploadByUrl", "uploadSingleUrl"}
MEDIA_TYPES = {
    ".pdf": {"application/pdf"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".tif": {"image/tiff"},
    ".tiff": {"image/tiff"},
    ".zip": {"application/zip", "application/x-zip-compressed"},
}
_SPEC_URI = "urn:ingest-conformance:sdk-openapi"


@dataclass(frozen=True)
class Observation:
    requirement_id: str
    ok: bool | None  # True held, False broken, None recorded (INFO)
    message: str = ""


@dataclass
class Inspected:
    operation: str | None
    observations: list[Observation] = field(default_factory=list)
    parts: list[FormPart] = field(default_factory=list)

    def held(self, rid: str, message: str = "") -> None:
        self.observations.append(Observation(rid, True, message))

    def broken(self, rid: str, message: str) -> None:
        self.observations.append(Observation(rid, False, message))

    def judge(self, rid: str, problems: Sequence[str], what: str) -> None:
        if problems:
            self.broken(rid, f"{what}: " + "; ".join(problems))
        else:
            self.held(rid)


class RequestInspector:
    """The request side of the spec: routes, multipart rules and JSON request schemas."""

    def __init__(self, spec: Mapping[str, Any], *, single_url_path: str = "/v1/ingest/single-url") -> None:
        self._routes: list[tuple[str, re.Pattern[str], str, str]] = []
        self._bodies: dict[str, Draft202012Validator] = {}
        registry: Registry[Any] = Registry().with_resource(
            _SPEC_URI, Resource.from_contents(dict(spec), default_specification=DRAFT202012)
        )
        for path, item in spec.get("paths", {}).items():
            for method, op in item.items():
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                if op.get("x-path-profile-setting") == "single_url_path":
                    path = single_url_path
                segments = ["[^/]+" if s.startswith("{") else re.escape(s) for s in path.split("/")]
                self._routes.append(
                    (method.upper(), re.compile("^" + "/".join(segments) + "$"), op["operationId"], path)
                )
                schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                if schema is not None:
                    self._bodies[op["operationId"]] = Draft202012Validator(_rebase(schema), registry=registry)

    def operation(self, method: str, path: str) -> tuple[str | None, list[str]]:
        """(operationId or None, the methods the spec has for this path)."""
        methods = [m for m, pattern, _, _ in self._routes if pattern.match(path)]
        for m, pattern, operation_id, _ in self._routes:
            if m == method.upper() and pattern.match(path):
                return operation_id, methods
        return None, methods

    def inspect(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        intended_filenames: Sequence[str] | None = None,
    ) -> Inspected:
        """Every request-shape client requirement that applies to this request. `headers` keys lower-case."""
        split = urlsplit(url)
        operation, methods = self.operation(method, split.path)
        out = Inspected(operation)
        where = f"{method} {split.path}"
        if operation is None:
            hint = f"this path takes {', '.join(methods)}" if methods else "no documented operation has this path"
            out.broken("SDK-OP-001", f"{where} is not a documented operation ({hint})")
            return out
        out.held("SDK-OP-001")
        credentials = [h for h in ("x-api-key", "x-access-token") if headers.get(h, "").strip()]
        out.judge("SDK-AUTH-001", [] if credentials else ["neither x-api-key nor x-access-token is sent"], where)
        if operation == "listImports":
            out.judge(
                "SDK-AUTH-002",
                []
                if "x-api-key" in credentials
                else [f"authenticated with {credentials or 'nothing'}; list-imports documents x-api-key only"],
                where,
            )
            out.judge("SDK-QUERY-001", _query_problems(split.query), where)
        if operation in MULTIPART_OPS:
            self._multipart(out, operation, where, headers.get("content-type", ""), body, intended_filenames)
        if operation in JSON_OPS:
            out.judge("SDK-JSON-001", self._json_problems(operation, headers.get("content-type", ""), body), where)
        return out

    # -- multipart ------------------------------------------------------------------------------
    def _multipart(
        self, out: Inspected, operation: str, where: str, content_type: str, body: bytes, intended: Sequence[str] | None
    ) -> None:
        if not content_type.lower().startswith("multipart/form-data"):
            out.broken(
                "SDK-FORM-001", f"{where}: Content-Type is {content_type or '(none)'!r}, expected multipart/form-data"
            )
            return
        boundary = boundary_of(content_type)
        if boundary is None:
            out.broken("SDK-FORM-001", f"{where}: multipart/form-data without a boundary parameter")
            return
        parts, framing = parse_form(body, boundary)
        out.parts = parts
        out.judge("SDK-FORM-001", framing, where)
        file_name, allowed = MULTIPART_OPS[operation]
        names = [p.name for p in parts]
        problems = [
            f"part {name!r} is not a part of {operation}" + _did_you_mean(name, file_name)
            for name in dict.fromkeys(names)
            if name not in allowed
        ]
        if operation == "uploadFiles" and not {"files", "urls"} & set(names):
            problems.append("no `files` or `urls` part: nothing to upload")
        if operation == "uploadSingle" and names.count("file") != 1:
            problems.append(f"{names.count('file')} parts named 'file' (exactly one is expected)")
        out.judge(
            "SDK-PART-001" if operation == "uploadFiles" else "SDK-PART-002",
            problems,
            f"{where} (parts: {', '.join(names) or 'none'})",
        )
        files = [p for p in parts if p.name == file_name]
        if files:
            out.judge(
                "SDK-PART-003",
                [f"part {p.name!r} has no filename: it is a text field, not a file" for p in files if not p.is_file],
                where,
            )
        urls = [p for p in parts if p.name == "urls"]
        if urls:
            out.judge("SDK-PART-004", [_url_problem(p) for p in urls if _url_problem(p)], where)
        infos = [p for p in parts if p.name == "info"]
        if infos:
            out.judge("SDK-INFO-001", _info_problems(infos), where)
            out.judge(
                "SDK-CTYPE-002",
                [f"info declares Content-Type {p.content_type!r}" for p in infos if not _text_type(p.content_type)],
                where,
            )
        # every part carrying a filename (under the right name or not): `intended` names them in order
        for index, part in enumerate(p for p in parts if p.is_file and p.name not in ("info", "urls")):
            self._filename(out, where, part, intended[index] if intended and index < len(intended) else None)

    def _filename(self, out: Inspected, where: str, part: FormPart, intended: str | None) -> None:
        raw, shown = part.filename_raw, repr(part.filename_raw or part.filename_star)
        out.observations.append(
            Observation(
                "SDK-NAME-003", None, f"{where}: filename {shown} sent as {filename_encoding(raw, part.filename_star)}"
            )
        )
        out.judge("SDK-NAME-001", part.problems, f"{where}: filename {shown}")
        ext = "." + (api_reads(raw) if raw is not None else "").rsplit(".", 1)[-1].lower()
        expected = MEDIA_TYPES.get(ext, set()) | {"application/octet-stream"}
        ctype = (part.content_type or "").split(";")[0].strip().lower()
        if ext in MEDIA_TYPES or not ctype:
            declared = f"Content-Type {part.content_type!r}" if ctype else "no Content-Type"
            out.judge(
                "SDK-CTYPE-001",
                []
                if ctype in expected
                else [f"file part {shown} declares {declared}, expected one of {sorted(expected)}"],
                where,
            )
        if raw is None:
            return
        reads = api_reads(raw)
        if intended is not None:
            wire = latin1_wire(intended)
            if wire is not None:
                out.judge(
                    "SDK-NAME-002",
                    []
                    if reads == intended
                    else [
                        f"{intended!r} went out as {raw!r}; the API reads it back as {reads!r} (expected the "
                        f"raw ISO-8859-1 bytes {wire!r})"
                    ],
                    where,
                )
            return
        try:
            as_utf8 = raw.decode("utf-8")
        except UnicodeDecodeError:
            return
        if not raw.isascii() and latin1_wire(as_utf8) is not None:  # UTF-8 bytes of a name Latin-1 could carry
            out.broken(
                "SDK-NAME-002",
                f"{where}: {as_utf8!r} went out as UTF-8 bytes {raw!r}; the API reads "
                f"{reads!r} (send ISO-8859-1 bytes {latin1_wire(as_utf8)!r})",
            )

    # -- JSON -------------------------------------------------------------------------------------
    def _json_problems(self, operation: str, content_type: str, body: bytes) -> list[str]:
        if content_type.split(";")[0].strip().lower() != "application/json":
            return [f"Content-Type is {content_type or '(none)'!r}, expected application/json"]
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return [f"the body is not JSON ({exc}): {body[:80]!r}"]
        validator = self._bodies.get(operation)
        if validator is None:
            return []
        return [
            f"at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:160]}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
        ]


def _rebase(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            k: (_SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


def _did_you_mean(name: str, file_name: str) -> str:
    if name in ("file", "files") and name != file_name:
        return f" (the file goes in a part named {file_name!r})"
    if name.startswith("info[") or name.startswith("info."):
        return " (send info as ONE text part holding a JSON object, not one part per key)"
    return ""


def _text_type(content_type: str | None) -> bool:
    return content_type is None or content_type.split(";")[0].strip().lower() in ("text/plain", "application/json")


def _url_problem(part: FormPart) -> str:
    if part.is_file:
        return "a `urls` part carries a filename: it must be a text field"
    value = part.content.decode("utf-8", "replace").strip()
    if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc):
        return f"`urls` value {value[:80]!r} is not an absolute http(s) URL"
    return ""


def _info_problems(infos: list[FormPart]) -> list[str]:
    problems = [f"info is sent {len(infos)} times (at most once)"] if len(infos) > 1 else []
    for part in infos:
        text = part.content.decode("utf-8", "replace")
        if not text.strip():
            continue  # an empty info counts as absent (DECISIONS.md)
        try:
            value = json.loads(text)
        except ValueError:
            hint = " (it looks like key=value pairs)" if re.match(r"^[\w.\[\]-]+=", text) else ""
            problems.append(
                f'info is not JSON{hint}: {text[:80]!r}; send a JSON object, e.g. {{"clientData": {{...}}}}'
            )
            continue
        if not isinstance(value, dict):
            problems.append(f"info is a JSON {type(value).__name__}, not an object: {text[:80]!r}")
    return problems


def _query_problems(query: str) -> list[str]:
    problems: list[str] = []
    pairs = parse_qsl(query, keep_blank_values=True)
    seen: set[str] = set()
    for key, value in pairs:
        if key in seen:
            problems.append(f"query parameter {key!r} is sent twice")
        seen.add(key)
        if key not in ("environmentId", "skip", "limit"):
            problems.append(f"query parameter {key!r} is not documented for list-imports")
        elif key in ("skip", "limit"):
            low, high = (0, 10) if key == "skip" else (1, 15)
            if not re.fullmatch(r"\d+", value) or not low <= int(value) <= high:
                problems.append(f"{key}={value!r} is not an integer {low}..{high}")
    return problems
