"""The live progress display of a run (ingest_conformance/reporting/progress.py), fed pytest's reports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from ingest_conformance.reporting.progress import LiveProgress, wanted

pytestmark = pytest.mark.unit


class _Report:
    """The fields of a pytest TestReport the display reads."""

    def __init__(self, nodeid: str, when: str, outcome: str) -> None:
        self.nodeid, self.when, self.outcome = nodeid, when, outcome

    passed = property(lambda self: self.outcome == "passed")
    failed = property(lambda self: self.outcome == "failed")


def _test(
    live: LiveProgress, nodeid: str, setup: str = "passed", call: str | None = "passed", teardown: str = "passed"
) -> None:
    live.pytest_runtest_logstart(nodeid, ("x.py", 1, nodeid))
    live.pytest_runtest_logreport(_Report(nodeid, "setup", setup))  # type: ignore[arg-type]
    if call is not None:
        live.pytest_runtest_logreport(_Report(nodeid, "call", call))  # type: ignore[arg-type]
    live.pytest_runtest_logreport(_Report(nodeid, "teardown", teardown))  # type: ignore[arg-type]


def _live() -> tuple[LiveProgress, io.StringIO]:
    out = io.StringIO()
    return LiveProgress(Console(file=out, force_terminal=True, width=160)), out


def test_counts_each_test_once_by_its_deciding_phase() -> None:
    live, out = _live()
    live._start(5)
    _test(live, "t.py::a")
    _test(live, "t.py::b", call="failed")
    _test(live, "t.py::c", setup="skipped", call=None)
    _test(live, "t.py::d", setup="failed", call=None)
    _test(live, "t.py::e", teardown="failed")
    task = live.progress.tasks[0]
    assert (task.completed, task.total) == (5, 5)
    assert dict(live.counts) == {"passed": 2, "failed": 1, "skipped": 1, "error": 2}
    assert task.fields["tally"] == "2 passed · 1 failed · 1 skipped · 2 error"
    live.progress.refresh()
    live.stop()
    drawn = out.getvalue()
    assert "ingest-conformance" in drawn and "5/5" in drawn and "1 failed" in drawn


def test_a_test_id_is_shown_as_text_never_as_markup() -> None:
    live, out = _live()
    live._start(1)
    live.pytest_runtest_logstart("t.py::test[[bold]x[/bold]]", ("t.py", 1, "x"))
    live.progress.refresh()
    live.stop()
    assert "[bold]x[/bold]" in out.getvalue()


def test_no_per_test_letters_under_the_live_line() -> None:
    live, _ = _live()
    wrapper = live.pytest_report_teststatus(report=None, config=None)  # type: ignore[arg-type]
    next(wrapper)
    with pytest.raises(StopIteration) as done:
        wrapper.send(("passed", ".", "PASSED"))
    assert done.value.value == ("passed", "", "PASSED")


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("choice", "tty", "ci", "shown"),
    [
        ("on", False, "true", True),
        ("off", True, None, False),
        ("auto", True, None, True),
        ("auto", False, None, False),
        ("auto", True, "true", False),
        (None, True, None, False),
    ],
)
def test_when_it_is_shown(monkeypatch: pytest.MonkeyPatch, choice: Any, tty: bool, ci: str | None, shown: bool) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert wanted(choice, stream=_Stream(tty)) is shown
