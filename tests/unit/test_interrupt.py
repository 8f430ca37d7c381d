"""SIGTERM / SIGINT handling (pytest/interrupt.py): who stops when, and what is marked interrupted."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import pytest

from ingest_conformance.judging.results import CheckRecord, Outcome
from ingest_conformance.judging.suite import Suite
from ingest_conformance.pytest import interrupt, parallel

pytestmark = pytest.mark.unit


@pytest.fixture
def handlers() -> Iterator[None]:
    interrupt.reset()
    yield
    interrupt.reset()
    interrupt.uninstall()


def _age_first_signal() -> None:
    """Make the first signal old enough that the next one is not taken for its echo."""
    interrupt._State.first_at = time.monotonic() - interrupt.ECHO_S - 1


def test_one_process_stops_on_the_first_signal_and_ignores_its_echo(handlers: None) -> None:
    assert interrupt.install("single")
    with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
        interrupt._handle(signal.SIGTERM, None)
    assert interrupt.received() == "SIGTERM"
    interrupt._handle(signal.SIGTERM, None)  # `timeout` signals the child, then its group: the same stop
    _age_first_signal()
    with pytest.raises(KeyboardInterrupt):  # a real second Ctrl-C stops at once
        interrupt._handle(signal.SIGINT, None)
    assert interrupt.received() == "SIGTERM"


def test_no_signal_breaks_the_writing_of_the_reports(handlers: None) -> None:
    interrupt.install("single")
    with pytest.raises(KeyboardInterrupt):
        interrupt._handle(signal.SIGINT, None)
    interrupt.finishing()
    _age_first_signal()
    interrupt._handle(signal.SIGINT, None)  # ignored: the reports are being written


def test_a_worker_acts_on_its_first_signal_only(handlers: None) -> None:
    interrupt.install("worker")
    with pytest.raises(KeyboardInterrupt):
        interrupt._handle(signal.SIGTERM, None)
    _age_first_signal()
    interrupt._handle(signal.SIGTERM, None)  # the controller's forwarded copy must not break its shipping


def test_the_controller_forwards_then_waits_and_stops_on_a_second_signal(handlers: None) -> None:
    forwarded: list[int] = []
    interrupt.install("controller", forwarded.append)
    interrupt._handle(signal.SIGTERM, None)  # no raise: the workers ship what they have first
    assert forwarded == [signal.SIGTERM] and interrupt.received() == "SIGTERM"
    assert interrupt._State.timer is not None  # the bounded wait (GRACE_S) for the workers
    _age_first_signal()
    with pytest.raises(KeyboardInterrupt):
        interrupt._handle(signal.SIGINT, None)
    assert forwarded == [signal.SIGTERM]


def test_unfinished_tests_are_listed_with_whether_they_started() -> None:
    progress = interrupt.Progress({"t::a": ["AUTH-KEY-001"], "t::b": ["ZIP-HOST-001", "ERR-5XX-001"], "t::c": []})
    progress.merge({}, ["t::a", "t::b"], ["t::a"])
    assert progress.unfinished() == [("t::b", ["ZIP-HOST-001", "ERR-5XX-001"], True), ("t::c", [], False)]
    assert "while this test ran" in interrupt.message("SIGTERM", True)
    assert "before this test ran" in interrupt.message("SIGINT", False)


def test_the_controller_merges_what_interrupted_workers_ran() -> None:
    suite = Suite.__new__(Suite)  # only results and expected are used by merge
    from ingest_conformance.judging.expected import ExpectedFailures
    from ingest_conformance.judging.results import RunResults

    suite.results, suite.expected = RunResults(seed=1, config={}), ExpectedFailures()
    progress = interrupt.Progress()
    record = CheckRecord("AUTH-KEY-001", "MUST", Outcome.PASS, "t::a", operation="getFile")
    planned = {"t::a": ["AUTH-KEY-001"], "t::b": ["ERR-5XX-001"]}
    traffic = RunResults(seed=1, config={}).traffic
    worker = ([record], {}, [], None, [], traffic, (planned, ["t::a"], ["t::a"], "SIGTERM"))
    parallel.merge(suite, worker, progress)
    assert suite.results.interrupted == "SIGTERM" and suite.results.records[0].operation == "getFile"
    assert progress.unfinished() == [("t::b", ["ERR-5XX-001"], False)]
    parallel.merge(suite, ([], {}, [], None, []), progress)  # a worker of an older version ships five parts
    assert len(suite.results.records) == 1
