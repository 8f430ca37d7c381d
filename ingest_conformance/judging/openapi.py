"""Response validation against the OpenAPI description (JSON Schema 2020-12, as OpenAPI 3.1 is).

Validators are built once per (operation, status) and reused: validating the spec per case was
a hot spot in earlier tools.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema.validators import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ingest_conformance.spec import OPENAPI_PATH
from ingest_conformance.wire.exchange import Exchange

SPEC_URI = "urn:ingest-conformance:openapi"


class OpenAPIDocument:
    """The spec, indexed by operationId, with cached response validators."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.operations: dict[str, tuple[str, str, dict[str, Any]]] = {}
        for path, item in document.get("paths", {}).items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    self.operations[op["operationId"]] = (method.upper(), path, op)
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)

    def path(self, operation_id: str) -> str:
        return self.operations[operation_id][1]

    def documented_statuses(self, operation_id: str) -> set[int]:
        responses = self.operations[operation_id][2].get("responses", {})
        return {int(code) for code in responses if str(code).isdigit()}

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one document per run; the cache lives with it
    def response_validator(self, operation_id: str, status: int) -> Draft202012Validator | None:
        responses = self.operations[operation_id][2].get("responses", {})
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if response is None:
            return None
        if "$ref" in response:
            response = self._resolve(response["$ref"])
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return None
        # Local `#/components/...` refs are rebased onto the registered whole document.
        return Draft202012Validator(
            _rebase(schema), registry=self._registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )

    @functools.lru_cache(maxsize=32)  # noqa: B019 - one document per run; the cache lives with it
    def component_validator(self, name: str) -> Draft202012Validator:
        """A validator for `#/components/schemas/<name>` (webhook events and their `data`)."""
        return Draft202012Validator(
            {"$ref": f"{SPEC_URI}#/components/schemas/{name}"},
            registry=self._registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    def validate_component(self, name: str, value: Any) -> list[str]:
        """Schema errors of `value` against the component schema `name` ([] when it conforms)."""
        return [_describe(err) for err in _errors(self.component_validator(name), value)]

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.document
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return dict(node)

    def validate_response(self, operation_id: str, exchange: Exchange) -> list[str]:
        """Schema errors of the answer's JSON body ([] when it conforms or nothing is documented)."""
        if exchange.status is None:
            return []
        validator = self.response_validator(operation_id, exchange.status)
        if validator is None:
            return []
        # The spec documents this answer as application/json: a client picks its parser by Content-Type.
        ctype = (exchange.header("content-type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/json" and not ctype.endswith("+json"):
            return [f"Content-Type is {ctype or '(none)'!r}, not the documented application/json"]
        try:
            body = json.loads(exchange.response_body)
        except ValueError:
            return [f"body is not JSON: {exchange.response_body[:120]!r}"]
        return [_describe(err) for err in _errors(validator, body)]


def _rebase(schema: Any) -> Any:
    """Point local `#/components/...` refs at the registered document."""
    if isinstance(schema, dict):
        return {
            k: (SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


def _errors(validator: Draft202012Validator, body: Any) -> Iterator[jsonschema.ValidationError]:
    return iter(sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)))


def _describe(err: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in err.absolute_path) or "(root)"
    return f"at {where}: {err.message[:200]}"


# -- the spec file --------------------------------------------------------------------------------------
def load_openapi(path: Path = OPENAPI_PATH) -> dict[str, Any]:
    """The parsed OpenAPI document at ``path``.

    Parsed once per path; each call returns a deep copy, because schema loaders (schemathesis among
    them) may rewrite the dict they are given and must not change what the next caller sees.
    """
    return copy.deepcopy(_parse(Path(path)))


@functools.cache
def _parse(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "openapi" not in data:
        raise ValueError(f"{path}: not an OpenAPI document (no top-level `openapi` key)")
    return data
