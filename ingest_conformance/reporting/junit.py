"""reports/junit.xml: one testsuite per feature, one testcase per requirement check.

A "check" is one requirement as one test exercised it (name = requirement ID + test id); when a
test checked the requirement on several answers, the worst outcome stands. The mapping follows the
run's verdict, so CI goes red exactly when the run's exit code does:

  fail  -> <failure type="fail">              error -> <error type="harness-error">
  skip  -> <skipped type="skip">              xfail -> <skipped type="expected-failure">
  warn  -> <failure type="warn"> under --strict, otherwise a pass with the warning in system-out
  stale -> <failure type="stale"> under --strict, otherwise a pass with the note in system-out
  pass, info -> a plain testcase (info notes in system-out)

Requirements no test exercised have no testcase. Valid against the Jenkins xunit JUnit schema
(tests/unit/data/junit-10.xsd).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from ingest_conformance.reporting.rollup import checks, display
from ingest_conformance.reporting.text import exchange_line, one_line, xml_safe

JUNIT_FILE = "junit.xml"


def _details(check: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    """The text of a failure element: every record of the check, its exchanges and curl lines."""
    lines: list[str] = []
    exchanges = document.get("exchanges", {})
    for rec in check["records"]:
        lines.append(f"[{display(rec['outcome'])}] {rec['message']}".rstrip())
        for name in ("received", "documented"):
            if rec.get(name):
                lines.append(f"  {name}: {rec[name]}")
        for ex_id in rec["exchanges"]:
            exchange = exchanges.get(str(ex_id))
            if exchange is not None:
                lines.append(f"  exchange #{ex_id}: {exchange_line(exchange)}")
                lines.append(f"  reproduce (seed {document['run']['seed']}): {exchange.get('curl', '')}")
    return "\n".join(lines)


def _message(check: Mapping[str, Any]) -> str:
    rec = check["records"][0]
    return one_line(rec["message"] or rec["received"] or display(check["outcome"]), 300)


def _testcase(
    parent: ET.Element, req: Mapping[str, Any], check: Mapping[str, Any], document: Mapping[str, Any], strict: bool
) -> str:
    """Append one testcase; returns the JUnit kind it counts as (pass, failure, error, skipped)."""
    exchanges = document.get("exchanges", {})
    elapsed = sum(
        float(exchanges.get(str(i), {}).get("elapsed_s") or 0) for rec in check["records"] for i in rec["exchanges"]
    )
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "name": xml_safe(f"{req['id']} {check['test']}"),
            "classname": xml_safe(f"{req['feature']}.{req['id']}"),
            "time": f"{elapsed:.3f}",
        },
    )
    outcome = check["outcome"]
    kind, element, type_ = "pass", "", ""
    if outcome == "fail" or (strict and outcome in ("warn", "stale")):
        kind, element, type_ = "failure", "failure", outcome
    elif outcome == "error":
        kind, element, type_ = "error", "error", "harness-error"
    elif outcome in ("skip", "xfail"):
        kind, element, type_ = "skipped", "skipped", "skip" if outcome == "skip" else "expected-failure"
    if element:
        child = ET.SubElement(case, element, {"type": type_, "message": xml_safe(_message(check))})
        child.text = xml_safe(_details(check, document))
    elif outcome in ("warn", "stale", "info"):
        out = ET.SubElement(case, "system-out")
        out.text = xml_safe(f"{display(outcome).upper()} ({req['level']}): " + _details(check, document))
    return kind


def _properties(parent: ET.Element, run: Mapping[str, Any]) -> None:
    props = ET.SubElement(parent, "properties")
    for name in (
        "suite_version",
        "seed",
        "target",
        "bundled_mock",
        "level",
        "strict",
        "run_tag",
        "started_at",
        "finished_at",
        "exit_code",
    ):
        value = run.get(name)
        text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        ET.SubElement(props, "property", {"name": name, "value": xml_safe(text)})


def junit_xml(document: Mapping[str, Any]) -> bytes:
    """junit.xml of `document` (UTF-8 bytes with an XML declaration)."""
    run = document["run"]
    strict = bool(run.get("strict"))
    root = ET.Element("testsuites", {"name": "ingest-conformance"})
    totals = {"tests": 0, "failure": 0, "error": 0, "skipped": 0}
    features: dict[str, list[Mapping[str, Any]]] = {}
    for req in document["requirements"]:
        if req["records"]:
            features.setdefault(req["feature"], []).append(req)
    total_time = 0.0
    for feature, requirements in features.items():
        suite = ET.SubElement(root, "testsuite", {"name": xml_safe(feature)})
        _properties(suite, run)
        kinds = [_testcase(suite, req, check, document, strict) for req in requirements for check in checks(req)]
        time_s = sum(float(case.get("time", "0")) for case in suite.iter("testcase"))
        total_time += time_s
        suite.attrib.update(
            {
                "tests": str(len(kinds)),
                "failures": str(kinds.count("failure")),
                "errors": str(kinds.count("error")),
                "skipped": str(kinds.count("skipped")),
                "time": f"{time_s:.3f}",
                "timestamp": str(run["started_at"]),
            }
        )
        totals["tests"] += len(kinds)
        for kind in ("failure", "error", "skipped"):
            totals[kind] += kinds.count(kind)
    root.attrib.update(
        {
            "tests": str(totals["tests"]),
            "failures": str(totals["failure"]),
            "errors": str(totals["error"]),
            "time": f"{total_time:.3f}",
        }
    )
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
