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

from ingest_conformance.config import options
from ingest_conformance.config.target import ConfigError, load_config, parse_set_option
from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.judging.expected import load_expected_failures

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
    requested: str | int, *, level: str = "standard", narrowed: bool = False, recording: bool = False
) -> int:
    """How many test processes. `auto`: two where there are two CPUs (case generation is CPU-bound; a third
    process on 2 cores only adds start-up) at standard and full (standard 18.8 -> 14.8 s). One at quick
    (11.2 s alone, 11.0 s with two: the second process's start-up eats the gain), for a run narrowed by
    --select or -k (4.3 s alone, 6.8 s with two), when recording, so the cassette is one file in the order
    the run sent (an explicit --workers N records one per worker), and without pytest-xdist."""
    if requested != "auto":
        return int(requested)
    if level == "quick" or narrowed or recording or importlib.util.find_spec("xdist") is None:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def run(args: argparse.Namespace) -> int:
    try:
        overrides: dict[str, object] = dict(parse_set_option(args.ic_set))
        overrides.update(
            {k: v for k, v in options.overrides_from(lambda d: getattr(args, d, None)).items() if v is not None}
        )
        if args.ic_strict:
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
    except ConfigError as exc:
        print(f"ingest-conformance: configuration error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if not CONTRACT_DIR.is_dir():
        print(f"ingest-conformance: harness error: contract tests not found at {CONTRACT_DIR}", file=sys.stderr)
        return ExitCode.HARNESS

    import pytest

    # The suite's plugin is loaded here by name: it has no pytest11 entry point, so installing the
    # package adds nothing to other projects' pytest sessions.
    argv = [str(CONTRACT_DIR), "-c", str(RUN_INI), "--rootdir", str(CONTRACT_DIR), "-p", PLUGIN]
    argv += options.to_argv(args)
    if args.ic_progress is None:
        argv += ["--ic-progress", "auto"]
    if args.keyword:
        argv += ["-k", args.keyword]
    workers = workers_for(
        args.workers, level=config.level, narrowed=bool(config.select or args.keyword), recording=bool(args.ic_record)
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
    started = time.monotonic()
    code = int(pytest.main(argv))
    elapsed = time.monotonic() - started
    return _translate(code, elapsed)


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
