"""Small helpers shared by the contract tests (not fixtures: plain functions)."""

from __future__ import annotations

import random
import re

from ingest_conformance.judging.suite import Suite


def absent_id(suite: Suite) -> str:
    """A well-formed id (profile `id_pattern`) that almost surely names nothing on the target."""
    pattern = suite.config.profile.id_pattern
    rng = random.Random(suite.seed)
    if pattern == r"^[0-9a-f]{24}$":
        return "".join(rng.choice("0123456789abcdef") for _ in range(24))
    from hypothesis import strategies as st

    example = st.from_regex(pattern, fullmatch=True).example()
    if not re.search(pattern, example):  # pragma: no cover - from_regex guarantees a match
        raise RuntimeError(f"cannot build an id matching {pattern}")
    return example
