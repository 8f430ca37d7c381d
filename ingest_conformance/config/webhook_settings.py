"""Reading and checking the webhook settings of the profile (docs/webhooks.md documents each).

Kept beside `target.py`, which calls `coerce_webhook_setting` for every `webhook_*` key and
`webhook_problem` once the whole profile is built. Both speak in plain `ValueError`s and strings;
`target.py` turns them into one-line `ConfigError`s naming the setting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ingest_conformance.config.target import Profile

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 token
_EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_EITHER = {"", "none", "null", "either", "any"}


def coerce_webhook_setting(key: str, value: Any) -> Any:
    """The typed value of one webhook setting (`webhook_secret` is a credential, handled as one)."""
    if key in {"webhook_public_url", "webhook_listen"}:
        return None if value in (None, "") else str(value).strip()
    if key == "webhook_events":
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        events = tuple(str(e).strip() for e in items if str(e).strip())
        bad = [e for e in events if not _EVENT_TYPE.match(e)]
        if bad or not events:
            raise ValueError(f"expected event types like file.processed, got {bad or 'none'}")
        return events
    if key in {"webhook_delay_s", "webhook_receiver_timeout_s"}:
        number = float(value)
        if number < 0 or (key == "webhook_receiver_timeout_s" and number == 0):
            raise ValueError("expected a positive number of seconds")
        return number
    if key == "webhook_max_retries":
        if isinstance(value, bool) or int(value) < 0:
            raise ValueError("expected a whole number, 0 or more")
        return int(value)
    if key == "webhook_signature_header":
        name = str(value).strip()
        if not _HEADER_NAME.match(name):
            raise ValueError("expected an HTTP header name")
        return name.lower()
    if key == "webhook_signature_algorithm":
        algorithm = str(value).strip().lower()
        if algorithm not in {"sha1", "sha256", "sha512"}:
            raise ValueError("expected sha1, sha256 or sha512")
        return algorithm
    if key == "webhook_method":
        method = "" if value is None else str(value).strip().upper()
        if method.lower() in _EITHER:
            return None
        if method not in {"POST", "PUT"}:
            raise ValueError("expected POST, PUT or either")
        return method
    if key == "webhook_custom_headers":
        return _headers(value)
    raise ValueError(f"unknown webhook setting {key}")  # pragma: no cover - guarded by the caller


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    """`{name: value}` (a profile file), `["name: value", ...]`, or "name:value,name:value" (env, --set)."""
    if value is None or value == "":
        return ()
    if isinstance(value, Mapping):
        pairs = [(str(k), str(v)) for k, v in value.items()]
    else:
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        pairs = []
        for item in items:
            if isinstance(item, list | tuple) and len(item) == 2:
                pairs.append((str(item[0]), str(item[1])))
                continue
            name, sep, header_value = str(item).partition(":")
            if not sep:
                raise ValueError(f"expected NAME:VALUE, got {str(item)[:40]!r}")
            pairs.append((name, header_value))
    out = tuple((name.strip().lower(), v.strip()) for name, v in pairs)
    bad = [name for name, _ in out if not _HEADER_NAME.match(name)]
    if bad:
        raise ValueError(f"not HTTP header names: {bad}")
    return out


def listen_address(text: str) -> tuple[str, int]:
    """HOST:PORT (IPv6 in brackets) -> (host, port); raises ValueError."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected HOST:PORT, e.g. 127.0.0.1:8765, got {text!r}")
    return host, int(port)


def webhook_problem(profile: Profile, webhook_listen: str | None) -> str | None:
    """What is wrong with the webhook settings as a whole, in one line; None when they hold together."""
    if profile.webhook_public_url is not None:
        parts = urlsplit(profile.webhook_public_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            return f"webhook_public_url must be an absolute http(s) URL, got {profile.webhook_public_url!r}"
    if webhook_listen is not None:
        try:
            listen_address(webhook_listen)
        except ValueError as exc:
            return f"webhook_listen: {exc}"
    return None
