"""A tiny webhook receiver on loopback for the mock's webhook selftests: records every delivery
wire-exact (method, path, headers, raw body, arrival time) and answers as a policy says."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY = 10 * 1024 * 1024
MAX_STALL_S = 10.0


@dataclass(frozen=True)
class Arrival:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.monotonic() on arrival
    nth: int  # 1 for the first delivery of this event id, 2 for its first redelivery...

    @property
    def event(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.body)
        return value


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall_s: float = 0.0  # wait this long before answering (bounded by MAX_STALL_S)


Policy = Callable[[Arrival], Answer]


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops a burst's connections (the client retries SYN after 1 s)
    daemon_threads = True


class HookReceiver:
    def __init__(self, policy: Policy | None = None) -> None:
        self.policy: Policy = policy or (lambda arrival: Answer())
        self.arrivals: list[Arrival] = []
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(min(length, MAX_BODY))
                arrival = receiver._record(self.command, self.path, self.headers.items(), body)
                answer = receiver.policy(arrival)
                if answer.stall_s:
                    time.sleep(min(answer.stall_s, MAX_STALL_S))
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up waiting (its timeout): nothing to answer to
                    pass

            do_POST = do_PUT = do_GET = do_PATCH = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="hook-receiver", daemon=True)

    def _record(self, method: str, path: str, headers: Any, body: bytes) -> Arrival:
        try:
            event_id = str(json.loads(body).get("id"))
        except (ValueError, AttributeError):
            event_id = ""
        with self._lock:
            self._seen[event_id] = self._seen.get(event_id, 0) + 1
            arrival = Arrival(
                method, path, {k.lower(): v for k, v in headers}, body, time.monotonic(), self._seen[event_id]
            )
            self.arrivals.append(arrival)
        return arrival

    def snapshot(self, path: str | None = None) -> list[Arrival]:
        with self._lock:
            return [a for a in self.arrivals if path is None or a.path == path]

    def wait_for(self, done: Callable[[list[Arrival]], bool], timeout: float = 15.0) -> list[Arrival]:
        """Poll (bounded) until `done(arrivals)`; returns the arrivals; fails the test on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.snapshot()
            if done(seen):
                return seen
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver: condition not met after {timeout}s; got {describe(seen)}")
            time.sleep(0.02)

    def settle(self, quiet_s: float = 0.6, timeout: float = 15.0) -> list[Arrival]:
        """Wait until nothing new arrived for `quiet_s` (bounded), then return everything."""
        deadline = time.monotonic() + timeout
        count = -1
        while time.monotonic() < deadline:
            now = len(self.snapshot())
            if now == count:
                break
            count = now
            time.sleep(quiet_s)
        return self.snapshot()


def describe(arrivals: list[Arrival]) -> list[str]:
    out = []
    for a in arrivals:
        try:
            event = a.event
            out.append(f"{a.method} {a.path} {event.get('type')} #{a.nth} {str(event.get('id'))[:12]}")
        except ValueError:
            out.append(f"{a.method} {a.path} (not JSON)")
    return out


@contextmanager
def hook_receiver(policy: Policy | None = None) -> Iterator[HookReceiver]:
    receiver = HookReceiver(policy)
    receiver._thread.start()
    try:
        yield receiver
    finally:
        receiver._server.shutdown()
        receiver._server.server_close()
