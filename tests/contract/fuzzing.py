"""schemathesis cases sent the suite's way: exact bytes through the recording client, judged by the verdict.

schemathesis generates the cases (positive and negative, from spec/ingest.openapi.yaml with our real files
registered) and walks the spec's links; it never sends nor judges. Each case is serialised here into fixed
bytes (schemathesis' own multipart encoding picks a random boundary, which would break `--seed`), sent by
`TargetClient` with the configured credential (recorded, rate-capped, 429 waited out), and judged by the
checks every answer gets plus the documented-status rule. schemathesis' `positive_data_acceptance` and
`negative_data_rejection` are not applied: the spec is deliberately permissive (the "files or urls" rule and
id shapes live outside the schema), so they would fail conformant targets.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.core.transport import Response
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.schemas import BaseSchema

from ingest_conformance.checks import RequirementFailure, body_preview
from ingest_conformance.client import TargetClient
from ingest_conformance.exchange import Exchange
from ingest_conformance.generation import example_count
from ingest_conformance.strategies import RUN_TAG_KEY, MultipartBody, Operation, Part, SampleFilename, named_files
from ingest_conformance.suite import Suite
from ingest_conformance.verdict import Verdict

T = TypeVar("T")
SPEC_SINGLE_URL_PATH = "/v1/ingest/single-url"
# Error statuses the contract allows on any operation, documented there or not (DECISIONS.md).
CONTRACT_ERRORS = frozenset({400, 401, 403, 404, 405, 413, 415, 429})
UPLOADS = frozenset({"uploadFiles", "uploadByUrl", "uploadSingle", "uploadSingleUrl"})
# Headers requests would add (httpx writes its own), schemathesis' random case id, and generated
# credentials: every fuzz request carries the configured credential instead.
DROPPED_HEADERS = frozenset({"user-agent", "accept", "accept-encoding", "connection", "content-length",
                             "x-schemathesis-testcaseid", "x-api-key", "x-access-token"})


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
        (k == "company" and isinstance(v, str)) or (k not in OPAQUE_KEYS and _names_company(v))
        for k, v in node.items())


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
        empty_upload = (case.operation.definition.raw.get("operationId") == "uploadFiles"
                        and not generated.get("files") and not generated.get("urls"))

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

        return st.tuples(company_ids if _names_company(generated) else st.none(),
                         upload_files if positive and empty_upload else st.none()).map(finish)

    schema.hook("flatmap_case")(flatmap_case)


# -- serialising a case into exact bytes ---------------------------------------------------------------
@dataclass(frozen=True)
class WireRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes | None


def wire_request(case: Case[Any], base_url: str) -> WireRequest:
    """The request schemathesis would send for `case`, as fixed bytes (the same case gives the same bytes)."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    generated = (kwargs.get("headers") or {}).items()
    headers = {str(k): str(v) for k, v in generated if str(k).lower() not in DROPPED_HEADERS}
    body: bytes | None = None
    if kwargs.get("files"):
        multipart = _multipart(kwargs["files"], kwargs.get("data"))
        body = multipart.to_bytes()
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        headers["Content-Type"] = multipart.content_type
    elif kwargs.get("json") is not None:
        body = json.dumps(kwargs["json"]).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body = data if isinstance(data, bytes) else str(data).encode("utf-8", "surrogatepass")
        headers, body = _fixed_boundary(headers, body)
    url = str(kwargs["url"])
    path = url[len(base_url):] if url.startswith(base_url) else url
    query = _query_string(kwargs.get("params"))
    return WireRequest(str(kwargs["method"]).upper(), path + ("?" + query if query else ""), headers, body)


def _text(value: Any) -> bytes:
    raw = getattr(value, "data", value)  # schemathesis' Binary
    return raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogatepass")


