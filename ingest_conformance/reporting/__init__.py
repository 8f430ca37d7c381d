"""The reports of a run, all rendered from one results document (reports/README.md documents it).

`build_document` builds the document from a catalogue and results; `write_reports` writes
results.json, junit.xml and report.html from it; `render_console` is the console summary;
`load_document` reads a saved results.json back for `ingest-conformance report`. A pytest run's
`Suite` becomes a document in `ingest_conformance.pytest.reports`.
"""

from __future__ import annotations

from ingest_conformance.reporting.console import render_console
from ingest_conformance.reporting.document import build_document
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
    "scan_for_secrets",
    "validate_document",
    "write_reports",
]
