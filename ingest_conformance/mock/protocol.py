"""uvicorn's httptools protocol with two changes below the ASGI app.

1. A cap on the request line plus headers. httptools has none, so a 1 MB (or endless) header would
   be buffered whole; past `max_header_bytes` the mock answers 431 instead.
2. Protocol-level refusals (431, and the 400 uvicorn sends for unparsable HTTP) carry the same JSON
   error body as every other 4xx, and close gracefully: the answer is written, our side is shut for
   writing, and whatever the client is still sending is read and discarded for a short while
   (bounded), so it can read the answer instead of getting a connection reset.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .errors import raw_error_response

LINGER_SECONDS = 2.0
LINGER_MAX_BYTES = 64 * 1024 * 1024


class MockHttpProtocol(HttpToolsProtocol):
    header_limit = 64 * 1024  # replaced per server by `protocol_class`
    reset_over = 0  # > 0 only for the `oversize-connection-reset` fault: reset past this many body bytes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_headers = True
        self._header_bytes = 0
        self._refused = False
        self._discarded = 0
        self._body_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._refused:
            self._discarded += len(data)
            if self._discarded > LINGER_MAX_BYTES:
                self.transport.close()
            return
        if self._in_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        if self._in_headers and self._header_bytes > self.header_limit and not self._refused:
            self._refuse(431, f"request line and headers are larger than {self.header_limit} bytes")

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        self._body_bytes = 0
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self.reset_over and self._body_bytes > self.reset_over:
            self._refused = True
            self.transport.abort()  # the fault: no answer at all, the connection is reset
            return
        super().on_body(body)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_headers = True  # whatever comes next is the next request's head

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "invalid HTTP request: the request line, a header or the body framing is malformed")

    def _refuse(self, status: int, message: str) -> None:
        self._refused = True
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # A request in flight gets "client gone": its app stops and writes nothing more.
            cycle.disconnected = True
            cycle.message_event.set()
            if cycle.response_started:
                self.transport.close()  # an answer is half sent; nothing sane can follow it
                return
        self.transport.write(raw_error_response(status, message, close=True))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def protocol_class(max_header_bytes: int, reset_over: int = 0) -> type[asyncio.Protocol]:
    """A protocol class bound to one server's header limit (uvicorn instantiates it per connection)."""
    return type("MockHttpProtocol", (MockHttpProtocol,), {"header_limit": max_header_bytes, "reset_over": reset_over})
