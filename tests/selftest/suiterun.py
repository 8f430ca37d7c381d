"""Running `ingest-conformance run` in a subprocess against a mock this process serves, and reading
back what it concluded (for the selftests that measure the suite against faults and personalities)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest_conformance.mock import MockSettings, run_mock
from ingest_conformance.mock.process import MockProcess

CREDENTIALS = [
    "--api-key",
    "mock-api-key-a",
    "--access-token",
    "mock-access-token-a",
    "--second-api-key",
    "mock-api-key-b",
    "--second-access-token",
    "mock-access-token-b",
]


@dataclass(frozen=True)
class SuiteRun:
    exit_code: int
    outcomes: dict[str, str]  # requirement id -> outcome (pass, fail, warn, info, skip, error, disabled)
    verdict: str
    output: str  # the tail of stdout and stderr, for assertion messages

    def broken(self) -> list[str]:
        return sorted(rid for rid, outcome in self.outcomes.items() if outcome in ("fail", "error", "warn", "stale"))


def run_suite(base_url: str, *args: str, report_dir: Path, timeout: float = 600) -> SuiteRun:
    """`ingest-conformance run --level quick` against `base_url` with the mock's default credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
    command = [
        sys.executable,
        "-m",
        "ingest_conformance",
        "run",
        "--target-url",
        base_url,
        *CREDENTIALS,
        "--report-dir",
        str(report_dir),
        "--seed",
        "11",
        "--level",
        "quick",
        "--set",
        "processing_timeout_s=10",
        "--no-preflight",  # the faults judged here may break what the pre-flight probes (e.g. download-drops-port)
        *args,
    ]
    proc = subprocess.run(command, env=env, text=True, capture_output=True, timeout=timeout)
    output = proc.stdout[-4000:] + proc.stderr[-2000:]
    try:
        doc: dict[str, Any] = json.loads((report_dir / "results.json").read_text())
    except (OSError, ValueError):
        return SuiteRun(proc.returncode, {}, "no results.json", output)
    return SuiteRun(
        proc.returncode, {r["id"]: r["outcome"] for r in doc["requirements"]}, str(doc["summary"]["verdict"]), output
    )


def suite_against_mock(settings: MockSettings, *args: str, report_dir: Path) -> SuiteRun:
    """Serve `settings` in-process for the length of one suite run."""
    with run_mock(settings) as mock:
        return run_suite(mock.base_url, *args, report_dir=report_dir)


def suite_against_mock_process(mock_flags: list[str], *args: str, report_dir: Path) -> SuiteRun:
    """Serve the mock CLI with `mock_flags` in a process of its own (parallel runs need no shared lock)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    with MockProcess(mock_flags, log_path=report_dir / "mock.log") as mock:
        return run_suite(mock.base_url, *args, report_dir=report_dir)
