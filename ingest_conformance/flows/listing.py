"""Every page of list-imports the documented ranges allow (DECISIONS "Processing lifecycle").

The order of the list is not documented, nor whether `skip` counts items or pages, so a search reads
each `skip` from 0 to 10 at the largest `limit` (15) and assumes no order. An empty page ends the walk
(past the end in either reading of `skip`); a full last page means the environment may hold more
imports than the walk can see, which a caller reports as "not covered", never as a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import Auth, TargetClient
from ingest_conformance.wire.exchange import Exchange

MAX_SKIP = 10
MAX_LIMIT = 15


@dataclass
class Listing:
    """The pages read (every answer) and the imports they listed, page by page."""

    pages: list[Exchange] = field(default_factory=list)
    items: list[list[dict[str, Any]]] = field(default_factory=list)
    covered: bool = True  # False when the last page allowed was full: more imports may lie beyond

    @property
    def ids(self) -> set[str]:
        return {str(item.get("id")) for page in self.items for item in page}


def page_items(ex: Exchange) -> list[dict[str, Any]]:
    """The imports of one list answer (none for a non-200 or a body without a `result` list)."""
    if ex.status != 200:
        return []
    try:
        body = ex.json()
    except ValueError:
        return []
    result = body.get("result") if isinstance(body, dict) else None
    return [item for item in result or [] if isinstance(item, dict)] if isinstance(result, list) else []


def every_page(
    verdict: Verdict,
    client: TargetClient,
    *,
    note: str,
    auth: Auth = "api_key",
    params: dict[str, Any] | None = None,
) -> Listing:
    """GET list-imports at each `skip` 0..10 with `limit` 15 (plus `params`), judging every answer
    (`answered`); stops at an empty page or an answer that is not a 200."""
    listing = Listing()
    for skip in range(MAX_SKIP + 1):
        ex = client.get(
            "/v1/ingest/imports", auth=auth, params={**(params or {}), "skip": skip, "limit": MAX_LIMIT}, note=note
        )
        verdict.answered(ex, "listImports")
        listing.pages.append(ex)
        items = page_items(ex)
        listing.items.append(items)
        if ex.status != 200 or not items:
            return listing
    listing.covered = len(listing.items[-1]) < MAX_LIMIT
    return listing
