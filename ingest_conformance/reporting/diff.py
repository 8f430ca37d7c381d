"""Comparing two runs: what got worse, what got better, what changed, and timings that moved.

Outcomes compare by what they say about the target, not by label:
  judged ok     pass, info, expected-failure, stale (a listed deviation that now holds)
  judged warn   warn (a SHOULD broken)
  judged fail   fail (a MUST broken)
  not exercised disabled (not run), skip
  harness error error (our harness broke: says nothing about the target)
A requirement *regressed* when both runs judged it and the new judgement is worse (ok -> warn,
ok -> fail, warn -> fail); *fixed* the other way round. A requirement judged in one run only
*started* or *stopped* being exercised (not a regression: the old run knew nothing of it). Level
changes come from a changed catalogue. Timings: an operation's p50 answer latency (or a format's
p50 processing time) *moved* when it changed by more than NOISE_RATIO times AND by more than
NOISE_MIN_S, with at least MIN_SAMPLES samples in both runs; moved timings are reported, never gated.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ingest_conformance.reporting.document_schema import DocumentError, load_document
from ingest_conformance.reporting.rollup import rank
from ingest_conformance.reporting.text import one_line

NOISE_RATIO = 2.0
NOISE_MIN_S = 0.050
MIN_SAMPLES = 5
NOISE_RULE = (
    f"p50 changed more than {NOISE_RATIO:g}x and more than {NOISE_MIN_S * 1000:.0f} ms, "
    f"with at least {MIN_SAMPLES} samples in both runs"
)
_CLASS = {"pass": 0, "info": 0, "xfail": 0, "stale": 0, "warn": 1, "fail": 2}
NOT_EXERCISED = frozenset({"disabled", "skip"})
HARNESS = "error"
CATEGORIES = (
    ("regressed", "regressed"),
    ("fixed", "fixed"),
    ("harness", "harness error in one run"),
    ("level_changed", "level changed"),
    ("started", "started being exercised"),
    ("stopped", "stopped being exercised"),
    ("changed", "other outcome changes"),
    ("added", "new in the catalogue"),
    ("removed", "gone from the catalogue"),
)


def results_path(path: Path) -> Path:
    """A results.json given as itself or as the report dir holding it."""
    return path / "results.json" if path.is_dir() else path


def load_run(path: Path) -> dict[str, Any]:
    """One side of a comparison; raises `DocumentError` (one line) for anything unreadable."""
    target = results_path(path)
    if path.is_dir() and not target.exists():
        raise DocumentError(f"{path}: a folder without results.json")
    return load_document(target)


def note(req: Mapping[str, Any]) -> str:
    """The one-line reason of a requirement's outcome: the first message of its worst records."""
    for rec in sorted(req.get("records", []), key=lambda r: -rank(r["outcome"])):
        if rec["outcome"] == req["outcome"] and (rec.get("message") or rec.get("received")):
            return one_line(rec.get("message") or rec.get("received"), 200)
    return ""


def _entry(rid: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, Any]:
    either = new or old or {}
    return {
        "id": rid,
        "level": either.get("level", ""),
        "old_level": old.get("level") if old else None,
        "old": old["outcome"] if old else None,
        "new": new["outcome"] if new else None,
        "statement": one_line(either.get("statement", ""), 160),
        "reason": note(new) if new else "",
    }


def _category(old: str, new: str) -> str | None:
    """Which outcome category a pair of outcome labels falls in (None: no change)."""
    if old == new:
        return None
    if HARNESS in (old, new):
        return "harness"
    if old in NOT_EXERCISED and new in NOT_EXERCISED:
        return "changed"
    if old in NOT_EXERCISED:
        return "started"
    if new in NOT_EXERCISED:
        return "stopped"
    worse = _CLASS.get(new, 0) - _CLASS.get(old, 0)
    return "regressed" if worse > 0 else "fixed" if worse < 0 else "changed"


