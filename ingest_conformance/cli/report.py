"""`ingest-conformance report`: re-render the reports of a saved results.json.

Every report is rendered from the results document alone, so the HTML, JUnit and console output
written here are identical to the ones the run wrote. A file that is missing, unreadable, not a
results document or of an unsupported schema version gives one clear line and exit code 2.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from ingest_conformance.exitcodes import ExitCode

FORMATS = ("html", "junit", "summary", "console", "json")
DEFAULT_FORMATS = "html,junit,summary,console"


def _formats(value: str) -> list[str]:
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    return list(dict.fromkeys(chosen))


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "results",
        metavar="RESULTS_JSON",
        type=Path,
        help="a results.json written by `ingest-conformance run` (or pytest with the plugin)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=None,
        help="where to write the reports (default: the folder of RESULTS_JSON)",
    )
    parser.add_argument(
        "--format",
        dest="formats",
        metavar="LIST",
        type=_formats,
        default=_formats(DEFAULT_FORMATS),
        help=f"comma-separated, from {', '.join(FORMATS)} (default {DEFAULT_FORMATS}); console "
        "prints to standard output, the others write report.html, junit.xml, summary.md, results.json",
    )


def run(args: argparse.Namespace) -> int:
    from ingest_conformance.reporting import DocumentError, load_document, render_console, write_reports

    try:
        document = load_document(args.results)
    except DocumentError as exc:
        print(f"ingest-conformance report: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    out_dir: Path = args.out if args.out is not None else args.results.parent
    files = [f for f in args.formats if f != "console"]
    if "json" in files and out_dir.resolve() == args.results.resolve().parent and args.results.name == "results.json":
        files.remove("json")  # re-writing the very file we read would only reformat it
    try:
        written = write_reports(document, out_dir, files)
    except OSError as exc:
        print(f"ingest-conformance report: cannot write to {out_dir}: {exc.strerror or exc}", file=sys.stderr)
        return ExitCode.USAGE
    if "console" in args.formats:
        tty = sys.stdout.isatty()
        width = shutil.get_terminal_size((110, 24)).columns if tty else 110
        text = render_console(document, width=width, color=tty)
        encoding = sys.stdout.encoding or "utf-8"  # a C-locale stdout must not turn into a traceback
        sys.stdout.write(text.encode(encoding, "replace").decode(encoding))
        sys.stdout.flush()
    for fmt, path in written.items():
        print(f"ingest-conformance report: wrote {fmt} to {path}", file=sys.stderr)
    return ExitCode.OK
