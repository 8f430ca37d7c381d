"""Contract tests on pytest-xdist workers: one target, one seed, one set of reports (`run --workers N`).

A pytest plugin, loaded with `-p ingest_conformance.pytest.parallel` (the runner adds it with `-n N`; plain pytest
may too). The controller owns the run: at session start it builds the Suite, so the ONE bundled mock every
worker talks to (isolation and import-listing tests need a single target), and hands each worker the
target's URL, credentials and the run's seed through `workerinput`. Workers run tests as usual and, at
their session end, ship their records, exchanges and used expected-failure entries back through
`workeroutput`; the controller merges them (exchange ids renumbered: each worker counts from 1), and only
it writes results.json, junit.xml and report.html and sets the exit code.

Determinism: the seed is the controller's, and every test seeds hypothesis from it and its own name, so the
same seed sends the same requests and gets the same verdicts. Which worker runs a test, and so the order of
tests in the reports and of requests at the target, may differ between runs. Session fixtures that upload
set-up data run once per worker.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from typing import Any

import pytest

from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.judging.results import RunResults
from ingest_conformance.judging.suite import Suite
from ingest_conformance.pytest import interrupt
from ingest_conformance.pytest.state import (
    CONFIG_KEY,
    PROGRESS_KEY,
    RECORDER_KEY,
    SUITE_KEY,
    TARGET_KEY,
    is_worker,
    load_target_config,
    start_suite,
)

RESULTS_KEY = "ingest_conformance_results"
# worker option (dest) <- key of the target handed out by the controller
_WORKER_OPTIONS = {
    "ic_target_url": "url",
    "ic_api_key": "api_key",
    "ic_access_token": "access_token",
    "ic_second_api_key": "second_api_key",
    "ic_second_access_token": "second_access_token",
    "ic_seed": "seed",
}


# -- workers --------------------------------------------------------------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """On a worker: the controller's target and seed become this worker's options (the plugin reads them)."""
    target: dict[str, Any] | None = getattr(config, "workerinput", {}).get(TARGET_KEY)
    if target is None:
        return
    for dest, key in _WORKER_OPTIONS.items():
        if target.get(key) is not None:
            setattr(config.option, dest, target[key])


def ship(config: pytest.Config, suite: Suite, progress: interrupt.Progress) -> None:
    """On a worker at session end: this worker's results, for the controller to merge."""
    results = suite.results
    packed = (
        results.records,
        results.exchanges,
        results.harness_errors,
        results.unreachable,
        list(suite.expected.used),
        results.traffic,
        (progress.planned, sorted(progress.started), sorted(progress.finished), results.interrupted),
    )
    config.workeroutput[RESULTS_KEY] = pickle.dumps(packed)  # type: ignore[attr-defined]
    if results.interrupted:
        stop_quietly(config, results.interrupted)


def stop_quietly(config: pytest.Config, signal_name: str) -> None:
    """An interrupted worker ends like one told to stop, not like a crash: xdist would otherwise replace it
    with a fresh worker (which runs more tests) and count its last test as crashed."""
    output: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]
    output["exitstatus"] = int(ExitCode.INTERRUPTED)
    output["shouldstop"] = f"interrupted by {signal_name}"


# -- the controller -------------------------------------------------------------------------------------
class Controller:
    """Registered on the controller only (see `pytest_sessionstart`)."""

    def __init__(self, suite: Suite, progress: interrupt.Progress) -> None:
        self.suite = suite
        self.progress = progress
        self.worker_pids: list[int] = []

    def forward(self, signum: int) -> None:
        """Pass a SIGTERM / SIGINT on to the workers (interrupt.py): each stops and ships what it has."""
        for pid in self.worker_pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signum)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        suite, credentials = self.suite, self.suite.credentials
        # execnet starts each popen worker as a subprocess of ours; its pid is what a signal is forwarded to.
        pid = getattr(getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None), "pid", None)
        if isinstance(pid, int):
            self.worker_pids.append(pid)
        node.workerinput[TARGET_KEY] = {
            "url": suite.base_url,
            "seed": suite.seed,
            **{
                name: secret.reveal() if secret is not None else None
                for name, secret in (
                    ("api_key", credentials.api_key),
                    ("access_token", credentials.access_token),
                    ("second_api_key", credentials.second_api_key),
                    ("second_access_token", credentials.second_access_token),
                )
            },
        }

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        packed = getattr(node, "workeroutput", {}).pop(RESULTS_KEY, None)  # xdist may call this twice per node
        worker = getattr(node, "gateway", None)
        name = getattr(worker, "id", "?")
        if packed is not None:
            merge(self.suite, pickle.loads(packed), self.progress)
        elif error is not None and interrupt.received() is None:  # a worker stopped by the signal is no harness error
            self.suite.results.harness_errors.append(f"worker {name} ended without results: {error}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.suite.close()  # before the plugin writes the reports, as the session fixture's teardown would


def merge(suite: Suite, packed: tuple[Any, ...], progress: interrupt.Progress | None = None) -> None:
    """Fold one worker's results into the run's: records, exchanges (new ids), errors, used entries, and
    which tests it was to run and finished (for marking the rest after an interrupt)."""
    records, exchanges, harness_errors, unreachable, used = packed[:5]
    if len(packed) > 6:  # which tests the worker was to run and finished, and whether a signal stopped it
        planned, started, finished, interrupted = packed[6]
        if progress is not None:
            progress.merge(planned, started, finished)
        suite.results.interrupted = suite.results.interrupted or interrupted
    results: RunResults = suite.results
    next_id = max(results.exchanges, default=0) + 1
    renumbered: dict[int, int] = {}
    for old_id, exchange in sorted(exchanges.items()):
        exchange.id = renumbered[old_id] = next_id
        results.exchanges[next_id] = exchange
        next_id += 1
    for record in records:
        record.exchange_ids = [renumbered.get(i, i) for i in record.exchange_ids]
        results.records.append(record)
    results.harness_errors += harness_errors
    results.unreachable = results.unreachable or unreachable
    suite.expected.used.update(used)
    if len(packed) > 5:  # the worker's request timings
        results.traffic.extend(packed[5])


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """On the controller of an xdist run: start the run's Suite before any worker is set up."""
    config = session.config
    if is_worker(config) or not config.pluginmanager.has_plugin("dsession"):
        return  # a worker, or no xdist distribution: the plugin's session fixture starts the suite
    target_config = load_target_config(config)
    config.stash[CONFIG_KEY] = target_config
    suite = start_suite(config, target_config)
    config.stash[SUITE_KEY] = suite
    if RECORDER_KEY in config.stash:
        del config.stash[RECORDER_KEY]  # each worker records (and writes) its own cassette
    progress = interrupt.Progress()
    config.stash[PROGRESS_KEY] = progress
    controller = Controller(suite, progress)
    config.pluginmanager.register(controller, "ingest-conformance-controller")
    interrupt.install("controller", controller.forward)
    reason = suite.unreachable_reason()
    if reason:
        suite.results.unreachable = reason
        pytest.exit(f"ingest-conformance: {reason}", returncode=ExitCode.HARNESS)
    from ingest_conformance.pytest import preflight

    if preflight.broken(config, suite):
        del config.stash[SUITE_KEY]
        preflight.stop(config, suite)
