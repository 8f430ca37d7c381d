"""List-imports: documented ranges and defaults, and the answer's shape (VAL-RANGE-*, IMP-*, RESP-*)."""

from __future__ import annotations

from typing import Any

import pytest

from ingest_conformance.flows.upload import check_import_enums
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import TargetClient

OUT_OF_RANGE = [
    ("skip", "-1", "VAL-RANGE-001"),
    ("skip", "11", "VAL-RANGE-001"),
    ("skip", "abc", "VAL-RANGE-001"),
    ("skip", "1.5", "VAL-RANGE-001"),
    ("limit", "0", "VAL-RANGE-002"),
    ("limit", "16", "VAL-RANGE-002"),
    ("limit", "-3", "VAL-RANGE-002"),
    ("limit", "x", "VAL-RANGE-002"),
    ("limit", "100", "VAL-RANGE-002"),
]


@pytest.mark.requirement("VAL-RANGE-001", "VAL-RANGE-002", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize(("param", "value", "rid"), OUT_OF_RANGE, ids=[f"{p}={v}" for p, v, _ in OUT_OF_RANGE])
def test_out_of_range_query_is_400(client: TargetClient, verdict: Verdict, param: str, value: str, rid: str) -> None:
    ex = client.get("/v1/ingest/imports", params={param: value}, note=f"{param} outside its documented range")
    verdict.answered(ex, "listImports")
    verdict.status_in(rid, ex, {400}, f"400 for {param}={value} (skip 0..10, limit 1..15)")


IN_RANGE = [{}, {"skip": "0"}, {"skip": "10"}, {"limit": "1"}, {"limit": "15"}, {"skip": "3", "limit": "7"}]


@pytest.mark.requirement("RESP-GET-001", "RESP-SCHEMA-001", "IMP-STATUS-001", "IMP-CHAN-001", "ID-SHAPE-001")
@pytest.mark.parametrize("params", IN_RANGE, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "defaults")
def test_in_range_query_lists_imports(client: TargetClient, verdict: Verdict, params: dict[str, str]) -> None:
    ex = client.get("/v1/ingest/imports", params=params, note="list imports within the documented ranges")
    verdict.answered(ex, "listImports")
    if not verdict.status_in("RESP-GET-001", ex, {200}, "200 for a valid list-imports request"):
        return  # not a 200 (an expected failure): no list to judge
    try:
        body: Any = ex.json()
    except ValueError:
        return  # not JSON: the schema check above has already judged it
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, list):
        return  # the schema check above has already judged the shape
    limit = int(params.get("limit", "5"))
    verdict.require(
        "RESP-SCHEMA-001",
        len(result) <= limit,
        received=f"{len(result)} imports",
        documented=f"at most limit={limit} imports per page (default 5)",
        exchange=ex,
    )
    for item in result:
        if isinstance(item, dict):
            check_import_enums(verdict, item, ex)
