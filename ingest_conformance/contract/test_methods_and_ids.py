"""Unknown paths and methods, unknown and malformed ids (METH-*, VAL-404-*, VAL-ID-001).

Each test judges its status rule first and the checks every answer gets beside it (`judge_all`), so
a wrong status is named as such even when the answer also breaks another rule. A path or method the
API does not define has no documented answer: its answer is held to no response schema.
"""

from __future__ import annotations

import pytest

from ingest_conformance.flows.ids import absent_id
from ingest_conformance.flows.steps import judge_all
from ingest_conformance.judging.checks import Case, error_body_is_json, no_server_error
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import TargetClient
from ingest_conformance.wire.exchange import Exchange

DOCUMENTED = {
    "/v1/ingest/uploads": {"POST"},
    "/v1/ingest/by-url": {"POST"},
    "/v1/ingest/single": {"POST"},
    "/v1/ingest/imports": {"GET"},
}
UNDOCUMENTED = [
    (path, method)
    for path in sorted(DOCUMENTED)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    if method not in DOCUMENTED[path]
]


def judge_undocumented(verdict: Verdict, ex: Exchange, rid: str, allowed: set[int], documented: str) -> None:
    """The status rule, no 5xx and a JSON error body; no schema (nothing is documented for this request)."""
    case = Case("(undocumented request)", documented)
    judge_all(
        lambda: verdict.status_in(rid, ex, allowed, documented),
        lambda: verdict.check(no_server_error, ex, case),
        lambda: verdict.check(error_body_is_json, ex, case),
    )


@pytest.mark.requirement("METH-405-001", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize(("path", "method"), UNDOCUMENTED, ids=[f"{m}-{p.rsplit('/', 1)[-1]}" for p, m in UNDOCUMENTED])
def test_undocumented_method_on_documented_path(client: TargetClient, verdict: Verdict, path: str, method: str) -> None:
    ex = client.send(method, path, note="undocumented method")
    judge_undocumented(verdict, ex, "METH-405-001", {404, 405}, "404 or 405 for a method the path does not define")


@pytest.mark.requirement("METH-405-001", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize("method", ["DELETE", "PUT", "POST"])
@pytest.mark.parametrize("kind", ["files", "imports"])
def test_undocumented_method_on_item_path(
    client: TargetClient, verdict: Verdict, suite: Suite, method: str, kind: str
) -> None:
    ex = client.send(method, f"/v1/ingest/{kind}/{absent_id(suite)}", note="undocumented method on an item")
    judge_undocumented(verdict, ex, "METH-405-001", {404, 405}, "404 or 405 for a method the path does not define")


@pytest.mark.requirement("METH-PATH-001", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize(
    "path", ["/v1/ingest/nope", "/v1/health", "/v1/ingest/uploads/extra/segment", "/v1/ingest/files"]
)
def test_unknown_path_under_v1_is_404(client: TargetClient, verdict: Verdict, path: str) -> None:
    ex = client.get(path, note="unknown path under /v1/")
    judge_undocumented(verdict, ex, "METH-PATH-001", {404}, "404 for a path under /v1/ the API does not define")


@pytest.mark.requirement("METH-PATH-002", "ERR-5XX-001")
@pytest.mark.parametrize("path", ["/", "/health", "/docs", "/v2/ingest/uploads"])
def test_path_outside_v1_is_recorded(client: TargetClient, verdict: Verdict, path: str) -> None:
    """DECISIONS "Requests the docs call invalid": outside `/v1/` (a root health route, API docs) a target
    may answer anything but a 5xx; what it answers is recorded."""
    ex = client.get(path, note="a path outside /v1/")
    verdict.check(no_server_error, ex, Case("(undocumented request)", "anything but a 5xx outside /v1/"))
    verdict.observe("METH-PATH-002", f"GET {path}: {ex.status} {ex.header('content-type') or ''}".strip(), ex)


@pytest.mark.requirement("VAL-404-001", "VAL-404-002", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize(
    ("kind", "operation", "rid"), [("files", "getFile", "VAL-404-001"), ("imports", "getImport", "VAL-404-002")]
)
def test_well_formed_unknown_id_is_404(
    client: TargetClient, verdict: Verdict, suite: Suite, kind: str, operation: str, rid: str
) -> None:
    ex = client.get(f"/v1/ingest/{kind}/{absent_id(suite)}", note="well-formed id that does not exist")
    judge_all(
        lambda: verdict.status_in(rid, ex, {404}, "404 for a well-formed id that does not exist"),
        lambda: verdict.answered(ex, operation),
    )


@pytest.mark.requirement("VAL-ID-001", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize(
    "bad_id",
    ["x", "not-an-id", "0" * 200, "%00", "..%2f..%2fetc", "66d721ec7edc0baa3794eec1z", "%E9t%E9", "null"],
    ids=["short", "word", "long", "nul", "traversal", "hex+1", "latin1", "null"],
)
@pytest.mark.parametrize(("kind", "operation"), [("files", "getFile"), ("imports", "getImport")])
def test_malformed_id_is_400_or_404(
    client: TargetClient, verdict: Verdict, kind: str, operation: str, bad_id: str
) -> None:
    ex = client.get(f"/v1/ingest/{kind}/{bad_id}", note="malformed id")
    judge_all(
        lambda: verdict.status_in("VAL-ID-001", ex, {400, 404}, "400 or 404 for a malformed id"),
        lambda: verdict.answered(ex, operation),
    )
