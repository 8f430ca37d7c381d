"""The reports of a pytest run: its Suite turned into the one results document, written and summarised.

The reporting layer renders documents and knows nothing of a run; this is where a run's state
(`Suite`) becomes a document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest_conformance.judging.suite import Suite
from ingest_conformance.reporting import build_document, render_console, write_reports

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


def write_results(suite: Suite) -> Path:
    """Write every report of the run (results.json, junit.xml, report.html) into the report dir.

    Returns the path of results.json, the file the others can be re-rendered from.
    """
    written = write_reports(results_document(suite), suite.config.report_dir, ("json", "junit", "html"))
    return written["json"]


def summary_lines(suite: Suite, *, width: int = 110, color: bool = False) -> list[str]:
    """The end-of-run summary the pytest plugin prints, from the same document results.json holds."""
    lines = render_console(results_document(suite), width=width, color=color).splitlines()
    out = suite.config.report_dir
    lines.append(f"reports: {out / 'results.json'}, {out / 'junit.xml'}, {out / 'report.html'}")
    return lines
