"""The stylesheet and the script of report.html: inline, so the report is one file with no network.

Both are covered by the page's Content-Security-Policy by hash (see html.py): nothing else may run
or style the page, so even a value that slipped past escaping could not execute.
"""

from __future__ import annotations

CSS = """
:root { --fg: #1b1f24; --muted: #5b6470; --line: #d8dee4; --bg: #ffffff; --soft: #f5f7f9; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
h4 { font-size: .95rem; margin: .8rem 0 .3rem; }
h5 { font-size: .9rem; margin: .6rem 0 .2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .25rem .5rem; border-bottom: 1px solid var(--line); }
th { background: var(--soft); position: sticky; top: 0; }
table.meta { width: auto; }
table.meta th { position: static; background: none; color: var(--muted); font-weight: 600; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: .5rem .6rem;
      white-space: pre-wrap; word-break: break-all; max-height: 24rem; overflow: auto; margin: .2rem 0 .6rem; }
a { color: #0b5cad; }
.muted { color: var(--muted); }
.verdict { font-size: 1.05rem; font-weight: 600; padding: .5rem .8rem; border-radius: 4px; display: inline-block; }
.verdict.ok { background: #dafbe1; color: #116329; }
.verdict.bad { background: #ffebe9; color: #a40e26; }
.badge { display: inline-block; min-width: 5.5em; text-align: center; padding: .05rem .45rem; border-radius: 3px;
         font-size: 12px; font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.o-disabled { background: #eef1f4; color: #6e7781; }
.o-skip { background: #eef1f4; color: #57606a; border-color: #d0d7de; }
.o-pass { background: #dafbe1; color: #116329; }
.o-info { background: #ddf4ff; color: #0550ae; }
.o-xfail { background: #e6f6f5; color: #0e6e68; border: 1px dashed #0e6e68; }
.o-warn { background: #fff8c5; color: #7d4e00; }
.o-stale { background: #fbefff; color: #6e2d9f; border: 1px dashed #8250df; }
.o-fail { background: #ffebe9; color: #a40e26; }
.o-error { background: #2d0a3d; color: #ffffff; }
.chips { display: flex; flex-wrap: wrap; gap: .4rem 1rem; margin: .4rem 0; }
.legend { color: var(--muted); font-size: 12.5px; }
.legend dt { display: inline; }
.legend dd { display: inline; margin: 0 1rem 0 .3rem; }
.rollups { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem 2rem; }
#filters { display: flex; flex-wrap: wrap; gap: .5rem 1.2rem; align-items: center; padding: .6rem .8rem;
           background: var(--soft); border: 1px solid var(--line); border-radius: 4px; margin-bottom: .6rem; }
#filters fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .2rem .7rem; }
#filters legend { font-weight: 600; padding: 0 .4rem 0 0; float: left; }
#filter-count { color: var(--muted); margin-left: auto; }
td.id { white-space: nowrap; font-weight: 600; }
td.statement { min-width: 22rem; }
td.note { color: var(--muted); font-size: 12.5px; max-width: 26rem; overflow-wrap: anywhere; }
.detail { border: 1px solid var(--line); border-left-width: 4px; border-radius: 4px; padding: .3rem .9rem .6rem;
          margin: 0 0 1rem; }
.detail.o-fail, .detail.o-error, .detail.o-warn, .detail.o-stale, .detail.o-xfail { background: none; color: inherit; }
.detail.o-fail { border-left-color: #cf222e; }
.detail.o-error { border-left-color: #2d0a3d; }
.detail.o-warn { border-left-color: #bf8700; }
.detail.o-stale { border-left-color: #8250df; }
.detail.o-xfail { border-left-color: #0e6e68; }
.check { margin: .5rem 0 .8rem .2rem; }
.fields { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: .3rem 0; }
.fields dt { color: var(--muted); font-weight: 600; }
.fields dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
.wire { display: grid; grid-template-columns: 1fr 1fr; gap: .8rem; }
@media (max-width: 900px) { .wire { grid-template-columns: 1fr; } }
figure.chart { margin: .8rem 0 .4rem; }
figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
"""

JS = """
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("results-data").textContent);
  var form = document.getElementById("filters");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=status]"));
  var operation = document.getElementById("filter-operation");
  var level = document.getElementById("filter-level");
  var text = document.getElementById("filter-text");
  var count = document.getElementById("filter-count");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-status]"));

  function matches(el, wanted, op, lvl, query) {
    var ops = " " + el.getAttribute("data-operations") + " ";
    return wanted[el.getAttribute("data-status")] === true &&
      (op === "" || ops.indexOf(" " + op + " ") >= 0) &&
      (lvl === "" || el.getAttribute("data-level") === lvl) &&
      (query === "" || el.getAttribute("data-search").indexOf(query) >= 0);
  }

  function apply() {
    var wanted = {};
    boxes.forEach(function (box) { wanted[box.value] = box.checked; });
    var query = text.value.trim().toLowerCase();
    var shown = 0, total = 0;
    items.forEach(function (el) {
      var ok = matches(el, wanted, operation.value, level.value, query);
      el.hidden = !ok;
      if (el.tagName === "TR") { total += 1; if (ok) { shown += 1; } }
    });
    count.textContent = "showing " + shown + " of " + total + " requirements";
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  document.getElementById("filter-reset").addEventListener("click", function () {
    boxes.forEach(function (box) { box.checked = true; });
    operation.value = ""; level.value = ""; text.value = "";
    apply();
  });
  document.getElementById("filter-problems").addEventListener("click", function () {
    var problems = { fail: true, error: true, warn: true, stale: true, xfail: true };
    boxes.forEach(function (box) { box.checked = problems[box.value] === true; });
    apply();
  });

  var link = document.getElementById("download-json");
  var blob = new Blob([JSON.stringify(data, null, 2) + "\\n"], { type: "application/json" });
  link.href = URL.createObjectURL(blob);
  link.hidden = false;
  form.hidden = false;
  document.body.setAttribute("data-ready", String(data.requirements.length));
  apply();
})();
"""
