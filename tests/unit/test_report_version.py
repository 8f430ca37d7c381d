"""The version of ingest-conformance, the target and the seed in every report of a run (results.json's run
section, the report.html header, the junit.xml properties, the console header)."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from report_sample import SEED, sample_document

from ingest_conformance import __version__
from ingest_conformance.cli.main import main
from ingest_conformance.reporting import junit_xml, render_console, render_html
from ingest_conformance.reporting.document_schema import validate_document


@pytest.fixture
def document() -> dict[str, Any]:
    return sample_document()


def test_results_document_names_the_suite_version(document: dict[str, Any]) -> None:
    assert document["run"]["suite_version"] == __version__
    assert document["run"]["target"].startswith("http://127.0.0.1:8123") and document["run"]["seed"] == SEED
    validate_document(document, "sample")


def test_html_header_names_version_target_and_seed(document: dict[str, Any]) -> None:
    page = render_html(document)
    header = html.unescape(page[page.index("<header>") : page.index("</header>")])
    assert f"ingest-conformance {__version__} for {document['run']['target']}, seed {SEED}" in header


def test_junit_properties_carry_version_target_and_seed(document: dict[str, Any]) -> None:
    root = ET.fromstring(junit_xml(document))
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["suite_version"] == __version__
    assert props["target"] == document["run"]["target"] and props["seed"] == str(SEED)


def test_console_header_names_version_target_and_seed(document: dict[str, Any]) -> None:
    first = render_console(document).strip().splitlines()[0]
    assert first.startswith(f"ingest-conformance {__version__}: {document['run']['target']}")
    assert f"seed {SEED}" in first


def test_a_document_of_an_older_suite_still_renders(document: dict[str, Any]) -> None:
    del document["run"]["suite_version"]
    validate_document(document, "older")
    assert render_console(document).strip().startswith(f"ingest-conformance: {document['run']['target']}")
    assert f"Written by ingest-conformance for {document['run']['target']}" in html.unescape(render_html(document))


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ingest-conformance {__version__}"
