"""How schemathesis cases are shaped before they are sent: generated URLs point at the suite's file server,
`company` values take the profile's id shape, positive uploads carry the run tag, and a positive uploadFiles
case with neither `files` nor `urls` gets real files (the "files or urls" rule is outside the schema).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.schemas import APIOperation, BaseSchema

from ingest_conformance.strategies import RUN_TAG_KEY, Operation, named_files

SPEC_SINGLE_URL_PATH = "/v1/ingest/single-url"


# -- where generated URLs point --------------------------------------------------------------------------
@dataclass(frozen=True)
class UrlPool:
    """Generated URLs must never send a target to a random host: each one with a host is pointed at the
    suite's file server (a served valid file, or a path that answers 404), chosen by a hash of the URL."""

    served: tuple[str, ...]
    base_url: str  # the file server, or a closed loopback port when there is none

    def rewrite(self, url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError:
            return url
        if not parts.netloc:
            return url  # no host to reach: the target must refuse it on its own
        crc = zlib.crc32(url.encode("utf-8", "surrogatepass"))
        if parts.scheme.lower() in ("http", "https"):
            slot = crc % (len(self.served) + 1)
            return self.served[slot] if slot < len(self.served) else f"{self.base_url}/missing/fuzz-{crc:08x}.pdf"
        return urlunsplit((parts.scheme, urlsplit(self.base_url).netloc, parts.path, parts.query, parts.fragment))

    def value(self, value: Any) -> Any:
        """A `url` or `urls` value with every string in it rewritten."""
        if isinstance(value, str):
            return self.rewrite(value)
        if isinstance(value, list):
            return [self.rewrite(v) if isinstance(v, str) else v for v in value]
        return value


OPAQUE_KEYS = frozenset({"clientData", "data"})  # the client's own data: never fetched, never echoed as ids


def rewrite_body(node: Any, urls: UrlPool, company: str | None) -> Any:
    """`node` with its URLs pointed at the file server and each `company` string replaced by `company`:
    a target may echo it as `companyId`, and a generated non-id there would read as the target's ID-SHAPE-001
    warning."""
    if isinstance(node, list):
        return [rewrite_body(v, urls, company) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[Any, Any] = {}
    for key, value in node.items():
        if key in ("url", "urls"):
            out[key] = urls.value(value)
        elif key == "company" and isinstance(value, str) and company is not None:
            out[key] = company
        else:
            out[key] = value if key in OPAQUE_KEYS else rewrite_body(value, urls, company)
    return out


def _names_company(node: Any) -> bool:
    if isinstance(node, list):
        return any(_names_company(v) for v in node)
    return isinstance(node, dict) and any(
        (k == "company" and isinstance(v, str)) or (k not in OPAQUE_KEYS and _names_company(v)) for k, v in node.items()
    )


def prepare_cases(schema: BaseSchema, urls: UrlPool, run_tag: str, id_pattern: str) -> None:
    """A schema-local `flatmap_case` hook. Generated URLs point at the file server and `company` values take
    the profile's id shape (see `rewrite_body`). Positive uploads carry the run tag in `info.clientData`, and a
    positive uploadFiles case with neither `files` nor `urls` gets real files: the "files or urls" rule is
    outside the schema, and without it most positive uploads would be 400s."""
    company_ids = st.from_regex(id_pattern, fullmatch=True)
    upload_files = st.lists(named_files(Operation.UPLOAD_FILES), min_size=1, max_size=3)

    def flatmap_case(context: Any, case: Case[Any]) -> st.SearchStrategy[Case[Any]]:
        generated = case.body
        if not isinstance(generated, dict):
            return st.just(case)
        meta = case.meta
        positive = meta is not None and meta.generation.mode is GenerationMode.POSITIVE
        empty_upload = (
            case.operation.definition.raw.get("operationId") == "uploadFiles"
            and not generated.get("files")
            and not generated.get("urls")
        )

        def finish(drawn: tuple[str | None, list[Any] | None]) -> Case[Any]:
            company, files = drawn
            body = rewrite_body(generated, urls, company)
            if positive:
                info = body.get("info")
                if info is None:
                    body["info"] = {"clientData": {RUN_TAG_KEY: run_tag}}
                elif isinstance(info, dict) and isinstance(info.get("clientData", {}), dict):
                    body["info"] = {**info, "clientData": {**info.get("clientData", {}), RUN_TAG_KEY: run_tag}}
            if files is not None:
                body["files"] = files
            case.body = body
            return case

        return st.tuples(
            company_ids if _names_company(generated) else st.none(),
            upload_files if positive and empty_upload else st.none(),
        ).map(finish)

    schema.hook("flatmap_case")(flatmap_case)


# Keywords that leave a string schema unconstrained: schemathesis can build no invalid value for it.
FREE_STRING = frozenset({"type", "description", "title", "example", "examples", "x-original-security-type"})


def _any_string(definition: dict[str, Any]) -> bool:
    schema = definition.get("schema", {})
    return schema.get("type") == "string" and not set(schema) - FREE_STRING


def cannot_negate(operation: APIOperation[Any, Any, Any, Any]) -> bool:
    """No body, query or cookies, and every path and header parameter is any string: nothing to negate (found
    up front, because hypothesis needs seconds of futile draws to say Unsatisfiable)."""
    if len(operation.body) or len(operation.query) or len(operation.cookies):
        return False
    return all(_any_string(p.definition) for p in [*operation.path_parameters, *operation.headers])
