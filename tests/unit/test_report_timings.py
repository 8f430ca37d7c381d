"""The `timings` block (reporting/timings.py), the traffic rows it is built from, and its SVG charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from ingest_conformance.judging.traffic import Traffic, file_format
from ingest_conformance.reporting import render_html, validate_document
from ingest_conformance.reporting.charts import charts_section, rate_chart, stats_chart
from ingest_conformance.reporting.timings import bucket_width, operation_of, percentile, timings_block
from ingest_conformance.wire.exchange import Exchange
from tests.unit.report_sample import sample_document, sample_traffic

STARTED = 1_790_000_000.0


@pytest.fixture(scope="module")
def timings() -> dict[str, Any]:
    return timings_block(sample_traffic(STARTED), STARTED)


def test_percentiles_are_nearest_rank() -> None:
    values = [0.010 + i / 1000 for i in range(10)]
    assert percentile(values, 50) == pytest.approx(0.014)
    assert percentile(values, 95) == pytest.approx(0.019)
    assert percentile([3.0], 95) == 3.0


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("GET", "/v1/ingest/files/0123456789abcdef01234567", "getFile"),
        ("GET", "/v1/ingest/files/0123456789abcdef01234567/", "getFile"),
        ("POST", "/v1/ingest/uploads", "uploadFiles"),
        ("GET", "/v1/ingest/imports", "listImports"),
        ("DELETE", "/v1/ingest/uploads", "other"),  # a method the spec does not list
        ("GET", "/v1/ingest/files/a/b", "other"),  # one segment too many
        ("GET", "/nowhere", "other"),
    ],
)
def test_requests_map_onto_the_spec_operations(method: str, path: str, operation: str) -> None:
    assert operation_of(method, path) == operation


def test_latency_per_operation(timings: dict[str, Any]) -> None:
    ops = timings["operations"]
    assert list(ops) == ["uploadFiles", "getFile", "listImports", "other"]  # the catalogue's order, other last
    assert ops["getFile"] == {"count": 10, "p50_s": 0.014, "p95_s": 0.019, "max_s": 0.019}
    assert ops["uploadFiles"] == {"count": 6, "p50_s": 0.07, "p95_s": 2.0, "max_s": 2.0}
    assert ops["listImports"]["count"] == 9  # 5 + two 429s + their two retries
    assert timings["requests"] == 26


def test_processing_per_format_counts_only_final_statuses(timings: dict[str, Any]) -> None:
    processing = timings["processing"]
    assert processing["pdf"] == {
        "count": 3,
        "p50_s": 0.4,
        "p95_s": 0.5,
        "max_s": 0.5,
        "statuses": {"processed": 2, "rejected": 1},
    }
    assert processing["zip"] == {"count": 0, "statuses": {"timed out": 1}}


def test_429s_and_retries_land_in_their_slice(timings: dict[str, Any]) -> None:
    rate = timings["rate_limits"]
    assert rate["bucket_s"] == 1
    assert len(rate["requests"]) == len(rate["rate_limited"]) == len(rate["retries"]) == 32  # 31.52 s of traffic
    assert sum(rate["requests"]) == 26
    assert rate["rate_limited"][30] == 2 and sum(rate["rate_limited"]) == 2
    assert rate["retries"][31] == 2 and sum(rate["retries"]) == 2


@pytest.mark.parametrize(("duration", "width"), [(0.5, 1), (60, 1), (61, 2), (400, 10), (5000, 120)])
def test_slices_stay_few(duration: float, width: int) -> None:
    assert bucket_width(duration) == width


def test_an_empty_run_has_empty_timings() -> None:
    block = timings_block(Traffic(), STARTED)
    assert block["requests"] == 0 and block["operations"] == {} and block["rate_limits"]["requests"] == []


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.PDF", "pdf"), ("b.jpg", "jpeg"), ("c.tif", "tiff"), ("d.zip", "zip"), ("noext", "other"), ("x.gif", "other")],
)
def test_file_format_by_extension(name: str, fmt: str) -> None:
    assert file_format(name) == fmt


def test_the_tap_keeps_timing_and_no_body() -> None:
    traffic = Traffic()
    ex = Exchange.for_request("POST", "http://127.0.0.1:1/v1/ingest/uploads?x=1", [("x-api-key", "k")], b"secret")
    ex.status, ex.elapsed_s, ex.sent_at, ex.attempt = 429, 0.01234567, 1000.0, 2
    traffic.tap(ex)
    (row,) = traffic.requests
    assert (row.method, row.path, row.status, row.attempt, row.elapsed_s) == (
        "POST",
        "/v1/ingest/uploads",
        429,
        2,
        0.0123,
    )


def test_processing_runs_from_the_upload_answer_to_the_final_answer() -> None:
    traffic = Traffic()
    upload = Exchange.for_request("POST", "http://h/v1/ingest/uploads", [], b"")
    upload.sent_at, upload.elapsed_s = 100.0, 0.5
    last = Exchange.for_request("GET", "http://h/v1/ingest/files/1", [], b"")
    last.sent_at, last.elapsed_s = 102.0, 0.25
    traffic.processed("a.pdf", upload, last, "processed", False)
    traffic.processed("b.png", upload, last, "pending", True)
    traffic.processed("c.png", upload, None, None, False)  # never polled: nothing to time
    assert [(p.file_format, p.seconds, p.status) for p in traffic.processing] == [
        ("pdf", 1.75, "processed"),
        ("png", 1.75, "timed out"),
    ]


def test_the_document_carries_timings_valid_against_its_schema() -> None:
    document = sample_document()
    assert document["timings"]["requests"] == 26
    validate_document(document)


def _svg(markup: str) -> ET.Element:
    svg = re.search(r"<svg .*?</svg>", markup, re.S)
    assert svg is not None
    return ET.fromstring(svg.group())


def test_stats_chart_draws_three_bars_per_row(timings: dict[str, Any]) -> None:
    svg = _svg(stats_chart("c", "latency", timings["operations"]))
    bars = svg.findall(".//{http://www.w3.org/2000/svg}rect[@class='bar']")
    assert len(bars) == 3 * 4
    assert {b.get("data-series") for b in bars} == {"p50", "p95", "max"}
    widths = {b.get("data-name") + b.get("data-series", ""): float(b.get("width", 0)) for b in bars}
    assert widths["uploadFilesmax"] > widths["uploadFilesp50"] > 0  # longer for slower


def test_rate_chart_draws_a_column_pair_and_a_point_per_slice(timings: dict[str, Any]) -> None:
    svg = _svg(rate_chart("r", "429s", timings["rate_limits"]))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f".//{ns}rect[@class='bar']")) == 2 * 32
    points = svg.findall(f".//{ns}circle[@class='point']")
    assert len(points) == 32
    limited = [b for b in svg.findall(f".//{ns}rect[@data-series='429']") if float(b.get("height", 0)) > 0]
    assert len(limited) == 1  # the one slice with 429s


def test_charts_escape_names_and_use_no_style_attributes() -> None:
    hostile = {'<img src=x onerror="alert(1)">': {"count": 1, "p50_s": 0.1, "p95_s": 0.1, "max_s": 0.1}}
    markup = stats_chart("c", "t", hostile)
    assert "<img" not in markup and "&lt;img" in markup
    assert " style=" not in markup  # the page's CSP allows no inline style attribute
    ET.fromstring(re.search(r"<svg .*?</svg>", markup, re.S).group())  # type: ignore[union-attr]


def test_results_without_timings_say_so() -> None:
    assert "No timings in this results file" in charts_section({"requirements": []})
    page = render_html(sample_document())
    assert 'id="chart-latency"' in page and 'id="chart-processing"' in page and 'id="chart-rate"' in page
