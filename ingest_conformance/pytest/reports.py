"""The reports of a pytest run: its Suite turned into the one results document, written and summarised.

The reporting layer renders documents and knows nothing of a run; this is where a run's state
(`Suite`) becomes a document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest_conformance.judging.suite import Suite
from ingest_conformance.reporting import build_document, render_console, write_reports
from ingest_conformance.reporting.writers import REPORT_FORMATS

__all__ = ["results_document", "summary_lines", "write_results"]


def results_document(suite: Suite) -> dict[str, Any]:
    """The document of the run `suite` holds (records, exchanges, config), redacted."""
    run = {
        "target": suite.base_url,
        "bundled_mock": suite.config.uses_bundled_mock,
        "level": suite.config.level,
        "run_tag": suite.run_tag,
    }
    return build_document(
        suite.catalogue,
        suite.results,
        run=run,
        config=suite.config.redacted(),
        secrets=suite.config.secrets(),
        strict=suite.config.strict,
    )


def write_results(suite: Suite, baseline: Path | None = None) -> Path:
    """Write every report of the run (results.json, junit.xml, report.html, summary.md) into the report dir.

    With `baseline` (an earlier results.json or its report dir), the document also carries the
    comparison with it (`baseline`), shown in report.html and summary.md. Returns the path of
    results.json, the file the others can be re-rendered from.
    """
    document = results_document(suite)
    if baseline is not None:
        from ingest_conformance.reporting.diff import attach_baseline

        attach_baseline(document, baseline)
    written = write_reports(document, suite.config.report_dir, REPORT_FORMATS)
    return written["json"]


def summary_lines(suite: Suite, *, width: int = 110, color: bool = False) -> list[str]:
    """The end-of-run summary the pytest plugin prints, from the same document results.json holds."""
    lines = render_console(results_document(suite), width=width, color=color).splitlines()
    out = suite.config.report_dir
    lines.append(f"reports: {out / 'results.json'}, {out / 'junit.xml'}, {out / 'report.html'}, {out / 'summary.md'}")
    return lines
