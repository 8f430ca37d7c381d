"""Fail fast and leave evidence: a target whose files never end does not hold the run for long, and a
run stopped by SIGTERM still leaves a complete report dir, marks what did not finish and exits 4."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ingest_conformance.mock import run_mock

from .conftest import fast
from .suiterun import run_suite

pytestmark = pytest.mark.selftest


def test_files_that_never_end_skip_later_tests_with_the_reason(tmp_path: Path) -> None:
    """Two files past processing_timeout_s fail LIFE-STATUS-003; the tests after them skip instead of waiting."""
    timeout_s = 1.0
    with run_mock(fast(fault="processing-never-ends")) as mock:
        started = time.monotonic()
        run = run_suite(
            mock.base_url,
            "--select",
            "LIFE-STATUS-003",
            "--set",
            f"processing_timeout_s={timeout_s}",
            "--workers",
            "1",
            report_dir=tmp_path,
        )
        elapsed = time.monotonic() - started
    assert run.exit_code == 1 and run.outcomes["LIFE-STATUS-003"] == "fail", run.output
    document = json.loads((tmp_path / "results.json").read_text())
    records = [rec for req in document["requirements"] for rec in req["records"]]
    stalled = {rec["test"] for rec in records if "ran past processing_timeout_s" in rec["message"]}
    polled = {rec["test"] for rec in records if rec["requirement"] == "LIFE-STATUS-003" and rec["outcome"] == "fail"}
    assert len(stalled) >= 3, run.output  # most selected tests skipped, each saying why
    assert stalled.isdisjoint(polled)
    reason = next(rec["message"] for rec in records if "ran past processing_timeout_s" in rec["message"])
    assert "LIFE-STATUS-003 failed" in reason and f"({timeout_s:g} s)" in reason
    # Without the skip, every one of those tests would have waited the timeout at least once more.
    assert elapsed < 120, f"took {elapsed:.0f} s"


def _contract_run(report_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
    command = [sys.executable, "-m", "ingest_conformance", "run", "--report-dir", str(report_dir), "--seed", "5"]
    command += ["--level", "quick", "--progress", "off", "--pytest-arg=-v", *args]
    return subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _stop_after_some_tests(proc: subprocess.Popen[str], passed: int, deadline_s: float = 240) -> str:
    """Read the run's -v lines until `passed` tests passed, then SIGTERM it; returns all it printed."""
    assert proc.stdout is not None
    seen, lines = 0, []
    deadline = time.monotonic() + deadline_s
    for line in proc.stdout:  # bounded: the run ends by itself, and the deadline below stops waiting
        lines.append(line)
        seen += " PASSED" in line
        if seen >= passed or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=120)
    return "".join(lines) + rest


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_leaves_complete_reports_marks_the_rest_and_exits_4(tmp_path: Path, workers: str) -> None:
    proc = _contract_run(tmp_path, "--workers", workers)
    output = _stop_after_some_tests(proc, passed=5)
    assert proc.returncode == 4, output[-3000:]
    assert {"results.json", "junit.xml", "report.html"} <= {p.name for p in tmp_path.iterdir()}
    assert not list(tmp_path.glob("*.partial"))
    document: dict[str, Any] = json.loads((tmp_path / "results.json").read_text())
    assert document["run"]["interrupted"] == "SIGTERM" and document["run"]["exit_code"] == 4
    assert document["summary"]["verdict"] == "interrupted"
    records = [rec for req in document["requirements"] for rec in req["records"]]
    interrupted = {rec["test"] for rec in records if rec["message"].startswith("interrupted (SIGTERM)")}
    judged = {rec["test"] for rec in records if rec["outcome"] == "pass"}
    assert judged, "the tests that finished before the signal keep their verdicts"
    assert len(interrupted) > 10, "the tests that did not finish are marked interrupted"
    finished = judged - interrupted
    assert finished, "a finished test is not marked interrupted"
    assert "interrupted" in (tmp_path / "report.html").read_text()
    assert 'type="skip"' in (tmp_path / "junit.xml").read_text()
    assert "interrupted by SIGTERM" in output


def test_sigterm_before_any_test_still_leaves_a_report(tmp_path: Path) -> None:
    proc = _contract_run(tmp_path, "--workers", "1")
    assert proc.stdout is not None
    header = [proc.stdout.readline() for _ in range(2)]  # pytest's session header: collection is starting
    proc.send_signal(signal.SIGTERM)
    output = "".join(header) + proc.communicate(timeout=120)[0]
    assert proc.returncode == 4, output[-3000:]
    document = json.loads((tmp_path / "results.json").read_text())
    assert document["run"]["interrupted"] == "SIGTERM" and document["summary"]["exercised"] == 0
    assert (tmp_path / "junit.xml").is_file() and (tmp_path / "report.html").is_file()
