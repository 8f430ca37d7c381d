"""Turning untrusted values of the results document into safe, readable text.

Everything a target sends back (bodies, headers, echoed filenames) ends up in some report. These
helpers make it printable — control characters become ``\\xNN`` so an ESC in a response body
cannot recolour a terminal, and characters XML 1.0 forbids cannot break junit.xml — without
hiding what was received.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

# C0 controls other than tab and newline, DEL, C1 controls, and lone surrogates.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# What XML 1.0 allows: tab, newline, carriage return, and the ranges below; everything else is escaped.
_NOT_XML = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Bodies are shown in full up to this many characters in reports; the rest is cut, with a note.
PREVIEW_CHARS = 4000


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: Any) -> str:
    """`value` as text, with control characters shown as escapes (newlines and tabs kept)."""
    text = "" if value is None else str(value)
    return _UNPRINTABLE.sub(_escape, text.replace("\r\n", "\n"))


def xml_safe(value: Any) -> str:
    """`value` as text that XML 1.0 can carry."""
    return _NOT_XML.sub(_escape, printable(value))


def one_line(value: Any, limit: int = 100) -> str:
    """The first line of `value`, cut to `limit` characters with an ellipsis."""
    text = printable(value).strip()
    first = text.splitlines()[0] if text else ""
    cut = first if len(first) <= limit else first[: limit - 1] + "…"
    return cut + (" …" if first != text and len(cut) < limit else "")


def body_text(view: Mapping[str, Any] | None, limit: int = PREVIEW_CHARS) -> str:
    """A readable rendering of a body view of the results document (see Exchange.to_dict).

    Text bodies are shown as they are; binary bodies (a raw Latin-1 filename, a PDF) are decoded
    as UTF-8 with undecodable bytes shown as ``\\xNN``; elided and streamed bodies by size and hash.
    """
    if not view:
        return ""
    size, digest = view.get("size", 0), view.get("sha256", "")
    if view.get("streamed"):
        return f"<streamed body: {size} bytes, sha256 {digest}>"
    if view.get("elided"):
        return f"<body of {size} bytes elided, sha256 {digest}>"
    if "base64" in view:
        try:
            raw = base64.b64decode(str(view["base64"]), validate=True)
        except (binascii.Error, ValueError):
            return f"<binary body of {size} bytes (undecodable base64 in the results file)>"
        text = f"<binary body, {size} bytes, shown as UTF-8 with \\xNN for other bytes>\n" + printable(
            raw.decode("utf-8", "backslashreplace")
        )
    else:
        text = printable(view.get("text", ""))
    if len(text) > limit:
        return text[:limit] + f"\n<… cut at {limit} of {len(text)} characters; the full body is in results.json>"
    return text


def exchange_line(exchange: Mapping[str, Any]) -> str:
    """`METHOD url -> status` of an exchange of the results document."""
    request = exchange.get("request") or {}
    response = exchange.get("response")
    answer = str(response.get("status")) if response else f"no answer ({exchange.get('error') or 'unknown'})"
    return printable(f"{request.get('method', '?')} {request.get('url', '?')} -> {answer}")
