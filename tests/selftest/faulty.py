"""Serving the mock (or a deliberately broken wrapper of it) on loopback, for suite selftests.

The faults are ASGI wrappers around the untouched mock app, each breaking one documented rule, so
a selftest can show the suite names the requirement that broke. (The systematic fault catalogue
belongs to the mock itself; these are a few hand-made witnesses.)
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from ingest_conformance.mock.app import create_app
from ingest_conformance.mock.settings import MockSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
JsonRewrite = Callable[[Scope, int, Any], tuple[int, Any]]

CREDENTIALS = ["--api-key", "mock-api-key-a", "--access-token", "mock-access-token-a",
               "--second-api-key", "mock-api-key-b", "--second-access-token", "mock-access-token-b"]


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Run `app` with uvicorn on a free 127.0.0.1 port in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def mock_app(**settings: Any) -> ASGIApp:
    options = {"quiet": True, "processing_delay": 0.05, **settings}
    return create_app(MockSettings(**options))  # type: ignore[return-value]


def rewrite_json(app: ASGIApp, rewrite: JsonRewrite) -> ASGIApp:
    """Buffer each JSON answer and let `rewrite(scope, status, body)` change its status and body."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            raw = b"".join(chunks)
            status = int(start["status"])
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            try:
                status, body = rewrite(scope, status, json.loads(raw))
                raw = json.dumps(body).encode()
            except ValueError:
                pass
            headers.append((b"content-length", str(len(raw)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": raw})

        await app(scope, receive, capture)

    return wrapped


def inject_header(app: ASGIApp, name: bytes, value: bytes) -> ASGIApp:
    """Add a request header when it is missing (e.g. a valid key: an authentication bypass)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(k.lower() in (b"x-api-key", b"x-access-token")
                                               for k, _ in scope["headers"]):
            scope = {**scope, "headers": [*scope["headers"], (name, value)]}
        await app(scope, receive, send)

    return wrapped


def run_suite(base_url: str, *args: str, report_dir: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`ingest-conformance run` against `base_url` with the mock's default credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
    command = [sys.executable, "-m", "ingest_conformance", "run", "--target-url", base_url, *CREDENTIALS,
               "--report-dir", str(report_dir), "--seed", "11", *args]
    return subprocess.run(command, env=env, text=True, capture_output=True, timeout=timeout)
