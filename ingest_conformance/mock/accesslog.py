"""One stderr line per request: method, path, status, bytes in and out, milliseconds.

Only the path is logged (no query string, no headers), so no credential value can ever appear.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        counts = {"in": 0, "out": 0, "status": 0}

        async def counting_receive() -> Message:
            message = await receive()
            counts["in"] += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                counts["status"] = message["status"]
            elif message["type"] == "http.response.body":
                counts["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            status = counts["status"] or "-"
            line = (
                f"mock {scope['method']} {_printable(scope['path'])} {status} in={counts['in']}B "
                f"out={counts['out']}B {elapsed:.1f}ms\n"
            )
            stream = self.stream or sys.stderr
            try:
                stream.write(line)
                stream.flush()
            except (OSError, ValueError):  # stderr closed under us: logging must never break a request
                pass


def _printable(path: str, limit: int = 200) -> str:
    """Escape what could forge or break a log line (a decoded %0A, say) and cap the length."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in path[:limit])
    return shown + ("..." if len(path) > limit else "")
