"""The results document: schema, roll-ups (worst wins), loading back, v1 upgrade, re-rendering identically."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_sample import SEED, sample_document

from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.reporting import (
    SCHEMA_VERSION,
    DocumentError,
    load_document,
    render,
    validate_document,
    write_reports,
)
from ingest_conformance.reporting.document_schema import RESULTS_SCHEMA
from ingest_conformance.reporting.rollup import LABELS, rank, worst

pytestmark = pytest.mark.unit
README = Path(__file__).resolve().parents[2] / "reports" / "README.md"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return sample_document()


def test_document_matches_its_schema(document: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(RESULTS_SCHEMA).validate(document)
    assert document["version"] == SCHEMA_VERSION
    assert [r["id"] for r in document["requirements"]] == list(load_catalogue().ids)
    assert document["run"]["seed"] == SEED and document["run"]["exit_code"] == 1


def test_worst_wins_in_outcome_order() -> None:
    assert worst([]) == "disabled"
    for i, label in enumerate(LABELS):
        assert worst(LABELS[: i + 1]) == label
    assert worst(["pass", "xfail", "skip"]) == "xfail"
    assert worst(["warn", "stale"]) == "stale"
    assert worst(["fail", "error", "pass"]) == "error"


def test_requirement_rolls_up_its_records(document: dict[str, Any]) -> None:
    by_id = {r["id"]: r for r in document["requirements"]}
    assert [rec["outcome"] for rec in by_id["ERR-5XX-001"]["records"]] == ["pass", "fail"]
    assert by_id["ERR-5XX-001"]["outcome"] == "fail"
    assert by_id["VAL-400-005"]["outcome"] == "xfail"
    assert by_id["AUTH-BAD-001"]["outcome"] == "stale"
    assert by_id["AUTH-KEY-001"]["outcome"] == "disabled" and by_id["AUTH-KEY-001"]["records"] == []


def test_operation_and_feature_rollups_take_the_worst(document: dict[str, Any]) -> None:
    requirements = {r["id"]: r for r in document["requirements"]}
    for name, group in document["features"].items():
        members = [requirements[rid] for rid in group["requirements"]]
        assert all(r["feature"] == name for r in members)
        assert group["outcome"] == worst(r["outcome"] for r in members)
        assert sum(group["counts"].values()) == len(members)
    for group in document["operations"].values():
        # Per operation, each requirement counts with the worst of its records *there*, never worse than overall.
        assert group["outcome"] == worst(group["outcomes"].values())
        assert sum(group["counts"].values()) == len(group["requirements"]) == len(group["outcomes"])
        for rid, label in group["outcomes"].items():
            assert rank(label) <= rank(requirements[rid]["outcome"])
    assert document["features"]["size"]["outcome"] == "error"  # SIZE-413-002 beside a pass
    assert document["features"]["rate-limit"]["outcome"] == "warn"
    assert document["features"]["zip"]["outcome"] == "disabled"
    assert list(document["operations"])[:3] == ["uploadFiles", "uploadByUrl", "getFile"]


def test_operation_rollup_counts_only_where_a_check_ran(document: dict[str, Any]) -> None:
    """ERR-5XX-001 and NAME-LAT1-001 failed on uploadFiles; getFile, where they held or were not run, stays a pass."""
    ops = document["operations"]
    assert ops["uploadFiles"]["outcomes"]["ERR-5XX-001"] == "fail"
    assert ops["uploadFiles"]["outcomes"]["NAME-LAT1-001"] == "fail"
    assert ops["getFile"]["outcomes"]["NAME-LAT1-001"] == "disabled"  # declared on getFile, not checked there
    assert ops["getFile"]["outcomes"]["ERR-5XX-001"] == "pass"
    assert ops["getFile"]["outcomes"]["AUTH-BAD-001"] == "stale"  # a stale entry names no operation: all of them
    assert "fail" not in ops["getFile"]["outcomes"].values()
    assert ops["uploadSingle"]["outcomes"]["ERR-5XX-001"] == "disabled"
    # SIZE-413-002's harness error names no operation: it stands for every operation the requirement declares.
    for op in document["requirements"][[r["id"] for r in document["requirements"]].index("SIZE-413-002")]["operations"]:
        assert ops[op]["outcomes"]["SIZE-413-002"] == "error"


def test_per_test_rollup_and_summary(document: dict[str, Any]) -> None:
    latin1 = document["tests"]["ingest_conformance/contract/test_sample.py::test_latin1_upload"]
    assert latin1 == {"outcome": "fail", "requirements": ["NAME-LAT1-001", "ERR-5XX-001"]}
    assert document["tests"]["ingest_conformance/contract/test_sample.py::test_get_file"]["outcome"] == "pass"
    summary = document["summary"]
    assert summary["verdict"] == "non-conformant"
    assert summary["requirements"] == len(load_catalogue()) and summary["exercised"] == 10
    assert summary["checks"] == 11 and summary["tests"] == 8 and summary["exchanges"] == 6
    by_outcome = summary["requirements_by_outcome"]
    assert {k: v for k, v in by_outcome.items() if k != "disabled"} == {
        "skip": 1,
        "pass": 2,
        "info": 1,
        "xfail": 1,
        "warn": 1,
        "stale": 1,
        "fail": 2,
        "error": 1,
    }
    assert summary["checks_by_outcome"]["pass"] == 3


def test_failures_carry_exchanges_with_curl_and_elided_bodies(document: dict[str, Any]) -> None:
    fail = next(r for r in document["requirements"] if r["id"] == "NAME-LAT1-001")["records"][0]
    exchange = document["exchanges"][str(fail["exchanges"][0])]
    assert exchange["request"]["method"] == "POST" and exchange["response"]["status"] == 500
    assert "base64" in exchange["request"]["body"]  # raw Latin-1 bytes are kept exactly
    assert exchange["curl"].startswith("printf %s ") and "--data-binary @body.bin" in exchange["curl"]
    large = [ex for ex in document["exchanges"].values() if ex["request"]["body"].get("elided")]
    assert len(large) == 1 and large[0]["request"]["body"]["size"] == 40_000
    assert re.fullmatch(r"[0-9a-f]{64}", large[0]["request"]["body"]["sha256"])
    streamed = [ex for ex in document["exchanges"].values() if ex["request"]["body"].get("streamed")]
    assert len(streamed) == 1 and streamed[0]["response"] is None and streamed[0]["error"]


def test_saved_file_reads_back_and_rerenders_identically(document: dict[str, Any], tmp_path: Path) -> None:
    written = write_reports(document, tmp_path, ["json", "junit", "html", "console"])
    loaded = load_document(written["json"])
    assert loaded == json.loads(json.dumps(document))
    for fmt in ("junit", "html", "console"):
        assert render(loaded, fmt) == written[fmt].read_bytes(), fmt
    again = write_reports(loaded, tmp_path / "again", ["json"])
    assert again["json"].read_bytes() == written["json"].read_bytes()


def test_version_1_files_are_upgraded_with_their_rollups(document: dict[str, Any], tmp_path: Path) -> None:
    old = copy.deepcopy(document)
    old["version"] = 1
    for key in ("summary", "operations", "features", "tests"):
        del old[key]
    del old["run"]["harness_errors"]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    upgraded = load_document(path)
    assert upgraded["version"] == SCHEMA_VERSION
    for key in ("summary", "operations", "features", "tests"):
        assert upgraded[key] == document[key], key


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"{not json", "not valid JSON (line 1"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"schema": "something/else", "version": 2}', "not an ingest-conformance results file"),
        (b'{"schema": "ingest-conformance/results", "version": 99}', "unsupported schema version 99"),
        (b'{"schema": "ingest-conformance/results", "version": "2"}', "unsupported schema version '2'"),
        (b'{"schema": "ingest-conformance/results", "version": 2, "run": {}}', "invalid results document"),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DocumentError) as info:
        load_document(path)
    assert message in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_structural_errors_name_the_place(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["requirements"][3]["records"] = [{"outcome": "pass"}]
    with pytest.raises(DocumentError, match=r"requirements/3/records/0"):
        validate_document(broken)
    broken = copy.deepcopy(document)
    broken["requirements"][0]["outcome"] = "splendid"
    with pytest.raises(DocumentError, match=r"requirements/0/outcome"):
        validate_document(broken)


def test_readme_documents_every_top_level_key_and_outcome() -> None:
    text = README.read_text(encoding="utf-8")
    for key in RESULTS_SCHEMA["properties"]:
        assert f"`{key}`" in text, key
    for label in LABELS:
        assert f"`{label}`" in text, label
    assert f"version {SCHEMA_VERSION}" in text.lower() or f'"version": {SCHEMA_VERSION}' in text
