"""Isolation between environments, with a second environment's credential (ISO-*)."""

from __future__ import annotations

import pytest

from ingest_conformance.flows.listing import Listing, every_page
from ingest_conformance.flows.reading import read_after_write
from ingest_conformance.flows.upload import Existing
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import Auth, TargetClient
from ingest_conformance.wire.exchange import Exchange


@pytest.mark.requirement("ISO-FILE-001", "ISO-IMP-001", "ERR-5XX-001")
@pytest.mark.parametrize(
    ("kind", "operation", "rid"), [("files", "getFile", "ISO-FILE-001"), ("imports", "getImport", "ISO-IMP-001")]
)
def test_other_environment_cannot_read(
    client: TargetClient,
    verdict: Verdict,
    suite: Suite,
    existing: Existing,
    second_environment: Auth,
    kind: str,
    operation: str,
    rid: str,
) -> None:
    item_id = existing.file_id if kind == "files" else existing.import_id
    own = read_after_write(client, suite, f"/v1/ingest/{kind}/{item_id}", note="our own credential reads our item")
    if own.status != 200:
        pytest.skip(
            f"our own credential could not read the {kind[:-1]} (status {own.status}): B's 404 would prove nothing"
        )
    ex = client.get(
        f"/v1/ingest/{kind}/{item_id}",
        auth=second_environment,
        note="another environment's credential asks for our item",
    )
    verdict.answered(ex, operation)
    verdict.status_in(
        rid,
        ex,
        {403, 404},
        "404 or 403; never the item of another environment",
        message=f"{kind[:-1]} of environment A read with environment B's credential",
    )


@pytest.mark.requirement("ISO-LIST-001", "ISO-LIST-002", "ERR-5XX-001")
def test_other_environment_never_lists_our_imports(
    client: TargetClient, verdict: Verdict, existing: Existing, second_environment: Auth
) -> None:
    """Environment B reads every page the ranges allow, without and with environment A's `environmentId`:
    no page lists an import of A (DECISIONS "Authentication"). With A's id, an empty page, 403, 404, or B's own
    imports (the parameter ignored) are all fine."""
    if second_environment != "second_api_key":
        pytest.skip("list-imports takes only x-api-key: needs --second-api-key")
    ours_env = existing.answer.get("environmentId")
    listing = every_page(verdict, client, auth="second_api_key", note="environment B lists its imports")
    if listing.pages[0].status != 200:
        pytest.skip(f"environment B's list-imports answered {listing.pages[0].status}: no page to judge")
    leaked = _ours(listing, existing.import_id, ours_env)
    verdict.require(
        "ISO-LIST-001",
        not leaked,
        exchange=leaked[0][1] if leaked else listing.pages[-1],
        received=f"imports of environment A listed: {[item for item, _ in leaked][:5]}",
        documented="list-imports never lists another environment's import, on any page",
    )
    listing = every_page(
        verdict,
        client,
        auth="second_api_key",
        params={"environmentId": str(ours_env)},
        note="environment B asks for environment A's imports by environmentId",
    )
    last = listing.pages[-1]
    leaked = _ours(listing, existing.import_id, ours_env)
    verdict.require(
        "ISO-LIST-002",
        last.status in (200, 403, 404) and not leaked,
        exchange=leaked[0][1] if leaked else last,
        received=f"{last.status}; imports of environment A listed: {[item for item, _ in leaked][:5]}",
        documented="an empty page, 403, 404 or the caller's own imports; never an import of environment A",
    )


def _ours(listing: Listing, import_id: str, environment_id: object) -> list[tuple[str, Exchange]]:
    """Imports of environment A on any page: our import's id, or an item carrying A's `environmentId`."""
    return [
        (str(item.get("id")), page)
        for page, items in zip(listing.pages, listing.items, strict=True)
        for item in items
        if str(item.get("id")) == import_id
        or (environment_id is not None and item.get("environmentId") == environment_id)
    ]
