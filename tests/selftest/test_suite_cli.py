"""`ingest-conformance run` end to end in a subprocess: exit codes 0, 1, 2, 3 with one clear line each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.selftest


def run_cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
    return subprocess.run(
        [sys.executable, "-m", "ingest_conformance", *args],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def test_run_against_the_bundled_mock_passes(tmp_path: Path) -> None:
    proc = run_cli(
        "run",
        "--level",
        "quick",
        "--select",
        "methods",
        "--seed",
        "7",
        "--report-dir",
        str(tmp_path / "r"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "every MUST holds" in proc.stderr
    doc = json.loads((tmp_path / "r" / "results.json").read_text())
    assert doc["run"]["seed"] == 7 and doc["run"]["exit_code"] == 0
    outcomes = {r["id"]: r["outcome"] for r in doc["requirements"]}
    assert outcomes["METH-405-001"] == "pass" and outcomes["METH-PATH-001"] == "pass"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "max_request_bytes=lots"], "max_request_bytes"),
        (["--level", "extreme"], "invalid choice"),
        (["--target-url", "https://sandbox.example"], "needs a credential"),
        (["--select", "NOPE-999"], "unknown requirement ID or feature: NOPE-999"),
        (["--profile", "/nonexistent.yaml"], "cannot read profile file"),
    ],
    ids=["bad-setting", "bad-level", "no-credential", "bad-select", "missing-profile"],
)
def test_configuration_errors_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    proc = run_cli("run", *args, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_webhook_port_in_use_exits_2_not_as_a_broken_target(tmp_path: Path, workers: str) -> None:
    """Found when the run's Suite starts (a fixture, or the xdist controller's session start): every test used
    to error, the run exited 1 ("the target broke a requirement") and wrote no report."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_cli(
            "run",
            "--level",
            "quick",
            "--select",
            "methods",
            "--workers",
            workers,
            "--webhook-listen",
            f"127.0.0.1:{port}",
            "--report-dir",
            str(tmp_path / "r"),
            cwd=tmp_path,
            timeout=120,
        )
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"configuration error: webhook_listen 127.0.0.1:{port}" in proc.stderr
    assert "cannot listen" in proc.stderr and "Traceback" not in proc.stdout + proc.stderr


def test_unreachable_target_exits_3(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = run_cli(
        "run",
        "--target-url",
        f"http://127.0.0.1:{port}",
        "--api-key",
        "k",
        "--report-dir",
        str(tmp_path / "r"),
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "target unreachable" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def _requests_sent(doc: dict[str, object]) -> list[tuple[str, str, str]]:
    """Method, path and body hash of every upload POST, in order (ids and ports left out)."""
    from urllib.parse import urlsplit

    sent = []
    for _, ex in sorted(doc["exchanges"].items(), key=lambda kv: int(kv[0])):  # type: ignore[attr-defined]
        request = ex["request"]
        if request["method"] == "POST" and "multipart" in str(request["headers"]):
            sent.append((request["method"], urlsplit(request["url"]).path, request["body"]["sha256"]))
    return sent


def test_same_seed_same_requests_same_verdicts(tmp_path: Path) -> None:
    docs = []
    for run in ("a", "b"):
        # One process, so the order is the same too (tests/selftest/test_parallel_run.py: with workers)
        proc = run_cli(
            "run",
            "--level",
            "quick",
            "--select",
            "filenames,formats",
            "--seed",
            "4242",
            "--workers",
            "1",
            "--report-dir",
            str(tmp_path / run),
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stdout[-3000:]
        docs.append(json.loads((tmp_path / run / "results.json").read_text()))
    first, second = (_requests_sent(d) for d in docs)
    assert len(first) > 20 and first == second
    assert [(r["id"], r["outcome"]) for r in docs[0]["requirements"]] == [
        (r["id"], r["outcome"]) for r in docs[1]["requirements"]
    ]
