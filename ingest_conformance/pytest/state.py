"""What the suite's pytest plugins share: the stash keys of a session and how its target config is read.

Both the plugin (`plugin.py`) and the parallel-run plugin (`parallel.py`) read and write these, so
they live here and neither plugin imports the other's internals.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ingest_conformance.cassettes.record import Recorder
from ingest_conformance.config import options
from ingest_conformance.config.target import ConfigError, TargetConfig, load_config, parse_set_option
from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.pytest import interrupt

__all__ = [
    "CASSETTE_KEY",
    "CONFIG_KEY",
    "PROGRESS_KEY",
    "RECORDER_KEY",
    "SUITE_KEY",
    "TARGET_KEY",
    "VERDICT_KEY",
    "is_worker",
    "load_target_config",
    "start_suite",
]

CONFIG_KEY = pytest.StashKey[TargetConfig]()
SUITE_KEY = pytest.StashKey[Suite]()
VERDICT_KEY = pytest.StashKey[Verdict]()
RECORDER_KEY = pytest.StashKey[Recorder]()
CASSETTE_KEY = pytest.StashKey[Path]()
PROGRESS_KEY = pytest.StashKey[interrupt.Progress]()  # which tests ran, for marking the rest after a signal
START_ERROR_KEY = pytest.StashKey[str]()  # the configuration error that kept the run's Suite from starting
TARGET_KEY = "ingest_conformance_target"  # in an xdist worker's `workerinput`: the controller's target


def is_worker(config: pytest.Config) -> bool:
    """A worker of a parallel run (its results go to the controller, which reports)."""
    return TARGET_KEY in getattr(config, "workerinput", {})


def load_target_config(config: pytest.Config) -> TargetConfig:
    """The run's TargetConfig from the `--ic-` options (profile < environment < flags)."""
    try:
        overrides: dict[str, Any] = parse_set_option(config.getoption("ic_set"))
        overrides.update({k: v for k, v in options.overrides_from(config.getoption).items() if v is not None})
        if config.getoption("ic_strict", False):
            overrides["strict"] = True
        profile = config.getoption("ic_profile")
        return load_config(profile_file=Path(profile) if profile else None, environ=os.environ, overrides=overrides)
    except ConfigError as exc:
        raise pytest.UsageError(f"ingest-conformance: {exc}") from None


def start_suite(config: pytest.Config, target_config: TargetConfig) -> Suite:
    """The run's Suite; if it cannot start, the session ends at once (pytest.exit) with our exit code.

    Not pytest.UsageError: raised from a fixture, that only errors each test (exit 1, read as "the target broke
    a requirement", and no report). A configuration error (e.g. --webhook-listen on a port in use) ends it as
    a usage error, its text kept under START_ERROR_KEY for the CLI; anything else (e.g. the bundled mock did
    not start) as a harness error."""
    try:
        return Suite.start(target_config)
    except ConfigError as exc:
        config.stash[START_ERROR_KEY] = str(exc)
        pytest.exit(f"ingest-conformance: {exc}", returncode=ExitCode.USAGE)
    except Exception as exc:
        pytest.exit(
            f"ingest-conformance: the run could not start: {type(exc).__name__}: {exc}", returncode=ExitCode.HARNESS
        )
