"""report.html's charts of the run's `timings` (reporting/timings.py), as inline SVG.

Three charts: answer latency per operation (p50 / p95 / max), time from upload to a final status
per file format, and requests, 429s and retries over the run. Plain SVG with presentation
attributes only (the page's CSP allows no inline style attribute and no script but its own), so
they draw without JavaScript; every bar and point carries a <title> tooltip and each chart is
followed by its numbers as a table. Every label passes through `_e`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ingest_conformance.reporting.text import printable

WIDTH = 900
LABEL_W = 190
RIGHT_PAD = 70
ROW_BAR = 9  # height of one of the three bars of a row
STATS = (("p50_s", "p50", "#0b5cad"), ("p95_s", "p95", "#6f9fd8"), ("max_s", "max", "#b9c9dc"))
SERIES = (("requests", "requests", "#c5ccd3"), ("rate_limited", "429 answers", "#cf222e"))
RETRY_COLOR = "#bf8700"
FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _e(value: Any) -> str:
    return html.escape(printable(value), quote=True)


def duration(seconds: float) -> str:
    if seconds <= 0:
        return "0"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms" if seconds >= 0.001 else f"{seconds * 1000:.2f} ms"
    return f"{seconds:.2f} s"


class _Scale:
    """Seconds -> pixels: linear, or log10 when the values span more than 50x (fast and slow operations)."""

    def __init__(self, values: Sequence[float], pixels: float) -> None:
        positive = [v for v in values if v > 0] or [1.0]
        low, high = min(positive), max(positive)
        self.log = high / low > 50
        self.pixels = pixels
        if self.log:
            self.low = float(math.floor(math.log10(low)))
            self.high = float(max(math.ceil(math.log10(high)), self.low + 1))
        else:
            self.step = _nice_step(high / 4)
            self.low, self.high = 0.0, self.step * math.ceil(high / self.step)

    def x(self, value: float) -> float:
        if self.log:
            if value <= 0:
                return 0.0
            share = (math.log10(value) - self.low) / (self.high - self.low)
        else:
            share = value / self.high if self.high else 0.0
        return max(0.0, min(1.0, share)) * self.pixels

    def ticks(self) -> list[float]:
        if self.log:
            return [10.0**e for e in range(int(self.low), int(self.high) + 1)]
        return [self.step * i for i in range(round(self.high / self.step) + 1)]


def _nice_step(rough: float) -> float:
    """The 1, 2 or 5 times a power of ten at or above `rough` (round tick labels)."""
    if rough <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough * 0.999)


def _legend(items: Sequence[tuple[str, str]], y: float) -> str:
    parts, x = [], LABEL_W
    for label, color in items:
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14}" y="{y}" {FONT} fill="#1b1f24">{_e(label)}</text>'
        )
        x += 24 + 7 * len(label)
    return "".join(parts)


def stats_chart(chart_id: str, title: str, groups: Mapping[str, Mapping[str, Any]]) -> str:
    """Horizontal bars: one row per group (operation or format), its p50, p95 and max."""
    rows = [(name, s) for name, s in groups.items() if s.get("count") and "max_s" in s]
    if not rows:
        return ""
    plot_w = WIDTH - LABEL_W - RIGHT_PAD
    scale = _Scale([float(s[key]) for _, s in rows for key, _, _ in STATS], plot_w)
    row_h = ROW_BAR * 3 + 10
    top = 28
    height = top + row_h * len(rows) + 30
    parts = [_legend([(label, color) for _, label, color in STATS], 14)]
    for tick in scale.ticks():
        x = LABEL_W + scale.x(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 24}" stroke="#d8dee4"/>'
            f'<text x="{x:.1f}" y="{height - 10}" {FONT} fill="#5b6470" text-anchor="middle">'
            f"{_e(duration(tick))}</text>"
        )
    for index, (name, s) in enumerate(rows):
        y0 = top + index * row_h
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y0 + ROW_BAR * 2}" {FONT} fill="#1b1f24" text-anchor="end">'
            f'{_e(name)} <tspan fill="#5b6470">({int(s["count"])})</tspan></text>'
        )
        for offset, (key, label, color) in enumerate(STATS):
            value = float(s[key])
            width = max(1.0, scale.x(value))
            y = y0 + offset * ROW_BAR
            parts.append(
                f'<rect class="bar" data-name="{_e(name)}" data-series="{label}" x="{LABEL_W}" y="{y}" '
                f'width="{width:.1f}" height="{ROW_BAR - 1}" fill="{color}"><title>{_e(name)} {label}: '
                f"{_e(duration(value))} over {int(s['count'])}</title></rect>"
            )
        parts.append(
            f'<text x="{LABEL_W + max(1.0, scale.x(float(s["max_s"]))) + 4:.1f}" y="{y0 + ROW_BAR * 3 - 2}" '
            f'{FONT} fill="#5b6470">{_e(duration(float(s["p50_s"])))} / {_e(duration(float(s["max_s"])))}</text>'
        )
    caption = " (log scale)" if scale.log else ""
    return _figure(chart_id, title + caption, WIDTH, height, "".join(parts))


def rate_chart(chart_id: str, title: str, rate: Mapping[str, Any]) -> str:
    """Columns per time slice of the run: requests sent, 429s among them, and a line of retries."""
    sent = [int(n) for n in rate.get("requests", [])]
    if not sent:
        return ""
    limited = [int(n) for n in rate.get("rate_limited", [])] + [0] * len(sent)
    retries = [int(n) for n in rate.get("retries", [])] + [0] * len(sent)
    width_s = float(rate.get("bucket_s", 1))
    plot_w, plot_h, top, left = WIDTH - LABEL_W - RIGHT_PAD, 160, 28, LABEL_W
    peak = max(max(sent), 1)
    step = plot_w / len(sent)
    bar_w = max(1.0, step * 0.8)
    parts = [_legend([(label, color) for _, label, color in SERIES] + [("retries", RETRY_COLOR)], 14)]
    for tick in (0, peak / 2, peak):
        y = top + plot_h - tick / peak * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#d8dee4"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" {FONT} fill="#5b6470" text-anchor="end">{tick:.0f}</text>'
        )
    points = []
    for i, count in enumerate(sent):
        x = left + i * step + (step - bar_w) / 2
        when = f"{i * width_s:g}-{(i + 1) * width_s:g} s"
        for series, value, color in (("requests", count, SERIES[0][2]), ("429", limited[i], SERIES[1][2])):
            h = value / peak * plot_h
            parts.append(
                f'<rect class="bar" data-series="{series}" x="{x:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{color}"><title>{when}: {value} {series}</title></rect>'
            )
        cx, cy = left + i * step + step / 2, top + plot_h - retries[i] / peak * plot_h
        points.append((cx, cy, retries[i], when))
    line = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _, _ in points)
    parts.append(f'<polyline points="{line}" fill="none" stroke="{RETRY_COLOR}" stroke-width="1.5"/>')
    parts += [
        f'<circle class="point" data-series="retries" cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{RETRY_COLOR}">'
        f"<title>{when}: {n} retries</title></circle>"
        for cx, cy, n, when in points
    ]
    total = len(sent) * width_s
    for frac in (0, 0.5, 1):
        parts.append(
            f'<text x="{left + frac * plot_w:.1f}" y="{top + plot_h + 16}" {FONT} fill="#5b6470" '
            f'text-anchor="middle">{frac * total:.0f} s</text>'
        )
    return _figure(chart_id, f"{title} (slices of {width_s:g} s)", WIDTH, top + plot_h + 26, "".join(parts))


def _figure(chart_id: str, title: str, width: int, height: float, body: str) -> str:
    return (
        f'<figure class="chart" id="{_e(chart_id)}"><figcaption>{_e(title)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_e(title)}" width="{width}" '
        f'height="{height:.0f}" viewBox="0 0 {width} {height:.0f}">{body}</svg></figure>'
    )


def _table(groups: Mapping[str, Mapping[str, Any]], first: str) -> str:
    rows = "".join(
        f"<tr><td class='mono'>{_e(name)}</td><td class='num'>{int(s.get('count', 0))}</td>"
        + "".join(f"<td class='num'>{_e(duration(float(s[k])) if k in s else '-')}</td>" for k, _, _ in STATS)
        + f"<td>{_e(', '.join(f'{k}: {v}' for k, v in (s.get('statuses') or {}).items()))}</td></tr>"
        for name, s in groups.items()
    )
    return (
        f"<details><summary>the numbers</summary><table><thead><tr><th>{_e(first)}</th><th>count</th><th>p50</th>"
        f"<th>p95</th><th>max</th><th>final statuses</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )


def charts_section(document: Mapping[str, Any]) -> str:
    """The "Timings" section of report.html (a note instead of charts for results without timings)."""
    timings = document.get("timings")
    if not isinstance(timings, Mapping):
        return (
            '<section id="charts"><h2>Timings</h2><p class="muted">No timings in this results file '
            "(written before results schema v3).</p></section>"
        )
    operations, processing = timings.get("operations") or {}, timings.get("processing") or {}
    rate = timings.get("rate_limits") or {}
    latency = stats_chart("chart-latency", "Answer latency per operation: p50, p95, max", operations)
    upload = stats_chart("chart-processing", "Upload to a final status per file format: p50, p95, max", processing)
    limits = rate_chart("chart-rate", "Requests, 429 answers and retries over the run", rate)
    total_429 = sum(int(n) for n in rate.get("rate_limited", []))
    total_retries = sum(int(n) for n in rate.get("retries", []))
    span = _e(duration(float(timings.get("duration_s", 0))))
    parts = [
        f'<p class="muted">{int(timings.get("requests", 0))} requests over {span}; '
        f"{total_429} answered 429, {total_retries} retried after a 429. Latency: request sent to answer read. "
        "Processing: upload answer to the first answer naming a final status (as fine as the polling).</p>",
        latency or '<p class="muted">No request was answered.</p>',
        _table(operations, "operation") if operations else "",
        upload or '<p class="muted">No upload was followed to a final status in this run.</p>',
        _table(processing, "format") if processing else "",
        limits,
    ]
    return f'<section id="charts"><h2>Timings</h2>{"".join(parts)}</section>'
