"""junit.xml: valid against the Jenkins xunit JUnit schema; one testcase per requirement check."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from report_sample import SEED, sample_document

from ingest_conformance.reporting import junit_xml

pytestmark = pytest.mark.unit
XSD = Path(__file__).parent / "data" / "junit-10.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def _cases(root: ET.Element) -> dict[str, ET.Element]:
    return {
        case.get("name", "").split(" ", 1)[0] + " " + case.get("name", "").rsplit("::", 1)[-1]: case
        for case in root.iter("testcase")
    }


def _parse(document: dict[str, Any]) -> ET.Element:
    return ET.fromstring(junit_xml(document))


@pytest.mark.parametrize("strict", [False, True])
def test_valid_against_the_jenkins_junit_schema(schema: xmlschema.XMLSchema, strict: bool) -> None:
    data = junit_xml(sample_document(strict=strict))
    schema.validate(data.decode("utf-8"))


def test_schema_check_can_fail(schema: xmlschema.XMLSchema) -> None:
    """The validation above is real: a testsuite without its required counts is refused."""
    assert not schema.is_valid('<testsuites><testsuite name="x"/></testsuites>')


def test_one_testsuite_per_feature_one_testcase_per_check() -> None:
    document = sample_document()
    root = _parse(document)
    exercised = [r for r in document["requirements"] if r["records"]]
    assert [s.get("name") for s in root.iter("testsuite")] == list(dict.fromkeys(r["feature"] for r in exercised))
    checks = {(r["id"], rec["test"]) for r in exercised for rec in r["records"]}
    names = [case.get("name") for case in root.iter("testcase")]
    assert sorted(names) == sorted(f"{rid} {test}" for rid, test in checks)
    assert root.get("tests") == str(len(checks))
    for suite in root.iter("testsuite"):
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["seed"] == str(SEED) and props["target"] == document["run"]["target"]
        assert int(suite.get("tests", "-1")) == len(suite.findall("testcase"))
        assert int(suite.get("failures", "-1")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors", "-1")) == len(suite.findall("testcase/error"))
        assert int(suite.get("skipped", "-1")) == len(suite.findall("testcase/skipped"))


def test_outcomes_map_to_distinct_elements() -> None:
    cases = _cases(_parse(sample_document()))
    fail = cases["ERR-5XX-001 test_latin1_upload"].find("failure")
    assert fail is not None and fail.get("type") == "fail" and "raw Latin-1 filename" in (fail.get("message") or "")
    assert "curl -sS -i -X POST" in (fail.text or "") and f"seed {SEED}" in (fail.text or "")
    assert list(cases["ERR-5XX-001 test_get_file"]) == []  # the passing check of the same requirement
    error = cases["SIZE-413-002 test_streamed_oversize"].find("error")
    assert error is not None and error.get("type") == "harness-error"
    skipped = cases["ISO-FILE-001 test_cross_environment"].find("skipped")
    assert skipped is not None and skipped.get("type") == "skip"
    assert "second environment" in (skipped.get("message") or "")
    xfail = cases["VAL-400-005 test_by_url_validation"].find("skipped")
    assert xfail is not None and xfail.get("type") == "expected-failure"
    stale = cases["AUTH-BAD-001 *"]
    assert stale.find("failure") is None and (stale.findtext("system-out") or "").startswith("STALE")
    warn = cases["RATE-429-002 test_list_imports"]
    assert warn.find("failure") is None and (warn.findtext("system-out") or "").startswith("WARN")
    info = cases["RATE-429-001 test_list_imports"]
    assert info.find("failure") is None and (info.findtext("system-out") or "").startswith("INFO")


def test_strict_runs_fail_warn_and_stale_like_the_exit_code() -> None:
    cases = _cases(_parse(sample_document(strict=True)))
    for name, kind in (("RATE-429-002 test_list_imports", "warn"), ("AUTH-BAD-001 *", "stale")):
        failure = cases[name].find("failure")
        assert failure is not None and failure.get("type") == kind


def test_values_xml_cannot_carry_are_escaped(schema: xmlschema.XMLSchema) -> None:
    document = copy.deepcopy(sample_document())
    req = next(r for r in document["requirements"] if r["id"] == "NAME-LAT1-001")
    req["records"][0]["message"] = "nul \x00 esc \x1b[31m lone \ud800 bell \x07 ok é"
    data = junit_xml(document)
    schema.validate(data.decode("utf-8"))
    failure = _cases(ET.fromstring(data))["NAME-LAT1-001 test_latin1_upload"].find("failure")
    assert failure is not None
    assert failure.get("message") == "nul \\x00 esc \\x1b[31m lone \\ud800 bell \\x07 ok é"
