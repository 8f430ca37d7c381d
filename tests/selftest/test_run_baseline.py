"""`run --baseline` and `run --github-annotations` end to end, against the bundled mock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest_conformance.reporting.document import dump_document
from tests.selftest.test_suite_cli import run_cli
from tests.unit.report_sample import sample_document

pytestmark = pytest.mark.selftest


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "--baseline: "), ('{"schema": "ingest-conformance/results", "version": 99}', "unsupported schema version")],
    ids=["missing", "unsupported"],
)
def test_an_unreadable_baseline_stops_the_run_before_it_starts(
    tmp_path: Path, content: str | None, message: str
) -> None:
    baseline = tmp_path / "old.json"
    if content is not None:
        baseline.write_text(content, encoding="utf-8")
    proc = run_cli("run", "--baseline", str(baseline), "--report-dir", str(tmp_path / "r"), cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "r").exists()  # nothing was run, nothing written


def test_a_run_compared_with_its_baseline(tmp_path: Path) -> None:
    old = tmp_path / "last-release"
    old.mkdir()
    (old / "results.json").write_text(dump_document(sample_document()), encoding="utf-8")
    proc = run_cli(
        "run",
        "--select",
        "NAME-LAT1-001",
        "--level",
        "quick",
        "--seed",
        "7",
        "--baseline",
        str(old),
        "--github-annotations",
        "--report-dir",
        str(tmp_path / "r"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    # The sample run failed NAME-LAT1-001; the bundled mock holds it: fixed, and no regression.
    assert f"ingest-conformance: compared with {old}: 0 regression(s); " in proc.stdout
    assert "::error" not in proc.stdout  # a clean run annotates nothing
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    fixed = page.split('id="baseline-fixed"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#req-NAME-LAT1-001">' in fixed
    summary = (tmp_path / "r" / "summary.md").read_text(encoding="utf-8")
    assert re.search(
        r"\*\*Compared with the baseline\*\* \(\[details\]\(report\.html#baseline\)\): 0 regressed, [1-9]\d* fixed",
        summary,
    )
