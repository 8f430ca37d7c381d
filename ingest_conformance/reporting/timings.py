"""The `timings` block of the results document: what the run's traffic took, aggregated.

Built from the run's `Traffic` rows (judging/traffic.py), small whatever the run's size:
  requests     how many requests were answered or failed on the wire
  duration_s   from the run's start to the last answer
  operations   operationId -> {count, p50_s, p95_s, max_s}: answer latency (request sent to answer read)
  processing   file format -> {count, p50_s, p95_s, max_s, statuses}: from the upload's answer to the
               first answer naming a final status (so its resolution is the polling interval)
  rate_limits  {bucket_s, requests[], rate_limited[], retries[]}: per time slice of the run, requests
               sent, 429s received, and retries after a 429
Percentiles are nearest-rank. Requests the spec names no operation for count as `other`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ingest_conformance.judging.catalogue import OPERATION_IDS
from ingest_conformance.judging.openapi import load_openapi
from ingest_conformance.judging.traffic import FINAL, Traffic

OTHER = "other"
MAX_BUCKETS = 60
_BUCKET_WIDTHS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of `values` (not empty)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def stats(values: Sequence[float]) -> dict[str, Any]:
    return {
        "count": len(values),
        "p50_s": round(percentile(values, 50), 4),
        "p95_s": round(percentile(values, 95), 4),
        "max_s": round(max(values), 4),
    }


@functools.cache
def _routes() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(METHOD, path regex, operationId) of every operation of the installed spec."""
    routes = []
    for path, item in load_openapi().get("paths", {}).items():
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "/?$")
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                routes.append((method.upper(), pattern, str(op["operationId"])))
    return tuple(routes)


def operation_of(method: str, path: str) -> str:
    """The operationId a request was sent to, or `other` (an unknown path or method)."""
    return next((op for m, pattern, op in _routes() if m == method and pattern.match(path)), OTHER)


def _order(groups: Mapping[str, Any], first: Sequence[str]) -> dict[str, Any]:
    keys = [k for k in first if k in groups] + sorted(k for k in groups if k not in first)
    return {k: groups[k] for k in keys}


def bucket_width(duration_s: float) -> int:
    """The smallest round slice width that cuts the run into at most MAX_BUCKETS slices."""
    return next((w for w in _BUCKET_WIDTHS if duration_s / w <= MAX_BUCKETS), _BUCKET_WIDTHS[-1])


def timings_block(traffic: Traffic, started_at: float) -> dict[str, Any]:
    """The document's `timings` of one run; `started_at` is the run's start (epoch seconds)."""
    rows = sorted(traffic.requests, key=lambda r: r.sent_at)
    latencies: dict[str, list[float]] = {}
    for row in rows:
        if row.status is not None:
            latencies.setdefault(operation_of(row.method, row.path), []).append(row.elapsed_s)
    offsets = [max(0.0, row.sent_at - started_at) for row in rows]
    duration = max((o + r.elapsed_s for o, r in zip(offsets, rows, strict=True)), default=0.0)
    width = bucket_width(duration)
    slices = max(1, math.ceil(duration / width)) if rows else 0
    sent, limited, retries = [0] * slices, [0] * slices, [0] * slices
    for offset, row in zip(offsets, rows, strict=True):
        at = min(slices - 1, int(offset // width))
        sent[at] += 1
        limited[at] += row.status == 429
        retries[at] += row.attempt > 0
    processing: dict[str, dict[str, Any]] = {}
    for fmt in sorted({p.file_format for p in traffic.processing}):
        done = [p for p in traffic.processing if p.file_format == fmt]
        final = [p.seconds for p in done if p.status in FINAL]
        statuses: dict[str, int] = {}
        for p in done:
            statuses[p.status] = statuses.get(p.status, 0) + 1
        processing[fmt] = {**(stats(final) if final else {"count": 0}), "statuses": statuses}
    return {
        "requests": len(rows),
        "duration_s": round(duration, 3),
        "operations": _order({op: stats(v) for op, v in latencies.items()}, OPERATION_IDS),
        "processing": _order(processing, ("pdf", "png", "jpeg", "tiff", "zip")),
        "rate_limits": {"bucket_s": width, "requests": sent, "rate_limited": limited, "retries": retries},
    }
