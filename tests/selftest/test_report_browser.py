"""report.html in a real browser: headless Chromium, driven over the DevTools protocol.

The page is rendered from the synthetic run of tests/unit/report_sample.py (every outcome, a
failure with exchanges, a raw Latin-1 body, hostile markup and secrets), opened from a file:// URL
with the network off, and checked as a user would see it: no console error, exception or CSP
violation; the matrix, the filters (driven by clicking and selecting) and the failure details are
there; the inline stylesheet applied. Skipped when no Chromium binary is installed
(`apt-get install -y chromium`).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest_conformance.reporting import render_html
from tests.unit.report_sample import sample_document

websockets_client = pytest.importorskip("websockets.sync.client")

CHROMIUM = next(
    (
        p
        for p in (
            os.environ.get("CHROMIUM"),
            shutil.which("chromium"),
            shutil.which("chromium-browser"),
            "/usr/bin/chromium",
        )
        if p and os.access(p, os.X_OK)
    ),
    None,
)
pytestmark = [
    pytest.mark.selftest,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary found (Debian: apt-get install -y chromium)"),
]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-port=0",
    "--window-size=1400,1000",
]
TIMEOUT_S = 30.0


class DevTools:
    """A minimal DevTools-protocol client: one page session, commands by id, events collected."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._next = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if self.session is not None and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            reply = json.loads(self._ws.recv(timeout=deadline - time.monotonic()))
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise AssertionError(f"DevTools {method} failed: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)
        raise TimeoutError(f"DevTools {method}: no reply within {TIMEOUT_S} s")

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_S
        seen = next((e for e in self.events if e.get("method") == method), None)
        while seen is None and time.monotonic() < deadline:
            event = json.loads(self._ws.recv(timeout=deadline - time.monotonic()))
            self.events.append(event)
            seen = event if event.get("method") == method else None
        if seen is None:
            raise TimeoutError(f"DevTools: no {method} within {TIMEOUT_S} s")
        return seen

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, and browser log errors (CSP violations)."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                found.append(f"log: {params['entry'].get('text')} ({params['entry'].get('url')})")
        return found

    def close(self) -> None:
        self._ws.send(json.dumps({"id": 0, "method": "Browser.close"}))


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return sample_document()


def open_page(page: Path, profile: Path, *, javascript: bool = True) -> Iterator[DevTools]:
    """Chromium on `page` (file://) with a DevTools session; yields once the page has loaded."""
    assert CHROMIUM is not None
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT_S
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chromium did not open its DevTools port (exit code {proc.poll()})")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        with websockets_client.connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=TIMEOUT_S) as ws:
            tools = DevTools(ws)
            target = tools.send("Target.createTarget", url="about:blank")["targetId"]
            tools.session = tools.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                tools.send(f"{domain}.enable")
            if not javascript:
                tools.send("Emulation.setScriptExecutionDisabled", value=True)
            tools.send("Page.navigate", url=page.as_uri())
            tools.wait_for("Page.loadEventFired")
            yield tools
            tools.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, document: dict[str, Any]) -> Iterator[DevTools]:
    root = tmp_path_factory.mktemp("browser")
    page = root / "report.html"
    page.write_text(render_html(document), encoding="utf-8")
    profile = root / "profile"
    yield from open_page(page, profile)


def _visible_rows(browser: DevTools) -> list[dict[str, str]]:
    return list(
        browser.js("""Array.from(document.querySelectorAll('#matrix-table tbody tr'))
        .filter(r => !r.hidden && r.offsetParent !== null)
        .map(r => ({id: r.id, status: r.dataset.status, level: r.dataset.level, ops: r.dataset.operations}))""")
    )


def _set_filters(
    browser: DevTools, statuses: list[str] | None, operation: str = "", level: str = "", text: str = ""
) -> None:
    wanted = json.dumps(statuses)
    browser.js(f"""(() => {{
        const wanted = {wanted};
        document.querySelectorAll('#filters input[name=status]').forEach(b => {{
            b.checked = wanted === null || wanted.includes(b.value); }});
        document.getElementById('filter-operation').value = {json.dumps(operation)};
        document.getElementById('filter-level').value = {json.dumps(level)};
        document.getElementById('filter-text').value = {json.dumps(text)};
        document.getElementById('filter-text').dispatchEvent(new Event('input', {{bubbles: true}}));
    }})()""")


