"""summary.md (reporting/summary.py) and `run --github-annotations` (reporting/annotations.py)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from ingest_conformance.reporting import render_html
from ingest_conformance.reporting.annotations import annotation_lines, escape_data, escape_property
from ingest_conformance.reporting.summary import CURL_LIMIT, MAX_BYTES, MAX_ITEMS, fenced, md, summary_markdown
from ingest_conformance.wire.redaction import scan_for_secrets
from tests.unit.report_sample import SECRETS, sample_document


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return sample_document()


def test_verdict_counts_and_the_problems_worst_first(document: dict[str, Any]) -> None:
    text = summary_markdown(document)
    assert text.startswith("## ❌ Ingest API conformance: non-conformant (exit code 1)")
    assert "| not run | skip | pass | info | expected-failure | warn | stale | fail | error |" in text
    sections = re.findall(r"^### (.*): (\d+)$", text, re.M)
    assert sections == [
        ("Failing requirements (MUST)", "2"),
        ("Harness errors (not counted against the target)", "1"),
        ("Warnings (SHOULD)", "1"),
        ("Stale expected failures (they now hold)", "1"),
    ]
    assert "- **[ERR-5XX-001](report.html#detail-ERR-5XX-001)** (MUST): the target answered 500" in text


def test_every_link_points_at_an_anchor_of_the_report(document: dict[str, Any]) -> None:
    text = summary_markdown(document)
    ids = set(re.findall(r'\sid="([^"]+)"', render_html(document)))
    anchors = re.findall(r"\]\(report\.html#([^)]+)\)", text)
    assert anchors and {a for a in anchors if a.startswith("exchange-")}  # some curl has its exchange linked
    assert [a for a in anchors if a not in ids] == []


def test_a_failure_carries_the_curl_that_reproduces_it(document: dict[str, Any]) -> None:
    text = summary_markdown(document)
    block = text.split("[ERR-5XX-001]", 1)[1].split("</details>", 1)[0]
    assert "<details><summary>reproduce (seed 424242)</summary>" in block
    curl = re.search(r"```sh\n\s*(.*?)\n\s*```", block, re.S)
    assert curl is not None and "curl -sS -i -X POST" in curl.group(1) and "$INGEST_X_API_KEY" in curl.group(1)


def test_nothing_from_the_target_becomes_markup_and_no_secret_leaks(document: dict[str, Any], tmp_path: Any) -> None:
    text = summary_markdown(document)
    outside_code = re.sub(r"```.*?```", "", text, flags=re.S)
    # Every "<" outside code blocks is escaped ("\\<" shows as a plain "<"), but our own <details> tags.
    assert re.findall(r"(?<!\\)<(?!/?(?:details|summary)>)", outside_code) == []
    assert "\\<script" in outside_code and "\x1b" not in text  # the hostile body is there, inert
    path = tmp_path / "summary.md"
    path.write_text(text, encoding="utf-8")
    assert scan_for_secrets([path], SECRETS) == []


def test_markdown_escaping() -> None:
    assert md("**bold** [x](http://e) <b> @team #12 | a & b") == (
        "\\*\\*bold\\*\\* \\[x\\]\\(http://e\\) \\<b\\> @\u200bteam \\#12 \\| a &amp; b"
    )
    assert md("first\nsecond") == "first …"
    code = "echo ```` done"
    assert fenced(code).startswith("`````sh\n") and fenced(code).endswith("\n`````")


def _many_failures(document: dict[str, Any], count: int, curl: str = "") -> dict[str, Any]:
    doc = copy.deepcopy(document)
    template = next(r for r in doc["requirements"] if r["id"] == "ERR-5XX-001")
    if curl:
        for ex_id in template["records"][-1]["exchanges"]:
            doc["exchanges"][str(ex_id)]["curl"] = curl
    others = [r for r in doc["requirements"] if r["outcome"] == "disabled"][:count]
    for req in others:
        req["outcome"] = "fail"
        req["records"] = copy.deepcopy(template["records"])
    return doc


def test_the_list_is_capped_and_says_how_many_are_left(document: dict[str, Any]) -> None:
    doc = _many_failures(document, 60)
    text = summary_markdown(doc)
    failing = int(re.search(r"^### Failing requirements \(MUST\): (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]
    assert failing == 62
    assert text.count("\n- **[") == MAX_ITEMS
    assert f"- … and {failing - MAX_ITEMS} more in [report.html](report.html#details)" in text
    assert len(text.encode("utf-8")) < MAX_BYTES


def test_long_curls_stay_in_the_report_and_the_total_stays_small(document: dict[str, Any]) -> None:
    doc = _many_failures(document, 30, curl="curl " + "x" * (CURL_LIMIT - 10))  # each just under the limit
    text = summary_markdown(doc)
    assert len(text.encode("utf-8")) < MAX_BYTES
    assert "its curl is in report.html" in text  # the budget ran out before the list did
    doc = _many_failures(document, 1, curl="curl " + "x" * CURL_LIMIT)
    assert "x" * CURL_LIMIT not in summary_markdown(doc)


def test_a_clean_run_says_so(document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    for req in doc["requirements"]:
        if req["outcome"] in ("fail", "error", "warn", "stale"):
            req["outcome"] = "pass"
    doc["run"]["exit_code"] = 0
    doc["summary"]["verdict"] = "conformant"
    text = summary_markdown(doc)
    assert text.startswith("## ✅") and "No requirement failed, warned or went stale." in text


def test_annotation_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_annotations_per_problem(document: dict[str, Any]) -> None:
    lines = annotation_lines(document)
    heads = [line.split("::")[1] for line in lines]
    assert heads == [
        "error title=SIZE-413-002",
        "error title=NAME-LAT1-001",
        "error title=ERR-5XX-001",
        "warning title=AUTH-BAD-001",
        "warning title=RATE-429-002",
    ]
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert lines[2].startswith("::error title=ERR-5XX-001::MUST fail: the target answered 500")
    strict = annotation_lines(sample_document(strict=True))
    assert [line.split("::")[1].split()[0] for line in strict] == ["error"] * 5  # they fail a strict run


def test_a_hostile_reason_cannot_forge_a_second_command(document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    req = next(r for r in doc["requirements"] if r["id"] == "ERR-5XX-001")
    req["records"][0]["message"] = "boom%\n::error title=FORGED::x"
    req["records"] = req["records"][:1]
    req["records"][0]["outcome"] = "fail"
    lines = annotation_lines(doc)
    assert not any(line.startswith("::error title=FORGED") for line in lines)
    assert any("boom%25 …" in line for line in lines)  # one line of it, escaped
