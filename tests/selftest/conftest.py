"""Mock instances and a loopback file server, started once per session and shared.

`mock` has the default personality (async rejection, 201, 401) with a 1 MiB body limit so size
tests stay quick; `opposite_mock` makes every opposite choice the docs allow.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from ingest_conformance.mock import MockSettings, RunningMock, run_mock

from .helpers import KEY_A

SMALL_LIMIT = 1024 * 1024


def fast(**overrides: Any) -> MockSettings:
    """Settings for a selftest instance: quiet, a tiny processing delay and a 1 MiB body limit."""
    base: dict[str, Any] = {"quiet": True, "processing_delay": 0.01, "max_request_bytes": SMALL_LIMIT}
    return MockSettings(**{**base, **overrides})


@pytest.fixture(scope="session")
def mock() -> Iterator[RunningMock]:
    with run_mock(fast()) as running:
        yield running


@pytest.fixture(scope="session")
def opposite_mock() -> Iterator[RunningMock]:
    settings = fast(
        rejection="sync", success_status=200, auth_failure_status=403, uploads_accept_tif=False, byurl_accepts_zip=True
    )
    with run_mock(settings) as running:
        yield running


@pytest.fixture()
def client(mock: RunningMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_A}, timeout=30) as c:
        yield c


@pytest.fixture()
def anon(mock: RunningMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.base_url, timeout=30) as c:
        yield c


class FileServer:
    """Serves registered bytes at /<name>; /redirect/<name> answers 302 to /<name>."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path.startswith("/redirect/"):
                    self.send_response(302)
                    self.send_header("Location", path[len("/redirect") :])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = files.get(path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, name: str, data: bytes) -> str:
        self.files["/" + name] = data
        return f"{self.base}/{name}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture(scope="session")
def file_server() -> Iterator[FileServer]:
    server = FileServer()
    yield server
    server.close()
