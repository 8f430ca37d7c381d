"""`run --github-annotations`: GitHub Actions workflow commands, one per problem requirement.

`::error title=<ID>::<reason>` for what fails the run (a broken MUST, a harness error, and under
--strict a SHOULD warning or a stale expected failure), `::warning` for the rest of the warnings
and stale entries. Escaped as the Actions toolkit does (`escapeData` / `escapeProperty`), so a
reason with a newline, `%`, `:` or `,` from the target cannot end the command or forge another.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ingest_conformance.reporting.rollup import display, rank
from ingest_conformance.reporting.text import one_line

REASON_CHARS = 300


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _reason(req: Mapping[str, Any]) -> str:
    for rec in sorted(req.get("records", []), key=lambda r: -rank(r["outcome"])):
        if rec["outcome"] == req["outcome"]:
            message = rec.get("message") or rec.get("received") or display(req["outcome"])
            return f"{message} [{rec['test']}]"
    return display(req["outcome"])


def annotation_lines(document: Mapping[str, Any]) -> list[str]:
    """The workflow commands of `document`, worst first (empty for a run without problems)."""
    strict = bool(document["run"].get("strict"))
    failing = {"fail", "error"} | ({"warn", "stale"} if strict else set())
    lines = []
    problems = [r for r in document["requirements"] if r["outcome"] in {"fail", "error", "warn", "stale"}]
    for req in sorted(problems, key=lambda r: -rank(r["outcome"])):
        command = "error" if req["outcome"] in failing else "warning"
        reason = one_line(f"{req['level']} {display(req['outcome'])}: {_reason(req)}", REASON_CHARS)
        lines.append(f"::{command} title={escape_property(str(req['id']))}::{escape_data(reason)}")
    unreachable = document["run"].get("unreachable")
    if unreachable:
        lines.append(f"::error title=target unreachable::{escape_data(one_line(unreachable, REASON_CHARS))}")
    return lines


def finishing_lines(results_path: Path, *, annotations: bool) -> list[str]:
    """The run's last console lines: the comparison with its baseline, then (if asked) the annotations."""
    from ingest_conformance.reporting.diff_render import headline
    from ingest_conformance.reporting.document_schema import DocumentError, load_document

    try:
        document = load_document(results_path)
    except DocumentError as exc:  # written a moment ago; only a full disk or a race gets here
        return [f"ingest-conformance: cannot read back {exc}"]
    lines = []
    baseline = document.get("baseline")
    if isinstance(baseline, Mapping):
        if baseline.get("error"):
            lines.append(f"ingest-conformance: baseline not compared: {baseline['error']}")
        else:
            diff = baseline["diff"]
            lines.append(
                f"ingest-conformance: compared with {baseline['source']}: {diff['regressions']} regression(s); "
                f"{headline(diff)}"
            )
    if annotations:
        lines += annotation_lines(document)
    return lines
