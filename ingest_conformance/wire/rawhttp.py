"""A raw-socket HTTP/1.1 probe (plain or TLS) for bodies that ordinary clients cannot judge.

A server may answer 413 before it has read an oversized body and then close the connection.
httpx stops at the first failed write and loses that answer; this probe keeps reading while it
writes, stops writing as soon as an answer has started, and reports whatever came back. Framing is
h11's, so Content-Length and chunked bodies are both exact. Memory stays constant: the body is an
iterator of chunks and nothing of it is kept.
"""

from __future__ import annotations

import errno
import hashlib
import selectors
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import h11

from ingest_conformance.wire.exchange import Exchange

READ_SIZE = 256 * 1024


@dataclass
class ProbeResult:
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    bytes_sent: int = 0  # body bytes written before we stopped
    finished_sending: bool = False
    answered_early: bool = False  # the answer began before the whole body was written
    error: str | None = None  # why there is no (complete) answer
    elapsed_s: float = 0.0


def probe(
    url: str,
    method: str,
    headers: list[tuple[str, str]],
    body: Iterable[bytes],
    *,
    content_length: int | None,
    timeout_s: float = 120.0,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[ProbeResult, Exchange]:
    """Send `body` (chunked when content_length is None) and read the answer concurrently."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"the raw probe speaks http and https, not {parts.scheme!r}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    all_headers = [("Host", f"{host}:{port}"), *headers]
    if content_length is not None:
        all_headers.append(("Content-Length", str(content_length)))
    else:
        all_headers.append(("Transfer-Encoding", "chunked"))
    conn = h11.Connection(h11.CLIENT)
    result = ProbeResult()
    digest = hashlib.sha256()
    started = time.monotonic()
    deadline = started + timeout_s
    try:
        sock = socket.create_connection((host, port), timeout=min(10.0, timeout_s))
        if parts.scheme == "https":  # handshake while still blocking, then go non-blocking
            sock = (ssl_context or ssl.create_default_context()).wrap_socket(sock, server_hostname=host)
    except OSError as exc:
        result.error = f"connect failed: {exc}"
        return result, _exchange(started, method, url, all_headers, result, digest)
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    pending = conn.send(h11.Request(method=method, target=target, headers=all_headers)) or b""
    chunks = iter(body)
    sending = True
    body_parts: list[bytes] = []
    try:
        while time.monotonic() < deadline:
            events = sel.select(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
            for _key, mask in events:
                # "Early" = the answer began while body bytes were still unwritten.
                unwritten = bool(pending) or not (
                    result.finished_sending or (content_length is not None and result.bytes_sent >= content_length)
                )
                if mask & selectors.EVENT_READ and _read(sock, conn, result, body_parts, sending and unwritten):
                    return result, _exchange(started, method, url, all_headers, result, digest, b"".join(body_parts))
                if mask & selectors.EVENT_WRITE and sending:
                    if not pending:
                        chunk = next(chunks, None)
                        if chunk is None:
                            pending = conn.send(h11.EndOfMessage()) or b""
                            sending = bool(pending)
                            result.finished_sending = True
                        else:
                            digest.update(chunk)
                            result.bytes_sent += len(chunk)
                            pending = conn.send(h11.Data(data=chunk)) or b""
                    if pending:
                        try:
                            n = sock.send(pending)
                            pending = pending[n:]
                        except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                            pass
                        except OSError as exc:  # EPIPE / ECONNRESET: stop writing, keep reading
                            sending = False
                            result.error = f"write failed after {result.bytes_sent} body bytes: {_errname(exc)}"
                    if not sending or (result.finished_sending and not pending):
                        sending = False
                        sel.modify(sock, selectors.EVENT_READ)
        result.error = result.error or f"no complete answer within {timeout_s:.0f} s"
        return result, _exchange(started, method, url, all_headers, result, digest, b"".join(body_parts))
    finally:
        sel.close()
        sock.close()


def _read(
    sock: socket.socket, conn: h11.Connection, result: ProbeResult, body_parts: list[bytes], sending: bool
) -> bool:
    """Feed what arrived to h11; True once the answer is complete or the connection ended."""
    try:
        data = sock.recv(READ_SIZE)
        if isinstance(sock, ssl.SSLSocket):  # TLS may hold decrypted bytes the selector cannot see
            while sock.pending():
                data += sock.recv(sock.pending())
    except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
        return False
    except OSError as exc:
        result.error = (result.error + "; " if result.error else "") + f"read failed: {_errname(exc)}"
        return True
    if not data and result.status is None:
        result.error = (result.error + "; " if result.error else "") + "connection closed with no answer"
        return True
    conn.receive_data(data)
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            result.error = f"malformed answer: {exc}"
            return True
        if event is h11.NEED_DATA:
            if not data:  # EOF
                if result.status is None:
                    result.error = (result.error + "; " if result.error else "") + "connection closed with no answer"
                return True
            return False
        if isinstance(event, h11.Response):
            result.status = event.status_code
            result.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers]
            result.answered_early = sending
        elif isinstance(event, h11.Data):
            body_parts.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            result.body = b"".join(body_parts)
            return True
        elif event is h11.PAUSED:
            return True


def _errname(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


def _exchange(
    started: float,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    result: ProbeResult,
    digest: hashlib._Hash,
    response_body: bytes | None = None,
) -> Exchange:
    result.elapsed_s = time.monotonic() - started
    ex = Exchange.for_request(
        method, url, headers, None, streamed_size=result.bytes_sent, streamed_sha256=digest.hexdigest()
    )
    ex.status = result.status
    ex.response_headers = result.headers
    ex.response_body = result.body or (response_body or b"")
    ex.error = result.error
    ex.elapsed_s = result.elapsed_s
    ex.note = "raw-socket probe" + (" (answer arrived before the body was sent)" if result.answered_early else "")
    return ex
