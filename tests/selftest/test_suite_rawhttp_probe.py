"""The raw-socket probe reads answers that ordinary clients lose, and names a dropped connection."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ingest_conformance.wire.rawhttp import probe

pytestmark = pytest.mark.selftest

ANSWER_413 = (
    b"HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nContent-Length: 17\r\n"
    b'Connection: close\r\n\r\n{"statusCode":413}'
)


@contextmanager
def one_shot_server(behaviour: Callable[[socket.socket], None]) -> Iterator[str]:
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]

    def serve() -> None:
        conn, _ = srv.accept()
        with conn:
            behaviour(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/v1/ingest/uploads"
    finally:
        thread.join(timeout=10)
        srv.close()


def _body(total: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    block = b"x" * chunk
    sent = 0
    while sent < total:
        piece = block[: min(chunk, total - sent)]
        sent += len(piece)
        yield piece


def early_413_then_close(conn: socket.socket) -> None:
    conn.recv(4096)  # the headers and a little body
    conn.sendall(ANSWER_413)
    conn.shutdown(socket.SHUT_WR)
    # Drain a bit so the close is orderly, as nginx's lingering close does.
    conn.settimeout(0.5)
    try:
        while conn.recv(1 << 20):
            pass
    except OSError:
        pass


def drop_without_answer(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST


@pytest.mark.parametrize("content_length", [True, False], ids=["content-length", "chunked"])
def test_early_answer_is_read_before_the_body_is_sent(content_length: bool) -> None:
    size = 64 * 1024 * 1024
    with one_shot_server(early_413_then_close) as url:
        result, exchange = probe(
            url,
            "POST",
            [("content-type", "application/octet-stream")],
            _body(size),
            content_length=size if content_length else None,
            timeout_s=20,
        )
    assert result.status == 413
    assert result.answered_early and not result.finished_sending
    assert result.bytes_sent < size
    assert exchange.status == 413 and b"413" in exchange.response_body


def test_dropped_connection_is_named_not_judged_as_an_answer() -> None:
    size = 8 * 1024 * 1024
    with one_shot_server(drop_without_answer) as url:
        result, exchange = probe(url, "POST", [], _body(size), content_length=size, timeout_s=20)
    assert result.status is None
    assert result.error and ("no answer" in result.error or "failed" in result.error)
    assert exchange.status is None and exchange.error == result.error


def test_early_answer_over_tls(tmp_path: Path) -> None:
    """The same early 413 read through TLS (a real sandbox is https)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a throwaway certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))

    def tls_early_413(conn: socket.socket) -> None:
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            early_413_then_close(tls)

    size = 32 * 1024 * 1024
    with one_shot_server(tls_early_413) as url:
        result, _ = probe(
            url.replace("http://", "https://"),
            "POST",
            [],
            _body(size),
            content_length=size,
            timeout_s=20,
            ssl_context=client_ctx,
        )
    assert result.status == 413 and result.answered_early and result.bytes_sent < size
