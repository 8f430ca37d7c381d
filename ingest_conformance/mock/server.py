"""Running the mock: in-process for fixtures (`run_mock`), or in the foreground for the CLI (`serve`).

Both bind the socket themselves and hand it to uvicorn, so a fixture learns its free port before
the first request, and both use the httptools protocol with the mock's header cap (protocol.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import socket
import sys
import threading
import time
from collections.abc import Generator
from types import TracebackType

import uvicorn

from .app import create_app
from .protocol import protocol_class
from .settings import MockSettings

START_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0


def _config(settings: MockSettings) -> uvicorn.Config:
    reset_over = settings.max_request_bytes if settings.fault == "oversize-connection-reset" else 0
    return uvicorn.Config(
        create_app(settings),
        http=protocol_class(settings.max_header_bytes, reset_over),
        lifespan="on",
        log_config=None,
        access_log=False,
        log_level="error",
        server_header=False,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=5,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio turns Nagle's algorithm off only on sockets whose proto says TCP,
    # and with it on, a response's body waits for the client's delayed ACK of its head (40 ms per request).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # connections queue from now on, even before uvicorn starts accepting
    except OSError:
        sock.close()
        raise
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class RunningMock:
    """A mock serving from a background thread. Also a context manager that stops it on exit."""

    def __init__(self, settings: MockSettings, *, use_settings_port: bool = False) -> None:
        sock = _bind(settings.host, settings.port if use_settings_port else 0)
        port = sock.getsockname()[1]
        self.settings = dataclasses.replace(settings, port=port)
        self.base_url = _url(settings.host, port)
        self._server = uvicorn.Server(_config(self.settings))
        self._socket = sock
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"mock-server-{port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the mock did not start on {self.base_url}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Graceful shutdown (open requests finish, workers stop); idempotent."""
        self._server.should_exit = True
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(STOP_TIMEOUT)
        self._socket.close()

    def __enter__(self) -> RunningMock:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def run_mock(settings: MockSettings | None = None, *, use_settings_port: bool = False) -> RunningMock:
    """Start a mock on `settings.host` and a free port (or `settings.port` if asked). Use it as
    `with run_mock(MockSettings(quiet=True)) as mock: ... mock.base_url ...`."""
    return RunningMock(settings or MockSettings(quiet=True), use_settings_port=use_settings_port)


class _ForegroundServer(uvicorn.Server):
    """uvicorn re-raises the signal after a graceful shutdown; the CLI wants a plain exit 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signals can only be handled on the main thread
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve(settings: MockSettings) -> int:
    """Serve in the foreground until SIGINT or SIGTERM; returns the exit code."""
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as exc:
        print(f"mock: cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 3
    port = sock.getsockname()[1]
    settings = dataclasses.replace(settings, port=port)
    print(
        f"mock: serving the Invofox Ingest API on {_url(settings.host, port)} "
        f"(environments: {'A and B' if settings.second_api_key else 'A'}; "
        f"rejection={settings.rejection}, success={settings.success_status}, "
        f"auth failure={settings.auth_failure_status}); Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    if settings.fault:
        print(
            f"mock: fault mode {settings.fault!r} is on: this mock is deliberately NOT conformant",
            file=sys.stderr,
            flush=True,
        )
    server = _ForegroundServer(_config(settings))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    print("mock: stopped", file=sys.stderr, flush=True)
    return 0
