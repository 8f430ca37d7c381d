"""Parallel runs (`run --workers`): how many workers `auto` picks, and how a worker's results fold into the run's."""

from __future__ import annotations

import pickle
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest

from ingest_conformance.cli import run as runner
from ingest_conformance.judging.expected import ExpectedEntry, ExpectedFailures
from ingest_conformance.judging.results import CheckRecord, Outcome, RunResults
from ingest_conformance.pytest import parallel
from ingest_conformance.wire.exchange import Exchange

pytestmark = pytest.mark.unit


def test_auto_uses_two_workers_at_standard_and_full_and_one_for_quick_narrow_or_recorded_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
    assert runner.workers_for("auto") == runner.workers_for("auto", level="full") == 2
    assert runner.workers_for("auto", level="quick") == 1
    assert runner.workers_for("auto", narrowed=True) == 1
    assert runner.workers_for("auto", webhooks=True) == 1  # deliveries reach one receiver: one process judges them
    assert runner.workers_for(2, webhooks=True) == 2  # asked for: the other workers skip the webhook tests
    assert runner.workers_for("auto", recording=True) == 1
    assert runner.workers_for(3, narrowed=True) == 3  # an explicit number is taken as given
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 1)
    assert runner.workers_for("auto") == 1


def _exchange(path: str, exchange_id: int) -> Exchange:
    ex = Exchange.for_request("GET", f"http://127.0.0.1:1{path}", [], b"")
    ex.id = exchange_id
    return ex


def test_a_workers_results_merge_with_fresh_exchange_ids() -> None:
    entry = ExpectedEntry("AUTH-BAD-001", "known")
    run = RunResults(seed=1, config={})
    run.add(CheckRecord("ERR-5XX-001", "MUST", Outcome.PASS, "t::a"), [_exchange("/a", 1)])
    suite: Any = SimpleNamespace(results=run, expected=ExpectedFailures([entry]))
    theirs = RunResults(seed=1, config={})
    theirs.add(CheckRecord("ERR-5XX-001", "MUST", Outcome.FAIL, "t::b"), [_exchange("/b", 1), _exchange("/c", 2)])
    theirs.harness_errors.append("worker trouble")
    packed = (theirs.records, theirs.exchanges, theirs.harness_errors, None, [entry])
    parallel.merge(suite, pickle.loads(pickle.dumps(packed)))
    assert sorted(run.exchanges) == [1, 2, 3]
    merged = run.records[-1]
    assert [urlsplit(run.exchanges[i].url).path for i in merged.exchange_ids] == ["/b", "/c"]
    assert run.harness_errors == ["worker trouble"] and run.exit_code(strict=False) == 1
    assert suite.expected.stale() == []  # the worker met the listed deviation


def test_a_workers_request_timings_travel_with_its_results() -> None:
    from ingest_conformance.judging.traffic import ProcessingRow, RequestRow

    run = RunResults(seed=1, config={})
    suite: Any = SimpleNamespace(results=run, expected=ExpectedFailures([]))
    theirs = RunResults(seed=1, config={})
    theirs.traffic.requests.append(RequestRow(10.0, 0.01, "GET", "/v1/ingest/imports", 429, 0))
    theirs.traffic.processing.append(ProcessingRow("pdf", 0.3, "processed"))
    packed = (theirs.records, theirs.exchanges, theirs.harness_errors, None, [], theirs.traffic)
    parallel.merge(suite, pickle.loads(pickle.dumps(packed)))  # the traffic's lock stays behind, rows travel
    assert run.traffic.requests == theirs.traffic.requests and run.traffic.processing == theirs.traffic.processing
    run.traffic.tap(_exchange("/after-merge", 9))  # still usable: its lock came back on unpickling
    assert len(run.traffic.requests) == 2
