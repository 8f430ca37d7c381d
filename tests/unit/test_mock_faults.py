"""The mock's fault registry, without a socket.

Every fault names a requirement the suite can fail (MUST, or SHOULD under --strict), is consulted by
some hook in the mock, and is the only way to break the mock (the personalities, the choices the
contract allows: tests/unit/test_mock_personalities.py).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.mock import cli
from ingest_conformance.mock.faults import FAULTS, FAULTS_BY_NAME, describe_faults
from ingest_conformance.mock.settings import DEFAULTS, MockSettings

pytestmark = pytest.mark.unit

MOCK_DIR = Path(cli.__file__).resolve().parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mock")
    cli.configure_parser(parser)
    return parser


def test_there_are_at_least_forty_faults_with_unique_kebab_case_names() -> None:
    assert len(FAULTS) >= 40
    assert len(FAULTS_BY_NAME) == len(FAULTS)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", f.name) for f in FAULTS)
    assert all(f.description and not f.description.endswith(".") for f in FAULTS)


def test_each_fault_breaks_a_requirement_the_suite_can_fail() -> None:
    catalogue = load_catalogue()
    for fault in FAULTS:
        assert fault.requirement_id in catalogue, fault
        assert catalogue[fault.requirement_id].level in ("MUST", "SHOULD"), fault  # INFO/PROFILE never fail


def test_faults_span_the_catalogue() -> None:
    catalogue = load_catalogue()
    features = {catalogue[f.requirement_id].feature for f in FAULTS}
    assert len({f.requirement_id for f in FAULTS}) >= 50
    assert {
        "auth",
        "isolation",
        "success",
        "validation",
        "size",
        "filenames",
        "zip",
        "lifecycle",
        "imports",
        "by-url",
        "errors",
        "methods",
    } <= features


@pytest.mark.parametrize("fault", [f.name for f in FAULTS])
def test_each_fault_has_a_hook_in_the_mock(fault: str) -> None:
    """The registry and the hooks cannot drift apart: each name is consulted outside faults.py."""
    sources = [p for p in MOCK_DIR.glob("*.py") if p.name != "faults.py"]
    assert any(f'"{fault}"' in p.read_text() for p in sources), f"no hook consults {fault!r}"


def test_fault_setting_is_validated() -> None:
    assert DEFAULTS.fault is None
    assert MockSettings(fault="zip-slip").fault == "zip-slip"
    with pytest.raises(ValueError, match="unknown fault 'nope'"):
        MockSettings(fault="nope")


def test_fault_flag_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.settings_from(_parser().parse_args(["--fault", "zip-slip"])).fault == "zip-slip"
    assert cli.run(_parser().parse_args(["--fault", "no-such-bug"])) == 2
    assert cli.run(_parser().parse_args(["--list-faults"])) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == describe_faults().splitlines()
    assert len(listed) == len(FAULTS)
    for line, fault in zip(listed, FAULTS, strict=True):
        assert line.split()[:2] == [fault.name, fault.requirement_id]
