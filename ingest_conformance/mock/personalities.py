"""Conformant personalities: combinations of the choices the docs leave open, each a valid target.

Seven two-way choices, combined by the L8 orthogonal array: 8 mocks in which every pair of choices
meets in all four combinations (a full factorial would take 128). Three more choices ride on
columns of the same array. A conformance suite must pass all eight: failing one is a false alarm.

| choice | off | on |
|---|---|---|
| rejection | async (accept, reject later) | sync (400 at upload) |
| success_status | 201 | 200 |
| auth_failure_status | 401 | 403 |
| rate_limit_burst | none | 429 + Retry-After past 20 requests a second |
| processing_delay | 0.2 s a step | 0.6 s a step |
| extra_fields | none | undocumented fields on every answer |
| error_shape | NestJS | RFC 9457 problem+json |
| (with 200) uploads_accept_tif | true | false |
| (with 403) byurl_accepts_zip | false | true |
| (with slow) oversize_mode | drain | close |
"""

from __future__ import annotations

from typing import Any

from .settings import DEFAULTS

# (label, {setting: value when on}) per L8 column: a, b, a^b, c, a^c, b^c, a^b^c.
_COLUMNS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("sync", {"rejection": "sync"}),
    ("200", {"success_status": 200, "uploads_accept_tif": False}),
    ("403", {"auth_failure_status": 403, "byurl_accepts_zip": True}),
    ("ratelimited", {"rate_limit_burst": 20}),
    ("slow", {"processing_delay": 0.6, "oversize_mode": "close"}),
    ("extras", {"extra_fields": True}),
    ("problem", {"error_shape": "problem"}),
)


def _l8() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in range(8):
        a, b, c = row & 1, row >> 1 & 1, row >> 2 & 1
        on = (a, b, a ^ b, c, a ^ c, b ^ c, a ^ b ^ c)
        overrides: dict[str, Any] = {}
        labels = []
        for (label, settings), flag in zip(_COLUMNS, on, strict=True):
            if flag:
                labels.append(label)
                overrides.update(settings)
        found["-".join(labels) or "defaults"] = overrides
    return found


PERSONALITIES: dict[str, dict[str, Any]] = _l8()
"""Name (the choices made, or `defaults`) -> MockSettings overrides."""


def cli_flags(overrides: dict[str, Any]) -> list[str]:
    """The `ingest-conformance mock` flags that give these overrides."""
    flags: list[str] = []
    for name, value in overrides.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            flags.append(flag if value else "--no-" + flag[2:])
        else:
            flags += [flag, str(value)]
    assert all(hasattr(DEFAULTS, name) for name in overrides)
    return flags


WEBHOOK_PERSONALITIES: dict[str, dict[str, Any]] = {
    "webhook-put": {"webhook_method": "PUT"},
    "webhook-base64": {"webhook_encoding": "base64"},
    "webhook-prefixed": {"webhook_signature_prefix": True},
    "webhook-slow": {"webhook_send_delay_s": 3.0},
    "webhook-epoch-timestamps": {"webhook_timestamp": "epoch-ms"},
}
"""Conformant webhook senders, one open choice each (only meaningful with a webhook URL and secret):
PUT deliveries, base64 signatures, `sha256=`-prefixed signatures, every delivery 3 s late (well within
the profile's `webhook_delay_s`, default 30), `timestamp` as epoch milliseconds (INFO, never a failure).
Kept out of the L8 array above: their effect is independent of the API's choices."""
