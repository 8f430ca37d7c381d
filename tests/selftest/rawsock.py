"""A few raw-socket steps for answers ordinary clients may not read (close mode, 431, 100-continue)."""

from __future__ import annotations

import socket
import time
import urllib.parse

CRLF = b"\r\n"


def connect(base_url: str, timeout: float = 10.0) -> socket.socket:
    parts = urllib.parse.urlsplit(base_url)
    return socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=timeout)


def request_head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1"]
    lines += [f"{k}: {v}".encode("latin-1") for k, v in headers.items()]
    return CRLF.join(lines) + CRLF + CRLF


def read_response(sock: socket.socket, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and the Content-Length body. ConnectionError if the
    connection ends before a complete head."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while CRLF + CRLF not in data:
        if time.monotonic() > deadline:
            raise TimeoutError("no response head")
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {len(data)} bytes of response")
        data += chunk
    head, _, body = data.partition(CRLF + CRLF)
    status_line, *header_lines = head.split(CRLF)
    status = int(status_line.split()[1])
    headers = {}
    for line in header_lines:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def send_until_refused(sock: socket.socket, limit_bytes: int, chunk: bytes) -> int:
    """Send `chunk` repeatedly until `limit_bytes` or the peer stops reading; bytes sent."""
    sent = 0
    try:
        while sent < limit_bytes:
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:  # EPIPE / ECONNRESET / timeout: the server closed or stopped reading
        pass
    return sent


def closed_by_peer(sock: socket.socket, timeout: float = 5.0) -> bool:
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
