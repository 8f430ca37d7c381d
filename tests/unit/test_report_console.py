"""The console report: requirement table, roll-ups, problems with reproduction, nothing a target can inject."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from report_sample import SEED, sample_config, sample_document, sample_results

from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.judging.expected import ExpectedFailures
from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.judging.suite import Suite
from ingest_conformance.pytest.reports import summary_lines, write_results
from ingest_conformance.reporting import load_document, render_console
from ingest_conformance.wire.client import Credentials

pytestmark = pytest.mark.unit
SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return sample_document()


def _row(text: str, rid: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(rid + " "))


def test_table_lists_exercised_requirements_worst_first(document: dict[str, Any]) -> None:
    text = render_console(document)
    rows = [line.split()[0] for line in text.splitlines() if re.match(r"^[A-Z]+-[A-Z0-9]+-\d{3} ", line)]
    order = [
        rows.index(rid)
        for rid in (
            "SIZE-413-002",
            "ERR-5XX-001",
            "AUTH-BAD-001",
            "RATE-429-002",
            "VAL-400-005",
            "RATE-429-001",
            "RESP-GET-001",
            "ISO-FILE-001",
        )
    ]
    assert order == sorted(order)
    assert _row(text, "VAL-400-005").split()[1:3] == ["MUST", "expected-failure"]
    assert _row(text, "AUTH-BAD-001").split()[1:3] == ["MUST", "stale"]
    assert _row(text, "RATE-429-002").split()[1:4] == ["SHOULD", "warn", "A"]
    unexercised = len(load_catalogue().ids) - document["summary"]["exercised"]  # grows with the catalogue
    assert f"{unexercised} requirements not exercised by this run" in text
    table = [line for line in text.splitlines() if not line.startswith(("    ", "ingest-", "verdict", "by "))]
    assert max(len(line) for line in table) <= 110


def test_problems_carry_message_and_reproduction(document: dict[str, Any]) -> None:
    text = render_console(document)
    assert "verdict: non-conformant (exit code 1)" in text
    assert "fail in ingest_conformance/contract/test_sample.py::test_latin1_upload" in text
    assert f"reproduce (seed {SEED}): printf %s " in text
    assert 'reproduce (seed 424242): curl -sS -i -X GET -H "x-api-key: $INGEST_X_API_KEY"' in text
    assert "skipped checks: 1" in text and "no second environment configured" in text
    assert "harness error: cleanup failed" in text
    assert "by feature: auth stale · isolation skip" in text


def test_target_values_cannot_style_the_terminal(document: dict[str, Any]) -> None:
    plain = render_console(document)
    assert "\x1b" not in plain and "\x00" not in plain
    assert "\\x1b[31mred\\x1b[0m \\x00" in plain  # shown as text
    colored = render_console(document, color=True)
    assert SGR.sub("", colored) == plain  # colour adds only SGR codes of our own
    assert "[bold]" not in plain and "<script>alert" in plain  # neither markup nor HTML means anything here


def test_summary_lines_come_from_the_same_document(tmp_path: Path) -> None:
    config = sample_config()
    suite = Suite(
        config=replace(config, report_dir=tmp_path),
        catalogue=load_catalogue(),
        spec=OpenAPIDocument(load_openapi()),
        expected=ExpectedFailures(),
        results=sample_results(),
        base_url="http://127.0.0.1:8123",
        credentials=Credentials(None, None),
        run_tag="ic-test",
        seed=SEED,
    )
    lines = summary_lines(suite)
    assert lines[-1] == (
        f"reports: {tmp_path / 'results.json'}, {tmp_path / 'junit.xml'}, {tmp_path / 'report.html'}, "
        f"{tmp_path / 'summary.md'}"
    )
    path = write_results(suite)
    assert path == tmp_path / "results.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junit.xml", "report.html", "results.json", "summary.md"]
    assert lines[:-1] == render_console(load_document(path)).splitlines()
