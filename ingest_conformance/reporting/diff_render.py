"""The comparison of two runs (reporting/diff.py) as plain text and as report.html's baseline section."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from ingest_conformance.reporting.diff import CATEGORIES
from ingest_conformance.reporting.rollup import display
from ingest_conformance.reporting.text import printable

TEXT_LIMIT = 40  # entries per category in the text output; --json has them all


def _label(outcome: str | None) -> str:
    return display(outcome) if outcome else "-"


def _side_text(side: Mapping[str, Any]) -> str:
    return printable(
        f"{side['source']} ({side.get('target')}, level {side.get('level')}, seed {side.get('seed')}, "
        f"{side.get('started_at')}: {side.get('verdict')})"
    )


def headline(diff: Mapping[str, Any]) -> str:
    counts = [f"{len(diff[key])} {title}" for key, title in CATEGORIES if diff.get(key)]
    moved = len(diff.get("timings", {}).get("moved", []))
    if moved:
        counts.append(f"{moved} timing(s) moved")
    return "; ".join(counts) if counts else "no change"


def render_text(diff: Mapping[str, Any]) -> str:
    """The comparison for a terminal: one block per non-empty category, then the timings."""
    lines = [f"old: {_side_text(diff['old'])}", f"new: {_side_text(diff['new'])}"]
    lines += [f"note: {printable(n)}" for n in diff.get("notes", [])]
    for key, title in CATEGORIES:
        entries = diff.get(key) or []
        if not entries:
            continue
        lines.append(f"\n{title} ({len(entries)}):")
        for entry in entries[:TEXT_LIMIT]:
            level = entry["level"] if key != "level_changed" else f"{entry['old_level']} -> {entry['level']}"
            change = f"{_label(entry['old'])} -> {_label(entry['new'])}"
            reason = f"  {entry['reason']}" if entry.get("reason") and key in ("regressed", "harness") else ""
            lines.append(printable(f"  {entry['id']:<22} {level:<8} {change:<26}{reason}".rstrip()))
        if len(entries) > TEXT_LIMIT:
            lines.append(f"  ... and {len(entries) - TEXT_LIMIT} more (--json lists them all)")
    timings = diff.get("timings", {})
    lines.append(f"\ntimings ({timings.get('rule', '')}):")
    if timings.get("note"):
        lines.append(f"  {timings['note']}")
    elif not timings.get("moved"):
        lines.append(f"  none moved ({len(timings.get('compared', []))} compared)")
    for move in timings.get("moved", []):
        ratio = f"{move['ratio']}x" if move.get("ratio") else "from 0"
        lines.append(
            printable(
                f"  {move['kind']:<10} {move['name']:<20} p50 {move['old_p50_s'] * 1000:.0f} ms -> "
                f"{move['new_p50_s'] * 1000:.0f} ms ({move['direction']}, {ratio})"
            )
        )
    regressions = int(diff.get("regressions", 0))
    lines.append(f"\n{regressions} regression(s); {headline(diff)}")
    return "\n".join(lines) + "\n"


def _e(value: Any) -> str:
    return html.escape(printable(value), quote=True)


def _rows(key: str, entries: list[Mapping[str, Any]]) -> str:
    rows = []
    for entry in entries:
        rid = _e(entry["id"])
        level = _e(entry["level"]) if key != "level_changed" else f"{_e(entry['old_level'])} → {_e(entry['level'])}"
        rows.append(
            f'<tr><td class="id"><a href="#req-{rid}">{rid}</a></td><td>{level}</td>'
            f'<td><span class="badge o-{_e(entry["old"] or "disabled")}">{_e(_label(entry["old"]))}</span> → '
            f'<span class="badge o-{_e(entry["new"] or "disabled")}">{_e(_label(entry["new"]))}</span></td>'
            f'<td class="note">{_e(entry.get("reason") or entry.get("statement", ""))}</td></tr>'
        )
    return "".join(rows)


def diff_section(document: Mapping[str, Any]) -> str:
    """report.html's "Compared with baseline" section; empty when the run had no --baseline."""
    baseline = document.get("baseline")
    if not isinstance(baseline, Mapping):
        return ""
    source = _e(baseline.get("source", "?"))
    if baseline.get("error"):
        return (
            f'<section id="baseline"><h2>Compared with baseline</h2><p class="verdict bad">'
            f"The baseline {source} could not be read: {_e(baseline['error'])}</p></section>"
        )
    diff = baseline["diff"]
    regressions = int(diff.get("regressions", 0))
    parts = [
        f'<p class="verdict {"bad" if regressions else "ok"}" id="baseline-verdict">{regressions} regression(s) '
        f"since the baseline: {_e(headline(diff))}</p>",
        f'<p class="muted">Baseline: {_e(_side_text(diff["old"]))}</p>',
    ]
    parts += [f'<p class="muted">{_e(n)}</p>' for n in diff.get("notes", [])]
    for key, title in CATEGORIES:
        entries = diff.get(key) or []
        if not entries:
            continue
        table = (
            f"<table><thead><tr><th>requirement</th><th>level</th><th>baseline → this run</th><th>note</th></tr>"
            f"</thead><tbody>{_rows(key, entries)}</tbody></table>"
        )
        if key in ("regressed", "fixed", "harness"):
            parts.append(f'<div id="baseline-{key}"><h3>{_e(title)} ({len(entries)})</h3>{table}</div>')
        else:  # long lists when the levels differ: folded
            parts.append(
                f'<details id="baseline-{key}"><summary>{_e(title)} ({len(entries)})</summary>{table}</details>'
            )
    timings = diff.get("timings", {})
    moved = "".join(
        f"<tr><td>{_e(m['kind'])}</td><td class='mono'>{_e(m['name'])}</td><td class='num'>"
        f"{m['old_p50_s'] * 1000:.0f} ms</td><td class='num'>{m['new_p50_s'] * 1000:.0f} ms</td>"
        f"<td>{_e(m['direction'])}</td></tr>"
        for m in timings.get("moved", [])
    )
    compared = len(timings.get("compared", []))
    body = (
        f"<table><thead><tr><th>kind</th><th>name</th><th>baseline p50</th><th>this run p50</th><th></th></tr>"
        f"</thead><tbody>{moved}</tbody></table>"
        if moved
        else f"<p>{_e(timings.get('note') or f'No timing moved ({compared} compared).')}</p>"
    )
    parts.append(
        f'<div id="baseline-timings"><h3>Timings</h3><p class="muted">Moved: {_e(timings.get("rule", ""))}.</p>'
        f"{body}</div>"
    )
    return f'<section id="baseline"><h2>Compared with baseline</h2>{"".join(parts)}</section>'
