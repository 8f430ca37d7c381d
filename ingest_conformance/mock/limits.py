"""413 for request bodies over `max_request_bytes`, decided while streaming, never buffering.

- A Content-Length over the limit is refused before the app sees the request.
- A chunked (or lying) body is counted as the app reads it; once over, the app is told the client
  left, whatever it tries to answer is dropped, and the 413 goes out instead.
After a 413, `oversize_mode="drain"` reads and discards the rest of the body (at most
`drain_max_bytes` for at most `drain_max_seconds`) so clients that write the whole body before
reading, like httpx, still see the answer; `"close"` answers at once and closes, as nginx does.
The limit is counted in MiB or decimal MB (`size_unit`), over the whole body or, with
`size_scope="part"`, over each file part (multipart.py refuses the part; this middleware then only
holds the body to a proxy's cap of PART_SCOPE_BODY_FACTOR times the limit).
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import send_error
from .settings import PART_SCOPE_BODY_FACTOR, MiB, MockSettings


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: MockSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fault = self.settings.fault
        if fault == "oversize-connection-reset":  # fault: the protocol layer resets the connection instead
            await self.app(scope, receive, send)
            return
        limit = body_cap(self.settings)
        if fault == "size-limit-proxy-90pct":
            limit = limit * 9 // 10  # fault: a proxy in front caps bodies at 90 % of the stated limit
        headers = dict(scope["headers"])
        declared = _content_length(headers.get(b"content-length"))
        if declared is not None and declared > limit:
            expects_continue = headers.get(b"expect", b"").lower() == b"100-continue"
            await self._refuse(
                receive, send, drain=not expects_continue, status=400 if fault == "oversize-content-length-400" else 413
            )
            return

        state = {"seen": 0, "over": False, "started": False, "ended": False}

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["ended"] = not message.get("more_body", False)
                state["seen"] += len(message.get("body", b""))
                if state["seen"] > limit and fault != "oversize-chunked-unlimited":  # that fault counts nothing
                    state["over"] = True
                    return {"type": "http.disconnect"}  # the app stops reading and gives up
            return message

        async def guarded_send(message: Message) -> None:
            if state["over"]:
                return  # the 413 replaces whatever the app wanted to say
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, counted_receive, guarded_send)
        if state["over"] and not state["started"]:
            # If the chunk that crossed the limit was the last one, there is nothing left to drain
            # (and waiting for more would hang until the drain deadline).
            await self._refuse(receive, send, drain=not state["ended"], ended=bool(state["ended"]))

    async def _refuse(
        self, receive: Receive, send: Send, *, drain: bool, ended: bool = False, status: int = 413
    ) -> None:
        message = f"request body is larger than the limit of {body_cap(self.settings)} bytes"
        finished = ended
        if drain and self.settings.oversize_mode == "drain":
            finished = await self._drain(receive)
        # Keep the connection only when the whole body was consumed; otherwise say we close it.
        await send_error(send, status, message, close=not finished)

    async def _drain(self, receive: Receive) -> bool:
        """Read and discard the rest of the body. True when it ended within the bounds."""
        deadline = time.monotonic() + self.settings.drain_max_seconds
        drained = 0
        while drained <= self.settings.drain_max_bytes:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                message = await asyncio.wait_for(receive(), remaining)
            except TimeoutError:
                return False
            if message["type"] != "http.request":
                return False  # the client went away
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return True
        return False


def request_limit(settings: MockSettings) -> int:
    """The size limit in bytes: max_request_bytes as given, or (size_unit="MB") that many MiB
    counted as decimal megabytes, as a limit written "100MB" often ends up."""
    if settings.size_unit == "MB":
        return settings.max_request_bytes * 1_000_000 // MiB
    return settings.max_request_bytes


def body_cap(settings: MockSettings) -> int:
    """What this middleware allows a whole body: the limit itself, or with size_scope="part" (the
    limit counts each file part, multipart.py) a proxy's cap a few times above it."""
    limit = request_limit(settings)
    return limit * PART_SCOPE_BODY_FACTOR if settings.size_scope == "part" else limit


def _content_length(raw: bytes | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return None  # the HTTP parser refuses a malformed length before we get here
