"""Judging steps that must all run: each broken requirement is recorded, then the first failure raised."""

from __future__ import annotations

from collections.abc import Callable

from ingest_conformance.judging.checks import RequirementFailure


def judge_all(*steps: Callable[[], object]) -> None:
    """Run every judging step even when one fails, so each broken requirement is recorded; then raise
    the first failure (a 500 to an oversized body breaks both SIZE-413-* and ERR-5XX-001)."""
    first: RequirementFailure | None = None
    for step in steps:
        try:
            step()
        except RequirementFailure as failure:
            first = first or failure
    if first is not None:
        raise first