def _multipart(files: Iterable[tuple[str, Any]], data: Any) -> MultipartBody:
    """requests' layout (plain fields first, then file parts) with a boundary derived from the content."""
    parts: list[Part] = []
    for name, value in (data or {}).items():
        for element in value if isinstance(value, list) else [value]:
            parts.append(Part(str(name), _text(element)))
    for name, spec in files:
        filename, content, *rest = spec if isinstance(spec, tuple) else (None, spec)
        wire_name = SampleFilename.plain(str(filename)) if filename is not None else None
        parts.append(Part(str(name), _text(content), wire_name, str(rest[0]) if rest and rest[0] else None))
    digest = zlib.crc32(b"".join(p.header_bytes + p.source.read_all() for p in parts))
    boundary = f"ingest-conformance-fuzz-{digest:08x}"
    while any(b"--" + boundary.encode() in p.source.read_all() for p in parts):
        boundary += "x"  # bounded: each round makes the boundary longer than any match it had
    return MultipartBody(parts, boundary=boundary)


def _fixed_boundary(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    """schemathesis frames empty and non-object multipart bodies with a random boundary: swap in one derived
    from the content, so the same case gives the same bytes."""
    name, content_type = next(((k, v) for k, v in headers.items() if k.lower() == "content-type"), ("", ""))
    found = re.search(r"boundary=([0-9A-Za-z'()+_,\-./:=?]+)", content_type)
    if not content_type.startswith("multipart/") or found is None or found[1].startswith("ingest-conformance-"):
        return headers, body
    old = found[1]
    new = f"ingest-conformance-fuzz-{zlib.crc32(body.replace(old.encode(), b'')):08x}"
    return {**headers, name: content_type.replace(old, new)}, body.replace(old.encode(), new.encode())


def _query_string(params: Any) -> str:
    """How requests encodes `params`: a pre-encoded string as is; None values left out; lists repeated."""
    if not params:
        return ""
    if isinstance(params, str):
        return params
    pairs: list[tuple[str, str]] = []
    for key, value in dict(params).items():
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                pairs.append((str(key), item if isinstance(item, str) else str(item)))
    return urlencode(pairs)


def send_case(client: TargetClient, case: Case[Any], base_url: str, note: str) -> Exchange:
    wire = wire_request(case, base_url)
    return client.send(wire.method, wire.path, headers=wire.headers, content=wire.body, note=note)


def describe(case: Case[Any], operation_id: str) -> str:
    meta = case.meta
    if meta is None:
        return f"fuzz {operation_id}"
    detail = (meta.phase.data.description or "").replace("\n", " ")
    return f"fuzz {operation_id} ({meta.generation.mode.value}{': ' + detail if detail else ''})"


def as_response(ex: Exchange) -> Response:
    """The answer in schemathesis' shape, so its state machine can follow links from it."""
    prepared = requests.Request(ex.method, ex.url, headers=dict(ex.request_headers), data=ex.request_body).prepare()
    headers: dict[str, list[str]] = {}
    for name, value in ex.response_headers:
        headers.setdefault(name.lower(), []).append(value)
    return Response(status_code=ex.status or 0, headers=headers, content=ex.response_body, request=prepared,
                    elapsed=ex.elapsed_s, verify=True)


# -- judging ---------------------------------------------------------------------------------------------
@dataclass
class Judge:
    """Judges every fuzz answer; keeps the first failures and lets the run finish (no replay by hypothesis)."""

    verdict: Verdict
    suite: Suite
    failures: list[RequirementFailure] = field(default_factory=list)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)

    def __call__(self, ex: Exchange, operation_id: str, description: str) -> None:
        tally = self.statuses.setdefault(operation_id, {})
        tally[ex.status or 0] = tally.get(ex.status or 0, 0) + 1
        try:
            self._judge(ex, operation_id, description)
        except RequirementFailure as failure:
            self.failures.append(failure)

    def _judge(self, ex: Exchange, operation_id: str, description: str) -> None:
        if ex.status is None:
            self.verdict.require("ERR-5XX-001", False, received=body_preview(ex), exchange=ex,
                                 documented="an HTTP answer to every request (a 4xx for a client mistake)",
                                 message=f"no answer for: {description}")
            return
        if ex.status == 429:  # still limited after the client's bounded waits: never a failure
            self.verdict.observe("RATE-429-001", f"429 persisted after bounded retries: {description}", ex)
            return
        self.verdict.answered(ex, operation_id, description)
        allowed = self.suite.spec.documented_statuses(operation_id) | CONTRACT_ERRORS
        self.verdict.status_in("RESP-SCHEMA-001", ex, allowed,
                               f"a status the spec documents for {operation_id}, or one the contract allows on "
                               f"any operation: {sorted(allowed)}",
                               message=f"undocumented status for: {description}")

    def readable(self, ex: Exchange, description: str) -> None:
        """RAW-READ-001: a file id an upload answer named, followed through the spec's link, reads 200."""
        grace = self.suite.config.profile.read_after_write_s
        when = f"within {grace:g} s (profile read_after_write_s)" if grace else "at once"
        try:
            self.verdict.status_in("RAW-READ-001", ex, {200}, f"the uploaded file is readable at GET file {when}",
                                   message=f"uploaded file not readable: {description}")
        except RequirementFailure as failure:
            self.failures.append(failure)

    def finish(self) -> None:
        """Record the 429s the client waited out (RATE-429-001, RATE-429-002), then raise the first MUST
        failure seen (each was recorded when it happened)."""
        limited = [ex for ex in self.verdict.exchanges if ex.status == 429]
        if limited:
            self.verdict.observe("RATE-429-001", f"{len(limited)} answers were 429; each was waited out and "
                                 "retried", limited[-1])
            bare = [ex for ex in limited if ex.header("retry-after") is None]
            self.verdict.require("RATE-429-002", not bare, received=f"{len(bare)} of {len(limited)} 429 answers "
                                 "without Retry-After", documented="a 429 carries Retry-After (seconds)",
                                 exchange=bare[0] if bare else limited[-1], message="429 without Retry-After")
        if self.failures:
            raise self.failures[0]

    def summary(self) -> str:
        return "; ".join(f"{op}: " + ", ".join(f"{s or 'no answer'}x{n}" for s, n in sorted(tally.items()))
                         for op, tally in self.statuses.items())


