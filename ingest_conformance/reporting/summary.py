"""summary.md: the run in a few lines of GitHub-flavoured Markdown, for a pull-request comment or
GitHub's step summary ($GITHUB_STEP_SUMMARY), written next to results.json by every run.

Verdict, counts, the comparison with a baseline (`run --baseline`), and the problems worst first,
each with its one-line reason, a link to its details in report.html and the curl that reproduces
it. Bounded: at most MAX_ITEMS problems and MAX_BYTES in all (GitHub caps a step summary at
1 MiB and a comment at 65,536 characters); what is left out is counted, and is in report.html.
Every value from the target is escaped, so a response body cannot add links, mentions or markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ingest_conformance.reporting.html import MAX_EXCHANGES
from ingest_conformance.reporting.rollup import checks, display, rank
from ingest_conformance.reporting.text import one_line, printable

SUMMARY_FILE = "summary.md"
MAX_ITEMS = 20  # problems listed
MAX_BYTES = 60_000  # the whole file
CURL_LIMIT = 3_000  # a longer curl is left in report.html
REASON_CHARS = 200
SECTIONS = (
    ("fail", "Failing requirements (MUST)"),
    ("error", "Harness errors (not counted against the target)"),
    ("warn", "Warnings (SHOULD)"),
    ("stale", "Stale expected failures (they now hold)"),
)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def md(value: Any, limit: int = REASON_CHARS) -> str:
    """Untrusted text as one inert Markdown line: punctuation escaped, no @mentions, no HTML."""
    text = _MD_SPECIAL.sub(r"\\\1", one_line(value, limit)).replace("&", "&amp;")
    return text.replace("@", "@\u200b")


def fenced(code: str, lang: str = "sh") -> str:
    """A fenced code block that no backtick run inside `code` can close."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{printable(code)}\n{fence}"


def _exchange_for(req: Mapping[str, Any], document: Mapping[str, Any]) -> str | None:
    """An exchange of the requirement's worst check that report.html shows (so its anchor exists)."""
    exchanges = document.get("exchanges") or {}
    for check in sorted(checks(req), key=lambda c: -rank(c["outcome"])):
        if check["outcome"] != req["outcome"]:
            continue
        ids = list(dict.fromkeys(str(i) for r in check["records"] for i in r["exchanges"]))
        shown = [i for i in ids[-MAX_EXCHANGES:] if i in exchanges]
        worst = [str(i) for i in check["records"][0]["exchanges"] if str(i) in shown]
        if worst or shown:
            return (worst or shown)[-1]
    return None


def _reason(req: Mapping[str, Any]) -> str:
    for rec in sorted(req.get("records", []), key=lambda r: -rank(r["outcome"])):
        if rec["outcome"] == req["outcome"] and (rec.get("message") or rec.get("received")):
            text = rec.get("message") or ""
            if rec.get("received") and rec["received"] not in text:
                text = f"{text}: received {rec['received']}" if text else rec["received"]
            return text
    return display(req["outcome"])


def _item(req: Mapping[str, Any], document: Mapping[str, Any], href: str, with_curl: bool) -> str:
    rid = str(req["id"])
    line = f"- **[{md(rid, 60)}]({href}#detail-{rid})** ({md(req['level'], 20)}): {md(_reason(req))}"
    ex_id = _exchange_for(req, document)
    if ex_id is None:
        return line
    exchange = document["exchanges"][ex_id]
    curl = str(exchange.get("curl") or "")
    where = f"[exchange #{ex_id}]({href}#exchange-{ex_id})"
    if not with_curl or not curl or len(curl) > CURL_LIMIT:
        return f"{line} ({where}; its curl is in report.html)"
    seed = md(document["run"].get("seed"), 20)
    return (
        f"{line}\n  <details><summary>reproduce (seed {seed})</summary>\n\n  {where} in report.html:\n\n"
        + "\n".join("  " + row for row in fenced(curl).splitlines())
        + "\n\n  </details>"
    )


