"""The suite's own small loopback HTTP file server, for by-URL uploads.

Tests register bytes under a path and get back a URL the target downloads. Nothing is read from
disk; every request is logged so a test can tell whether (and how often) the target fetched.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote


@dataclass
class Served:
    content: bytes
    content_type: str
    hits: int = 0


@dataclass
class FileServer:
    base_url: str
    files: dict[str, Served] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, filename: str, content: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve `content` at a fresh path ending in `filename`; returns its absolute URL."""
        # Paths count up (no randomness), so a seeded run names the same URLs every time; the content's
        # sha256 prefix in the path lets a cassette or a report tell which bytes a URL served.
        digest = hashlib.sha256(content).hexdigest()[:16]
        with self.lock:
            path = f"/f/{len(self.files) + 1}-{digest}/{quote(filename)}"
            self.files[path] = Served(content, content_type)
        return self.base_url + path

    def missing_url(self, filename: str = "missing.pdf") -> str:
        """A URL on this server that answers 404."""
        return f"{self.base_url}/missing/{quote(filename)}"

    def hits(self, url: str) -> int:
        path = url.removeprefix(self.base_url)
        with self.lock:
            served = self.files.get(path)
            return served.hits if served else 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        with self.server.state.lock:
            served = self.server.state.files.get(self.path.split("?", 1)[0])
            if served is not None:
                served.hits += 1
        if served is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", served.content_type)
        self.send_header("Content-Length", str(len(served.content)))
        self.end_headers()
        self.wfile.write(served.content)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the suite records exchanges itself
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: FileServer


@contextmanager
def serve_files(host: str = "127.0.0.1", public_url: str | None = None) -> Iterator[FileServer]:
    """Run the file server on a free loopback port for the duration of the block."""
    server = _Server((host, 0), _Handler)
    port = server.server_address[1]
    state = FileServer(base_url=(public_url or f"http://{host}:{port}").rstrip("/"))
    server.state = state
    thread = threading.Thread(target=server.serve_forever, name="ic-file-server", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
