"""`ingest-conformance replay CASSETTE [--spec FILE]`: judge a recorded run again, offline.

The verdicts land in the same reports as a run (results.json, junit.xml, report.html, the console
summary), with the spec drift per operation and requirement printed after them and kept in the
results document under `run.replay.drift`. Exit codes as for `run`: 0 every MUST holds against the
given spec; 1 a MUST failed; 2 a bad cassette or spec; 3 a request the cassette could not answer.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from ingest_conformance.exitcodes import ExitCode


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "cassette",
        metavar="CASSETTE",
        type=Path,
        help="a cassette written by `ingest-conformance run --record DIR`, or that folder",
    )
    parser.add_argument(
        "--spec",
        metavar="FILE",
        type=Path,
        default=None,
        help="OpenAPI description to judge the answers against (default: the installed one); "
        "differences with the spec the cassette was recorded with are reported as drift",
    )
    parser.add_argument(
        "--report-dir",
        metavar="DIR",
        type=Path,
        default=Path("reports"),
        help="where results.json, junit.xml and report.html go (default: reports/)",
    )
    parser.add_argument("--strict", action="store_true", default=False, help="SHOULD failures fail the replay too")


def load_spec_file(path: Path) -> tuple[dict[str, Any], str]:
    """A spec file, checked as OpenAPI; raises ValueError with one line."""
    from openapi_spec_validator import validate

    try:
        text = path.read_text(encoding="utf-8")
        document = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"--spec {path}: cannot read: {str(exc).splitlines()[0]}") from None
    if not isinstance(document, dict) or "openapi" not in document:
        raise ValueError(f"--spec {path}: not an OpenAPI document (no top-level `openapi` key)")
    try:
        validate(document)
    except Exception as exc:  # the validator's own error types vary by version
        raise ValueError(f"--spec {path}: not valid OpenAPI: {str(exc).splitlines()[0][:200]}") from None
    return document, text


def run(args: argparse.Namespace) -> int:
    from ingest_conformance.cassettes.record import CassetteError, cassette_files, read_cassette
    from ingest_conformance.cassettes.replay import AnswerJudge, Drift, Replay, replay_entries
    from ingest_conformance.config.target import PROFILE_KEYS, ConfigError, load_config
    from ingest_conformance.judging.catalogue import load_catalogue
    from ingest_conformance.judging.openapi import OpenAPIDocument
    from ingest_conformance.judging.results import RunResults
    from ingest_conformance.reporting import build_document, render_console, write_reports
    from ingest_conformance.spec import OPENAPI_PATH

    try:
        cassettes = [read_cassette(p) for p in cassette_files(args.cassette)]
        if args.spec is not None:
            spec_doc, spec_text = load_spec_file(args.spec)
        else:
            spec_text = OPENAPI_PATH.read_text(encoding="utf-8")
            spec_doc = yaml.safe_load(spec_text)
        first = cassettes[0]
        profile = {k: v for k, v in first.profile.items() if k in PROFILE_KEYS}
        config = load_config(environ={}, overrides={**profile, "strict": args.strict, "report_dir": args.report_dir})
    except (CassetteError, ValueError, ConfigError) as exc:
        print(f"ingest-conformance replay: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    catalogue = load_catalogue()
    spec = OpenAPIDocument(spec_doc)
    done = Replay(RunResults(seed=first.header.get("seed"), config=config.redacted()), Drift())
    for cassette in cassettes:
        recorded = AnswerJudge(OpenAPIDocument(yaml.safe_load(cassette.spec_text)), catalogue, config)
        replay_entries(cassette.entries, new=AnswerJudge(spec, catalogue, config), recorded=recorded, into=done)
    results, drift, replayed, unanswered = done.results, done.drift, done.replayed, done.unanswered
    results.finished_at = time.time()
    replay_meta = {
        "cassettes": [str(c.path) for c in cassettes],
        "recorded_at": first.header.get("recorded_at"),
        "recorded_target": first.header.get("target"),
        "spec": str(args.spec) if args.spec else "(installed spec/ingest.openapi.yaml)",
        "spec_sha256": hashlib.sha256(spec_text.encode("utf-8")).hexdigest(),
        "recorded_spec_sha256": [c.header["spec"].get("sha256") for c in cassettes],
        "exchanges": replayed,
        "unanswered": unanswered,
        "drift": drift.to_dict(),
    }
    run_meta = {
        "target": f"replay of {args.cassette}",
        "bundled_mock": False,
        "level": first.header.get("level", "standard"),
        "run_tag": first.header.get("run_tag"),
        "replay": replay_meta,
    }
    document = build_document(
        catalogue, results, run=run_meta, config=config.redacted(), secrets=[], strict=args.strict
    )
    try:
        written = write_reports(document, args.report_dir, ("json", "junit", "html"))
    except OSError as exc:
        print(f"ingest-conformance replay: cannot write to {args.report_dir}: {exc.strerror or exc}", file=sys.stderr)
        return ExitCode.USAGE
    _print(render_console(document, width=_width(), color=sys.stdout.isatty()))
    lines = drift.lines()
    _print(f"spec drift against {replay_meta['spec']}: " + (f"{len(lines)} finding(s)\n" if lines else "none\n"))
    _print("".join(f"  {line}\n" for line in lines))
    _print(
        f"replayed {replayed} exchange(s) offline ({unanswered} recorded without an answer, not judged); "
        f"reports: {', '.join(str(p) for p in written.values())}\n"
    )
    return int(document["run"]["exit_code"])


def _width() -> int:
    return shutil.get_terminal_size((110, 24)).columns if sys.stdout.isatty() else 110


def _print(text: str) -> None:
    encoding = sys.stdout.encoding or "utf-8"  # a C-locale stdout must not turn into a traceback
    sys.stdout.write(text.encode(encoding, "replace").decode(encoding))
    sys.stdout.flush()
