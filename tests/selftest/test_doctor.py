"""`ingest-conformance doctor` end to end, and the pre-flight at the start of `run`.

The bundled mock is a setup where every item holds; the broken setups are the three a new user meets
first (a wrong second key, a second key of the same environment, a file server the target cannot
reach), each against a mock started with `ingest-conformance mock` (its default keys), and each must be
caught on its own line with the flag or setting to fix.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest_conformance.mock.process import MockProcess

from .helpers import KEY_A, KEY_B, TOKEN_A, TOKEN_B

pytestmark = pytest.mark.selftest


class LoggedMock:
    """A mock child keeping its access log, so a test can count what reached it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.process = MockProcess(["--processing-delay", "0.01"], quiet=False, on_line=self._seen)
        self.base_url = self.process.base_url

    def _seen(self, line: str) -> None:
        with self._lock:
            self.lines.append(line)

    def posts(self) -> list[str]:
        with self._lock:
            return [line for line in self.lines if re.match(r"mock POST /v1/ingest/", line)]


@pytest.fixture(scope="module")
def mock() -> Iterator[LoggedMock]:
    running = LoggedMock()
    yield running
    running.process.stop()


def cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
    command = [sys.executable, "-m", "ingest_conformance", *args]
    return subprocess.run(command, cwd=cwd, env=env, text=True, capture_output=True, timeout=timeout)


def lines_by_item(stdout: str) -> dict[str, str]:
    """`name -> whole line` of every item line (✓, ✗ or -)."""
    found = {}
    for line in stdout.splitlines():
        match = re.match(r"^\s*([✓✗-]) ([a-zA-Z ]+): ", line)
        if match:
            found[match.group(2)] = line.strip()
    return found


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_doctor_against_the_bundled_mock_is_all_good(tmp_path: Path) -> None:
    proc = cli("doctor", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    items = lines_by_item(proc.stdout)
    expected = {"target", "clock", "API key", "access token", "second API key", "second access token", "file server"}
    assert expected | {"webhooks", "settings"} == set(items), proc.stdout
    assert all(items[name].startswith("✓") for name in expected | {"settings"}), proc.stdout
    assert items["webhooks"] == "- webhooks: not configured"
    environments = re.findall(r"authenticates as environment ([0-9a-f]{24})", proc.stdout)
    assert len(set(environments)) == 2, proc.stdout  # A for the first pair, B for the second
    assert "the target fetched http://127.0.0.1:" in items["file server"]
    for secret in (KEY_A, KEY_B, TOKEN_A, TOKEN_B):
        assert secret not in proc.stdout + proc.stderr


def test_a_wrong_second_key_is_caught_with_its_fix(mock: LoggedMock, tmp_path: Path) -> None:
    proc = cli("doctor", "--target-url", mock.base_url, "--api-key", KEY_A, "--second-api-key", "wrong-b", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    items = lines_by_item(proc.stdout)
    assert items["second API key"].startswith("✗ second API key: does not authenticate (401)")
    assert "--second-api-key" in items["second API key"]
    assert [name for name, line in items.items() if line.startswith("✗")] == ["second API key"], proc.stdout
    assert "wrong-b" not in proc.stdout + proc.stderr


def test_a_second_key_of_the_same_environment_is_caught(mock: LoggedMock, tmp_path: Path) -> None:
    proc = cli("doctor", "--target-url", mock.base_url, "--api-key", KEY_A, "--second-api-key", KEY_A, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    line = lines_by_item(proc.stdout)["second API key"]
    assert re.fullmatch(
        r"✗ second API key: authenticates as the same environment \([0-9a-f]{24}\) as the first: "
        r"give a key of another environment with --second-api-key",
        line,
    ), line


def test_a_file_server_the_target_cannot_reach_is_caught(mock: LoggedMock, tmp_path: Path) -> None:
    public = f"http://127.0.0.1:{closed_port()}"
    proc = cli(
        "doctor",
        "--target-url",
        mock.base_url,
        "--api-key",
        KEY_A,
        "--second-api-key",
        KEY_B,
        "--set",
        f"file_server_public_url={public}",
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    items = lines_by_item(proc.stdout)
    assert items["file server"].startswith(f"✗ file server: the target never fetched {public}/"), proc.stdout
    fix = f"file_server_public_url={public} does not lead the target to the suite's file server"
    assert fix in items["file server"], proc.stdout
    assert items["second API key"].startswith("✓"), proc.stdout  # the rest of this setup is fine


def test_no_second_credential_only_says_what_is_skipped(mock: LoggedMock, tmp_path: Path) -> None:
    proc = cli("doctor", "--target-url", mock.base_url, "--api-key", KEY_A, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = lines_by_item(proc.stdout)["second environment"]
    assert line.startswith("- second environment:") and "--second-api-key" in line


def test_run_stops_before_any_test_on_a_broken_setup(mock: LoggedMock, tmp_path: Path) -> None:
    before = len(mock.posts())
    common = ["--target-url", mock.base_url, "--api-key", KEY_A, "--second-api-key", KEY_A, "--level", "quick"]
    common += ["--select", "methods", "--seed", "5"]
    proc = cli("run", *common, "--report-dir", str(tmp_path / "r"), cwd=tmp_path, timeout=300)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "✗ second API key: authenticates as the same environment" in proc.stdout
    assert "run with --no-preflight" in proc.stderr
    assert not (tmp_path / "r").exists()  # nothing was judged, so nothing is reported
    # What reached the target is the pre-flight's own probes: one upload per key given, one by URL, no more.
    sent = [line.split()[2] for line in mock.posts()[before:]]
    assert sent == ["/v1/ingest/uploads", "/v1/ingest/uploads", "/v1/ingest/by-url"], sent

    unchecked = cli("run", *common, "--no-preflight", "--report-dir", str(tmp_path / "s"), cwd=tmp_path, timeout=300)
    assert unchecked.returncode == 0, unchecked.stdout[-3000:] + unchecked.stderr[-2000:]
    assert "pre-flight" not in unchecked.stdout
    assert (tmp_path / "s" / "results.json").is_file()
