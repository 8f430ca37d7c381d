"""The suite's webhook receiver: a small HTTP server that keeps every delivery wire-exact.

It runs for the whole session (loopback by default), answers 200 at once, and records each delivery as a
`Delivery`: raw body, every header in order, arrival time, and what it answered, plus an `Exchange` for the
report and the cassette (the request is the target's, the response ours; the signature header redacted).

Two paths, one per environment, so isolation can be judged: the primary environment's webhook is
registered at `PRIMARY_PATH`, the second environment's (when there is one) at `SECOND_PATH`. Deliveries to
any other path are kept too (a mis-registered URL shows up in the skip reasons) but judged by no check.

Retry tests tell it what to answer chosen deliveries with `answer_with(match, Answer(...))`: a 503 (with or
without `Retry-After`), or a stall that holds the connection past the sender's timeout and then closes it
without an answer. Every wait is bounded; `close()` cuts stalls short.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ingest_conformance.wire.client import EXCHANGE_TAPS
from ingest_conformance.wire.exchange import Exchange
from ingest_conformance.wire.redaction import REDACTED

PRIMARY_PATH = "/webhooks/primary"
SECOND_PATH = "/webhooks/second"
DELIVERY_NOTE = "webhook delivery"  # cassette replay recognises inbound deliveries by this note prefix
DEFAULT_SIGNATURE_HEADER = "x-invofox-signature"
MAX_BODY_BYTES = 8 * 1024 * 1024  # events are small; a larger body gets 413 (bounds memory)
MAX_STALL_S = 180.0
_ACK = b'{"received":true}'

__all__ = [
    "DEFAULT_SIGNATURE_HEADER",
    "DELIVERY_NOTE",
    "PRIMARY_PATH",
    "SECOND_PATH",
    "Answer",
    "Delivery",
    "Receiver",
    "Rule",
]


@dataclass(frozen=True)
class Answer:
    """What to answer a chosen delivery: a status (with an optional Retry-After), or a stall."""

    status: int = 503
    retry_after: str | None = None
    stall_s: float = 0.0  # > 0: hold the connection this long, then close it without answering

    def describe(self) -> str:
        if self.stall_s > 0:
            return f"no answer for {self.stall_s:g} s (stalled, then closed)"
        return f"{self.status}" + (f" with Retry-After: {self.retry_after}" if self.retry_after is not None else "")


@dataclass
class Delivery:
    """One request that reached the receiver, as it came over the wire."""

    seq: int
    path: str
    method: str
    headers: list[tuple[str, str]]
    body: bytes
    received_at: float  # wall clock (time.time()), for the report
    arrived: float  # time.monotonic(), for measuring delays
    exchange: Exchange
    answered: int | None = None  # the status we answered; None while pending or when stalled
    answer: Answer | None = None  # the planned answer when a rule chose it; None = the plain 200
    _parsed: tuple[Any, str | None] | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)

    def header_values(self, name: str) -> list[str]:
        low = name.lower()
        return [v for k, v in self.headers if k.lower() == low]

    @property
    def parsed(self) -> tuple[Any, str | None]:
        """(the JSON body, None) or (None, why it is not JSON)."""
        if self._parsed is None:
            try:
                self._parsed = (json.loads(self.body), None)
            except (ValueError, UnicodeDecodeError) as exc:
                self._parsed = (None, f"not JSON: {type(exc).__name__}: {exc}")
        return self._parsed

    @property
    def event(self) -> dict[str, Any] | None:
        value, _ = self.parsed
        return value if isinstance(value, dict) else None

    def at(self, path: str) -> bool:
        """Whether this delivery came to `path` (a public URL's own path prefix is allowed before it)."""
        return self.path.split("?", 1)[0].rstrip("/").endswith(path)


@dataclass
class Rule:
    """Answer `answer` to the next `times` deliveries that `match` (None = all of them)."""

    match: Callable[[Delivery], bool]
    answer: Answer
    times: int | None = 1
    hits: list[int] = field(default_factory=list)  # seq of the deliveries it answered

    @property
    def spent(self) -> bool:
        return self.times is not None and len(self.hits) >= self.times


class Receiver:
    """The receiver's state and server. Use as a context manager, or `start()` and `close()`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        public_url: str | None = None,
        signature_header: str = DEFAULT_SIGNATURE_HEADER,
    ) -> None:
        self._host, self._port = host, port
        self._public_url = public_url.rstrip("/") if public_url else None
        self._signature_header = signature_header.lower()
        self._deliveries: list[Delivery] = []
        self._rules: list[Rule] = []
        self._changed = threading.Condition()
        self._closing = threading.Event()
        self._seq = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life ---------------------------------------------------------------------------------------
    def start(self) -> Receiver:
        try:
            server_class = _Server6 if ":" in self._host else _Server
            server = server_class((self._host, self._port), _Handler)
        except OSError as exc:
            raise OSError(f"the webhook receiver cannot listen on {self._host}:{self._port}: {exc.strerror}") from None
        server.receiver = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="ic-webhook-receiver", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()  # wakes stalled handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- where it listens -----------------------------------------------------------------------------
    @property
    def local_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the webhook receiver is not running")
        host, port = self._server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def base_url(self) -> str:
        """Where a target reaches the receiver: the public URL when one is configured."""
        return self._public_url or self.local_url

    def url(self, path: str = PRIMARY_PATH) -> str:
        return self.base_url + path

    # -- what came, and what to answer -----------------------------------------------------------------
    def deliveries(self, path: str | None = None) -> list[Delivery]:
        with self._changed:
            return [d for d in self._deliveries if path is None or d.at(path)]

    def answer_with(self, match: Callable[[Delivery], bool], answer: Answer, *, times: int | None = 1) -> Rule:
        """From now on, answer `answer` to the next `times` deliveries that `match`."""
        rule = Rule(match, answer, times)
        with self._changed:
            self._rules.append(rule)
        return rule

    def drop(self, rule: Rule) -> None:
        with self._changed:
            if rule in self._rules:
                self._rules.remove(rule)

    def wait_until(self, done: Callable[[list[Delivery]], bool], timeout_s: float) -> bool:
        """Block until `done(all deliveries)` holds (True) or `timeout_s` passes (False)."""
        deadline = time.monotonic() + max(0.0, timeout_s)
        with self._changed:
            while not done(list(self._deliveries)):
                left = deadline - time.monotonic()
                if left <= 0 or self._closing.is_set():
                    return False
                self._changed.wait(min(left, 0.5))
            return True

    # -- called by the handler ----------------------------------------------------------------------------
    def _arrive(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Delivery:
        seq = next(self._seq)
        shown = [(k, REDACTED if k.lower() == self._signature_header else v) for k, v in headers]
        exchange = Exchange.for_request(method, self.base_url + path, shown, body)
        exchange.note = f"{DELIVERY_NOTE} #{seq} to {path.split('?', 1)[0]}"
        delivery = Delivery(seq, path, method, headers, body, time.time(), time.monotonic(), exchange)
        with self._changed:
            rule = next((r for r in self._rules if not r.spent and _matches(r, delivery)), None)
            if rule is not None:
                rule.hits.append(seq)
                delivery.answer = rule.answer
            self._deliveries.append(delivery)
            self._changed.notify_all()
        return delivery

    def _answered(
        self, delivery: Delivery, status: int | None, headers: Iterable[tuple[str, str]], body: bytes
    ) -> None:
        ex = delivery.exchange
        ex.elapsed_s = time.monotonic() - delivery.arrived
        if status is None:
            ex.error = f"the receiver stalled {ex.elapsed_s:.1f} s on purpose and closed without answering"
        else:
            ex.status, ex.response_headers, ex.response_body = status, list(headers), body
        with self._changed:
            delivery.answered = status
            self._changed.notify_all()
        for tap in EXCHANGE_TAPS:  # `run --record`: deliveries join the cassette like any exchange
            tap(ex)

    def _stall(self, seconds: float) -> None:
        self._closing.wait(min(seconds, MAX_STALL_S))


def _matches(rule: Rule, delivery: Delivery) -> bool:
    try:
        return bool(rule.match(delivery))
    except (KeyError, TypeError, AttributeError, ValueError):
        return False  # a match reads the body; a body of another shape simply does not match


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    receiver: Receiver


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive for senders that pool connections

    def _receive(self) -> None:
        body = self._read_body()
        if body is None:
            return
        receiver = self.server.receiver
        delivery = receiver._arrive(self.command, self.path, list(self.headers.items()), body)
        planned = delivery.answer
        if planned is not None and planned.stall_s > 0:
            receiver._stall(planned.stall_s)
            self.close_connection = True
            receiver._answered(delivery, None, (), b"")
            return
        status = planned.status if planned is not None else 200
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(_ACK)))]
        if planned is not None and planned.retry_after is not None:
            headers.append(("Retry-After", planned.retry_after))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(_ACK)
        receiver._answered(delivery, status, headers, _ACK)

    do_POST = do_PUT = do_PATCH = do_GET = do_DELETE = _receive

    def _read_body(self) -> bytes | None:
        """The request body (Content-Length or chunked), bounded; None after answering a bad request."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
                try:
                    size = int(size_line, 16)
                except ValueError:
                    self._refuse(400)
                    return None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    self._refuse(413)
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._refuse(400)
            return None
        if length < 0:
            self._refuse(400)
            return None
        if length > MAX_BODY_BYTES:
            self._refuse(413)
            return None
        return self.rfile.read(length) if length else b""

    def _refuse(self, status: int) -> None:
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet: deliveries are recorded, not logged
        return
