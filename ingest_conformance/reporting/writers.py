"""Writing the reports of one results document: results.json, junit.xml, report.html, summary.md, console text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ingest_conformance.reporting.console import render_console
from ingest_conformance.reporting.document import RESULTS_FILE, dump_document
from ingest_conformance.reporting.html import HTML_FILE, render_html
from ingest_conformance.reporting.junit import JUNIT_FILE, junit_xml
from ingest_conformance.reporting.summary import SUMMARY_FILE, summary_markdown

FILE_FORMATS: dict[str, str] = {"json": RESULTS_FILE, "junit": JUNIT_FILE, "html": HTML_FILE, "summary": SUMMARY_FILE}
REPORT_FORMATS = ("json", "junit", "html", "summary")  # what every run writes
CONSOLE_FILE = "console.txt"  # only written when asked for explicitly (the console itself is stdout)


def render(document: Mapping[str, Any], fmt: str) -> bytes:
    """The bytes of one report format of `document`."""
    if fmt == "json":
        # backslashreplace: a lone surrogate in a string becomes its JSON escape, and reads back the same.
        return dump_document(document).encode("utf-8", "backslashreplace")
    if fmt == "junit":
        return junit_xml(document)
    if fmt == "html":
        return render_html(document).encode("utf-8", "backslashreplace")
    if fmt == "summary":
        return summary_markdown(document).encode("utf-8", "backslashreplace")
    if fmt == "console":
        return render_console(document).encode("utf-8", "backslashreplace")
    raise ValueError(f"unknown report format {fmt!r}")


def write_reports(document: Mapping[str, Any], out_dir: Path, formats: Iterable[str]) -> dict[str, Path]:
    """Write each of `formats` ("json", "junit", "html", "summary", "console") into `out_dir`; returns their paths.

    Each file is written next to its final name and renamed into place, so a reader never sees
    half a report.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in formats:
        path = out_dir / FILE_FORMATS.get(fmt, CONSOLE_FILE)
        data = render(document, fmt)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)
        written[fmt] = path
    return written
