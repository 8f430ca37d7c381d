"""The suite's detection power, the CI-sized slice of bench/mutation.py.

Every conformant personality of the mock (a covering array over every choice the docs allow: every
pair of options meets in one of them) gets a whole quick run under --strict, with the profile
settings it declares (`suite_flags`), and must pass: any failure is a false alarm. A handful of the mock's
named fault modes, one per kind of bug, must each be caught as the requirement it breaks, with exit
code 1. Runs go two at a time (each a suite subprocess against a mock subprocess); processing delays
and the rate limit are scaled for CI (about 90 s in all). The full matrix, with the mutation score:
`python bench/mutation.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.mock import MockSettings
from ingest_conformance.mock.faults import FAULTS_BY_NAME
from ingest_conformance.mock.personalities import PERSONALITIES, cli_flags, options_of, suite_flags

from .suiterun import SuiteRun, suite_against_mock_process

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

# One per kind of bug, each a short run; the last three are suite gaps the bench found (and now closes).
CI_FAULTS = [
    "auth-any-api-key-accepted",
    "oversize-connection-reset",
    "filename-latin1-as-utf8",
    "filename-keeps-path",
    "zip-slip",
    "data-urls-fetched",
    "files-collection-200",
    "list-imports-cached",
    "zip-ratio-guard-without-floor",
]
FAST_S, SLOW_S = 0.02, 0.06  # processing_delay per step in CI (the bench keeps the mock's 0.2 s and 0.6 s)
CI_BURST = 80  # requests a second before a 429 in CI (the bench keeps 20: a whole run then takes 30 s more)
WORKERS = 2
T = TypeVar("T")


def _at_once(items: list[T], run: Callable[[T], SuiteRun], workers: int = WORKERS) -> list[SuiteRun]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, items))


def personality_flags(overrides: dict[str, Any]) -> list[str]:
    """The personality's mock flags, its delays and rate limit scaled for CI."""
    scaled: dict[str, Any] = {"processing_delay": SLOW_S if "processing_delay" in overrides else FAST_S}
    if "rate_limit_burst" in overrides:
        scaled["rate_limit_burst"] = CI_BURST
    MockSettings(**{**overrides, **scaled})  # a valid combination, or ValueError here
    return cli_flags({**overrides, **scaled})


def every_option_once() -> list[str]:
    """The fewest personalities (greedy) in which every option of every open choice appears at least once.

    CI's slice: each allowed choice is made by some run, in about a quarter of the time. The bench
    (bench/mutation.py) runs all of PERSONALITIES, which also covers every *pair* of options.
    """
    wanted = {
        (choice, label) for overrides in PERSONALITIES.values() for choice, label in options_of(overrides).items()
    }
    picked: list[str] = []
    while wanted:
        name = max(PERSONALITIES, key=lambda n: len(wanted & set(options_of(PERSONALITIES[n]).items())))
        picked.append(name)
        wanted -= set(options_of(PERSONALITIES[name]).items())
    return picked


def test_every_option_is_made_by_the_ci_slice() -> None:
    made = {pair for name in every_option_once() for pair in options_of(PERSONALITIES[name]).items()}
    assert made == {pair for o in PERSONALITIES.values() for pair in options_of(o).items()}
    assert len(every_option_once()) < len(PERSONALITIES)


def test_every_personality_passes(tmp_path: Path) -> None:
    names = every_option_once()
    runs = _at_once(
        names,
        lambda name: suite_against_mock_process(
            personality_flags(PERSONALITIES[name]),
            "--strict",
            *suite_flags(PERSONALITIES[name]),
            report_dir=tmp_path / name,
        ),
        workers=len(names),  # whole quick runs mostly wait on processing: all four at once (174 s in pairs in CI)
    )
    alarms = {
        name: (run.exit_code, run.broken(), run.output[-1500:])
        for name, run in zip(names, runs, strict=True)
        if run.exit_code != 0 or run.broken()
    }
    assert not alarms, f"false alarms on conformant personalities: {alarms}"
    assert all(run.verdict == "conformant" for run in runs)


def test_faults_are_caught_as_the_requirement_they_break(tmp_path: Path) -> None:
    catalogue = load_catalogue()

    def run(name: str) -> SuiteRun:
        rid = FAULTS_BY_NAME[name].requirement_id
        strict = ["--strict"] if catalogue[rid].level == "SHOULD" else []
        flags = ["--fault", name, "--processing-delay", str(FAST_S)]
        return suite_against_mock_process(flags, "--select", rid, *strict, report_dir=tmp_path / name)

    runs = _at_once(CI_FAULTS, run)
    missed = {}
    for name, result in zip(CI_FAULTS, runs, strict=True):
        rid = FAULTS_BY_NAME[name].requirement_id
        caught = ("fail", "warn") if catalogue[rid].level == "SHOULD" else ("fail",)
        if result.exit_code != 1 or result.outcomes.get(rid) not in caught:
            missed[name] = (rid, result.exit_code, result.outcomes.get(rid), result.output[-1500:])
    assert not missed, f"faults the suite did not catch as their requirement: {missed}"
