"""report.html's timing charts in headless Chromium: drawn, under the page's CSP, with JavaScript off too.

The page of the synthetic run (tests/unit/report_sample.py, whose traffic has known figures) is opened
from a file:// URL, once with scripts on and once with them off: the three SVGs have a size on screen and
the expected number of bars and points, nothing is reported to the console (no CSP violation), and a
PNG screenshot of the charts is written under the test's tmp dir (non-trivial: several colours). Skipped
without a Chromium binary, like tests/selftest/test_report_browser.py, whose DevTools client it uses.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from ingest_conformance.reporting import render_html
from tests.selftest.test_report_browser import CHROMIUM, DevTools, open_page
from tests.unit.report_sample import sample_document

pytestmark = [
    pytest.mark.selftest,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary found (Debian: apt-get install -y chromium)"),
]
OPERATIONS = 4  # uploadFiles, getFile, listImports, other in the sample's traffic
FORMATS = 2  # pdf and png reached a final status; the zip timed out (no bar, listed in the table)
SLICES = 32  # 31.5 s of sample traffic in slices of 1 s


def screenshot_charts(tools: DevTools, out: Path) -> Path:
    """A PNG of the page's Timings section."""
    height = tools.js("Math.ceil(document.documentElement.scrollHeight)")
    tools.send("Emulation.setDeviceMetricsOverride", width=1400, height=height, deviceScaleFactor=1, mobile=False)
    box = tools.js(
        "(() => { const r = document.getElementById('charts').getBoundingClientRect();"
        " return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height}; })()"
    )
    shot = tools.send("Page.captureScreenshot", format="png", clip={**box, "scale": 1})
    out.write_bytes(base64.b64decode(shot["data"]))
    return out


CHART_FACTS = """(() => {
    const chart = id => { const svg = document.querySelector('#' + id + ' svg'); const r = svg.getBoundingClientRect();
        return {width: r.width, height: r.height, bars: svg.querySelectorAll('rect.bar').length,
                points: svg.querySelectorAll('circle.point').length,
                drawn: Array.from(svg.querySelectorAll('rect.bar')).filter(b => b.getBBox().width > 0).length}; };
    return {latency: chart('chart-latency'), processing: chart('chart-processing'), rate: chart('chart-rate')};
})()"""


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("charts") / "report.html"
    path.write_text(render_html(sample_document()), encoding="utf-8")
    return path


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_charts_draw(page: Path, tmp_path: Path, javascript: bool) -> None:
    for tools in open_page(page, tmp_path / "profile", javascript=javascript):
        facts: dict[str, Any] = tools.js(CHART_FACTS)
        assert facts["latency"]["bars"] == 3 * OPERATIONS and facts["latency"]["drawn"] == 3 * OPERATIONS
        assert facts["processing"]["bars"] == 3 * FORMATS and facts["processing"]["drawn"] == 3 * FORMATS
        assert facts["rate"]["bars"] == 2 * SLICES and facts["rate"]["points"] == SLICES
        for name, chart in facts.items():
            assert chart["width"] > 300 and chart["height"] > 60, name
        assert tools.js("document.body.dataset.ready === undefined") is not javascript  # the page script ran or not
        assert tools.problems() == []
        png = screenshot_charts(tools, tmp_path / f"charts-{'js' if javascript else 'no-js'}.png")
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
