"""Running hypothesis strategies inside contract tests, sized by run level and driven by the run's seed.

Network tests cannot take a fixed `@settings` at import time: how many examples a test gets depends
on `--level`, and the same `--seed` must give the same requests. `for_examples` builds the
hypothesis test at call time. Shrinking is off by default for network tests: every failing
example already carries its exact bytes, and shrinking would re-send requests many times.

Seeds (DECISIONS.md, "What a verdict means"): the same seed sends the same bytes, another seed other
ones. hypothesis always tries the *simplest* example of a strategy first, whatever the seed: with one
example per test, every seed sent the same file. `run_seeded` keeps that first example back and hands
the body only the seeded random ones that follow (the simplest one only when it is the strategy's only
example), so every example a test sends is drawn from `--seed` and the test's salt.
"""

from __future__ import annotations

import random
import warnings
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

import hypothesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from ingest_conformance.judging.suite import Suite

T = TypeVar("T")

QUIET_HEALTH_CHECKS = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.function_scoped_fixture,
    HealthCheck.nested_given,
]


def pin_hypothesis_constants() -> None:
    """Make draws depend on the seed and the test only, not on which of our modules are loaded.

    hypothesis biases a few draws towards constants it finds in the *local* modules loaded so far, and ours
    count (an editable install is local). Which are loaded when a test draws depends on the tests that ran
    before it in that process: under `run --workers` (or plain pytest vs `ingest-conformance run`) the same
    seed drew different files. The pool is pinned to an empty one (hypothesis' global constants still apply).
    An internal of hypothesis (pyproject caps hypothesis at the versions tested): if it moves, nothing is
    pinned, only cross-process determinism suffers, and a warning says so.
    """
    from hypothesis.internal.conjecture import providers

    if not callable(getattr(providers, "_get_local_constants", None)) or not hasattr(providers, "CONSTANTS_CACHE"):
        warnings.warn(
            f"ingest-conformance: hypothesis {hypothesis.__version__} moved an internal the suite pins "
            "(_get_local_constants): the same seed may draw differently between processes; install a "
            "hypothesis version within pyproject's range",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    empty = type(providers._local_constants)()
    setattr(providers, "_get_local_constants", lambda: empty)  # noqa: B010 (a module function, replaced)
    providers.CONSTANTS_CACHE.cache.clear()


def example_count(suite: Suite, *, quick: int, standard: int, full: int) -> int:
    return {"quick": quick, "standard": standard, "full": full}[suite.config.level]


def seed_of(suite: Suite, salt: int) -> int:
    """The hypothesis seed of one draw site: the run's seed, told apart per call by the salt."""
    return suite.seed ^ salt


def run_seeded(
    seed_value: int,
    strategy: st.SearchStrategy[T],
    body: Callable[[T], None],
    *,
    examples: int,
    distinct: bool = True,
    **options: Any,
) -> int:
    """Run `body` on `examples` distinct examples of `strategy` drawn from `seed_value`; how many it ran.

    hypothesis' first call is the strategy's simplest example (zero data), the same for every seed: it
    is held back, and `examples + 1` are asked for. Only when the strategy has no other example does the
    body get it. `options` are `hypothesis.settings` keywords (deadline, phases, health checks...).
    With `distinct`, examples equal to one the body already had are skipped (hypothesis never repeats a
    choice sequence, but two sequences may build equal values), so a test never sends one file twice.
    """
    held: list[T] = []
    seen: list[T] = []

    def each(example: T) -> None:
        if not held:
            held.append(example)  # the simplest example: the same whatever the seed
            return
        if distinct and any(example == prior for prior in seen):
            return
        seen.append(example)
        body(example)

    run = seed(seed_value)(settings(max_examples=examples + 1, **options)(given(strategy)(each)))
    run()
    if held and not seen:
        seen.append(held[0])
        body(held[0])
    return len(seen)


def for_examples(
    suite: Suite,
    strategy: st.SearchStrategy[T],
    body: Callable[[T], None],
    *,
    quick: int = 2,
    standard: int = 5,
    full: int = 25,
    shrink: bool = False,
    salt: int = 0,
) -> None:
    """Run `body` on examples of `strategy`: deterministic for a given run seed (and salt)."""
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    run_seeded(
        seed_of(suite, salt),
        strategy,
        body,
        examples=example_count(suite, quick=quick, standard=standard, full=full),
        deadline=None,
        database=None,
        phases=phases,
        derandomize=False,
        print_blob=False,
        suppress_health_check=QUIET_HEALTH_CHECKS,
    )


def draw_examples(suite: Suite, strategy: st.SearchStrategy[T], count: int, *, salt: int = 0) -> list[T]:
    """`count` distinct examples of `strategy` (fewer only when it has fewer), the same for the same run seed."""
    found: list[T] = []
    for_examples(suite, strategy, found.append, quick=count, standard=count, full=count, salt=salt)
    return found


def one_example(suite: Suite, strategy: st.SearchStrategy[T], *, salt: int = 0) -> T:
    """A single example of `strategy`, the same for the same run seed and salt, another for another seed
    (for matrices of named cases). Draws that one request sends together need different salts."""
    return draw_examples(suite, strategy, 1, salt=salt)[0]


def marker_of(suite: Suite, salt: int) -> str:
    """16 hex digits from the run's seed and a salt: what makes a file built without hypothesis (a padded
    PDF of an exact size) differ from seed to seed."""
    return f"{random.Random(seed_of(suite, salt)).getrandbits(64):016x}"


def salt_of(*parts: object) -> int:
    """A stable salt from names (Python's hash() of a str changes between processes)."""
    return zlib.crc32("|".join(str(p) for p in parts).encode("utf-8"))
