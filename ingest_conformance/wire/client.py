"""The one way the suite talks to a target: httpx, recorded, polite.

Every request goes through `TargetClient.send`, which records a wire-exact `Exchange`, caps the
request rate, and treats 429 as "wait and try again" (bounded by `Retry-After` and a retry cap),
never as a verdict: a 429 still there after the retries raises `RateLimited` (a skip). Bodies are
sent as the exact bytes we built: no client-side re-encoding.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import unittest
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from ingest_conformance.config.target import Secret
from ingest_conformance.wire.exchange import Exchange

Auth = Literal[
    "api_key", "access_token", "second_api_key", "second_access_token", "wrong", "wrong_access_token", "mixed", "none"
]
MAX_RETRY_AFTER_S = 30.0
MAX_429_RETRIES = 5
WRONG_CREDENTIAL = "ic-deliberately-wrong-credential-0000"
# Session-wide observers of every exchange any TargetClient completes, whichever list it records into
# (`run --record` needs them all, set-up fixtures' probes included). Empty unless recording.
EXCHANGE_TAPS: list[Callable[[Exchange], None]] = []


class TargetUnreachable(RuntimeError):
    """The target does not answer at all: a harness/setup problem, exit code 3."""


class RateLimited(unittest.SkipTest):
    """The target still answered 429 when the bounded retries ran out (DECISIONS "Rate limits"): the check
    that needed the answer is skipped, never failed. A `unittest.SkipTest`, so pytest reports a skip and
    hypothesis re-raises it at once instead of shrinking; the reason starts "rate-limited" (the report
    counts skips by that prefix). `exchange` is the last 429."""

    def __init__(self, exchange: Exchange) -> None:
        retry_after = exchange.header("retry-after")
        super().__init__(
            f"rate-limited: {exchange.method} {exchange.url} still answered 429 after {MAX_429_RETRIES} "
            f"waited retries (last Retry-After: {retry_after or 'none'}); not judged"
        )
        self.exchange = exchange


@dataclass(frozen=True)
class Credentials:
    api_key: Secret | None = None
    access_token: Secret | None = None
    second_api_key: Secret | None = None
    second_access_token: Secret | None = None

    def headers(self, auth: Auth) -> dict[str, str]:
        if auth == "none":
            return {}
        if auth == "wrong":
            return {"x-api-key": WRONG_CREDENTIAL}
        if auth == "wrong_access_token":
            return {"x-access-token": WRONG_CREDENTIAL}
        if auth == "mixed":  # a valid key beside a wrong token (AUTH-MIX-001)
            return {**self.headers("api_key"), "x-access-token": WRONG_CREDENTIAL}
        secret: Secret | None = getattr(self, auth)
        if secret is None:
            raise LookupError(f"no {auth.replace('_', ' ')} configured")
        header = "x-api-key" if auth.endswith("api_key") else "x-access-token"
        return {header: secret.reveal()}


class RateLimiter:
    """At most `rate` requests per second across threads; None = no cap."""

    def __init__(self, rate: float | None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            time.sleep(delay)


BodyFactory = Callable[[], Iterable[bytes]]


class TargetClient:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        rate_limit: float | None = None,
        timeout_s: float = 60.0,
        recorder: list[Exchange] | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.exchanges: list[Exchange] = recorder if recorder is not None else []
        self._limiter = RateLimiter(rate_limit)
        self._owns_http = http is None
        self._http = http or new_http_client(self.base_url, timeout_s)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> TargetClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- convenience -----------------------------------------------------------------------------
    def get(
        self, path: str, *, auth: Auth = "api_key", params: dict[str, Any] | None = None, note: str = ""
    ) -> Exchange:
        return self.send("GET", path, auth=auth, params=params, note=note)

    def post_json(self, path: str, body: Any, *, auth: Auth = "api_key", note: str = "") -> Exchange:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        return self.send("POST", path, auth=auth, content=raw, headers={"content-type": "application/json"}, note=note)

    def post_multipart(
        self, path: str, body: bytes, content_type: str, *, auth: Auth = "api_key", note: str = ""
    ) -> Exchange:
        return self.send("POST", path, auth=auth, content=body, headers={"content-type": content_type}, note=note)

    # -- the one sending path ----------------------------------------------------------------------
    def send(
        self,
        method: str,
        path: str,
        *,
        auth: Auth = "api_key",
        headers: dict[str, str] | None = None,
        content: bytes | BodyFactory | None = None,
        params: dict[str, Any] | None = None,
        note: str = "",
    ) -> Exchange:
        all_headers = {**(headers or {}), **self.credentials.headers(auth)}
        for attempt in range(MAX_429_RETRIES + 1):
            exchange = self._send_once(method, path, all_headers, content, params, note, attempt)
            if exchange.status != 429:
                return exchange
            if attempt == MAX_429_RETRIES:
                raise RateLimited(exchange)
            exchange.note = (exchange.note + " (429: waited and retried)").strip()
            time.sleep(retry_after_seconds(exchange.header("retry-after")))
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_once(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        content: bytes | BodyFactory | None,
        params: dict[str, Any] | None,
        note: str,
        attempt: int = 0,
    ) -> Exchange:
        self._limiter.wait()
        streamed: _CountingStream | None = None
        body: bytes | Iterator[bytes] | None
        if callable(content):
            streamed = _CountingStream(content())
            body = iter(streamed)
        else:
            body = content
        request = self._http.build_request(method, path, headers=headers, content=body, params=params)
        started = time.monotonic()
        exchange = Exchange.for_request(
            method,
            str(request.url),
            list(request.headers.multi_items()),
            content if isinstance(content, bytes) else (None if streamed else b""),
        )
        exchange.note = note
        exchange.sent_at, exchange.attempt = time.time(), attempt
        try:
            response = self._http.send(request)
            exchange.status = response.status_code
            exchange.response_headers = list(response.headers.multi_items())
            exchange.response_body = response.content
        except httpx.ConnectError as exc:
            raise TargetUnreachable(f"cannot connect to {self.base_url}: {exc}") from exc
        except httpx.TransportError as exc:
            exchange.error = f"{type(exc).__name__}: {exc}".strip()
        finally:
            exchange.elapsed_s = time.monotonic() - started
            if streamed is not None:
                exchange.request_body_size = streamed.size
                exchange.request_body_sha256 = streamed.sha256()
            self.exchanges.append(exchange)
            for tap in EXCHANGE_TAPS:
                tap(exchange)
        return exchange


def new_http_client(base_url: str, timeout_s: float = 60.0) -> httpx.Client:
    """Connections are pooled and reused across a run; redirects are never followed (a 3xx is an answer)."""
    return httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s, follow_redirects=False)


def retry_after_seconds(value: str | None) -> float:
    """Seconds to wait for a Retry-After value (delta-seconds; HTTP dates fall back to 1 s), bounded."""
    try:
        seconds = float(value) if value is not None else 1.0
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


class _CountingStream:
    """Passes chunks through while counting and hashing them (constant memory)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self._hash = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.size += len(chunk)
            self._hash.update(chunk)
            yield chunk

    def sha256(self) -> str:
        return self._hash.hexdigest()
