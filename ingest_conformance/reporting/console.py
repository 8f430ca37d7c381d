"""The console report: a requirement table, the roll-ups, and each problem with its reproduction.

Rendered with rich from the results document only, so `ingest-conformance report --format console`
prints exactly what the run printed. Every value is passed as plain `Text` (markup off) and made
printable first: a target's answer can hold neither rich markup nor terminal escape sequences that
take effect here.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ingest_conformance.reporting.rollup import NOT_RUN, checks, display, rank
from ingest_conformance.reporting.text import exchange_line, one_line, printable

STYLES = {
    "disabled": "dim",
    "skip": "dim",
    "pass": "green",
    "info": "blue",
    "xfail": "cyan",
    "warn": "yellow",
    "stale": "magenta",
    "fail": "bold red",
    "error": "bold magenta",
}
PROBLEMS = ("error", "fail", "stale", "warn", "xfail")  # shown in detail, worst first
MAX_PROBLEMS = 40  # requirements shown in detail; the rest are in report.html
MAX_EXCHANGES = 3  # per check: the last ones are the evidence
MAX_CURL = 3000  # longer reproductions (big binary bodies) are pointed to, not printed


def _outcome(label: str) -> Text:
    return Text(display(label), style=STYLES.get(label, ""))


def _line(*parts: str | Text) -> Text:
    text = Text()
    for part in parts:
        text.append(part if isinstance(part, Text) else Text(part))
    return text


def _header(console: Console, document: Mapping[str, Any]) -> None:
    run, summary = document["run"], document.get("summary", {})
    mock = " (bundled mock)" if run.get("bundled_mock") else ""
    console.print(
        _line(
            "ingest-conformance: ",
            Text(printable(run["target"]), style="bold"),
            mock,
            f" · level {run['level']} · seed {run['seed']} · run {printable(run.get('run_tag') or '-')}",
            f" · {run['started_at']} → {run['finished_at']}",
        ),
        soft_wrap=True,
    )
    counts = summary.get("requirements_by_outcome", {})
    shown = " · ".join(f"{n} {display(label)}" for label, n in counts.items() if n and label != NOT_RUN)
    style = "bold green" if run["exit_code"] == 0 else "bold red"
    console.print(
        _line(
            Text(f"verdict: {summary.get('verdict', '?')} (exit code {run['exit_code']})", style=style),
            f" — {summary.get('exercised', 0)} of {summary.get('requirements', 0)} requirements "
            f"exercised by {summary.get('checks', 0)} checks: {shown or 'none'}",
        ),
        soft_wrap=True,
    )


def _table(console: Console, requirements: list[Mapping[str, Any]]) -> None:
    exercised = [r for r in requirements if r["outcome"] != NOT_RUN]
    exercised.sort(key=lambda r: -rank(r["outcome"]))  # stable: catalogue order within an outcome
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=None)
    # Fixed widths for the short columns; the statement gets what is left, cut here with an ellipsis
    # (rich would rather squeeze the short columns away than cut a no-wrap one).
    id_width = max((len(printable(r["id"])) for r in exercised), default=11) + 2  # widths include padding
    statement_width = max(20, console.width - id_width - 9 - 18 - 1)
    table.add_column("requirement", no_wrap=True, width=id_width)
    table.add_column("level", no_wrap=True, width=9)
    table.add_column("outcome", no_wrap=True, width=18)
    table.add_column("statement", no_wrap=True, width=statement_width)
    for req in exercised:
        table.add_row(
            Text(printable(req["id"])),
            Text(printable(req["level"])),
            _outcome(req["outcome"]),
            Text(one_line(req["statement"], statement_width - 2)),
        )
    if exercised:
        console.print(table)
    not_run = len(requirements) - len(exercised)
    if not_run:
        console.print(Text(f"{not_run} requirements not exercised by this run (see report.html)", style="dim"))


def _rollups(console: Console, document: Mapping[str, Any]) -> None:
    for title, key in (("by operation", "operations"), ("by feature", "features")):
        groups = {name: g for name, g in (document.get(key) or {}).items() if g["outcome"] != NOT_RUN}
        if not groups:
            continue
        line = Text(f"{title}: ")
        for i, (name, group) in enumerate(groups.items()):
            if i:
                line.append(" · ")
            line.append(printable(name) + " ")
            line.append(_outcome(group["outcome"]))
        not_run = len(document.get(key) or {}) - len(groups)
        if not_run:
            line.append(f" ({not_run} not run)", style="dim")
        console.print(line, soft_wrap=True)


def _problems(console: Console, document: Mapping[str, Any]) -> None:
    broken = [r for r in document["requirements"] if r["outcome"] in PROBLEMS]
    broken.sort(key=lambda r: -rank(r["outcome"]))
    exchanges = document.get("exchanges", {})
    for req in broken[:MAX_PROBLEMS]:
        console.print()
        console.print(
            _line(
                _outcome(req["outcome"]),
                f"  {printable(req['id'])} ({printable(req['level'])}) ",
                Text(one_line(req["statement"], 160), style="dim"),
            )
        )
        for check in checks(req):
            if check["outcome"] not in PROBLEMS:
                continue
            rec = check["records"][0]
            console.print(_line("  ", _outcome(check["outcome"]), f" in {printable(check['test'])}"))
            for name in ("message", "received", "documented"):
                if rec.get(name):
                    console.print(Text(f"    {name}: {one_line(rec[name], 400)}"), soft_wrap=True)
            ids = [i for r in check["records"] for i in r["exchanges"]]
            for ex_id in list(dict.fromkeys(ids))[-MAX_EXCHANGES:]:
                exchange = exchanges.get(str(ex_id))
                if exchange is None:
                    continue
                console.print(Text(f"    exchange #{ex_id}: {exchange_line(exchange)}"), soft_wrap=True)
                curl = printable(exchange.get("curl", ""))
                if len(curl) > MAX_CURL:
                    curl = f"<{len(curl)} characters: see exchange {ex_id} in report.html or results.json>"
                console.print(Text(f"    reproduce (seed {document['run']['seed']}): {curl}"), soft_wrap=True)
    if len(broken) > MAX_PROBLEMS:
        console.print(Text(f"… and {len(broken) - MAX_PROBLEMS} more broken requirements in report.html"))


def _skips(console: Console, document: Mapping[str, Any]) -> None:
    reasons: dict[str, int] = {}
    for req in document["requirements"]:
        for rec in req["records"]:
            if rec["outcome"] == "skip":
                reason = one_line(rec["message"] or "no reason given", 120)
                reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        console.print()
        console.print(Text(f"skipped checks: {sum(reasons.values())}", style="dim"))
        for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:5]:
            console.print(Text(f"  {n}x {reason}", style="dim"))


def _harness(console: Console, run: Mapping[str, Any]) -> None:
    if run.get("unreachable"):
        console.print(Text(f"target unreachable: {one_line(run['unreachable'], 300)}", style="bold magenta"))
    for error in run.get("harness_errors") or []:
        console.print(Text(f"harness error: {one_line(error, 300)}", style="bold magenta"))


def render_console(document: Mapping[str, Any], *, width: int = 110, color: bool = False) -> str:
    """The console report of `document` as text (ANSI colours only when `color`)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    console.print()
    _header(console, document)
    _table(console, document["requirements"])
    _rollups(console, document)
    _problems(console, document)
    _skips(console, document)
    _harness(console, document["run"])
    return buffer.getvalue()
