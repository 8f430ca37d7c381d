"""The reports of a run, all rendered from one results document (reports/README.md documents it).

`results_document(suite)` builds the document; `write_results(suite)` writes results.json,
junit.xml and report.html from it; `summary_lines(suite)` is the console summary; `load_document`
reads a saved results.json back for `ingest-conformance report`.
"""

from __future__ import annotations

from ingest_conformance.reporting.console import render_console, summary_lines
from ingest_conformance.reporting.document import build_document, results_document, write_results
from ingest_conformance.reporting.document_schema import (
    SCHEMA_NAME,
    SCHEMA_VERSION,
    SUPPORTED_VERSIONS,
    DocumentError,
    load_document,
    validate_document,
)
from ingest_conformance.reporting.html import render_html
from ingest_conformance.reporting.junit import junit_xml
from ingest_conformance.reporting.writers import FILE_FORMATS, render, write_reports
from ingest_conformance.wire.redaction import Leak, scan_for_secrets

__all__ = [
    "FILE_FORMATS",
    "SCHEMA_NAME",
    "SCHEMA_VERSION",
    "SUPPORTED_VERSIONS",
    "DocumentError",
    "Leak",
    "build_document",
    "junit_xml",
    "load_document",
    "render",
    "render_console",
    "render_html",
    "results_document",
    "scan_for_secrets",
    "summary_lines",
    "validate_document",
    "write_reports",
    "write_results",
]
