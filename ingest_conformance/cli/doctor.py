"""`ingest-conformance doctor`: the run's pre-flight alone, one line per item, ✓ or ✗ with the fix.

It takes the options of `run`, so the very command line of a run can be checked first. Without a
target URL it starts the bundled mock as a run does (judging/suite.py). Exit codes: 0 every item is
fine (lines marked - are not set up and only skip tests); 2 a setting is broken, the target does
not answer, or the configuration does not load.
"""

from __future__ import annotations

import argparse

from ingest_conformance.cli import run as runner
from ingest_conformance.config import options
from ingest_conformance.config.target import ConfigError
from ingest_conformance.exitcodes import ExitCode


def configure_parser(parser: argparse.ArgumentParser) -> None:
    options.add_to(parser.add_argument)


def run(args: argparse.Namespace) -> int:
    from ingest_conformance.flows.preflight import MARKS, State, run_preflight
    from ingest_conformance.judging.suite import Suite

    try:
        config = runner.load_run_config(args)
    except ConfigError as exc:
        print(f"{MARKS[State.BROKEN]} settings: {exc}: fix that setting (flag, environment variable or profile)")
        return ExitCode.USAGE
    where = "the bundled mock" if config.uses_bundled_mock else config.target_url
    print(f"ingest-conformance doctor: checking the setup of a run against {where}")
    try:
        suite = Suite.start(config)
    except (ConfigError, RuntimeError) as exc:  # RuntimeError: the bundled mock did not start
        print(f"{MARKS[State.BROKEN]} target: {exc}")
        return ExitCode.USAGE
    try:
        result = run_preflight(suite)
    finally:
        suite.close()
    for line in result.lines():
        print(line)
    if result.ok:
        print(f"ingest-conformance doctor: the setup is fine ({result.elapsed_s:.1f} s)")
        return ExitCode.OK
    print(f"ingest-conformance doctor: {len(result.broken)} broken; fix the ✗ lines ({result.elapsed_s:.1f} s)")
    return ExitCode.USAGE
