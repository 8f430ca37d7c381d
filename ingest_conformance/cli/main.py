"""The `ingest-conformance` command line: one subcommand per job, each in its own module.

Exit codes (documented in README.md): 0 success; 1 a MUST failed (run) ; 2 usage or
configuration error; 3 harness error or target unreachable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ingest_conformance import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ingest-conformance",
        description="Conformance suite and bundled mock for the Invofox Ingest API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    from ingest_conformance.cli import report as report_cli
    from ingest_conformance.cli import run as runner
    from ingest_conformance.mock import cli as mock_cli

    run_parser = sub.add_parser(
        "run",
        help="run the conformance suite against a target (default: the bundled mock)",
        description="Run the conformance suite. Exit codes: 0 every MUST holds; 1 a MUST failed (or a SHOULD "
        "under --strict); 2 usage or configuration error; 3 harness error or target unreachable.",
    )
    runner.configure_parser(run_parser)
    run_parser.set_defaults(handler=runner.run)

    mock_parser = sub.add_parser(
        "mock",
        help="serve the bundled mock Ingest API on loopback",
        description="Serve the bundled, documented-behaviour mock of the Invofox Ingest API.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    mock_cli.configure_parser(mock_parser)
    mock_parser.set_defaults(handler=mock_cli.run)

    report_parser = sub.add_parser(
        "report",
        help="re-render report.html, junit.xml, summary.md and the console summary from a saved results.json",
        description="Re-render the reports of a run from its results.json. Exit codes: 0 written; 2 the file is "
        "missing, unreadable, not a results document or of an unsupported schema version.",
    )
    report_cli.configure_parser(report_parser)
    report_parser.set_defaults(handler=report_cli.run)

    from ingest_conformance.cli import replay as replay_cli

    replay_parser = sub.add_parser(
        "replay",
        help="replay a cassette of `run --record` offline and judge its answers against a (newer) spec",
        description="Replay a recorded run offline: respx answers each recorded request, re-sent through httpx; "
        "every answer is judged against --spec (default: the installed spec) and the requirement catalogue, "
        "and differences with the spec it was recorded with are reported as drift. Exit codes: 0 every MUST "
        "holds; 1 a MUST failed; 2 a bad cassette or spec; 3 a request the cassette could not answer.",
    )
    replay_cli.configure_parser(replay_parser)
    replay_parser.set_defaults(handler=replay_cli.run)
    from ingest_conformance.cli import doctor as doctor_cli

    doctor_parser = sub.add_parser(
        "doctor",
        help="check a run's setup in a few seconds: target, credentials and their environments, file server, clock",
        description="Check the setup of a run (the same options as `run`), one line per item with the fix to make. "
        "Exit codes: 0 the setup is fine; 2 something is broken.",
    )
    doctor_cli.configure_parser(doctor_parser)
    doctor_parser.set_defaults(handler=doctor_cli.run)

    from ingest_conformance.cli import requirements as requirements_cli

    list_parser = sub.add_parser(
        "requirements",
        help="list the requirement catalogue (filter by --level, --feature; --json)",
        description="List the requirements the suite holds a target to. Exit code 0.",
    )
    requirements_cli.configure_list_parser(list_parser)
    list_parser.set_defaults(handler=requirements_cli.list_requirements)
    explain_parser = sub.add_parser(
        "explain",
        help="explain one requirement: statement, why, the tests that check it, settings, fault modes",
        description="Explain one requirement. Exit codes: 0 printed; 2 an unknown ID (close matches suggested).",
    )
    requirements_cli.configure_explain_parser(explain_parser)
    explain_parser.set_defaults(handler=requirements_cli.explain)

    from ingest_conformance.hookcheck import cli as hookcheck_cli

    hookcheck_parser = sub.add_parser(
        "webhook-check",
        help="check a client's webhook receiver: send it the events Invofox would and judge its answers",
        description="Send a webhook receiver the events a real Invofox target would (valid, redelivered, forged, "
        "unsigned, unknown type, numeric timestamp, a ZIP's burst) and judge each answer's status and speed "
        "(docs/webhook-check.md). Exit codes: 0 every expectation held; 1 one failed; 2 bad arguments; "
        "3 the receiver could not be reached.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    hookcheck_cli.configure_parser(hookcheck_parser)
    hookcheck_parser.set_defaults(handler=hookcheck_cli.run)

    from ingest_conformance.cli import diff as diff_cli

    diff_parser = sub.add_parser(
        "diff",
        help="compare two runs (results.json or report folders): regressions, fixes, timings that moved",
        description=diff_cli.DESCRIPTION,
    )
    diff_cli.configure_parser(diff_parser)
    diff_parser.set_defaults(handler=diff_cli.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
