"""The suite's pytest plugin: its options, fixtures, verdicts and exit codes.

A guest in pytest sessions: it is loaded only where asked (`ingest-conformance run` passes
`-p ingest_conformance.pytest.plugin`; plain pytest takes the same `-p`), never through an entry
point, and everything it adds is prefixed: options `--ic-…` (config/options.py), fixtures
`ic_suite`, `ic_client`, `ic_verdict`, `ic_http`. The contract tests' own conftest gives them
their short names. Only tests marked `requirement(...)` start a target.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest_conformance.cassettes.record import Recorder
from ingest_conformance.config import options
from ingest_conformance.config.target import LEVELS
from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.judging.checks import RequirementFailure
from ingest_conformance.judging.results import CheckRecord, Outcome
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.pytest import interrupt
from ingest_conformance.pytest.state import (
    CASSETTE_KEY,
    CONFIG_KEY,
    PROGRESS_KEY,
    RECORDER_KEY,
    SUITE_KEY,
    VERDICT_KEY,
    is_worker,
    load_target_config,
    start_suite,
)
from ingest_conformance.wire.client import EXCHANGE_TAPS, TargetClient, TargetUnreachable, new_http_client
from ingest_conformance.wire.redaction import redact_test_report

RESULTS_PATH_KEY = pytest.StashKey[Path]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ingest-conformance", "Invofox Ingest API conformance suite")
    options.add_to(group.addoption, pytest_side=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requirement(*ids): the requirement IDs of spec/requirements.yaml that this test checks"
    )
    config.addinivalue_line(
        "markers", "level(name): the lowest run level (quick, standard, full) at which this test runs"
    )
    if config.getoption("ic_record", None):
        config.stash[RECORDER_KEY] = Recorder()
    progress = config.getoption("ic_progress", None)
    # Plain pytest (None) imports nothing for it; a parallel run's controller draws every worker's progress.
    if progress in ("auto", "on") and not is_worker(config):
        from ingest_conformance.reporting.progress import install

        install(config, progress)
    _check_baseline(config)
    seed = config.getoption("ic_seed", None)
    if seed is not None:  # the same seed drives hypothesis too
        from hypothesis import core

        core.global_force_seed = seed
    interrupt.reset()
    if is_worker(config):  # a worker stops on a signal as soon as it exists, not once it has collected
        interrupt.install("worker")


def pytest_unconfigure(config: pytest.Config) -> None:
    interrupt.uninstall()


def _check_baseline(config: pytest.Config) -> None:
    """--baseline must name a readable results document before the run sends anything."""
    baseline = config.getoption("ic_baseline", None)
    if baseline is None or getattr(config, "workerinput", None) is not None:
        return
    from ingest_conformance.reporting.diff import load_run
    from ingest_conformance.reporting.document_schema import DocumentError

    try:
        load_run(Path(baseline))
    except DocumentError as exc:
        raise pytest.UsageError(f"ingest-conformance: --baseline: {exc}") from None


# Modules first imported when the session ends (found by diffing sys.modules before and after the last test).
# pytest rewrites plugin packages, so importing one ast-parses it, and CPython 3.11 keeps one AST recursion
# counter for all threads (gh-106905): a parse at session end, while the run's receiver and file-server threads
# were alive, failed bench runs with "SystemError: AST constructor recursion depth mismatch" and the run left
# no report. Imported here, before any of those threads starts.
_SESSION_END_MODULES = (
    "ingest_conformance.pytest.parallel",
    "ingest_conformance.pytest.reports",
    "schemathesis.engine.summary",
    "schemathesis.engine.statistic",
    "schemathesis.reporting.recorders",
    "schemathesis.reporting.junitxml",
    "schemathesis.reporting.html.writer",
)


def _import_session_end_modules() -> None:
    for name in _SESSION_END_MODULES:
        with contextlib.suppress(ImportError):  # schemathesis' private layout may move between versions
            importlib.import_module(name)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    contract = [item for item in items if item.get_closest_marker("requirement")]
    if not contract:
        return
    from ingest_conformance.flows.generation import pin_hypothesis_constants

    pin_hypothesis_constants()  # the same seed draws the same, whatever else this process ran first
    _import_session_end_modules()
    target_config = load_target_config(config)
    config.stash[CONFIG_KEY] = target_config
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    rank = LEVELS.index(target_config.level)
    from ingest_conformance.judging.catalogue import load_catalogue

    catalogue = load_catalogue()
    selected = set(target_config.select)
    for item in items:
        marker = item.get_closest_marker("requirement")
        if marker is None:
            keep.append(item)
            continue
        ids = set(marker.args)
        level_marker = item.get_closest_marker("level")
        too_deep = level_marker is not None and LEVELS.index(level_marker.args[0]) > rank
        features = {catalogue[rid].feature for rid in ids}
        unselected = bool(selected) and not (ids & selected or features & selected)
        (drop if too_deep or unselected else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    # What this process is to run, so a SIGTERM / SIGINT can mark what did not finish (interrupt.py).
    config.stash[PROGRESS_KEY] = interrupt.Progress(
        {
            item.nodeid: [str(a) for a in marker.args]
            for item in keep
            if (marker := item.get_closest_marker("requirement"))
        }
    )
    interrupt.install("worker" if is_worker(config) else "single")


# -- fixtures ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def ic_suite(request: pytest.FixtureRequest) -> Iterator[Suite]:
    """The run: config, catalogue, spec, target (the bundled mock unless a URL is given), results."""
    config = request.config
    target_config = config.stash.get(CONFIG_KEY, None) or load_target_config(config)
    the_suite = start_suite(config, target_config)
    config.stash[SUITE_KEY] = the_suite
    reason = the_suite.unreachable_reason()
    if reason:
        the_suite.results.unreachable = reason
        the_suite.close()
        pytest.exit(f"ingest-conformance: {reason}", returncode=ExitCode.HARNESS)
    from ingest_conformance.pytest import preflight

    if not is_worker(config) and preflight.broken(config, the_suite):  # a controller ran it for workers
        del config.stash[SUITE_KEY]
        preflight.stop(config, the_suite)
    recorder = config.stash.get(RECORDER_KEY, None)
    if recorder is not None:  # --record: every exchange any client completes, for the cassette
        EXCHANGE_TAPS.append(recorder.tap)
    yield the_suite
    if recorder is not None and recorder.tap in EXCHANGE_TAPS:
        EXCHANGE_TAPS.remove(recorder.tap)
    the_suite.close()


@pytest.fixture(scope="session")
def ic_http(ic_suite: Suite) -> Iterator[Any]:
    """One pooled HTTP connection set to the target for the whole session."""
    http = new_http_client(ic_suite.base_url)
    yield http
    http.close()


@pytest.fixture
def ic_verdict(request: pytest.FixtureRequest, ic_suite: Suite) -> Verdict:
    """This test's judge: `verdict.require(ID, ok, received=…, documented=…)`, `.check(fn, ex, case)`."""
    suite = ic_suite
    v = Verdict(
        request.node.nodeid, suite.catalogue, suite.results, suite.expected, strict=suite.config.strict, ctx=suite.ctx
    )
    request.node.stash[VERDICT_KEY] = v
    return v


