"""The pre-flight at the start of a run (flows/preflight.py): its lines on the terminal before any test, and
a broken setup ends the session with exit 2. On under `ingest-conformance run` unless --no-preflight; under
plain pytest only when asked (--preflight). Called where the run's Suite is built: the plugin's session
fixture, or the controller of a parallel run (never on its workers).
"""

from __future__ import annotations

import contextlib
from typing import NoReturn

import pytest

from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.judging.suite import Suite

# How many items the pre-flight found broken; `ingest-conformance run` reads it to exit 2, not 3 (pytest
# gives a session ended by pytest.exit(returncode=2) the status of an interrupted one).
PREFLIGHT_BROKEN_KEY = pytest.StashKey[int]()


def broken(config: pytest.Config, suite: Suite) -> bool:
    """Run the pre-flight if asked and print it; True when a setting is broken (then call `stop`)."""
    if not config.getoption("ic_preflight", False) or config.getoption("ic_no_preflight", False):
        return False
    from ingest_conformance.flows.preflight import run_preflight

    result = run_preflight(suite)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    lines = [f"ingest-conformance pre-flight ({result.elapsed_s:.1f} s):", *(f"  {x}" for x in result.lines())]
    # A session fixture runs under output capture: lift it, or the lines would be swallowed.
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        for line in lines:
            if reporter is not None:
                reporter.write_line(line)
            else:
                print(line)
    if result.ok:
        return False
    config.stash[PREFLIGHT_BROKEN_KEY] = len(result.broken)
    return True


def stop(config: pytest.Config, suite: Suite) -> NoReturn:
    """End the session before any test: no report (nothing was judged), exit 2."""
    suite.close()
    count = config.stash.get(PREFLIGHT_BROKEN_KEY, 0)
    pytest.exit(f"ingest-conformance: the pre-flight found {count} broken setting(s); see above", ExitCode.USAGE)
