"""NestJS-shaped JSON errors: `{"statusCode": 400, "message": "...", "error": "Bad Request"}`.

Every 4xx the mock gives, from a route, a middleware or the HTTP protocol layer, goes through here,
so a client always gets a JSON body it can read.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Mapping
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Send

from .faults import fault_of

log = logging.getLogger("ingest_conformance.mock")


class ApiError(Exception):
    """A client mistake (or an auth failure) with the status and message to answer."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


class BodyAborted(Exception):
    """The request body stopped before its end: the client went away or a limit cut it off."""


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(status: int, message: str) -> bytes:
    return json.dumps({"statusCode": status, "message": message, "error": phrase(status)}).encode()


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(
        {"statusCode": status, "message": message, "error": phrase(status)},
        status_code=status,
        headers=dict(headers or {}),
    )


def raw_error_response(
    status: int, message: str, *, close: bool = False, extra: Mapping[str, str] | None = None
) -> bytes:
    """A complete HTTP/1.1 error response as bytes, for the protocol layer (no ASGI there)."""
    body = error_body(status, message)
    lines = [f"HTTP/1.1 {status} {phrase(status)}", "content-type: application/json", f"content-length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (extra or {}).items()]
    if close:
        lines.append("connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def send_error(
    send: Send, status: int, message: str, *, close: bool = False, extra: Mapping[str, str] | None = None
) -> None:
    """Send a JSON error straight over ASGI (used by middlewares that answer for the app)."""
    body = error_body(status, message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (extra or {}).items()]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's routing errors (unknown path 404, unknown method 405) in the NestJS shape."""
    assert isinstance(exc, HTTPException)
    not_found = exc.status_code == 404
    message = f"Cannot {request.method} {request.url.path}" if not_found else str(exc.detail)
    if not_found and fault_of(request) == "errors-as-html":  # fault: the framework's own HTML page
        return HTMLResponse(f"<!DOCTYPE html><html><body><pre>{html.escape(message)}</pre></body></html>", 404)
    return error_response(exc.status_code, message, exc.headers)


async def handle_body_aborted(request: Request, exc: Exception) -> Response:
    # Nobody reads this when the client left; when a size limit cut the body, limits.py replaces it.
    return error_response(400, "request body ended before it was complete")


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """A bug in the mock. Honest 500 (never used for client input: inputs.py maps those to 400)."""
    log.error("mock bug while answering %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error in the mock")
