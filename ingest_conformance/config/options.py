"""The run options, declared once for both front ends: `ingest-conformance run` and plain pytest.

`run` takes the short flags (`--level`, `--seed`, `--profile`...). On the pytest side every flag
carries the `--ic-` prefix (`--ic-level`, `--ic-seed`, `--ic-profile`...): the plugin is a guest in
pytest sessions, and bare `--profile` or `--seed` collide with other plugins (pytest-profiling).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ingest_conformance.config.target import LEVELS

PYTEST_PREFIX = "--ic-"


@dataclass(frozen=True)
class Option:
    flag: str  # as `ingest-conformance run` takes it
    dest: str
    help: str
    kwargs: tuple[tuple[str, Any], ...] = ()

    @property
    def pytest_flag(self) -> str:
        return PYTEST_PREFIX + self.flag.removeprefix("--")


OPTIONS: tuple[Option, ...] = (
    Option(
        "--target-url",
        "ic_target_url",
        "base URL of the target; omitted = start the bundled mock for the run",
        (("metavar", "URL"),),
    ),
    Option("--api-key", "ic_api_key", "x-api-key credential of the first environment", (("metavar", "KEY"),)),
    Option(
        "--access-token",
        "ic_access_token",
        "x-access-token credential of the first environment",
        (("metavar", "TOKEN"),),
    ),
    Option(
        "--second-api-key",
        "ic_second_api_key",
        "x-api-key of ANOTHER environment, for isolation tests (skipped without it)",
        (("metavar", "KEY"),),
    ),
    Option(
        "--second-access-token",
        "ic_second_access_token",
        "x-access-token of the other environment",
        (("metavar", "TOKEN"),),
    ),
    Option(
        "--profile",
        "ic_profile",
        "target profile file (YAML or TOML); see profiles/sample.yaml",
        (("metavar", "FILE"),),
    ),
    Option(
        "--set",
        "ic_set",
        "override one profile setting, e.g. --set max_request_bytes=1048576 (repeatable)",
        (("metavar", "KEY=VALUE"), ("action", "append")),
    ),
    Option(
        "--level",
        "ic_level",
        "quick (CI smoke), standard (default) or full (QA before a release)",
        (("choices", LEVELS),),
    ),
    Option(
        "--seed",
        "ic_seed",
        "seed for generated data: the same seed sends the same requests",
        (("metavar", "N"), ("type", int)),
    ),
    Option("--report-dir", "ic_report_dir", "where reports are written (default: reports/)", (("metavar", "DIR"),)),
    Option(
        "--select",
        "ic_select",
        "run only these requirement IDs or features (repeatable, comma-separated)",
        (("metavar", "ID|FEATURE"), ("action", "append")),
    ),
    Option(
        "--expected-failures",
        "ic_expected_failures",
        "YAML file of known deviations of this target",
        (("metavar", "FILE"),),
    ),
    Option(
        "--allow-heavy-probes",
        "ic_allow_heavy_probes",
        "allow oversized bodies, ZIP bombs and bursts against the production host",
        (("action", "store_true"),),
    ),
    Option(
        "--progress",
        "ic_progress",
        "live progress display: auto (on a terminal, outside CI), on or off "
        "(default: auto under `ingest-conformance run`, off under plain pytest)",
        (("choices", ("auto", "on", "off")),),
    ),
    Option(
        "--record",
        "ic_record",
        "write a cassette of every exchange into DIR, for `ingest-conformance replay` "
        "(wire-exact, credentials redacted; docs/cassettes.md)",
        (("metavar", "DIR"),),
    ),
    Option(
        "--strict",
        "ic_strict",
        "SHOULD failures and stale expected failures fail the run too",
        (("action", "store_true"),),
    ),
)


def add_to(add: Callable[..., Any], *, pytest_side: bool = False) -> None:
    """Register every option with an argparse-like `add_argument` (run) or pytest `addoption` callable."""
    for opt in OPTIONS:
        kwargs = dict(opt.kwargs)
        kwargs.setdefault("default", None)
        add(opt.pytest_flag if pytest_side else opt.flag, dest=opt.dest, help=opt.help, **kwargs)


def overrides_from(getter: Callable[[str], Any]) -> dict[str, Any]:
    """Config overrides from parsed options (None = not given, so lower sources win)."""
    mapping = {
        "target_url": "ic_target_url",
        "api_key": "ic_api_key",
        "access_token": "ic_access_token",
        "second_api_key": "ic_second_api_key",
        "second_access_token": "ic_second_access_token",
        "level": "ic_level",
        "seed": "ic_seed",
        "report_dir": "ic_report_dir",
        "expected_failures": "ic_expected_failures",
    }
    out: dict[str, Any] = {key: getter(dest) for key, dest in mapping.items()}
    selected = [s.strip() for item in (getter("ic_select") or []) for s in item.split(",") if s.strip()]
    out["select"] = tuple(selected) if selected else None
    out["allow_heavy_probes"] = True if getter("ic_allow_heavy_probes") else None
    return out


def to_argv(ns: argparse.Namespace) -> list[str]:
    """Turn parsed `run` options into the plugin's pytest arguments (the `--ic-` flags)."""
    argv: list[str] = []
    for opt in OPTIONS:
        value = getattr(ns, opt.dest, None)
        if value is None or value is False:
            continue
        if value is True:
            argv.append(opt.pytest_flag)
        elif isinstance(value, list):
            for item in value:
                argv += [opt.pytest_flag, str(item)]
        else:
            argv += [opt.pytest_flag, str(value)]
    return argv
