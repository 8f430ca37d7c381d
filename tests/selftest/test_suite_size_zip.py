"""The size and ZIP contract tests catch a broken target, and pass a conformant one.

Each case serves the bundled mock's own app (`create_app`, unedited) behind a small fault: an ASGI
wrapper that stops enforcing 413 for chunked bodies, answers 500, hides or mislabels ZIP children;
or a TCP front that drops an oversized request with no answer. `ingest-conformance run` is pointed at
it in a subprocess with a 1 MiB `max_request_bytes`, and must exit 1 naming the broken requirement
(and 0 when nothing is broken).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest_conformance.mock import MockSettings
from ingest_conformance.mock.app import create_app
from ingest_conformance.mock.zips import ERR_UNSAFE_ENTRY

from .helpers import KEY_A, TOKEN_A

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

LIMIT = 1024 * 1024
Wrapper = Callable[[ASGIApp], ASGIApp]


# -- faults -------------------------------------------------------------------------------------------
def _declared_length(scope: Scope) -> int | None:
    raw = dict(scope["headers"]).get(b"content-length")
    return int(raw) if raw is not None and raw.isdigit() else None


async def _answer(send: Send, status: int, message: str) -> None:
    body = json.dumps({"statusCode": status, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def refuse_declared_length(status: int) -> Wrapper:
    """Only a declared Content-Length over LIMIT is refused (with `status`); chunked bodies go through
    to a mock whose own limit is far higher."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
            length = _declared_length(scope) if scope["type"] == "http" else None
            if length is not None and length > LIMIT:
                await _answer(send, status, "too large (fault: declared length only)")
                return
            await app(scope, receive, send)

        return wrapper

    return wrap


def rewrite_json(edit: Callable[[str, Any], int | None]) -> Wrapper:
    """GET answers of 200 pass through `edit(path, body)`, which changes the body in place or returns a
    status to answer instead."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["method"] != "GET":
                await app(scope, receive, send)
                return
            start: dict[str, Any] = {}
            chunks: list[bytes] = []

            async def capture(message: Message) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                    return
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                if start["status"] == 200:
                    data = json.loads(body)
                    instead = edit(scope["path"], data)
                    if instead is not None:
                        await _answer(send, instead, "fault: server error")
                        return
                    body = json.dumps(data).encode()
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})

            await app(scope, receive, capture)

        return wrapper

    return wrap


def _file_objects(path: str, data: Any) -> list[dict[str, Any]]:
    if path.startswith("/v1/ingest/imports/") and isinstance(data, dict):
        return [f for f in data.get("files", []) if isinstance(f, dict)]
    if path.startswith("/v1/ingest/files/") and isinstance(data, dict):
        return [data]
    return []


def hide_children(path: str, data: Any) -> None:
    if path.startswith("/v1/ingest/imports/") and isinstance(data, dict):
        data["files"] = [f for f in data.get("files", []) if not f.get("parentFileId")]


def children_compressed(path: str, data: Any) -> None:
    for f in _file_objects(path, data):
        if f.get("parentFileId"):
            f["compressed"] = True


def unsafe_entries_keep_their_path(path: str, data: Any) -> None:
    """Zip slip: the unsafe entry is extracted under its `../` path and processed (a rejected child named
    by its full path would be allowed: naming alone writes nothing)."""
    for f in _file_objects(path, data):
        if f.get("error") == ERR_UNSAFE_ENTRY:
            f["filename"] = "../../" + str(f["filename"])
            f["status"], f["error"] = "processed", None


def server_error_after_unsafe_entries(path: str, data: Any) -> int | None:
    unsafe = any(f.get("error") == ERR_UNSAFE_ENTRY for f in _file_objects(path, data))
    return 500 if unsafe else None


def _ignore_none(edit: Callable[[str, Any], None]) -> Callable[[str, Any], int | None]:
    def run(path: str, data: Any) -> int | None:
        edit(path, data)
        return None

    return run


# -- serving ------------------------------------------------------------------------------------------
@contextmanager
def serve(app: ASGIApp) -> Iterator[int]:
    """`app` under uvicorn on 127.0.0.1, in a thread; yields the port."""
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="on", log_config=None, log_level="error", access_log=False, timeout_keep_alive=5)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the faulty target did not start"
        time.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@contextmanager
def dropping_front(upstream: int) -> Iterator[int]:
    """A TCP front to `upstream` that resets, unanswered, any request declaring more than LIMIT bytes."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(1 << 16):
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            dst.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
        length = next((v.strip() for k, v in fields.items() if k.strip().lower() == b"content-length"), b"")
        if length.isdigit() and int(length) > LIMIT:
            writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()  # RST: no answer at all
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream)
        up_writer.write(head)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        holder["port"] = server.sockets[0].getsockname()[1]
        holder["stop"] = asyncio.Event()
        ready.set()
        async with server:
            await holder["stop"].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10), "the dropping front did not start"
    try:
        yield int(holder["port"])
    finally:
        loop.call_soon_threadsafe(holder["stop"].set)
        thread.join(10)
        loop.close()


