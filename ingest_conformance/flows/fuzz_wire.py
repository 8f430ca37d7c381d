"""A schemathesis case as fixed bytes: the request schemathesis would send, serialised so that the same case
gives the same bytes (schemathesis' own multipart encoding picks a random boundary, which would break
`--seed`), sent through the recording client with the configured credential.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case

from ingest_conformance.strategies import MultipartBody, Part, SampleFilename
from ingest_conformance.wire.client import RateLimited, TargetClient
from ingest_conformance.wire.exchange import Exchange

# Headers requests would add (httpx writes its own), schemathesis' random case id, and generated
# credentials: every fuzz request carries the configured credential instead.
DROPPED_HEADERS = frozenset(
    {
        "user-agent",
        "accept",
        "accept-encoding",
        "connection",
        "content-length",
        "x-schemathesis-testcaseid",
        "x-api-key",
        "x-access-token",
    }
)


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
    path = url[len(base_url) :] if url.startswith(base_url) else url
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
    """Send one case; a 429 that outlasts the retries comes back as that answer (the judge records it, not
    judged), so one rate-limited case does not skip the whole fuzz test."""
    wire = wire_request(case, base_url)
    try:
        return client.send(wire.method, wire.path, headers=wire.headers, content=wire.body, note=note)
    except RateLimited as limited:
        return limited.exchange


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
    return Response(
        status_code=ex.status or 0,
        headers=headers,
        content=ex.response_body,
        request=prepared,
        elapsed=ex.elapsed_s,
        verify=True,
    )
