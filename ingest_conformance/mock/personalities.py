"""Conformant personalities: combinations of the choices the docs leave open, each a valid target.

`choices.CHOICES` holds every INFO and PROFILE choice of DECISIONS.md (35 of them, most two-way, a
few three- or four-way). A full factorial is out of reach (billions of mocks); a covering array of
strength 2 is not: a small set of mocks in which every *pair* of options of every two choices
meets at least once, so any false alarm that two choices cause together shows up. It is built here
by a deterministic greedy (AETG-style) generator, no library: row 0 is the mock's defaults; each
next row starts from the first pair still uncovered and picks, choice by choice, the option that
covers the most new pairs (ties: the option used least so far, then the first). The same code always
gives the same rows; tests/unit/test_mock_personalities.py proves every pair is covered.

A personality is a name and its MockSettings overrides (`PERSONALITIES`); `suite_settings` says
which target-profile settings the suite needs for it (a lagging store needs `read_after_write_s`,
a moved single-by-URL route needs `single_url_path`), as `--set` flags by `suite_flags`.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

from .choices import CHOICES, Choice
from .settings import DEFAULTS

Pair = tuple[int, int, int, int]  # (choice i, option a, choice j, option b) with i < j
READ_GRACE_MARGIN_S = 0.7  # the profile's grace exceeds the lag by this much (timers, slow machines)
NAME_LABELS = 3  # options named in a personality's name
# The choices a personality's name speaks of first: those the suite most easily gets wrong.
NAME_FIRST = ("decoding", "read-lag", "rate-limit", "zip-all-rejected", "foreign-list", "list-order", "size-scope")


def _all_pairs(sizes: list[int]) -> set[Pair]:
    return {
        (i, a, j, b)
        for i, j in itertools.combinations(range(len(sizes)), 2)
        for a in range(sizes[i])
        for b in range(sizes[j])
    }


def _covered(row: list[int]) -> set[Pair]:
    return {(i, row[i], j, row[j]) for i, j in itertools.combinations(range(len(row)), 2)}


def covering_array(sizes: list[int]) -> list[list[int]]:
    """Rows of option indexes (one per choice) in which every pair of options of every two choices
    occurs; row 0 is all defaults (index 0)."""
    uncovered = _all_pairs(sizes)
    rows = [[0] * len(sizes)]
    uncovered -= _covered(rows[0])
    used = [[0] * size for size in sizes]
    # Choices with more options first: their pairs are the hardest to fit.
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))
    while uncovered:
        i, a, j, b = min(uncovered)
        row: dict[int, int] = {i: a, j: b}
        for k in order:
            if k not in row:
                row[k] = max(range(sizes[k]), key=functools.partial(_gain, row, k, uncovered=uncovered, used=used[k]))
        full = [row[k] for k in range(len(sizes))]
        uncovered -= _covered(full)
        for k, option in enumerate(full):
            used[k][option] += 1
        rows.append(full)
    return rows


def _gain(row: dict[int, int], k: int, option: int, *, uncovered: set[Pair], used: list[int]) -> tuple[int, int, int]:
    """How good `option` is for choice k in a partly filled row: new pairs covered, then the least
    used option, then the first."""
    new = sum(1 for m, v in row.items() if _pair(k, option, m, v) in uncovered)
    return (new, -used[option], -option)


def _pair(k: int, option: int, m: int, value: int) -> Pair:
    """The Pair of option `option` of choice k and `value` of choice m (the smaller choice first)."""
    return (k, option, m, value) if k < m else (m, value, k, option)


def _name(choices: tuple[Choice, ...], row: list[int], taken: set[str]) -> str:
    """The labels of the first options off the defaults, the choices of NAME_FIRST first; more
    labels only if a shorter name is taken."""
    first = [k for name in NAME_FIRST for k, c in enumerate(choices) if c.name == name]
    picked = first + [k for k in range(len(choices)) if k not in first]
    labels = [choices[k].options[row[k]].label for k in picked if row[k]]
    if not labels:
        return "defaults"
    count = NAME_LABELS
    name = "-".join(labels[:count])
    while name in taken and count < len(labels):
        count += 1
        name = "-".join(labels[:count])
    return name


def _personalities() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in covering_array([len(c.options) for c in CHOICES]):
        overrides: dict[str, Any] = {}
        for choice, option in zip(CHOICES, row, strict=True):
            overrides.update(choice.options[option].overrides)
        found[_name(CHOICES, row, set(found))] = overrides
    return found


PERSONALITIES: dict[str, dict[str, Any]] = _personalities()
"""Name (the first options it picks off the defaults, or `defaults`) -> MockSettings overrides."""


def options_of(overrides: dict[str, Any]) -> dict[str, str]:
    """Which option of each choice these overrides pick (choice name -> option label)."""
    picked = {}
    for choice in CHOICES:
        matching = [o for o in choice.options[1:] if o.overrides.items() <= overrides.items()]
        best = max(matching, key=lambda o: len(o.overrides)) if matching else choice.options[0]
        picked[choice.name] = best.label
    return picked


def suite_settings(overrides: dict[str, Any]) -> dict[str, str]:
    """The target-profile settings (`ingest-conformance run --set KEY=VALUE`) the suite needs to
    judge a mock with these overrides: what the docs leave to the profile, declared as the mock does it."""
    profile: dict[str, str] = {}
    lag_ms = int(overrides.get("read_lag_ms", DEFAULTS.read_lag_ms))
    if lag_ms:
        profile["read_after_write_s"] = f"{lag_ms / 1000 + READ_GRACE_MARGIN_S:g}"
    path = overrides.get("single_url_path", DEFAULTS.single_url_path)
    if path and path != DEFAULTS.single_url_path:
        profile["single_url_path"] = str(path)
    return profile


def suite_flags(overrides: dict[str, Any]) -> list[str]:
    """`suite_settings` as `ingest-conformance run` flags."""
    return [item for key, value in suite_settings(overrides).items() for item in ("--set", f"{key}={value}")]


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
