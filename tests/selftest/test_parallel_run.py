"""`ingest-conformance run --workers 2`: the workers' results merge into ONE report, with the same requests and
verdicts as one process for the same seed (in another order), and the exit codes stay right (0, 1, 3)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from ingest_conformance.mock import MockSettings, run_mock

from .suiterun import CREDENTIALS
from .test_suite_cli import _requests_sent, run_cli

pytestmark = pytest.mark.selftest


def _outcomes(doc: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in doc["requirements"]}


def test_workers_merge_into_one_report_with_the_same_requests_and_verdicts(tmp_path: Path) -> None:
    docs = {}
    for workers in ("1", "2"):
        proc = run_cli(
            "run",
            "--level",
            "quick",
            "--select",
            "filenames,formats",
            "--seed",
            "4242",
            "--workers",
            workers,
            "--report-dir",
            str(tmp_path / workers),
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        docs[workers] = json.loads((tmp_path / workers / "results.json").read_text())
    one, two = docs["1"], docs["2"]
    assert two["run"]["bundled_mock"] is True and two["run"]["seed"] == 4242
    assert sorted(_requests_sent(one)) == sorted(_requests_sent(two)) and len(_requests_sent(two)) > 20
    assert _outcomes(one) == _outcomes(two)
    assert {t: v["outcome"] for t, v in one["tests"].items()} == {t: v["outcome"] for t, v in two["tests"].items()}
    # Every exchange a record cites is in the merged document, under an id of its own.
    cited = {i for r in two["requirements"] for rec in r["records"] for i in rec["exchanges"]}
    assert cited and cited <= {int(i) for i in two["exchanges"]}
    assert sorted(p.name for p in (tmp_path / "2").iterdir()) == [
        "junit.xml",
        "report.html",
        "results.json",
        "summary.md",
    ]


def test_workers_exit_1_when_a_must_breaks(tmp_path: Path) -> None:
    with run_mock(MockSettings(quiet=True, processing_delay=0.01, fault="auth-any-api-key-accepted")) as mock:
        proc = run_cli(
            "run",
            "--target-url",
            mock.base_url,
            *CREDENTIALS,
            "--level",
            "quick",
            "--select",
            "auth",
            "--seed",
            "3",
            "--workers",
            "2",
            "--report-dir",
            str(tmp_path / "r"),
            cwd=tmp_path,
        )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    doc = json.loads((tmp_path / "r" / "results.json").read_text())
    assert doc["run"]["exit_code"] == 1 and _outcomes(doc)["AUTH-BAD-001"] == "fail"


def test_workers_exit_3_when_the_target_is_unreachable(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = run_cli(
        "run",
        "--target-url",
        f"http://127.0.0.1:{port}",
        "--api-key",
        "k",
        "--workers",
        "2",
        "--report-dir",
        str(tmp_path / "r"),
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "target unreachable" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
