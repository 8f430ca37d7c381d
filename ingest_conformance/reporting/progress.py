"""A live progress display while a run goes: tests done of all, the outcomes so far, the test now running.

A pytest plugin, registered by the suite's plugin when `--progress` says so (`auto`, the default of
`ingest-conformance run`: when stderr is a terminal and the CI variable is unset; plain pytest shows it only
when asked; never in a parallel run's workers, whose controller shows it). rich draws it on stderr and
removes it when the run ends; meanwhile pytest prints no per-test letters or file names (they would tear the
redrawn lines), and its summary and ours follow as usual. A CI log keeps pytest's plain lines. Test ids are
printed as text, never as rich markup.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import Any

import pytest
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

_COUNTED = ("passed", "failed", "skipped", "error")


def wanted(choice: str | None, *, stream: Any = None) -> bool:
    """Whether to show it: `on`; `auto` on a terminal outside CI; not for `off` or no choice (plain pytest)."""
    if choice in ("on", "off", None):
        return choice == "on"
    stream = sys.stderr if stream is None else stream
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("CI")


class LiveProgress:
    """The plugin: counts tests as pytest reports them and redraws one line with rich."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True, force_terminal=True)
        self.progress = Progress(
            TextColumn("[bold]ingest-conformance"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tally]}", markup=False),
            TimeElapsedColumn(),
            TextColumn("{task.fields[now]}", markup=False),
            console=self.console,
            transient=True,
        )
        self.task = self.progress.add_task("run", total=None, tally="", now="")
        self.counts: Counter[str] = Counter()
        self.started = False

    def _start(self, total: int) -> None:
        self.progress.update(self.task, total=total)
        if not self.started:
            self.progress.start()
            self.started = True

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        terminal = session.config.pluginmanager.get_plugin("terminalreporter")  # registered after configure
        if terminal is not None:
            terminal.showfspath = False  # no file names either: only the live line moves

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._start(len(session.items))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self._start(len(ids))  # a parallel run's controller: every worker collects the same tests

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        path, sep, name = nodeid.partition("::")
        self.progress.update(self.task, now=path.rsplit("/", 1)[-1] + sep + name)  # the file, not its folders

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # A test counts once: its call's outcome, or its setup's when that did not pass; a failing
        # teardown adds an error. pytest always reports a teardown, so that is where the bar advances.
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.counts["error" if report.failed and report.when == "setup" else report.outcome] += 1
        elif report.when == "teardown" and report.failed:
            self.counts["error"] += 1
        if report.when == "teardown":
            self.progress.update(self.task, advance=1, tally=self._tally())

    def _tally(self) -> str:
        return " · ".join(f"{self.counts[w]} {w}" for w in _COUNTED if self.counts[w])

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config) -> Any:
        category, _letter, word = yield
        return category, "", word  # no per-test letter under the live line

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self.started:
            self.progress.stop()
            self.started = False


def install(config: pytest.Config, choice: str | None) -> LiveProgress | None:
    """Register the display when `choice` asks for it and pytest reports per test at default verbosity."""
    if not wanted(choice) or config.get_verbosity() > 0:
        return None
    live = LiveProgress()
    config.pluginmanager.register(live, "ingest-conformance-progress")
    return live
