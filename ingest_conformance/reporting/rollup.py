"""Roll-ups of the results document: per test, per operation, per feature, and the summary counts.

Worst wins everywhere, in the order of `Outcome` (disabled < skip < pass < info < expected-failure
< warn < stale < fail < error). They are computed from the document's own `requirements` list, so
a results file of schema version 1 (which had no roll-ups) can be upgraded on load and re-rendered
exactly like a fresh one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ingest_conformance.judging.results import Outcome

LABELS: tuple[str, ...] = tuple(o.label for o in Outcome)
_RANK = {o.label: int(o) for o in Outcome}
NOT_RUN = Outcome.DISABLED.label  # a requirement no test of the run exercised
NO_OPERATION = "(any)"  # requirements that name no operation (e.g. unknown paths) roll up here


def worst(labels: Iterable[str]) -> str:
    """The worst of outcome labels; `disabled` (not run) for none."""
    return max(labels, key=lambda label: _RANK.get(label, 0), default=NOT_RUN)


def rank(label: str) -> int:
    return _RANK.get(label, 0)


def counts(labels: Iterable[str]) -> dict[str, int]:
    """How many of each outcome label, every label present (zeros included) in `Outcome` order."""
    out = dict.fromkeys(LABELS, 0)
    for label in labels:
        out[label] = out.get(label, 0) + 1
    return out


def _group(requirements: Sequence[Mapping[str, Any]], keys_of: Any) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for req in requirements:
        for key in keys_of(req):
            groups.setdefault(key, []).append(req)
    return {
        key: {
            "outcome": worst(r["outcome"] for r in members),
            "requirements": [r["id"] for r in members],
            "counts": counts(r["outcome"] for r in members),
        }
        for key, members in groups.items()
    }


# Outcomes that say nothing about the target: when a record of them names no operation (a skipped or
# interrupted test, a harness error), it stands for every operation the requirement declares.
_UNJUDGED = frozenset({Outcome.DISABLED.label, Outcome.SKIP.label, Outcome.ERROR.label, Outcome.STALE.label})


def operations_of(requirement: Mapping[str, Any]) -> dict[str, list[str]]:
    """operationId -> the outcomes of the requirement's records counted there.

    A record counts under the operation it exercised (its `operation`), so one test on uploadFiles
    does not mark the other upload operations. Declared operations no check ran on are listed with
    no outcome (not run there). A record without an operation key (a results file written before
    records named theirs) counts under every declared operation, as it did then.
    """
    declared = list(requirement.get("operations") or [])
    placed: dict[str, list[str]] = {op: [] for op in declared}
    for rec in requirement.get("records", []):
        if "operation" not in rec or (rec["operation"] is None and rec["outcome"] in _UNJUDGED):
            targets = declared or [NO_OPERATION]
        else:
            targets = [rec["operation"] or (declared[0] if len(declared) == 1 else NO_OPERATION)]
        for op in targets:
            placed.setdefault(op, []).append(rec["outcome"])
    return placed or {NO_OPERATION: []}


def by_operation(requirements: Sequence[Mapping[str, Any]], operation_ids: Sequence[str] = ()) -> dict[str, Any]:
    """operationId -> {outcome, requirements, counts}; `operation_ids` fixes the order (known ones first).

    A requirement's outcome under an operation is the worst of its records there, `not run` when no
    check of it ran on that operation.
    """
    grouped: dict[str, dict[str, str]] = {}
    for req in requirements:
        for op, outcomes in operations_of(req).items():
            grouped.setdefault(op, {})[req["id"]] = worst(outcomes)
    ordered = [op for op in operation_ids if op in grouped] + sorted(k for k in grouped if k not in operation_ids)
    return {
        op: {
            "outcome": worst(grouped[op].values()),
            "requirements": list(grouped[op]),
            "counts": counts(grouped[op].values()),
            "outcomes": dict(grouped[op]),
        }
        for op in ordered
    }


def by_feature(requirements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """feature -> {outcome, requirements, counts}, in the catalogue's order of first appearance."""
    return _group(requirements, lambda r: [r["feature"]])


def by_test(requirements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """test id -> {outcome, requirements}: what each test checked and its worst outcome."""
    tests: dict[str, dict[str, Any]] = {}
    for req in requirements:
        for rec in req.get("records", []):
            entry = tests.setdefault(rec["test"], {"outcome": NOT_RUN, "requirements": []})
            entry["outcome"] = worst([entry["outcome"], rec["outcome"]])
            if req["id"] not in entry["requirements"]:
                entry["requirements"].append(req["id"])
    return dict(sorted(tests.items()))


def checks(requirement: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The requirement's records grouped per test ("one requirement check"), worst outcome first kept.

    Each item: {test, outcome, records}. A test that checks one requirement on many answers gives
    one check whose outcome is the worst of them.
    """
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for rec in requirement.get("records", []):
        grouped.setdefault(rec["test"], []).append(rec)
    return [
        {
            "test": test,
            "outcome": worst(r["outcome"] for r in recs),
            "records": sorted(recs, key=lambda r: -rank(r["outcome"])),
        }
        for test, recs in grouped.items()
    ]


def run_verdict(exit_code: int | None, unreachable: str | None) -> str:
    """The run's verdict in words, from its exit code (see cli.py)."""
    if unreachable:
        return "target unreachable"
    return {0: "conformant", 1: "non-conformant", 3: "harness error", 4: "interrupted"}.get(
        exit_code or 0, f"exit code {exit_code}"
    )


def summary(document: Mapping[str, Any]) -> dict[str, Any]:
    """The `summary` block: counts per outcome over requirements and over individual checks."""
    requirements = document["requirements"]
    records = [rec for req in requirements for rec in req.get("records", [])]
    run = document.get("run", {})
    return {
        "verdict": run_verdict(run.get("exit_code"), run.get("unreachable")),
        "requirements": len(requirements),
        "exercised": sum(1 for r in requirements if r["outcome"] != NOT_RUN),
        "requirements_by_outcome": counts(r["outcome"] for r in requirements),
        "checks": len(records),
        "checks_by_outcome": counts(rec["outcome"] for rec in records),
        "tests": len({rec["test"] for rec in records}),
        "exchanges": len(document.get("exchanges", {})),
    }


def add_rollups(document: dict[str, Any], operation_ids: Sequence[str] = ()) -> dict[str, Any]:
    """Add (or recompute) `summary`, `operations`, `features` and `tests` in place; returns `document`."""
    requirements = document["requirements"]
    document["summary"] = summary(document)
    document["operations"] = by_operation(requirements, operation_ids)
    document["features"] = by_feature(requirements)
    document["tests"] = by_test(requirements)
    return document


# How each outcome reads in reports: expected failures and stale entries must never read as pass/fail.
DISPLAY: dict[str, str] = {
    "disabled": "not run",
    "skip": "skip",
    "pass": "pass",
    "info": "info",
    "xfail": "expected-failure",
    "warn": "warn",
    "stale": "stale",
    "fail": "fail",
    "error": "error",
}
MEANING: dict[str, str] = {
    "disabled": "no test of this run exercised it",
    "skip": "not checked, with a reason",
    "pass": "held",
    "info": "observed and recorded; never fails",
    "xfail": "a listed known deviation that happened",
    "warn": "a SHOULD was broken",
    "stale": "a listed known deviation that no longer happens",
    "fail": "a MUST was broken",
    "error": "the harness broke; not counted against the target",
}


def display(label: str) -> str:
    return DISPLAY.get(label, label)
