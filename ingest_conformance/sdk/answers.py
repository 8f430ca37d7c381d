"""Answers from the spec: schema-valid success bodies drawn with hypothesis, fitted to the request.

Every documented success schema becomes a hypothesis strategy (optional fields absent, null or
present; undocumented extra fields sometimes; either documented success status), so an SDK meets the
variety the contract allows, not one canned example. The body is then fitted to the request (one
`files[]` entry per uploaded part, with the name the API would read; the id asked for), so an SDK
that checks what it gets back is not misled. Error answers use the NestJS shape the mock uses.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ID_FIELDS = frozenset(
    {"id", "accountId", "environmentId", "importId", "fileId", "documentId", "parentFileId", "companyId"}
)
HEX24 = st.from_regex(re.compile(r"[0-9a-f]{24}"), fullmatch=True)
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=16)
EXTRA_KEYS = ("xUndocumented", "_links", "meta")  # what a newer target might add
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class SchemaStrategies:
    """Hypothesis strategies for the JSON schemas of one OpenAPI document (local $refs, allOf, nullable types)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def resolve(self, ref: str) -> Mapping[str, Any]:
        node: Any = self.document
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return dict(node)

    def for_schema(self, schema: Mapping[str, Any], name: str = "") -> st.SearchStrategy[Any]:
        if "$ref" in schema:
            return self.for_schema(self.resolve(schema["$ref"]), name)
        if "allOf" in schema:
            parts = [self.for_schema(s, name) for s in schema["allOf"]]
            return st.tuples(*parts).map(lambda dicts: {k: v for d in dicts for k, v in d.items()})
        if "enum" in schema:
            return st.sampled_from(list(schema["enum"]))
        types = schema.get("type")
        if isinstance(types, list):
            return st.one_of([self.for_schema({**schema, "type": t}, name) for t in types])
        if types == "null":
            return st.none()
        if types == "object" or "properties" in schema:
            return self._object(schema)
        if types == "array":
            items = self.for_schema(schema.get("items", {}), name + "[]")
            return st.lists(items, min_size=int(schema.get("minItems", 0)), max_size=3)
        if types == "string":
            return self._string(schema, name)
        if types == "integer":
            return st.integers(min_value=int(schema.get("minimum", -1000)), max_value=1000)
        if types == "number":
            low = float(schema.get("minimum", -1e6))
            return st.one_of(
                st.integers(min_value=int(low), max_value=1000),
                st.floats(min_value=low, max_value=1e6, allow_nan=False, allow_infinity=False),
            )
        if types == "boolean":
            return st.booleans()
        return st.one_of(_TEXT, st.integers(-(10**6), 10**6), st.none())  # untyped (the Error members)

    def _object(self, schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        fixed = st.fixed_dictionaries(
            {k: self.for_schema(v, k) for k, v in properties.items() if k in required},
            optional={k: self.for_schema(v, k) for k, v in properties.items() if k not in required},
        )
        if schema.get("additionalProperties", True) is False:
            return fixed
        extra = st.dictionaries(st.sampled_from(EXTRA_KEYS), st.one_of(st.integers(-(10**6), 10**6), _TEXT), max_size=2)
        return st.tuples(fixed, extra).map(lambda pair: {**pair[1], **pair[0]})

    @staticmethod
    def _string(schema: Mapping[str, Any], name: str) -> st.SearchStrategy[Any]:
        if name.rstrip("[]") in ID_FIELDS or name == "documentIds[]":
            return HEX24
        if schema.get("format") == "date-time":
            return st.datetimes(
                min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
            ).map(lambda d: d.isoformat().replace("+00:00", "Z"))
        if schema.get("format") == "uri":
            return st.sampled_from(["https://files.example.com/a.pdf", "http://127.0.0.1:9/scan.png"])
        return _TEXT


def draw(strategy: st.SearchStrategy[Any], seed_value: int, *, examples: int = 4) -> Any:
    """One value of `strategy`, the same for the same seed; not the simplest (hypothesis tries that first)."""
    found: list[Any] = []

    @seed(seed_value)
    @settings(
        max_examples=examples,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(strategy)
    def keep(value: Any) -> None:
        found.append(value)

    keep()
    return found[-1]


class SpecAnswers:
    """Success answers for each operation, drawn from its documented 2xx schemas and fitted to the request."""

    def __init__(self, document: Mapping[str, Any], seed_value: int = 0) -> None:
        self.schemas = SchemaStrategies(document)
        self._random = random.Random(seed_value)
        self._responses: dict[str, dict[int, Mapping[str, Any]]] = {}
        for item in document.get("paths", {}).values():
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    self._responses[op["operationId"]] = {
                        int(code): self._schema(resp)
                        for code, resp in op.get("responses", {}).items()
                        if str(code).isdigit() and 200 <= int(code) < 300
                    }

    def _schema(self, response: Mapping[str, Any]) -> Mapping[str, Any]:
        if "$ref" in response:
            response = self.schemas.resolve(response["$ref"])
        schema: Mapping[str, Any] = response.get("content", {}).get("application/json", {}).get("schema", {})
        return schema

    def success(self, operation: str, *, path: str, query: str = "", filenames: Sequence[str] = ()) -> tuple[int, Any]:
        """(status, body) of a success answer to `operation`; `filenames` are what the upload named."""
        status = self._random.choice(sorted(self._responses[operation]))
        body = draw(self.schemas.for_schema(self._responses[operation][status]), self._random.randrange(2**31))
        fit = _FITTERS.get(operation)
        return status, fit(body, path, query, list(filenames)) if fit is not None else body


def error_body(status: int, message: str = "") -> dict[str, Any]:
    return {
        "statusCode": status,
        "message": message or REASONS.get(status, "Error"),
        "error": REASONS.get(status, "Error"),
    }


def _last_segment(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "file"


def _fit_upload(body: Any, path: str, query: str, names: list[str]) -> Any:
    template = (body.get("files") or [{}])[0]
    body["files"] = [{**template, "id": f"{i + 1:024x}", "filename": name} for i, name in enumerate(names or ["file"])]
    return body


def _fit_single(body: Any, path: str, query: str, names: list[str]) -> Any:
    body["filename"] = names[0] if names else body["filename"]
    return body


def _fit_get(body: Any, path: str, query: str, names: list[str]) -> Any:
    body["id"] = path.rstrip("/").rsplit("/", 1)[-1]
    return body


def _fit_list(body: Any, path: str, query: str, names: list[str]) -> Any:
    limit = dict(parse_qsl(query)).get("limit", "5")
    body["result"] = body["result"][: int(limit) if limit.isdigit() else 5]
    body["count"] = max(body["count"], len(body["result"]))
    return body


_FITTERS: dict[str, Callable[[Any, str, str, list[str]], Any]] = {
    "uploadFiles": _fit_upload,
    "uploadByUrl": _fit_upload,
    "uploadSingle": _fit_single,
    "uploadSingleUrl": _fit_single,
    "getFile": _fit_get,
    "getImport": _fit_get,
    "listImports": _fit_list,
}


def names_from_request(operation: str, parts_names: Sequence[str], json_body: Any) -> list[str]:
    """What each upload entry is called: the part's name as the API reads it, or the URL's last segment."""
    if operation in ("uploadFiles", "uploadSingle"):
        return list(parts_names)
    if operation == "uploadByUrl" and isinstance(json_body, dict):
        return [
            str(e.get("filename") or _last_segment(str(e.get("url", ""))))
            for e in json_body.get("files", [])
            if isinstance(e, dict)
        ]
    if operation == "uploadSingleUrl" and isinstance(json_body, dict):
        return [str(json_body.get("filename") or _last_segment(str(json_body.get("url", ""))))]
    return []
