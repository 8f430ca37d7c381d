"""reports/report.html: one self-contained page rendered from the results document.

No network and no external assets: the stylesheet and script are inline and pinned by hash in a
Content-Security-Policy that allows nothing else. Every value of the document is untrusted (a
target chooses its bodies, headers and echoed filenames) and passes through `_e` (printable, then
HTML-escaped) on its way into the page; only http(s) sources become links. The document itself is
embedded as JSON in a <script type="application/json"> with every `<`, `>` and `&` escaped, so
the page carries its own results.json (offered as a download).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Iterable, Mapping
from typing import Any

from ingest_conformance.judging.catalogue import OPERATION_IDS
from ingest_conformance.reporting.charts import charts_section
from ingest_conformance.reporting.diff_render import diff_section
from ingest_conformance.reporting.html_assets import CSS, JS
from ingest_conformance.reporting.rollup import LABELS, MEANING, NO_OPERATION, checks, display, rank
from ingest_conformance.reporting.text import body_text, exchange_line, one_line, printable

HTML_FILE = "report.html"
PROBLEMS = ("error", "fail", "stale", "warn", "xfail")
MAX_EXCHANGES = 5  # per check shown in the page; all of them are in the embedded document


def _e(value: Any) -> str:
    return html.escape(printable(value), quote=True)


def _badge(label: str) -> str:
    return f'<span class="badge o-{_e(label)}" title="{_e(MEANING.get(label, label))}">{_e(display(label))}</span>'


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def _embedded_json(document: Mapping[str, Any]) -> str:
    text = json.dumps(document, ensure_ascii=True, indent=None, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _source(source: str) -> str:
    """A link for a documentation page (named by its page slug, controller suffix dropped), else text."""
    if source.startswith(("https://", "http://")):
        name = source.rstrip("/").rsplit("/", 1)[-1].split("-controller-", 1)[0] or source
        return f'<a href="{_e(source)}" title="{_e(source)}" rel="noreferrer noopener" target="_blank">{_e(name)}</a>'
    # The contract entry (docs/contract.md#<id>) ships with the suite, not with the report: named, not linked.
    return f'<span title="{_e(source)} in the ingest-conformance repository">{_e(source.rsplit("/", 1)[-1])}</span>'


def _run_section(document: Mapping[str, Any]) -> str:
    run, summary = document["run"], document.get("summary", {})
    rows = [
        ("target", run["target"] + (" (bundled mock)" if run.get("bundled_mock") else "")),
        ("ingest-conformance", run.get("suite_version") or "-"),
        ("seed", run["seed"]),
        ("level", run["level"]),
        ("strict", run["strict"]),
        ("run tag", run.get("run_tag") or "-"),
        ("started", run["started_at"]),
        ("finished", run["finished_at"]),
        ("exit code", run["exit_code"]),
        ("results schema", f"{document['schema']} v{document['version']}"),
    ]
    if run.get("unreachable"):
        rows.append(("target unreachable", run["unreachable"]))
    if run.get("interrupted"):
        rows.append(("interrupted", f"by {run['interrupted']}: tests that did not finish are marked skip"))
    rows += [("harness error", err) for err in run.get("harness_errors") or []]
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    ok = "ok" if run["exit_code"] == 0 else "bad"
    verdict = (
        f'<p class="verdict {ok}" id="verdict">Verdict: {_e(summary.get("verdict", "?"))} '
        f"(exit code {_e(run['exit_code'])})</p>"
    )
    return f'{verdict}<section id="run"><h2>Run</h2><table class="meta">{table}</table></section>'


def _summary_section(document: Mapping[str, Any]) -> str:
    summary = document.get("summary", {})
    counts = summary.get("requirements_by_outcome", {})
    chips = "".join(f'<span class="chip">{_badge(label)} {int(n)}</span>' for label, n in counts.items() if n)
    legend = "".join(f"<dt>{_badge(label)}</dt><dd>{_e(MEANING[label])}</dd>" for label in LABELS)
    return (
        f'<section id="summary"><h2>Summary</h2><p>{_e(summary.get("exercised", 0))} of '
        f"{_e(summary.get('requirements', 0))} requirements exercised by {_e(summary.get('checks', 0))} checks "
        f'in {_e(summary.get("tests", 0))} tests.</p><div class="chips">{chips}</div>'
        f'<dl class="legend">{legend}</dl></section>'
    )


def _rollup_table(title: str, key: str, groups: Mapping[str, Any]) -> str:
    rows = "".join(
        f'<tr><td class="mono">{_e(name)}</td><td>{_badge(group["outcome"])}</td><td>'
        + ", ".join(
            f"{int(n)} {_e(display(label))}"
            for label, n in sorted((group.get("counts") or {}).items(), key=lambda kv: -rank(kv[0]))
            if n
        )
        + "</td></tr>"
        for name, group in groups.items()
    )
    return (
        f'<div id="rollup-{_e(key)}"><h3>{_e(title)}</h3><table><thead><tr><th>{_e(key.rstrip("s"))}</th>'
        f"<th>worst outcome</th><th>requirements</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _note(req: Mapping[str, Any]) -> str:
    """The first message of the requirement's worst records (a skip's reason, a failure's message)."""
    records = sorted(req["records"], key=lambda r: -rank(r["outcome"]))
    for rec in records:
        if rec["outcome"] == req["outcome"] and (rec["message"] or rec["received"]):
            return one_line(rec["message"] or rec["received"], 160)
    return ""


