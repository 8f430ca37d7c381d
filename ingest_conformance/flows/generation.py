"""Running hypothesis strategies inside contract tests, sized by run level and driven by the run's seed.

Network tests cannot take a fixed `@settings` at import time: how many examples a test gets depends
on `--level`, and the same `--seed` must give the same requests. `for_examples` builds the
hypothesis test at call time. Shrinking is off by default for network tests: every failing
example already carries its exact bytes, and shrinking would re-send requests many times.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TypeVar

import hypothesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from ingest_conformance.judging.suite import Suite

T = TypeVar("T")


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

    @seed(suite.seed ^ salt)
    @settings(
        max_examples=example_count(suite, quick=quick, standard=standard, full=full),
        deadline=None,
        database=None,
        phases=phases,
        derandomize=False,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
            HealthCheck.nested_given,
        ],
    )
    @given(strategy)
    def run(example: T) -> None:
        body(example)

    run()


def one_example(suite: Suite, strategy: st.SearchStrategy[T], *, salt: int = 0) -> T:
    """A single example of `strategy`, the same for the same run seed (for matrices of named cases)."""
    found: list[T] = []

    def keep(example: T) -> None:
        if not found:
            found.append(example)

    for_examples(suite, strategy, keep, quick=1, standard=1, full=1, salt=salt)
    return found[0]


def salt_of(*parts: object) -> int:
    """A stable salt from names (Python's hash() of a str changes between processes)."""
    import zlib

    return zlib.crc32("|".join(str(p) for p in parts).encode("utf-8"))