def _header(document: Mapping[str, Any], href: str) -> list[str]:
    run, summary = document["run"], document.get("summary") or {}
    ok = run.get("exit_code") == 0
    mark = "✅" if ok else "❌"
    lines = [
        f"## {mark} Ingest API conformance: {md(summary.get('verdict', '?'), 60)} (exit code {md(run['exit_code'])})",
        "",
        f"Target {md(run['target'], 120)}{' (bundled mock)' if run.get('bundled_mock') else ''} · "
        f"level {md(run['level'], 20)} · seed {md(run['seed'], 20)} · {md(run['started_at'], 40)}",
        "",
    ]
    counts = {k: v for k, v in (summary.get("requirements_by_outcome") or {}).items() if v}
    if counts:
        lines += [
            "| " + " | ".join(md(display(k), 30) for k in counts) + " |",
            "|" + "---:|" * len(counts),
            "| " + " | ".join(str(int(v)) for v in counts.values()) + " |",
            "",
        ]
    lines.append(
        f"{int(summary.get('exercised', 0))} of {int(summary.get('requirements', 0))} requirements exercised by "
        f"{int(summary.get('checks', 0))} checks in {int(summary.get('tests', 0))} tests. "
        f"Details: [report.html]({href}#verdict)."
    )
    if run.get("unreachable"):
        lines.append(f"\n**Target unreachable:** {md(run['unreachable'])}")
    for err in (run.get("harness_errors") or [])[:5]:
        lines.append(f"\n**Harness error:** {md(err)}")
    return lines


def _baseline(document: Mapping[str, Any], href: str) -> list[str]:
    baseline = document.get("baseline")
    if not isinstance(baseline, Mapping):
        return []
    if baseline.get("error"):
        return ["", f"**Baseline not compared:** {md(baseline['error'])}"]
    diff = baseline["diff"]
    regressed = diff.get("regressed") or []
    fixed = diff.get("fixed") or []
    moved = (diff.get("timings") or {}).get("moved") or []
    line = (
        f"**Compared with the baseline** ([details]({href}#baseline)): {len(regressed)} regressed, "
        f"{len(fixed)} fixed, {len(diff.get('started') or [])} started and {len(diff.get('stopped') or [])} "
        f"stopped being exercised, {len(moved)} timing(s) moved."
    )
    out = ["", line]
    out += [
        f"- regressed: {md(e['id'], 60)} {md(display(e['old'] or '-'), 20)} → {md(display(e['new'] or '-'), 20)}"
        for e in regressed[:MAX_ITEMS]
    ]
    return out


def summary_markdown(document: Mapping[str, Any], report_href: str = "report.html") -> str:
    """summary.md of `document`; links point into `report_href` (report.html beside it by default)."""
    lines = _header(document, report_href) + _baseline(document, report_href)
    strict = bool(document["run"].get("strict"))
    listed = 0
    size = len("\n".join(lines).encode("utf-8"))
    for outcome, title in SECTIONS:
        found = [r for r in document["requirements"] if r["outcome"] == outcome]
        if not found:
            continue
        suffix = " (fail the run under --strict)" if strict and outcome in ("warn", "stale") else ""
        lines += ["", f"### {title}{suffix}: {len(found)}", ""]
        shown = 0
        for req in found:
            if listed >= MAX_ITEMS:
                break
            item = _item(req, document, report_href, with_curl=True)
            if size + len(item.encode("utf-8")) > MAX_BYTES - 1_000:
                item = _item(req, document, report_href, with_curl=False)
                if size + len(item.encode("utf-8")) > MAX_BYTES - 1_000:
                    break
            lines.append(item)
            size += len(item.encode("utf-8")) + 1
            listed += 1
            shown += 1
        if shown < len(found):
            lines.append(f"- … and {len(found) - shown} more in [report.html]({report_href}#details)")
    if listed == 0 and document["run"].get("exit_code") == 0:
        lines += ["", "No requirement failed, warned or went stale."]
    lines += ["", f"Reports: [report.html]({report_href}) · results.json · junit.xml (in the report folder)."]
    return "\n".join(lines) + "\n"