# -- running ----------------------------------------------------------------------------------------------
FUZZ_SETTINGS: dict[str, Any] = {"deadline": None, "database": None, "derandomize": False, "print_blob": False,
                                 "phases": [Phase.generate], "suppress_health_check": list(HealthCheck)}


def run_examples(suite: Suite, strategy: st.SearchStrategy[T], body: Callable[[T], None], *, quick: int,
                 standard: int, full: int, salt: int) -> None:
    """Like `generation.for_examples`, with every health check off: schemathesis' negative strategies filter
    heavily by design, and a filtered draw costs no request."""

    @seed(suite.seed ^ salt)
    @settings(max_examples=example_count(suite, quick=quick, standard=standard, full=full), **FUZZ_SETTINGS)
    @given(strategy)
    def run(example: T) -> None:
        body(example)

    run()


def uploaded_ids(ex: Exchange, operation_id: str) -> set[str]:
    """The file ids a 2xx upload answer names (read-your-writes applies to each)."""
    if operation_id not in UPLOADS or ex.status is None or not 200 <= ex.status < 300:
        return set()
    try:
        body = ex.json()
    except ValueError:
        return set()
    if not isinstance(body, dict):
        return set()
    files: list[Any] = body["files"] if isinstance(body.get("files"), list) else [body]
    return {str(f.get("id", f.get("fileId"))) for f in files if isinstance(f, dict) and
            isinstance(f.get("id", f.get("fileId")), str)}


def reread(client: TargetClient, ex: Exchange, grace_s: float) -> Exchange:
    """GET the same URL again until 200 or the profile's read-after-write grace runs out (bounded)."""
    deadline = time.monotonic() + grace_s
    while ex.status != 200 and time.monotonic() < deadline:
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        ex = client.send("GET", ex.url, note="read-your-writes, within profile read_after_write_s")
    return ex


def chain_machine(schema: BaseSchema, step: Callable[[Case[Any]], Exchange]) -> type[Any]:
    """schemathesis' state machine over the spec's links, sending with `step` and judging nothing itself."""

    def call(self: Any, case: Case[Any], **kwargs: Any) -> Response:
        return as_response(step(case))

    def validate_response(self: Any, response: Response, case: Case[Any], additional_checks: Any = None,
                          **kwargs: Any) -> None:
        return None  # `step` has judged the answer already

    base: type[Any] = schema.as_state_machine()
    return type("FuzzChain", (base,), {"call": call, "validate_response": validate_response})
