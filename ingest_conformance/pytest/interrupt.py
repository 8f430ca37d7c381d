"""SIGTERM and SIGINT (a CI job's timeout, Ctrl-C): stop, keep what finished, mark the rest interrupted.

On the first signal the run stops where it is: the test that was running keeps the records it made, every
test that did not finish gets a `skip` record "interrupted (SIGTERM) ...", results.json, junit.xml and
report.html are written as usual, and the run exits with ExitCode.INTERRUPTED (4).

One process (plain pytest, or `run --workers 1`): the signal raises KeyboardInterrupt, which pytest turns
into an interrupted session whose `pytest_sessionfinish` still runs; the plugin writes the reports there.
A parallel run (`--workers N`): the controller forwards the signal to its workers and keeps merging what
they ship as each stops (a signal sent to the whole process group, as `timeout` does, reaches them
anyway; a worker acts on its first signal only). If a worker has not stopped within GRACE_S, the
controller stops waiting and reports what it has. A second signal to the controller stops it at once.
"""

from __future__ import annotations

import _thread
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, ClassVar

GRACE_S = 15.0  # how long a parallel run's controller waits for interrupted workers to ship their results
ECHO_S = 2.0  # `timeout` signals its child and then the child's process group: one stop, delivered twice
SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass
class Progress:
    """Which contract tests this process was to run (test id -> requirement ids), started and finished."""

    planned: dict[str, list[str]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)

    def merge(self, planned: dict[str, list[str]], started: Iterable[str], finished: Iterable[str]) -> None:
        self.planned.update(planned)
        self.started.update(started)
        self.finished.update(finished)

    def unfinished(self) -> list[tuple[str, list[str], bool]]:
        """(test id, requirement ids, whether it had started) of every planned test that did not finish."""
        return [(t, rids, t in self.started) for t, rids in self.planned.items() if t not in self.finished]


class _State:
    signal_name: str | None = None
    first_at = 0.0
    finishing = False  # the reports are being written: later signals must not break that
    mode = "single"
    forward: Callable[[int], None] | None = None
    timer: threading.Timer | None = None
    reported = False  # the plugin wrote this run's reports (else `run` writes an empty, interrupted one)
    previous: ClassVar[dict[int, Any]] = {}


def received() -> str | None:
    """The name of the first signal this process received (SIGTERM, SIGINT), or None."""
    return _State.signal_name


def reset() -> None:
    """Forget an earlier run's signal (one process may run the suite more than once, e.g. the selftests)."""
    if _State.timer is not None:
        _State.timer.cancel()
    _State.signal_name, _State.finishing, _State.timer, _State.reported = None, False, None, False


def note_reported() -> None:
    _State.reported = True


def was_reported() -> bool:
    return _State.reported


def finishing() -> None:
    """From now on the run is writing its reports: a further signal is ignored rather than breaking them."""
    _State.finishing = True
    if _State.timer is not None:
        _State.timer.cancel()


def install(mode: str = "single", forward: Callable[[int], None] | None = None) -> bool:
    """Handle SIGTERM and SIGINT in this process (main thread only). `mode`: "single" (one process),
    "worker" (a parallel run's worker: acts on its first signal only) or "controller" (forwards the
    signal with `forward` and waits for its workers). Returns whether the handlers were installed."""
    if threading.current_thread() is not threading.main_thread():
        return False
    _State.mode, _State.forward = mode, forward
    for sig in SIGNALS:
        _State.previous.setdefault(sig, signal.getsignal(sig))
        signal.signal(sig, _handle)
    return True


def uninstall() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    for sig, handler in _State.previous.items():
        signal.signal(sig, handler)
    _State.previous.clear()


def _handle(signum: int, frame: FrameType | None) -> None:
    first = _State.signal_name is None
    if first:
        _State.signal_name, _State.first_at = signal.Signals(signum).name, time.monotonic()
    echo = not first and time.monotonic() - _State.first_at < ECHO_S
    if _State.finishing or echo or (_State.mode == "worker" and not first):
        return
    if _State.mode == "controller" and first:
        if _State.forward is not None:
            _State.forward(signum)
        _State.timer = threading.Timer(GRACE_S, _thread.interrupt_main)
        _State.timer.daemon = True
        _State.timer.start()
        return
    raise KeyboardInterrupt(f"interrupted by {_State.signal_name}")


def message(signal_name: str, started: bool) -> str:
    when = "while this test ran; its checks so far are kept" if started else "before this test ran"
    return f"interrupted ({signal_name}) {when}"