def test_page_loads_without_console_errors(browser: DevTools, document: dict[str, Any]) -> None:
    assert browser.js("document.body.dataset.ready") == str(len(document["requirements"]))  # the script ran
    assert browser.js("document.scripts.length") == 2  # nothing from the target became a script
    assert browser.js("document.getElementById('download-json').href").startswith("blob:")
    assert browser.problems() == []


def test_stylesheet_applies_and_outcomes_look_distinct(browser: DevTools) -> None:
    styles = browser.js("""(() => {
        const style = sel => { const s = getComputedStyle(document.querySelector(sel));
                               return [s.backgroundColor, s.borderTopStyle]; };
        return {verdict: style('.verdict'), fail: style('.badge.o-fail'), xfail: style('.badge.o-xfail'),
                stale: style('.badge.o-stale'), pass: style('.badge.o-pass')};
    })()""")
    assert styles["verdict"][0] == "rgb(255, 235, 233)"  # non-conformant: red banner
    assert styles["xfail"][1] == "dashed" and styles["stale"][1] == "dashed"
    assert len({tuple(v) for v in styles.values()}) == len(styles)
    assert browser.js("getComputedStyle(document.getElementById('filters')).display") == "flex"


def test_matrix_shows_every_requirement_with_level_source_and_status(
    browser: DevTools, document: dict[str, Any]
) -> None:
    _set_filters(browser, None)
    rows = _visible_rows(browser)
    assert [r["id"] for r in rows] == [f"req-{r['id']}" for r in document["requirements"]]
    cells = browser.js("Array.from(document.querySelector('#req-NAME-LAT1-001').cells).map(c => c.innerText.trim())")
    assert cells[:3] == ["NAME-LAT1-001", "MUST", "fail"]
    assert browser.js("document.querySelector('#req-NAME-LAT1-001 a[href^=\"https://\"]') !== null")
    assert (
        browser.js("document.getElementById('filter-count').textContent")
        == f"showing {len(rows)} of {len(rows)} requirements"
    )


def test_filters_by_status_operation_level_and_text(browser: DevTools, document: dict[str, Any]) -> None:
    requirements = document["requirements"]
    _set_filters(browser, ["fail"])
    assert sorted(r["id"] for r in _visible_rows(browser)) == ["req-ERR-5XX-001", "req-NAME-LAT1-001"]
    assert (
        browser.js("document.getElementById('filter-count').textContent")
        == f"showing 2 of {len(requirements)} requirements"
    )
    assert browser.js("document.getElementById('detail-RATE-429-002').offsetParent === null")  # details follow

    _set_filters(browser, None, operation="listImports")
    rows = _visible_rows(browser)
    assert len(rows) == sum("listImports" in r["operations"] for r in requirements)
    assert all("listImports" in r["ops"].split() for r in rows)

    _set_filters(browser, None, level="SHOULD")
    assert {r["level"] for r in _visible_rows(browser)} == {"SHOULD"}

    _set_filters(browser, None, text="latin-1")
    assert [r["id"] for r in _visible_rows(browser)] == ["req-NAME-LAT1-001"]

    _set_filters(browser, None)
    browser.js("document.getElementById('filter-problems').click()")
    assert {r["status"] for r in _visible_rows(browser)} == {"fail", "error", "warn", "stale", "xfail"}
    browser.js("document.getElementById('filter-reset').click()")
    assert len(_visible_rows(browser)) == len(requirements)


def test_failure_details_show_request_response_and_curl(browser: DevTools) -> None:
    _set_filters(browser, None)
    detail = browser.js("""(() => {
        const d = document.getElementById('detail-NAME-LAT1-001');
        return {visible: d.offsetParent !== null, request: d.querySelector('pre.request').innerText,
                response: d.querySelector('pre.response').innerText, curl: d.querySelector('pre.curl').innerText,
                text: d.innerText};
    })()""")
    assert detail["visible"]
    assert 'filename="caf\\xe9 r\\xe9sum\\xe9.pdf"' in detail["request"] and "x-api-key: ***" in detail["request"]
    assert detail["response"].startswith("HTTP 500") and '<script>alert("x")</script>' in detail["response"]
    assert detail["curl"].startswith("printf %s ") and "--data-binary @body.bin" in detail["curl"]
    assert "reproduce (seed 424242)" in detail["text"]
    kinds = browser.js("Array.from(document.querySelectorAll('#details article')).map(a => a.dataset.status)")
    assert kinds == ["error", "fail", "fail", "stale", "warn", "xfail"]


def test_screenshot_renders(browser: DevTools, tmp_path: Path) -> None:
    shot = browser.send("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000  # a blank page compresses to far less
    (tmp_path / "report.png").write_bytes(png)
    assert browser.problems() == []