def _data_attrs(req: Mapping[str, Any]) -> str:
    search = f"{req['id']} {req['statement']} {req['feature']}".lower()
    return (
        f'data-status="{_e(req["outcome"])}" data-level="{_e(req["level"])}" '
        f'data-operations="{_e(" ".join(req["operations"]))}" data-search="{_e(search)}"'
    )


def _matrix_section(document: Mapping[str, Any]) -> str:
    requirements = document["requirements"]
    present = {r["outcome"] for r in requirements}
    boxes = "".join(
        f'<label><input type="checkbox" name="status" value="{_e(label)}" checked> {_badge(label)}</label>'
        for label in LABELS
        if label in present
    )
    operations = [op for op in OPERATION_IDS if any(op in r["operations"] for r in requirements)]
    operations += sorted({op for r in requirements for op in r["operations"]} - set(operations))
    op_options = "".join(f'<option value="{_e(op)}">{_e(op)}</option>' for op in operations)
    levels = sorted({r["level"] for r in requirements})
    level_options = "".join(f'<option value="{_e(lv)}">{_e(lv)}</option>' for lv in levels)
    form = (
        f'<form id="filters" hidden><fieldset id="filter-status"><legend>Status</legend>{boxes}</fieldset>'
        f'<label>Operation <select id="filter-operation"><option value="">all</option>{op_options}</select></label>'
        f'<label>Level <select id="filter-level"><option value="">all</option>{level_options}</select></label>'
        '<label>Search <input type="search" id="filter-text" placeholder="id or words"></label>'
        '<button type="button" id="filter-problems">problems only</button>'
        '<button type="button" id="filter-reset">show all</button><span id="filter-count"></span></form>'
    )
    with_details = {r["id"] for r in requirements if any(c["outcome"] in PROBLEMS for c in checks(r))}
    rows = []
    for req in requirements:
        rid = _e(req["id"])
        ident = f'<a href="#detail-{rid}">{rid}</a>' if req["id"] in with_details else rid
        sources = " ".join(_source(s) for s in req["sources"])
        ops = ", ".join(_e(op) for op in req["operations"]) or _e(NO_OPERATION)
        rows.append(
            f'<tr id="req-{rid}" {_data_attrs(req)}><td class="id">{ident}</td><td>{_e(req["level"])}</td>'
            f'<td>{_badge(req["outcome"])}</td><td class="statement">{_e(req["statement"])}</td>'
            f'<td class="mono">{ops}</td><td>{sources}</td><td class="num">{len(checks(req))}</td>'
            f'<td class="note">{_e(_note(req))}</td></tr>'
        )
    head = (
        "<tr><th>requirement</th><th>level</th><th>status</th><th>statement</th><th>operations</th>"
        "<th>sources</th><th>checks</th><th>note</th></tr>"
    )
    return (
        f'<section id="matrix"><h2>Requirement matrix</h2>{form}<table id="matrix-table"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _headers(headers: Iterable[Any]) -> str:
    return "".join(f"{printable(k)}: {printable(v)}\n" for k, v in headers)


def _exchange(ex_id: str, exchange: Mapping[str, Any], seed: Any) -> str:
    request, response = exchange["request"], exchange.get("response")
    sent = f"{request['method']} {request['url']}\n{_headers(request['headers'])}\n{body_text(request['body'])}"
    if response:
        got = f"HTTP {response['status']}\n{_headers(response['headers'])}\n{body_text(response['body'])}"
    else:
        got = f"no answer: {exchange.get('error') or 'unknown'}"
    extra = "".join(
        f'<p class="muted">{_e(name)}: {_e(exchange[name])}</p>' for name in ("error", "note") if exchange.get(name)
    )
    return (
        f'<div class="exchange" id="exchange-{_e(ex_id)}"><h5>exchange #{_e(ex_id)}: {_e(exchange_line(exchange))}'
        f' <span class="muted">({_e(exchange.get("elapsed_s", 0))} s)</span></h5>{extra}'
        f'<div class="wire"><div><h5>request</h5><pre class="request">{_e(sent)}</pre></div>'
        f'<div><h5>response</h5><pre class="response">{_e(got)}</pre></div></div>'
        f'<h5>reproduce (seed {_e(seed)})</h5><pre class="curl">{_e(exchange.get("curl", ""))}</pre></div>'
    )


def _check(check: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    rec = check["records"][0]
    fields = "".join(
        f"<dt>{name}</dt><dd>{_e(rec[name])}</dd>" for name in ("message", "received", "documented") if rec.get(name)
    )
    more = len(check["records"]) - 1
    if more:
        fields += f"<dt>records</dt><dd>{more} more record(s) of this test; all in results.json</dd>"
    ids = list(dict.fromkeys(i for r in check["records"] for i in r["exchanges"]))
    exchanges = document.get("exchanges", {})
    shown = "".join(
        _exchange(str(i), exchanges[str(i)], document["run"]["seed"])
        for i in ids[-MAX_EXCHANGES:]
        if str(i) in exchanges
    )
    return (
        f'<div class="check"><h4>{_badge(check["outcome"])} <code>{_e(check["test"])}</code></h4>'
        f'<dl class="fields">{fields}</dl>{shown}</div>'
    )


def _details_section(document: Mapping[str, Any]) -> str:
    parts = []
    broken = [r for r in document["requirements"] if any(c["outcome"] in PROBLEMS for c in checks(r))]
    for req in sorted(broken, key=lambda r: -rank(r["outcome"])):
        body = "".join(_check(c, document) for c in checks(req) if c["outcome"] in PROBLEMS)
        parts.append(
            f'<article class="detail o-{_e(req["outcome"])}" id="detail-{_e(req["id"])}" {_data_attrs(req)}>'
            f"<h3>{_badge(req['outcome'])} {_e(req['id'])} ({_e(req['level'])})</h3>"
            f"<p>{_e(req['statement'])}</p>{body}</article>"
        )
    content = "".join(parts) or "<p>No requirement failed, warned, went stale or hit a harness error.</p>"
    return f'<section id="details"><h2>Failure details</h2>{content}</section>'


def _tests_section(document: Mapping[str, Any]) -> str:
    tests = document.get("tests") or {}
    rows = "".join(
        f"<tr><td><code>{_e(t)}</code></td><td>{_badge(v['outcome'])}</td>"
        f'<td class="mono">{_e(", ".join(v["requirements"]))}</td></tr>'
        for t, v in tests.items()
    )
    return (
        f'<section id="tests"><h2>Tests</h2><details><summary>{len(tests)} tests (worst outcome per test)</summary>'
        f"<table><thead><tr><th>test</th><th>outcome</th><th>requirements</th></tr></thead><tbody>{rows}</tbody>"
        "</table></details></section>"
    )


def render_html(document: Mapping[str, Any]) -> str:
    """report.html of `document`, as text."""
    csp = (
        f"default-src 'none'; script-src {_csp_hash(JS)}; style-src {_csp_hash(CSS)}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    rollups = (
        f'<section id="rollups"><h2>Roll-ups</h2><div class="rollups">'
        f"{_rollup_table('By operation', 'operations', document.get('operations') or {})}"
        f"{_rollup_table('By feature', 'features', document.get('features') or {})}</div></section>"
    )
    config = json.dumps(document.get("config", {}), indent=2, ensure_ascii=False)
    version = document["run"].get("suite_version")  # absent in documents of older versions
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Ingest conformance: {_e(document['run']['target'])}</title><style>{CSS}</style></head>\n<body>"
        "<header><h1>Invofox Ingest API conformance report</h1>"
        f'<p class="muted">Written by ingest-conformance{_e(" " + version if version else "")} for '
        f"{_e(document['run']['target'])}, seed {_e(document['run']['seed'])}. "
        '<a id="download-json" download="results.json" hidden>'
        "Download the results document (results.json)</a></p></header>"
        f"{_run_section(document)}{_summary_section(document)}{diff_section(document)}{rollups}"
        f"{_matrix_section(document)}{_details_section(document)}{charts_section(document)}{_tests_section(document)}"
        f'<section id="config"><h2>Configuration (redacted)</h2><pre>{_e(config)}</pre></section>\n'
        f'<script type="application/json" id="results-data">{_embedded_json(document)}</script>\n'
        f"<script>{JS}</script>\n</body></html>\n"
    )
