"""`ingest-conformance run`: validate the configuration, then run tests/contract under pytest.

The contract tests ship inside the package (ingest_conformance/contract), so an installed suite
runs anywhere. Configuration problems are caught here, before pytest starts, so they exit 2 with
one clear line; pytest then runs with the very same options through the plugin.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ingest_conformance.config import options
from ingest_conformance.config.target import ConfigError, TargetConfig, load_config, parse_set_option
from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.judging.expected import load_expected_failures

if TYPE_CHECKING:
    import pytest

CONTRACT_DIR = Path(__file__).resolve().parent.parent / "contract"
RUN_INI = Path(__file__).resolve().parent / "run.ini"
PLUGIN = "ingest_conformance.pytest.plugin"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    options.add_to(parser.add_argument)
    parser.add_argument(
        "-k", dest="keyword", metavar="EXPR", default=None, help="pytest -k expression to narrow the tests further"
    )
    parser.add_argument(
        "--pytest-arg",
        dest="pytest_args",
        action="append",
        default=[],
        metavar="ARG",
        help="pass one extra argument to pytest (repeatable), e.g. --pytest-arg=-x",
    )
    parser.add_argument(
        "--workers",
        default="auto",
        type=_workers_value,
        metavar="N|auto",
        help="test processes (pytest-xdist) sharing one target and one report; auto: 2 at standard and "
        "full where there are 2 CPUs or more, 1 at quick, for a run narrowed by --select or -k, "
        "or recorded with --record (bench/README.md has the figures) (default: auto)",
    )


def _workers_value(text: str) -> str | int:
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of workers: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("--workers must be at least 1")
    return value


def workers_for(
    requested: str | int,
    *,
    level: str = "standard",
    narrowed: bool = False,
    recording: bool = False,
    webhooks: bool = False,
) -> int:
    """How many test processes. `auto`: two where there are two CPUs (case generation is CPU-bound; a third
    process on 2 cores only adds start-up) at standard and full (standard 18.8 -> 14.8 s). One at quick
    (11.2 s alone, 11.0 s with two: the second process's start-up eats the gain), for a run narrowed by
    --select or -k (4.3 s alone, 6.8 s with two), when recording, so the cassette is one file in the order
    the run sent (an explicit --workers N records one per worker), without pytest-xdist, and when the run
    judges webhooks: deliveries reach the one receiver of the process that configured the target, so the
    webhook tests of other workers could only skip."""
    if requested != "auto":
        return int(requested)
    if level == "quick" or narrowed or recording or webhooks or importlib.util.find_spec("xdist") is None:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _judges_webhooks(config: TargetConfig) -> bool:
    """Whether this run has a webhook receiver to judge with (webhooks/session.py decides the same way)."""
    configured = (
        config.uses_bundled_mock or config.profile.webhook_public_url is not None or config.webhook_listen is not None
    )
    selected = not config.select or any(s == "webhooks" or s.startswith("HOOK-") for s in config.select)
    return configured and selected


def load_run_config(args: argparse.Namespace) -> TargetConfig:
    """The run's configuration from parsed `run` (or `doctor`) options, validated; raises ConfigError."""
    overrides: dict[str, object] = dict(parse_set_option(args.ic_set))
    overrides.update(
        {k: v for k, v in options.overrides_from(lambda d: getattr(args, d, None)).items() if v is not None}
    )
    if getattr(args, "ic_strict", False):
        overrides["strict"] = True
    profile = Path(args.ic_profile) if args.ic_profile else None
    config = load_config(profile_file=profile, environ=os.environ, overrides=overrides)
    from ingest_conformance.judging.catalogue import FEATURE_AREAS, load_catalogue

    catalogue = load_catalogue()
    load_expected_failures(config.expected_failures, set(catalogue.ids))
    unknown = [s for s in config.select if s not in catalogue and s not in FEATURE_AREAS]
    if unknown:
        raise ConfigError(f"--select: unknown requirement ID or feature: {', '.join(unknown)}")
    if args.ic_record and Path(args.ic_record).exists() and not Path(args.ic_record).is_dir():
        raise ConfigError(f"--record: {args.ic_record} exists and is not a folder")
    if getattr(args, "ic_baseline", None):
        _check_baseline(Path(args.ic_baseline))
    return config


def run(args: argparse.Namespace) -> int:
    try:
        config = load_run_config(args)
    except ConfigError as exc:
        print(f"ingest-conformance: configuration error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if not CONTRACT_DIR.is_dir():
        print(f"ingest-conformance: harness error: contract tests not found at {CONTRACT_DIR}", file=sys.stderr)
        return ExitCode.HARNESS

    import pytest

    if not args.ic_no_preflight:  # on under `run`; under plain pytest only when asked
        args.ic_preflight = True
    # The suite's plugin is loaded here by name: it has no pytest11 entry point, so installing the
    # package adds nothing to other projects' pytest sessions.
    argv = [str(CONTRACT_DIR), "-c", str(RUN_INI), "--rootdir", str(CONTRACT_DIR), "-p", PLUGIN]
    argv += options.to_argv(args)
    if args.ic_progress is None:
        argv += ["--ic-progress", "auto"]
    if args.keyword:
        argv += ["-k", args.keyword]
    workers = workers_for(
        args.workers,
        level=config.level,
        narrowed=bool(config.select or args.keyword),
        recording=bool(args.ic_record),
        webhooks=_judges_webhooks(config),
    )
    if workers > 1 and importlib.util.find_spec("xdist") is None:
        print(
            "ingest-conformance: configuration error: --workers needs pytest-xdist (pip install pytest-xdist)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if workers > 1:  # one controller owns the target and the reports (ingest_conformance/parallel.py)
        argv += ["-p", "ingest_conformance.pytest.parallel", "-n", str(workers), "--dist", "worksteal"]
    argv += args.pytest_args
    from ingest_conformance.pytest import interrupt

    started = time.monotonic()
    stopped = _PreflightWatch()
    interrupt.reset()
    interrupt.install("single")  # from here on, not only once tests are collected (start-up takes seconds)
    try:
        code = int(pytest.main(argv, plugins=[stopped]))
    except KeyboardInterrupt:  # a signal before pytest's session took over (or after it ended)
        code = ExitCode.INTERRUPTED
    elapsed = time.monotonic() - started
    interrupt.uninstall()
    signal_name = interrupt.received()
    if signal_name is not None:
        report_dir = config.report_dir
        if not interrupt.was_reported():
            _write_empty_reports(config, signal_name)
        print(
            f"ingest-conformance: interrupted by {signal_name} after {elapsed:.1f} s; the reports in {report_dir} "
            "cover what finished, the rest is marked interrupted",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED
    if stopped.start_error:  # e.g. --webhook-listen on a port in use: found when the Suite started, no test ran
        print(f"ingest-conformance: configuration error: {stopped.start_error}", file=sys.stderr)
        return ExitCode.USAGE
    if stopped.broken:  # the plugin printed the ✗ lines and stopped before any test ran
        print(
            f"ingest-conformance: the pre-flight found {stopped.broken} broken setting(s); fix the ✗ lines above "
            "(`ingest-conformance doctor` checks them alone), or run with --no-preflight",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    return _translate(code, elapsed)


class _PreflightWatch:
    """A pytest plugin object: how many pre-flight items the run's plugin found broken, or the configuration
    error that kept its Suite from starting (both stop the session with pytest.exit, whose status pytest cannot
    tell from an interrupted session's)."""

    def __init__(self) -> None:
        self.broken = 0
        self.start_error = ""

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from ingest_conformance.pytest.preflight import PREFLIGHT_BROKEN_KEY
        from ingest_conformance.pytest.state import START_ERROR_KEY

        self.broken = config.stash.get(PREFLIGHT_BROKEN_KEY, 0)
        self.start_error = config.stash.get(START_ERROR_KEY, "")


def _check_baseline(path: Path) -> None:
    from ingest_conformance.reporting.diff import load_run
    from ingest_conformance.reporting.document_schema import DocumentError

    try:
        load_run(path)
    except DocumentError as exc:
        raise ConfigError(f"--baseline: {exc}") from None


def _write_empty_reports(config: TargetConfig, signal_name: str) -> None:
    """Interrupted before any test ran: still leave a complete report dir saying so."""
    from ingest_conformance.judging.catalogue import load_catalogue
    from ingest_conformance.judging.results import RunResults
    from ingest_conformance.reporting import build_document, write_reports
    from ingest_conformance.reporting.writers import REPORT_FORMATS

    results = RunResults(seed=config.seed, config=config.redacted(), interrupted=signal_name)
    run = {"target": config.target_url or "(bundled mock)", "level": config.level, "run_tag": None}
    document = build_document(
        load_catalogue(), results, run=run, config=config.redacted(), secrets=config.secrets(), strict=config.strict
    )
    write_reports(document, config.report_dir, REPORT_FORMATS)


def _translate(code: int, elapsed: float) -> int:
    """Map pytest's codes onto ours (the plugin already set 0/1/3 from the verdicts)."""
    where = f"after {elapsed:.1f} s"
    if code == ExitCode.OK:
        print(f"ingest-conformance: every MUST holds ({where})", file=sys.stderr)
        return ExitCode.OK
    if code == ExitCode.NONCONFORMANT:
        print(f"ingest-conformance: the target broke a requirement ({where}); see the summary above", file=sys.stderr)
        return ExitCode.NONCONFORMANT
    if code == ExitCode.HARNESS:
        print(f"ingest-conformance: harness error or target unreachable ({where}); see above", file=sys.stderr)
        return ExitCode.HARNESS
    if code == 4:  # pytest usage error (e.g. a bad option value reaching the plugin)
        print("ingest-conformance: usage error; see above", file=sys.stderr)
        return ExitCode.USAGE
    if code == 5:
        print("ingest-conformance: no test selected; check --select / -k / --level", file=sys.stderr)
        return ExitCode.USAGE
    print(
        f"ingest-conformance: the run was interrupted or pytest failed internally (pytest exit {code})", file=sys.stderr
    )
    return ExitCode.HARNESS
