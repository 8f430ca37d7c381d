"""Keeping credentials out of every report and cassette, and proving it: the one redaction.

Every writer (Exchange rendering, the results document, pytest's own failure text, cassettes)
redacts through this module, so there is one implementation of a security property. It knows
the credential headers, and the other shapes a secret takes on the wire
(percent-encoded in a URL query, inside a binary body, inside the body bytes a curl line carries)
and scrubs every string of the results document — check messages echo what a target received, and
a target may echo a key back. `scan_for_secrets` then reads written files the way a leak would be
found: plain, HTML- and JSON-unescaped, percent-decoded, inside base64 runs, with ANSI colours and
line wrapping removed.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

if TYPE_CHECKING:
    import pytest

    from ingest_conformance.wire.exchange import Exchange

REDACTED = "***"
# Headers whose whole value is a credential: replaced outright, whatever the configured secrets.
# The webhook signature is an HMAC of the body with a shared secret: as sensitive as a key.
SENSITIVE_HEADERS = frozenset(
    {"x-api-key", "x-access-token", "authorization", "cookie", "proxy-authorization", "x-invofox-signature"}
)

__all__ = [
    "REDACTED",
    "SENSITIVE_HEADERS",
    "Leak",
    "redact_bytes",
    "redact_document",
    "redact_exchange",
    "redact_headers",
    "redact_test_report",
    "redact_text",
    "scan_for_secrets",
    "secret_forms",
]


def secret_forms(secrets: Iterable[str]) -> list[str]:
    """Every secret with its percent-encoded forms, longest first (so no form is half-replaced)."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms |= {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    return sorted(forms, key=lambda s: (-len(s), s))


def redact_text(text: str, forms: Sequence[str]) -> str:
    for form in forms:
        if form in text:
            text = text.replace(form, REDACTED)
    return text


def redact_bytes(raw: bytes, forms: Sequence[str]) -> bytes:
    for form in forms:
        raw = raw.replace(form.encode("utf-8"), REDACTED.encode())
    return raw


def redact_headers(
    headers: Iterable[tuple[str, str]], forms: Sequence[str], sensitive: Iterable[str] = ()
) -> list[list[str]]:
    """Headers as [name, value] pairs: credential headers (and `sensitive` ones) replaced outright."""
    hidden = SENSITIVE_HEADERS | {name.lower() for name in sensitive}
    return [[k, REDACTED if k.lower() in hidden else redact_text(v, forms)] for k, v in headers]


def redact_value(value: Any, forms: Sequence[str]) -> Any:
    """`value` (JSON-like) with every secret form replaced in every string, keys included."""
    if isinstance(value, str):
        return redact_text(value, forms)
    if isinstance(value, dict):
        return {redact_text(str(k), forms): redact_value(v, forms) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v, forms) for v in value]
    return value


def redact_exchange(exchange: Exchange, secrets: Iterable[str]) -> dict[str, Any]:
    """`exchange.to_dict` plus its curl line, with no form of any secret left, binary bodies included."""
    forms = secret_forms(secrets)
    view = exchange.to_dict(forms)
    for part in (view["request"], view["response"]):
        body = (part or {}).get("body") or {}
        if "base64" in body:
            raw = base64.b64decode(body["base64"])
            body["base64"] = base64.b64encode(redact_bytes(raw, forms)).decode("ascii")
    view["curl"] = exchange.curl(forms)
    return dict(redact_value(view, forms))


def redact_document(document: dict[str, Any], secrets: Iterable[str]) -> dict[str, Any]:
    """A copy of the whole results document with every secret form replaced by '***'."""
    return dict(redact_value(document, secret_forms(secrets)))


def redact_test_report(report: pytest.TestReport, secrets: Iterable[str]) -> None:
    """Redact what pytest itself prints for a test, in place: the failure text and every section.

    A `RequirementFailure` quotes what the target sent (which may echo a key); sections hold the
    captured output and the plugin's reproduction lines. The failure text becomes plain text only
    when it holds a secret, so pytest keeps its own formatting otherwise.
    """
    forms = secret_forms(secrets)
    if not forms:
        return
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason), a shape pytest relies on
        path, line, reason = report.longrepr
        report.longrepr = (path, line, redact_text(reason, forms))
    elif report.longrepr is not None:
        text = str(report.longrepr)
        if any(form in text for form in forms):
            report.longrepr = redact_text(text, forms)
    report.sections = [(title, redact_text(body, forms)) for title, body in report.sections]


# -- the scanner ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leak:
    """One occurrence of a secret in a written file (the secret itself is not repeated here)."""

    path: Path
    secret_index: int  # position of the secret in the list given to the scanner
    view: str  # how the file was read when it was found: plain, html, json, percent, base64, ...

    def __str__(self) -> str:
        return f"{self.path}: secret #{self.secret_index} found ({self.view} view)"


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\([\"\\/bfnrt])")
_JSON_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_WRAPPING = re.compile(r"[\s│┃║|─━]+")


def _json_unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        char = match.group(2)
        return _JSON_SIMPLE.get(char, char)

    return _JSON_ESCAPE.sub(one, text)


def _base64_payloads(text: str) -> Iterable[str]:
    for match in _BASE64_RUN.finditer(text):
        run = match.group()
        for candidate in (run, run.replace("-", "+").replace("_", "/")):
            for start in range(4):  # a run may begin mid-quantum when glued to other characters
                chunk = candidate[start:].rstrip("=")
                if len(chunk) % 4 == 1:  # one dangling character carries no whole byte
                    chunk = chunk[:-1]
                try:
                    raw = base64.b64decode(chunk + "=" * (-len(chunk) % 4), validate=True)
                except (binascii.Error, ValueError):
                    continue
                yield raw.decode("latin-1")


def _views(text: str) -> Iterable[tuple[str, str]]:
    plain = _ANSI.sub("", text)
    yield "plain", plain
    yield "html", html.unescape(plain)
    yield "json", _json_unescape(plain)
    yield "json+html", _json_unescape(html.unescape(plain))
    yield "percent", unquote(plain)
    yield "percent-plus", unquote_plus(plain)
    yield "unwrapped", _WRAPPING.sub("", plain)
    for payload in _base64_payloads(plain):
        yield "base64", payload


def scan_for_secrets(paths: Iterable[Path], secrets: Sequence[str]) -> list[Leak]:
    """Every secret found in any of the files at `paths` (read as UTF-8, undecodable bytes as Latin-1)."""
    findings: list[Leak] = []
    for path in paths:
        data = Path(path).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        found: set[int] = set()
        for view, content in _views(text):
            for index, secret in enumerate(secrets):
                if index in found or not secret:
                    continue
                needle = _WRAPPING.sub("", secret) if view == "unwrapped" else secret
                if needle and needle in content:
                    found.add(index)
                    findings.append(Leak(Path(path), index, view))
    return findings
