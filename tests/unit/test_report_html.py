"""report.html: self-contained, everything escaped, the matrix, filters, failure details and embedded document."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from report_sample import HOSTILE, SEED, sample_document

from ingest_conformance.reporting import render_html
from ingest_conformance.reporting.html_assets import CSS, JS

pytestmark = pytest.mark.unit


class _Page(HTMLParser):
    """Collects what the tests look at: tags with attributes, script bodies, and element ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._buffer = dict(attrs), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._buffer)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._buffer.append(data)

    def with_attr(self, name: str, value: str | None = None) -> list[dict[str, str | None]]:
        return [a for _, a in self.tags if name in a and (value is None or a[name] == value)]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return sample_document()


@pytest.fixture(scope="module")
def page_text(document: dict[str, Any]) -> str:
    return render_html(document)


@pytest.fixture(scope="module")
def page(page_text: str) -> _Page:
    parser = _Page()
    parser.feed(page_text)
    parser.close()
    return parser


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def test_self_contained_with_a_locking_csp(page: _Page, page_text: str) -> None:
    assert not [a for t, a in page.tags if t in ("link", "img", "iframe", "object", "embed")]
    assert not page.with_attr("src") and not page.with_attr("srcset")
    assert "@import" not in page_text and "url(" not in page_text
    csp = page.with_attr("http-equiv", "Content-Security-Policy")[0]["content"] or ""
    assert "default-src 'none'" in csp and f"script-src {_hash(JS)}" in csp and f"style-src {_hash(CSS)}" in csp
    code = [body for attrs, body in page.scripts if "type" not in attrs]
    assert code == [JS]  # the one script that runs is exactly the one the CSP pins


def test_hostile_values_never_reach_the_page_as_markup(page: _Page, page_text: str) -> None:
    assert "<script>alert" not in page_text and "<!-- " not in page_text
    assert "\x1b" not in page_text and "\x00" not in page_text
    assert len(page.scripts) == 2  # the embedded document and the page's own script, nothing injected
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page_text  # shown, escaped
    assert "\\x1b[31mred" in page_text
    hrefs = [a["href"] or "" for a in page.with_attr("href")]
    assert all(h.startswith(("#", "https://")) for h in hrefs), hrefs


def test_embedded_document_round_trips(page: _Page, document: dict[str, Any]) -> None:
    embedded = [body for attrs, body in page.scripts if attrs.get("type") == "application/json"]
    assert len(embedded) == 1 and "</" not in embedded[0] and "<" not in embedded[0]
    assert json.loads(embedded[0]) == json.loads(json.dumps(document))
    bodies = [
        ex["response"]["body"].get("text", "") for ex in json.loads(embedded[0])["exchanges"].values() if ex["response"]
    ]
    assert any(HOSTILE in body for body in bodies)  # escaped in the page, intact once parsed


def test_matrix_has_a_row_per_requirement_with_level_source_and_status(page: _Page, document: dict[str, Any]) -> None:
    rows = [a for t, a in page.tags if t == "tr" and (a.get("id") or "").startswith("req-")]
    assert [r["id"] for r in rows] == [f"req-{r['id']}" for r in document["requirements"]]
    by_id = {r["id"]: r for r in rows}
    for req in document["requirements"]:
        row = by_id[f"req-{req['id']}"]
        assert row["data-status"] == req["outcome"] and row["data-level"] == req["level"]
        assert row["data-operations"] == " ".join(req["operations"])
    links = {a["href"] for a in page.with_attr("href") if (a["href"] or "").startswith("https://")}
    assert links == {s for r in document["requirements"] for s in r["sources"] if s.startswith("https://")}


def test_filters_by_status_operation_and_level(page: _Page, document: dict[str, Any]) -> None:
    boxes = [a["value"] for t, a in page.tags if t == "input" and a.get("name") == "status"]
    assert set(boxes) == {r["outcome"] for r in document["requirements"]}
    options = [a["value"] for t, a in page.tags if t == "option"]
    assert {"uploadFiles", "getImport", "MUST", "SHOULD", "INFO", "PROFILE"} <= set(options)
    for element_id in ("filters", "filter-operation", "filter-level", "filter-text", "filter-count", "filter-reset"):
        assert page.with_attr("id", element_id), element_id


def test_failure_details_show_request_response_and_curl(page_text: str, page: _Page) -> None:
    detail_ids = [a["id"] for a in page.with_attr("class") if (a["class"] or "").startswith("detail ")]
    assert detail_ids == [
        "detail-SIZE-413-002",
        "detail-NAME-LAT1-001",
        "detail-ERR-5XX-001",
        "detail-AUTH-BAD-001",
        "detail-RATE-429-002",
        "detail-VAL-400-005",
    ]
    assert "filename=&quot;caf\\xe9 r\\xe9sum\\xe9.pdf&quot;" in page_text  # the raw Latin-1 bytes, readable
    assert "HTTP 500" in page_text and "x-api-key: ***" in page_text
    curl = r'<pre class="curl">printf %s [A-Za-z0-9+/=]+ \| base64 -d &gt; body.bin &amp;&amp; curl'
    assert re.search(curl, page_text)
    assert f"reproduce (seed {SEED})" in page_text
    assert "&lt;body of 40000 bytes elided, sha256" in page_text
    assert "&lt;streamed body: 209715200 bytes" in page_text


def test_expected_failure_and_stale_read_distinctly(page_text: str) -> None:
    assert (
        '<span class="badge o-xfail" title="a listed known deviation that happened">expected-failure</span>'
        in page_text
    )
    assert (
        '<span class="badge o-stale" title="a listed known deviation that no longer happens">stale</span>' in page_text
    )
    assert ".o-xfail {" in CSS and ".o-stale {" in CSS


def test_run_metadata_and_redacted_config(page_text: str) -> None:
    for text in (
        f"<th>seed</th><td>{SEED}</td>",
        "<th>run tag</th><td>ic-20260921T120000-abc123</td>",
        "<th>exit code</th><td>1</td>",
        "Configuration (redacted)",
        "&quot;api_key&quot;: &quot;***&quot;",
        "Verdict: non-conformant (exit code 1)",
    ):
        assert text in page_text, text
