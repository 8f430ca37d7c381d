"""The installed package is a good guest in other projects' pytest sessions.

An SDK team installs ingest-conformance for `sdk_harness`; their own plugins may define `--profile`
or `--seed` (pytest-profiling does) and fixtures named `client`. Their session must start, see only
the `sdk_harness` fixture from us, and none of the suite's options (loaded only with `-p`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.selftest

THEIR_PLUGIN = """
import pytest

def pytest_addoption(parser):
    parser.addoption("--profile", action="store_true", help="their profiler")
    parser.addoption("--seed", type=int, default=0, help="their seed")

@pytest.fixture
def client():
    return "their client"
"""

THEIR_TEST = """
def test_theirs(client, sdk_harness, request):
    assert client == "their client"
    assert request.config.getoption("profile") is True
    assert request.config.getoption("seed") == 3
    assert sdk_harness is not None
"""


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INGEST_CONFORMANCE_", "PYTEST_"))}
    env["PYTHONPATH"] = str(project)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "their_plugin", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "their_plugin.py").write_text(THEIR_PLUGIN)
    (tmp_path / "test_theirs.py").write_text(THEIR_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # their rootdir: our repository's conftest is not theirs
    return tmp_path


def test_their_options_and_fixtures_win_and_sdk_harness_is_there(project: Path) -> None:
    proc = _pytest(project, "-q", "--profile", "--seed", "3")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "1 passed" in proc.stdout


def test_the_suite_plugin_adds_nothing_unless_asked(project: Path) -> None:
    help_text = _pytest(project, "--help").stdout
    assert "--profile" in help_text and "--ic-level" not in help_text
    asked = _pytest(project, "--help", "-p", "ingest_conformance.pytest.plugin").stdout
    assert "--ic-level" in asked and "--ic-profile" in asked
