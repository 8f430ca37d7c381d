"""Personality: how the JSON answers look, where the docs allow more than one look.

- `extra_fields`: every JSON answer, and every file or import object in it, carries undocumented
  fields (a Mongo version key, tags, a request id), as real APIs grow them. The docs allow extras.
- `error_shape="problem"`: errors are RFC 9457 `application/problem+json` documents instead of the
  NestJS `{statusCode, message, error}`; the docs do not document the error body at all.

An ASGI middleware over the finished answers, so the handlers stay written for one look. It
buffers only JSON answers (all small); anything else streams through untouched. Errors the HTTP
protocol layer writes itself (431, unparsable requests) keep the NestJS shape.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import phrase
from .settings import MockSettings

OPAQUE = frozenset({"clientData", "providerInfo", "data"})  # the client's own data: never touched
REQUEST_IDS = iter(range(1, 1 << 62))


class ResponseStyleMiddleware:
    def __init__(self, app: ASGIApp, settings: MockSettings) -> None:
        self.app = app
        self.extra_fields = settings.extra_fields
        self.problem = settings.error_shape == "problem"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def restyle(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _content_type(message) == "application/json":
                    start = message  # held until the whole body is here
                    return
                await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send_restyled(send, start, b"".join(chunks), scope["path"])
            else:
                await send(message)

        await self.app(scope, receive, restyle)

    async def _send_restyled(self, send: Send, start: Message, body: bytes, path: str) -> None:
        status = int(start["status"])
        content_type = b"application/json"
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if document is not None and status >= 400 and self.problem:
            document, content_type = self._problem(document, status, path), b"application/problem+json"
        elif document is not None and self.extra_fields:
            document = self._extras(document, status, path)
        if document is not None:
            body = json.dumps(document).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"content-type")]
        headers += [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _problem(self, document: Any, status: int, path: str) -> dict[str, Any]:
        message = document.get("message") if isinstance(document, dict) else None
        problem = {
            "type": "about:blank",
            "title": phrase(status),
            "status": status,
            "detail": str(message or phrase(status)),
            "instance": path,
        }
        if self.extra_fields:
            problem["requestId"] = f"req-{next(REQUEST_IDS):08x}"
        return problem

    def _extras(self, document: Any, status: int, path: str) -> Any:
        if status >= 400 and isinstance(document, dict):  # NestJS' own default filter adds these two
            return {**document, "timestamp": "2024-09-03T15:22:41.000Z", "path": path}
        decorated = _decorate(document)
        if isinstance(decorated, dict):
            decorated["requestId"] = f"req-{next(REQUEST_IDS):08x}"
        return decorated


def _decorate(node: Any) -> Any:
    """Extra fields on every object that has an `id` (files, imports); client data left alone."""
    if isinstance(node, list):
        return [_decorate(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in OPAQUE else _decorate(v)) for k, v in node.items()}
    if "id" in out:
        out.update({"__v": 0, "tags": [], "metadata": {"source": "mock", "retries": 0}})
    return out


def _content_type(start: Message) -> str:
    for key, value in start.get("headers", []):
        if key.lower() == b"content-type":
            return str(value.decode("latin-1").split(";", 1)[0].strip().lower())
    return ""
