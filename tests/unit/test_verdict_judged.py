"""No hollow passes (DECISIONS, "What a verdict means"): a check records a pass only when it judged an
answer that could have failed it; a requirement nothing judged is *not run*; every record names the
operation it exercised, and the per-operation roll-up counts a requirement only where a check ran."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import pytest

from ingest_conformance.config.target import TargetConfig
from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.flows.upload import upload_answer
from ingest_conformance.judging.catalogue import OPERATION_IDS, load_catalogue
from ingest_conformance.judging.checks import (
    Case,
    CheckContext,
    RequirementFailure,
    error_body_is_json,
    ids_match_profile_pattern,
    no_server_error,
    response_conforms_to_schema,
)
from ingest_conformance.judging.expected import ExpectedEntry, ExpectedFailures
from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.judging.results import Outcome, RunResults
from ingest_conformance.judging.stalls import Stalls
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.reporting import build_document
from ingest_conformance.reporting.rollup import display, run_verdict
from ingest_conformance.wire.exchange import Exchange

pytestmark = pytest.mark.unit
BASE = "http://127.0.0.1:9"
FILE = {
    "id": "66d721ec7edc0baa3794eec1",
    "accountId": "66d721ec7edc0baa3794eec2",
    "environmentId": "66d721ec7edc0baa3794eec3",
    "importId": "66d721ec7edc0baa3794eec4",
    "filename": "a.pdf",
    "compressed": False,
    "status": "processed",
    "createdAt": "2026-01-01T00:00:00Z",
}


def _answer(method: str, path: str, status: int | None, body: Any = None, ctype: str = "application/json") -> Exchange:
    ex = Exchange.for_request(method, BASE + path, [], b"")
    ex.status = status
    if status is not None:
        ex.response_headers = [("content-type", ctype)]
        ex.response_body = json.dumps(body).encode() if body is not None else b""
    return ex


def _ctx() -> CheckContext:
    return CheckContext(TargetConfig(), load_catalogue(), OpenAPIDocument(load_openapi()))


def _verdict(results: RunResults | None = None) -> Verdict:
    ctx = _ctx()
    return Verdict(
        "ingest_conformance/contract/test_x.py::test_y",
        ctx.catalogue,
        results or RunResults(seed=1, config={}),
        ExpectedFailures(),
        ctx=ctx,
    )


def _document(results: RunResults) -> dict[str, Any]:
    return build_document(
        load_catalogue(), results, run={"target": BASE, "level": "quick"}, config={}, secrets=[], strict=False
    )


# -- checks say whether they judged ---------------------------------------------------------------------
def test_checks_with_nothing_to_judge_return_false() -> None:
    ctx = _ctx()
    ok = _answer("GET", "/v1/ingest/files/x", 200, FILE)
    assert error_body_is_json(ctx, ok, Case("getFile")) is False  # a 2xx is no error answer
    assert no_server_error(ctx, _answer("GET", "/v1/ingest/files/x", None), Case("getFile")) is False  # no answer
    # A status the spec describes no body for, and a request the spec does not define at all.
    assert response_conforms_to_schema(ctx, _answer("GET", "/x", 299, {}), Case("getFile")) is False
    assert response_conforms_to_schema(ctx, ok, Case("(undocumented request)")) is False
    assert ids_match_profile_pattern(ctx, _answer("GET", "/x", 200, {"message": "ok"}), Case("getFile")) is False


def test_checks_that_judged_return_true_or_raise() -> None:
    ctx = _ctx()
    ok = _answer("GET", "/v1/ingest/files/x", 200, FILE)
    assert response_conforms_to_schema(ctx, ok, Case("getFile")) is True
    assert ids_match_profile_pattern(ctx, ok, Case("getFile")) is True
    assert no_server_error(ctx, ok, Case("getFile")) is True
    assert error_body_is_json(ctx, _answer("GET", "/x", 404, {"message": "no"}), Case("getFile")) is True
    with pytest.raises(RequirementFailure, match="ERR-JSON-001"):
        error_body_is_json(ctx, _answer("GET", "/x", 404, "no", ctype="text/plain"), Case("getFile"))
    with pytest.raises(RequirementFailure, match="RESP-SCHEMA-001"):
        response_conforms_to_schema(ctx, _answer("GET", "/x", 200, {"id": 1}), Case("getFile"))


def test_answered_records_only_the_checks_that_judged() -> None:
    v = _verdict()
    v.answered(_answer("GET", "/v1/ingest/files/x", 200, FILE), "getFile")
    assert v.results.by_requirement() == {
        "ERR-5XX-001": Outcome.PASS,
        "RESP-SCHEMA-001": Outcome.PASS,
        "ID-SHAPE-001": Outcome.PASS,
    }  # no ERR-JSON-001: a 2xx could not have failed it
    v = _verdict()
    v.answered(_answer("GET", "/v1/ingest/files/x", 404, {"message": "not found"}), "getFile")
    assert set(v.results.by_requirement()) == {"ERR-5XX-001", "ERR-JSON-001"}  # the spec gives 404 no schema


def test_a_requirement_nothing_judged_is_not_run() -> None:
    v = _verdict()
    v.answered(_answer("GET", "/v1/ingest/files/x", 200, FILE), "getFile")
    by_id = {r["id"]: r for r in _document(v.results)["requirements"]}
    assert by_id["ERR-JSON-001"]["outcome"] == "disabled" and by_id["ERR-JSON-001"]["records"] == []
    assert display(by_id["ERR-JSON-001"]["outcome"]) == "not run"
    assert by_id["RESP-SCHEMA-001"]["outcome"] == "pass"


# -- the operation a record exercised -------------------------------------------------------------------
def test_records_name_the_operation_they_exercised() -> None:
    v = _verdict()
    v.answered(_answer("POST", "/v1/ingest/single", 400, {"message": "no file"}), "uploadSingle")
    v.require("LIFE-STATUS-001", True, exchange=_answer("GET", "/v1/ingest/files/abc", 200, FILE))
    read = _answer("GET", "/v1/ingest/files/abc", 200, FILE)
    v.exchanges.append(_answer("POST", "/v1/ingest/by-url", 200, {}))
    v.require("UPL-CORRUPT-001", True, exchange=read, operation="uploadByUrl")  # named: the poll was of getFile
    v.require("RESP-POST-001", True)  # no exchange: the test's latest request to one of its operations
    ops = {(r.requirement_id, r.operation) for r in v.results.records}
    assert ("ERR-JSON-001", "uploadSingle") in ops and ("ERR-5XX-001", "uploadSingle") in ops
    assert ("LIFE-STATUS-001", "getFile") in ops
    assert ("UPL-CORRUPT-001", "uploadByUrl") in ops
    assert ("RESP-POST-001", "uploadByUrl") in ops


def test_single_url_path_comes_from_the_profile() -> None:
    config = TargetConfig(profile=replace(TargetConfig().profile, single_url_path="/v1/ingest/single/by-url"))
    ctx = CheckContext(config, load_catalogue(), OpenAPIDocument(load_openapi()))
    v = Verdict("t", ctx.catalogue, RunResults(seed=1, config={}), ExpectedFailures(), ctx=ctx)
    v.require("RESP-POST-001", True, exchange=_answer("POST", "/v1/ingest/single/by-url", 200, {}))
    assert v.results.records[-1].operation == "uploadSingleUrl"


def test_per_operation_rollup_counts_only_where_a_check_ran() -> None:
    """One corrupt-ZIP failure on uploadFiles marks uploadFiles only, not the other upload operations."""
    v = _verdict()
    with pytest.raises(RequirementFailure):
        v.require("UPL-CORRUPT-001", False, received="processed", operation="uploadFiles")
    v.require("UPL-CORRUPT-001", True, operation="uploadSingle")
    ops = _document(v.results)["operations"]
    assert ops["uploadFiles"]["outcomes"]["UPL-CORRUPT-001"] == "fail" and ops["uploadFiles"]["outcome"] == "fail"
    assert ops["uploadSingle"]["outcomes"]["UPL-CORRUPT-001"] == "pass"
    for op in ("uploadByUrl", "uploadSingleUrl", "getFile"):
        assert ops[op]["outcomes"]["UPL-CORRUPT-001"] == "disabled", op
        assert ops[op]["outcome"] != "fail"
    assert list(ops)[: len(OPERATION_IDS)] == list(OPERATION_IDS)


def test_operation_rollup_of_an_older_results_file_keeps_its_meaning() -> None:
    """Records written before they named an operation count under every declared one, as they did then."""
    v = _verdict()
    v.require("UPL-CORRUPT-001", True, operation="uploadFiles")
    document = _document(v.results)
    for req in document["requirements"]:
        for rec in req["records"]:
            rec.pop("operation")
    from ingest_conformance.reporting.rollup import add_rollups

    ops = add_rollups(document, OPERATION_IDS)["operations"]
    assert all(ops[op]["outcomes"]["UPL-CORRUPT-001"] == "pass" for op in ("uploadFiles", "uploadSingle", "getFile"))


# -- an accepted upload must name its files -------------------------------------------------------------
IDENTITY = {"accountId": FILE["accountId"], "environmentId": FILE["environmentId"], "importId": FILE["importId"]}


@pytest.mark.parametrize(
    ("operation", "path", "body"),
    [
        ("uploadFiles", "/v1/ingest/uploads", {**IDENTITY, "files": []}),
        ("uploadByUrl", "/v1/ingest/by-url", {**IDENTITY, "files": []}),
        ("uploadSingle", "/v1/ingest/single", IDENTITY),  # the schema fails it too (fileId is required)
    ],
)
def test_a_2xx_upload_naming_no_file_fails(operation: str, path: str, body: dict[str, Any]) -> None:
    v = _verdict()
    v.expected = ExpectedFailures([ExpectedEntry("RESP-SCHEMA-001", "judge RESP-POST-001 alone")])
    suite = cast(Suite, SimpleNamespace(config=TargetConfig()))
    with pytest.raises(RequirementFailure, match="RESP-POST-001") as failed:
        upload_answer(v, suite, _answer("POST", path, 200, body), operation)
    assert "names no file" in str(failed.value)


def test_a_2xx_upload_naming_its_file_passes() -> None:
    v = _verdict()
    suite = cast(Suite, SimpleNamespace(config=TargetConfig()))
    answer = _answer("POST", "/v1/ingest/uploads", 200, {**IDENTITY, "files": [FILE]})
    judged = upload_answer(v, suite, answer, "uploadFiles")
    assert judged is not None and [u.id for u in judged[1]] == [FILE["id"]]
    assert v.results.by_requirement()["RESP-POST-001"] is Outcome.PASS


# -- a stuck target fails fast ----------------------------------------------------------------------------
def test_stalls_trip_after_two_files_and_name_the_failure() -> None:
    stalls = Stalls(timeout_s=20)
    assert stalls.skip_reason() is None
    stalls.note("file a still 'processing' after 20 s in test_one")
    assert not stalls.tripped and stalls.skip_reason() is None  # one could be a fluke
    stalls.note("file b still 'processing' after 20 s in test_two")
    reason = stalls.skip_reason()
    assert stalls.tripped and reason is not None
    assert "LIFE-STATUS-003" in reason and "20 s" in reason and "file a" in reason and "file b" in reason


# -- an interrupted run --------------------------------------------------------------------------------
def test_an_interrupted_run_exits_4_and_says_so() -> None:
    results = RunResults(seed=1, config={})
    results.interrupted = "SIGTERM"
    assert results.exit_code(strict=False) == ExitCode.INTERRUPTED == 4
    assert run_verdict(4, None) == "interrupted"
    document = _document(results)
    assert document["run"]["interrupted"] == "SIGTERM" and document["summary"]["verdict"] == "interrupted"