def _side(document: Mapping[str, Any], source: str) -> dict[str, Any]:
    run = document["run"]
    return {
        "source": source,
        "target": run.get("target"),
        "level": run.get("level"),
        "seed": run.get("seed"),
        "started_at": run.get("started_at"),
        "verdict": (document.get("summary") or {}).get("verdict"),
        "exit_code": run.get("exit_code"),
        "version": document.get("version"),
    }


def _timing_moves(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    old_t, new_t = old.get("timings"), new.get("timings")
    block: dict[str, Any] = {"rule": NOISE_RULE, "compared": [], "moved": []}
    if not old_t or not new_t:
        missing = "OLD" if not old_t else "NEW"
        block["note"] = f"not compared: {missing} has no timings (written before results schema v3)"
        return block
    for kind, key in (("latency", "operations"), ("processing", "processing")):
        olds, news = old_t.get(key) or {}, new_t.get(key) or {}
        for name in [n for n in news if n in olds]:
            a, b = olds[name], news[name]
            if min(a.get("count", 0), b.get("count", 0)) < MIN_SAMPLES or "p50_s" not in a or "p50_s" not in b:
                continue
            block["compared"].append(f"{kind}:{name}")
            before, after = float(a["p50_s"]), float(b["p50_s"])
            ratio = after / before if before > 0 else float("inf") if after > 0 else 1.0
            if abs(after - before) > NOISE_MIN_S and (ratio > NOISE_RATIO or ratio < 1 / NOISE_RATIO):
                block["moved"].append(
                    {
                        "kind": kind,
                        "name": name,
                        "old_p50_s": before,
                        "new_p50_s": after,
                        "ratio": round(ratio, 2) if ratio != float("inf") else None,
                        "direction": "slower" if after > before else "faster",
                    }
                )
    return block


def diff_documents(
    old: Mapping[str, Any], new: Mapping[str, Any], *, old_source: str = "OLD", new_source: str = "NEW"
) -> dict[str, Any]:
    """The comparison of two results documents (JSON-able; `regressions` counts what gates)."""
    olds = {r["id"]: r for r in old["requirements"]}
    news = {r["id"]: r for r in new["requirements"]}
    out: dict[str, Any] = {key: [] for key, _ in CATEGORIES}
    for rid in [*news, *(r for r in olds if r not in news)]:
        a, b = olds.get(rid), news.get(rid)
        entry = _entry(rid, a, b)
        if a is None or b is None:
            out["added" if a is None else "removed"].append(entry)
            continue
        if a["level"] != b["level"]:
            out["level_changed"].append(entry)
        category = _category(a["outcome"], b["outcome"])
        if category is not None:
            out[category].append(entry)
    notes = []
    sides = (_side(old, old_source), _side(new, new_source))
    bundled = (old["run"].get("bundled_mock"), new["run"].get("bundled_mock"))
    for field in ("target", "level"):
        if field == "target" and bundled == (True, True):
            continue  # each run of the bundled mock gets a free port of its own: the same target
        if sides[0][field] != sides[1][field]:
            notes.append(f"the runs differ in {field}: {sides[0][field]} -> {sides[1][field]}")
    return {
        "old": sides[0],
        "new": sides[1],
        "notes": notes,
        **out,
        "timings": _timing_moves(old, new),
        "regressions": len(out["regressed"]),
    }


def diff_files(old: Path, new: Path) -> dict[str, Any]:
    """Compare two results.json files (or report dirs); raises `DocumentError` for unreadable input."""
    return diff_documents(load_run(old), load_run(new), old_source=str(old), new_source=str(new))


def attach_baseline(document: dict[str, Any], baseline: Path) -> dict[str, Any]:
    """Add `baseline` (the comparison of `document` with an earlier run) to `document`, in place."""
    try:
        comparison = diff_documents(load_run(baseline), document, old_source=str(baseline), new_source="this run")
    except DocumentError as exc:  # checked before the run started; it may have changed since
        document["baseline"] = {"source": str(baseline), "diff": {}, "error": str(exc)}
        return document
    document["baseline"] = {"source": str(baseline), "diff": comparison}
    return document
