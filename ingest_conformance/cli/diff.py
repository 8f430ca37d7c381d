"""`ingest-conformance diff OLD NEW`: what changed between two runs (reporting/diff.py has the rules).

Exit codes: 0 no requirement regressed; 1 at least one regressed; 2 a side is missing, unreadable,
not a results document or of an unsupported results schema version.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.reporting.diff import MIN_SAMPLES, NOISE_MIN_S, NOISE_RATIO

DESCRIPTION = (
    "Compare two runs, each given as its results.json or its report folder. Lists the requirements that "
    "regressed (both runs judged them and the new judgement is worse: pass/info/expected-failure -> warn -> "
    "fail), got fixed, hit a harness error in one run, changed level, started or stopped being exercised "
    "(skipped or not run in one of the runs: not a regression), and timings that moved beyond noise: an "
    f"operation's p50 answer latency, or a file format's p50 time to a final status, changed more than "
    f"{NOISE_RATIO:g}x AND more than {NOISE_MIN_S * 1000:.0f} ms, with at least {MIN_SAMPLES} samples in both "
    "runs (reported, never gating). Exit codes: 0 no regression; 1 at least one requirement regressed; 2 a "
    "file is missing, unreadable, not a results document or of an unsupported results schema version."
)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", type=Path, help="the earlier run: results.json or its report folder")
    parser.add_argument("new", metavar="NEW", type=Path, help="the later run: results.json or its report folder")
    parser.add_argument(
        "--json", dest="as_json", action="store_true", help="print the comparison as JSON (every entry, no cap)"
    )


def run(args: argparse.Namespace) -> int:
    from ingest_conformance.reporting.diff import diff_files
    from ingest_conformance.reporting.diff_render import render_text
    from ingest_conformance.reporting.document_schema import DocumentError

    try:
        comparison = diff_files(args.old, args.new)
    except DocumentError as exc:
        print(f"ingest-conformance diff: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    text = json.dumps(comparison, indent=2, ensure_ascii=False) + "\n" if args.as_json else render_text(comparison)
    encoding = sys.stdout.encoding or "utf-8"  # a C-locale stdout must not turn into a traceback
    sys.stdout.write(text.encode(encoding, "replace").decode(encoding))
    sys.stdout.flush()
    return ExitCode.NONCONFORMANT if comparison["regressions"] else ExitCode.OK
