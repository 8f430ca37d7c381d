"""Every read the suite makes after a write, with profile `read_after_write_s` applied (DECISIONS "Success
and identifiers": the grace applies to every read after a write, file, import, list-imports, ZIP children).

A 404 is read again, a little later, until the grace has passed since the first read; then the last
answer is what the caller judges. With the default grace of 0 it is one plain GET.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ingest_conformance.judging.suite import Suite
from ingest_conformance.wire.client import Auth, TargetClient
from ingest_conformance.wire.exchange import Exchange

RETRY_EVERY_S = 0.2
MAX_READS = 200  # bounds the loop whatever the grace (200 x 0.2 s = 40 s of retries at most)


def not_yet(ex: Exchange) -> bool:
    """An answer a lagging (eventually consistent) target may give before it has the item: 404."""
    return ex.status == 404


def read_after_write(
    client: TargetClient,
    suite: Suite,
    path: str,
    *,
    note: str,
    auth: Auth = "api_key",
    params: dict[str, Any] | None = None,
    again: Callable[[Exchange], bool] = not_yet,
) -> Exchange:
    """GET `path`; while `again(answer)` holds and the profile's grace has not run out, GET it again."""
    grace = suite.config.profile.read_after_write_s
    deadline = time.monotonic() + grace
    ex = client.get(path, auth=auth, params=params, note=note)
    for _ in range(MAX_READS):
        if not again(ex) or time.monotonic() >= deadline:
            break
        time.sleep(min(RETRY_EVERY_S, max(0.0, deadline - time.monotonic())))
        ex = client.get(path, auth=auth, params=params, note=f"{note} (again, within read_after_write_s {grace:g} s)")
    return ex


def grace_note(suite: Suite) -> str:
    """How the documented side of a read-after-write check reads: at once, or within the profile's grace."""
    grace = suite.config.profile.read_after_write_s
    return "at once" if not grace else f"within {grace:g} s (profile read_after_write_s)"
