"""Isolation between environments, with a second environment's credential (ISO-*)."""

from __future__ import annotations

from typing import Any

import pytest

from ingest_conformance.flows.upload import Existing
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import Auth, TargetClient


@pytest.mark.requirement("ISO-FILE-001", "ISO-IMP-001", "ERR-5XX-001")
@pytest.mark.parametrize(
    ("kind", "operation", "rid"), [("files", "getFile", "ISO-FILE-001"), ("imports", "getImport", "ISO-IMP-001")]
)
def test_other_environment_cannot_read(
    client: TargetClient,
    verdict: Verdict,
    existing: Existing,
    second_environment: Auth,
    kind: str,
    operation: str,
    rid: str,
) -> None:
    item_id = existing.file_id if kind == "files" else existing.import_id
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
    if second_environment != "second_api_key":
        pytest.skip("list-imports takes only x-api-key: needs --second-api-key")
    ours_env = str(existing.answer.get("environmentId"))
    ex = client.get(
        "/v1/ingest/imports", auth="second_api_key", params={"limit": 15}, note="environment B lists its imports"
    )
    verdict.answered(ex, "listImports")
    verdict.require(
        "ISO-LIST-001",
        existing.import_id not in _listed_ids(ex),
        exchange=ex,
        received=f"import {existing.import_id} of environment A listed",
        documented="list-imports never lists another environment's import",
    )
    ex = client.get(
        "/v1/ingest/imports",
        auth="second_api_key",
        params={"environmentId": ours_env, "limit": 15},
        note="environment B asks for environment A's imports by environmentId",
    )
    verdict.answered(ex, "listImports")
    empty = ex.status == 200 and not _listed_ids(ex)
    verdict.require(
        "ISO-LIST-002",
        empty or ex.status in (403, 404),
        exchange=ex,
        received=f"{ex.status} listing {sorted(_listed_ids(ex))}",
        documented="an empty page, 403 or 404 for another environment's environmentId",
    )


def _listed_ids(ex: Any) -> set[str]:
    try:
        body = ex.json()
    except ValueError:
        return set()
    result = body.get("result") if isinstance(body, dict) else None
    return {str(i.get("id")) for i in result or [] if isinstance(i, dict)}
