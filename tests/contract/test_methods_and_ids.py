"""Unknown paths and methods, unknown and malformed ids (METH-*, VAL-404-*, VAL-ID-001)."""

from __future__ import annotations

import pytest

from ingest_conformance.client import TargetClient
from ingest_conformance.suite import Suite
from ingest_conformance.verdict import Verdict

from .helpers import absent_id

DOCUMENTED = {
    "/v1/ingest/uploads": {"POST"},
    "/v1/ingest/by-url": {"POST"},
    "/v1/ingest/single": {"POST"},
    "/v1/ingest/imports": {"GET"},
}
UNDOCUMENTED = [(path, method) for path in sorted(DOCUMENTED) for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
                if method not in DOCUMENTED[path]]


@pytest.mark.requirement("METH-405-001", "ERR-5XX-001")
@pytest.mark.parametrize(("path", "method"), UNDOCUMENTED, ids=[f"{m}-{p.rsplit('/', 1)[-1]}" for p, m in UNDOCUMENTED])
def test_undocumented_method_on_documented_path(client: TargetClient, verdict: Verdict, path: str,
                                                method: str) -> None:
    ex = client.send(method, path, note="undocumented method")
    verdict.answered(ex, "uploadFiles")
    verdict.status_in("METH-405-001", ex, {404, 405}, "404 or 405 for a method the path does not define")


@pytest.mark.requirement("METH-405-001", "ERR-5XX-001")
@pytest.mark.parametrize("method", ["DELETE", "PUT", "POST"])
@pytest.mark.parametrize("kind", ["files", "imports"])
def test_undocumented_method_on_item_path(client: TargetClient, verdict: Verdict, suite: Suite, method: str,
                                          kind: str) -> None:
    ex = client.send(method, f"/v1/ingest/{kind}/{absent_id(suite)}", note="undocumented method on an item")
    verdict.answered(ex, "getFile")
    verdict.status_in("METH-405-001", ex, {404, 405}, "404 or 405 for a method the path does not define")


@pytest.mark.requirement("METH-PATH-001", "ERR-5XX-001")
@pytest.mark.parametrize("path", ["/v1/ingest/nope", "/v2/ingest/uploads", "/v1/ingest/uploads/extra/segment",
                                  "/", "/v1/ingest/files"])
def test_unknown_path_is_404(client: TargetClient, verdict: Verdict, path: str) -> None:
    ex = client.get(path, note="unknown path")
    verdict.answered(ex, "getFile")
    verdict.status_in("METH-PATH-001", ex, {404}, "404 for a path the API does not define")


@pytest.mark.requirement("VAL-404-001", "VAL-404-002", "ERR-5XX-001")
@pytest.mark.parametrize(("kind", "operation", "rid"), [("files", "getFile", "VAL-404-001"),
                                                        ("imports", "getImport", "VAL-404-002")])
def test_well_formed_unknown_id_is_404(client: TargetClient, verdict: Verdict, suite: Suite, kind: str,
                                       operation: str, rid: str) -> None:
    ex = client.get(f"/v1/ingest/{kind}/{absent_id(suite)}", note="well-formed id that does not exist")
    verdict.answered(ex, operation)
    verdict.status_in(rid, ex, {404}, "404 for a well-formed id that does not exist")


@pytest.mark.requirement("VAL-ID-001", "ERR-5XX-001")
@pytest.mark.parametrize("bad_id", ["x", "not-an-id", "0" * 200, "%00", "..%2f..%2fetc", "66d721ec7edc0baa3794eec1z",
                                    "%E9t%E9", "null"], ids=["short", "word", "long", "nul", "traversal", "hex+1",
                                                             "latin1", "null"])
@pytest.mark.parametrize(("kind", "operation"), [("files", "getFile"), ("imports", "getImport")])
def test_malformed_id_is_400_or_404(client: TargetClient, verdict: Verdict, kind: str, operation: str,
                                    bad_id: str) -> None:
    ex = client.get(f"/v1/ingest/{kind}/{bad_id}", note="malformed id")
    verdict.answered(ex, operation)
    verdict.status_in("VAL-ID-001", ex, {400, 404}, "400 or 404 for a malformed id")