@pytest.fixture
def ic_client(ic_suite: Suite, ic_verdict: Verdict, ic_http: Any) -> TargetClient:
    """A recording client for the target; its exchanges become this test's evidence."""
    return TargetClient(
        ic_suite.base_url,
        ic_suite.credentials,
        rate_limit=ic_suite.config.profile.rate_limit,
        recorder=ic_verdict.exchanges,
        http=ic_http,
    )


# -- outcomes ---------------------------------------------------------------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    v = item.stash.get(VERDICT_KEY, None)
    if v is not None and v.strict and v.warnings:
        raise RequirementFailure(
            "(SHOULD under --strict)",
            received="; ".join(v.warnings),
            documented="every SHOULD holds when --strict is given",
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    marker = item.get_closest_marker("requirement")
    suite = item.config.stash.get(SUITE_KEY, None)
    if marker is None or suite is None:
        return report
    v = item.stash.get(VERDICT_KEY, None)
    ids = [str(a) for a in marker.args]
    if report.skipped and call.when in ("setup", "call"):
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        for rid in ids:
            suite.results.add(
                CheckRecord(
                    rid, suite.catalogue[rid].level, Outcome.SKIP, item.nodeid, message=reason.removeprefix("Skipped: ")
                )
            )
    elif report.failed and call.excinfo is not None:
        exc = call.excinfo.value
        if isinstance(exc, TargetUnreachable):
            suite.results.unreachable = str(exc)
        if not _is_requirement_failure(exc):
            for rid in ids:
                suite.results.add(
                    CheckRecord(
                        rid,
                        suite.catalogue[rid].level,
                        Outcome.ERROR,
                        item.nodeid,
                        message=f"harness error: {type(exc).__name__}: {exc}",
                    )
                )
        if v is not None and v.exchanges:
            secrets = suite.config.secrets()
            evidence = "\n".join(f"{ex.summary()}\n  {ex.curl(secrets)}" for ex in v.exchanges[-3:])
            report.sections.append((f"reproduce (seed {suite.seed})", evidence))
    if v is not None and call.when == "call":
        v.judge_rate_limits()
    progress = item.config.stash.get(PROGRESS_KEY, None)
    if progress is not None and call.when == "teardown":
        progress.finished.add(item.nodeid)
    recorder = item.config.stash.get(RECORDER_KEY, None)
    if recorder is not None and v is not None and call.when == "teardown":
        recorder.add(item.nodeid, v.exchanges)  # raw-socket probes are recorded by the test, not a client
    if v is not None and v.warnings and call.when == "call":
        report.sections.append(("SHOULD warnings", "\n".join(v.warnings)))
    # pytest prints failure text and captured output itself: keep credentials out of those too.
    redact_test_report(report, suite.config.secrets())
    return report


def _is_requirement_failure(exc: BaseException) -> bool:
    """A requirement failure, also when hypothesis wraps it (e.g. FlakyFailure after a replay that passed)."""
    if isinstance(exc, RequirementFailure):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return exc.subgroup(lambda e: isinstance(e, RequirementFailure)) is not None
    return False


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from ingest_conformance.pytest import parallel

    interrupt.finishing()
    suite = session.config.stash.get(SUITE_KEY, None)
    if suite is None:
        if is_worker(session.config) and interrupt.received():  # stopped before its first test
            parallel.stop_quietly(session.config, str(interrupt.received()))
        return
    suite.results.interrupted = suite.results.interrupted or interrupt.received()
    shipped = is_worker(session.config)  # a parallel run's worker: the controller merges and reports
    if not shipped and suite.results.interrupted:
        _mark_interrupted(suite, session.config.stash.get(PROGRESS_KEY, None) or interrupt.Progress())
    if not shipped:
        for entry in suite.expected.stale():
            level = suite.catalogue[entry.requirement].level
            suite.results.add(
                CheckRecord(
                    entry.requirement,
                    level,
                    Outcome.STALE,
                    entry.test or "*",
                    message=f"listed as expected failure but held: {entry.reason}",
                )
            )
        from ingest_conformance.pytest.reports import write_results

        baseline = session.config.getoption("ic_baseline", None)
        session.config.stash[RESULTS_PATH_KEY] = write_results(suite, Path(baseline) if baseline else None)
        interrupt.note_reported()
    recorder = session.config.stash.get(RECORDER_KEY, None)
    if recorder is not None:
        from ingest_conformance.cassettes.record import write_run_cassette

        worker = getattr(session.config, "workerinput", {}).get("workerid", "")  # under xdist: one per worker
        session.config.stash[CASSETTE_KEY] = write_run_cassette(
            suite, recorder, Path(session.config.getoption("ic_record")), worker
        )
    if shipped:
        parallel.ship(session.config, suite, session.config.stash.get(PROGRESS_KEY, None) or interrupt.Progress())
        return
    ours = suite.results.exit_code(strict=suite.config.strict)
    if ours:
        session.exitstatus = ours


def _mark_interrupted(suite: Suite, progress: interrupt.Progress) -> None:
    """Every test that did not finish gets a skip record per requirement, saying it was interrupted."""
    signal_name = suite.results.interrupted or "a signal"
    for test_id, rids, started in progress.unfinished():
        for rid in rids:
            suite.results.add(
                CheckRecord(
                    rid,
                    suite.catalogue[rid].level,
                    Outcome.SKIP,
                    test_id,
                    message=interrupt.message(signal_name, started),
                )
            )


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    suite = config.stash.get(SUITE_KEY, None)
    if suite is None:
        return
    from ingest_conformance.pytest.reports import summary_lines

    for line in summary_lines(suite):
        terminalreporter.write_line(line)
    results_path = config.stash.get(RESULTS_PATH_KEY, None)
    if results_path is not None and (
        config.getoption("ic_baseline", None) or config.getoption("ic_github_annotations", False)
    ):
        from ingest_conformance.reporting.annotations import finishing_lines

        for line in finishing_lines(results_path, annotations=bool(config.getoption("ic_github_annotations", False))):
            terminalreporter.write_line(line)
    cassette = config.stash.get(CASSETTE_KEY, None)
    if cassette is not None:
        terminalreporter.write_line(f"ingest-conformance: cassette written to {cassette}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Label what TargetClients send from now on (this test's fixtures included) with the test."""
    recorder = item.config.stash.get(RECORDER_KEY, None)
    if recorder is not None:
        recorder.current_test = item.nodeid
    progress = item.config.stash.get(PROGRESS_KEY, None)
    if progress is not None:
        progress.started.add(item.nodeid)