@contextmanager
def target(wrapper: Wrapper | None, *, mock_limit: int = LIMIT, drop: bool = False, **mock: Any) -> Iterator[str]:
    settings = MockSettings(**{"quiet": True, "processing_delay": 0.01, "max_request_bytes": mock_limit, **mock})
    app = create_app(settings)
    with serve(wrapper(app) if wrapper else app) as port:
        if not drop:
            yield f"http://127.0.0.1:{port}"
            return
        with dropping_front(port) as front:
            yield f"http://127.0.0.1:{front}"


def run_suite(url: str, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
    command = [
        sys.executable,
        "-m",
        "ingest_conformance",
        "run",
        "--target-url",
        url,
        "--api-key",
        KEY_A,
        "--access-token",
        TOKEN_A,
        "--set",
        f"max_request_bytes={LIMIT}",
        "--set",
        "processing_timeout_s=3",
        "--seed",
        "7",
        "--report-dir",
        str(tmp_path / "reports"),
        "--no-preflight",  # the faulty fronts judged here are not a setup to check
        *args,
    ]
    proc = subprocess.run(command, cwd=tmp_path, env=env, text=True, capture_output=True, timeout=300)
    results = tmp_path / "reports" / "results.json"
    doc = json.loads(results.read_text()) if results.is_file() else {"requirements": []}
    return proc, {r["id"]: r["outcome"] for r in doc["requirements"]}


# -- the cases ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fault:
    wrapper: Wrapper | None
    select: tuple[str, ...]
    broken: tuple[str, ...]  # requirements the run must report as failed
    held: tuple[str, ...] = ()  # requirements the same run must still see hold
    mock_limit: int = LIMIT
    drop: bool = False
    level: str = "quick"


FAULTS = {
    "chunked-not-limited": Fault(
        refuse_declared_length(413),
        ("size",),
        ("SIZE-413-002",),
        ("SIZE-413-001", "SIZE-OK-001"),
        mock_limit=64 * LIMIT,
    ),
    "500-for-oversized": Fault(
        refuse_declared_length(500), ("size",), ("SIZE-413-001", "ERR-5XX-001"), ("SIZE-413-002",)
    ),
    "dropped-without-answer": Fault(None, ("size",), ("SIZE-413-003",), ("SIZE-413-002",), drop=True),
    "zip-children-hidden": Fault(
        rewrite_json(_ignore_none(hide_children)), ("ZIP-CHILD-001",), ("ZIP-CHILD-001",), ("ZIP-ACCEPT-001",)
    ),
    "zip-children-compressed": Fault(
        rewrite_json(_ignore_none(children_compressed)), ("ZIP-CHILD-002",), ("ZIP-CHILD-002",), ("ZIP-CHILD-001",)
    ),
    "zip-traversal-kept": Fault(
        rewrite_json(_ignore_none(unsafe_entries_keep_their_path)),
        ("ZIP-HOST-002",),
        ("ZIP-HOST-002",),
        level="standard",
    ),
    "zip-hostile-500": Fault(
        rewrite_json(server_error_after_unsafe_entries), ("ZIP-HOST-001",), ("ZIP-HOST-001",), level="standard"
    ),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_a_fault_fails_its_requirement(tmp_path: Path, name: str) -> None:
    fault = FAULTS[name]
    select = [arg for feature in fault.select for arg in ("--select", feature)]
    with target(fault.wrapper, mock_limit=fault.mock_limit, drop=fault.drop) as url:
        proc, outcomes = run_suite(url, tmp_path, "--level", fault.level, *select)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output[-4000:]
    for rid in fault.broken:
        assert outcomes.get(rid) == "fail", (rid, outcomes, output[-3000:])
        assert rid in proc.stdout
    for rid in fault.held:
        assert outcomes.get(rid) == "pass", (rid, outcomes, output[-3000:])


CONFORMANT: dict[str, tuple[str, dict[str, Any]]] = {
    "size": ("size", {}),
    "size-answers-early-and-closes": ("size", {"oversize_mode": "close"}),
    "size-rate-limited": ("size", {"rate_limit_burst": 2}),
    "zip": ("zip", {}),
}


@pytest.mark.parametrize("name", sorted(CONFORMANT))
def test_a_conformant_mock_passes(tmp_path: Path, name: str) -> None:
    """The same serving path with no fault, in the personalities the contract allows: a 413 after
    draining the body or at once with the connection closed, 429s to wait out; every MUST holds."""
    select, personality = CONFORMANT[name]
    with target(None, **personality) as url:
        proc, outcomes = run_suite(url, tmp_path, "--level", "standard", "--select", select)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert "every MUST holds" in proc.stderr
    exercised = {rid: o for rid, o in outcomes.items() if rid.startswith(("SIZE-", "ZIP-"))}
    assert exercised and all(o in ("pass", "info", "disabled") for o in exercised.values()), exercised
    if personality.get("rate_limit_burst"):
        assert outcomes.get("RATE-429-001") == "info", "the run never met the 429s it should have waited out"
