"""Wire-exact records of what the suite sent and what it got back.

An `Exchange` keeps the request bytes as they went out (method, target, every header httpx wrote,
the body or, for streamed bodies, its size and hash) and the answer, so a failure can be shown and
replayed exactly. Credentials are redacted when an exchange is rendered or serialised, never later.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.wire.redaction import (
    SENSITIVE_HEADERS,
    redact_bytes,
    redact_headers,
    redact_text,
    secret_forms,
)

BODY_INLINE_LIMIT = 16 * 1024  # larger bodies are shown by size and hash only

_ids = itertools.count(1)


@dataclass
class Exchange:
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None  # None when streamed; see request_body_size/sha256
    request_body_size: int
    request_body_sha256: str
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    elapsed_s: float = 0.0
    error: str | None = None  # transport problem (reset, timeout) when there is no full answer
    note: str = ""
    id: int = field(default_factory=lambda: next(_ids))

    @classmethod
    def for_request(
        cls,
        method: str,
        url: str,
        headers: Iterable[tuple[str, str]],
        body: bytes | None,
        *,
        streamed_size: int | None = None,
        streamed_sha256: str = "",
    ) -> Exchange:
        if body is not None:
            size, digest = len(body), hashlib.sha256(body).hexdigest()
        else:
            size, digest = streamed_size or 0, streamed_sha256
        return cls(method, url, list(headers), body, size, digest)

    def json(self) -> Any:
        import json

        return json.loads(self.response_body)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == lname), None)

    def summary(self) -> str:
        answer = f"{self.status}" if self.status is not None else f"no answer ({self.error})"
        return f"{self.method} {self.url} -> {answer}"

    def to_dict(self, secrets: Iterable[str] = ()) -> dict[str, Any]:
        """JSON-able, redacted (every form of every secret), with large bodies elided to size + hash."""
        secrets = secret_forms(secrets)
        return {
            "id": self.id,
            "request": {
                "method": self.method,
                "url": redact_text(self.url, secrets),
                "headers": redact_headers(self.request_headers, secrets),
                "body": _body_view(self.request_body, self.request_body_size, self.request_body_sha256, secrets),
            },
            "response": None
            if self.status is None
            else {
                "status": self.status,
                "headers": redact_headers(self.response_headers, secrets),
                "body": _body_view(
                    self.response_body, len(self.response_body), hashlib.sha256(self.response_body).hexdigest(), secrets
                ),
            },
            "elapsed_s": round(self.elapsed_s, 4),
            "error": self.error,
            "note": self.note,
        }

    def curl(self, secrets: Iterable[str] = ()) -> str:
        """A curl command that sends the same bytes (credentials as shell variables).

        Bodies that are not plain UTF-8 text go through a file written by `printf` of base64,
        so raw Latin-1 filenames survive copy and paste. Secrets are removed from the body bytes
        too, so the reproduction differs from the wire exactly where a secret sat.
        """
        secrets = secret_forms(secrets)
        parts = ["curl", "-sS", "-i", "-X", self.method]
        for name, value in self.request_headers:
            low = name.lower()
            if low in {"content-length", "host", "accept-encoding", "connection", "user-agent"}:
                continue
            if low in SENSITIVE_HEADERS:
                var = "$INGEST_" + low.replace("-", "_").upper()
                parts += ["-H", f'"{name}: {var}"']
                continue
            parts += ["-H", shlex.quote(f"{name}: {redact_text(value, secrets)}")]
        prefix = comment = ""
        if self.request_body is not None and self.request_body:
            if len(self.request_body) <= BODY_INLINE_LIMIT:
                encoded = base64.b64encode(redact_bytes(self.request_body, secrets)).decode("ascii")
                prefix = f"printf %s {shlex.quote(encoded)} | base64 -d > body.bin && "
                parts += ["--data-binary", "@body.bin"]
            else:
                parts += ["--data-binary", "@body.bin"]
                comment = f"  # body.bin: {self.request_body_size} bytes, sha256 {self.request_body_sha256}"
        elif self.request_body is None and self.request_body_size:
            parts += ["-H", "'Transfer-Encoding: chunked'", "--data-binary", "@body.bin"]
            comment = f"  # body.bin: the streamed body of {self.request_body_size} bytes"
        parts.append(shlex.quote(redact_text(self.url, secrets)))
        return redact_text(prefix + " ".join(parts) + comment, secrets)


def _body_view(body: bytes | None, size: int, sha256: str, secrets: list[str]) -> dict[str, Any]:
    view: dict[str, Any] = {"size": size, "sha256": sha256}
    if body is None:
        view["streamed"] = True
        return view
    if size > BODY_INLINE_LIMIT:
        view["elided"] = True
        return view
    try:
        view["text"] = redact_text(body.decode("utf-8"), secrets)
    except UnicodeDecodeError:
        view["base64"] = base64.b64encode(redact_bytes(body, secrets)).decode("ascii")
    return view
