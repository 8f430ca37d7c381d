"""Seeds that mean something (DECISIONS.md, "What a verdict means"): for EVERY contract test that sends a
file, the same seed sends the same bytes, another seed other ones, and a test that sends several files sends
distinct files.

Three recorded quick runs against the bundled mock (seed A twice, seed B once); the cassettes hold every
request body per test id, and `sentfiles` names each file sent by its bytes. Bodies the cassette keeps as a
hash only (the sized bodies of test_size.py) are compared whole; that their PDF follows the seed is
tests/unit/test_generation_seeds.py's part.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .sentfiles import SentFiles, read_sent_files
from .test_suite_cli import run_cli

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

SEED_A, SEED_B = 20240611, 7
# The fuzz tests explore request shapes: their files come from a pool (flows/fuzz_variants.py; drawing one
# costs as much as sending one) and URLs from three served files (flows/fuzz_cases.UrlPool), so a file may
# go out twice, even twice in one request, which is itself a shape a target must survive. They are held to
# the seed rules, not to distinct files.
FUZZ = "test_fuzz.py::"
MIN_TESTS_WITH_FILES = 100  # a quick run has ~125: far fewer means the cassette reading broke


def _recorded_run(directory: Path, seed: int) -> SentFiles:
    proc = run_cli(
        "run",
        "--level",
        "quick",
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--progress",
        "off",
        "--record",
        str(directory / "cassette"),
        "--report-dir",
        str(directory / "reports"),
        cwd=directory,
    )
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-2000:]
    cassettes = sorted((directory / "cassette").glob("*.cassette.jsonl"))
    assert len(cassettes) == 1, (cassettes, proc.returncode, proc.stdout[-3000:] + proc.stderr[-2000:])
    [cassette] = cassettes
    return read_sent_files(cassette)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SentFiles]:
    return {
        label: _recorded_run(tmp_path_factory.mktemp(f"seed-{label}"), seed)
        for label, seed in (("a", SEED_A), ("a-again", SEED_A), ("b", SEED_B))
    }


def test_one_seed_sends_the_same_files(runs: dict[str, SentFiles]) -> None:
    first, again = runs["a"], runs["a-again"]
    assert len(first.requests) >= MIN_TESTS_WITH_FILES, sorted(first.requests)
    assert sorted(first.requests) == sorted(again.requests)
    changed = [test for test in first.requests if first.requests[test] != again.requests[test]]
    assert not changed, f"{len(changed)} of {len(first.requests)} tests sent other files for the same seed: {changed}"
    assert first.streamed and dict(first.streamed) == dict(again.streamed)


def test_another_seed_sends_other_files(runs: dict[str, SentFiles]) -> None:
    first, other = runs["a"], runs["b"]
    assert sorted(first.requests) == sorted(other.requests), "the two seeds sent files in different tests"
    same = {test: sorted(set(first.files(test)) & set(other.files(test))) for test in first.requests}
    same = {test: files for test, files in same.items() if files}
    assert not same, f"{len(same)} of {len(first.requests)} tests sent a file under both seeds: {same}"
    assert sorted(first.streamed) == sorted(other.streamed)
    alike = [test for test in first.streamed if set(first.streamed[test]) & set(other.streamed[test])]
    assert not alike, f"sized bodies sent under both seeds: {alike}"


def test_tests_that_send_several_files_send_distinct_files(runs: dict[str, SentFiles]) -> None:
    sent = runs["a"]
    repeated: dict[str, list[str]] = {}
    for test in sent.requests:
        files = sent.files(test)
        twice = sorted({name for name in files if files.count(name) > 1})
        if twice and not test.startswith(FUZZ):
            repeated[test] = twice
    several = sum(1 for test in sent.requests if len(sent.files(test)) > 1)
    assert several >= 20, "too few tests send several files for this check to mean anything"
    assert not repeated, f"the same file sent twice: {repeated}"
