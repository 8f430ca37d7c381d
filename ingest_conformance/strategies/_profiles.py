"""Hypothesis settings profiles, chosen by name, by ``INGEST_CONFORMANCE_PROFILE`` or by run level.

- ``ci`` (default): few examples, no deadline (building files and talking HTTP vary in speed), no
  example database writes that a CI checkout would throw away anyway.
- ``qa``: thorough; many examples and the local example database.
- ``debug``: few examples, verbose output, every generated example printed.
- ``full``: the most thorough, for a ``full`` run level.

``too_slow`` and ``data_too_large`` are suppressed everywhere: a hostile ZIP or a multi-page TIFF is
large by design, and that is not a sign of a badly written strategy.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Verbosity, settings
from hypothesis.errors import InvalidArgument

ENV_VAR = "INGEST_CONFORMANCE_PROFILE"
DEFAULT_PROFILE = "ci"
_SUPPRESSED = (HealthCheck.too_slow, HealthCheck.data_too_large)
PROFILES: dict[str, dict[str, object]] = {
    "ci": {"max_examples": 25, "deadline": None, "database": None, "derandomize": True},
    "qa": {"max_examples": 200, "deadline": None},
    "debug": {"max_examples": 10, "deadline": None, "verbosity": Verbosity.verbose, "database": None},
    "full": {"max_examples": 1000, "deadline": None},
}
LEVELS = {"quick": "ci", "standard": "qa", "full": "full"}


def register_profiles() -> None:
    """Register every profile with hypothesis (idempotent: re-registering replaces the same values)."""
    for name, options in PROFILES.items():
        settings.register_profile(name, suppress_health_check=_SUPPRESSED, **options)  # type: ignore[arg-type]


def profile_for_level(level: str) -> str:
    """The profile for a run level: quick -> ci, standard -> qa, full -> full."""
    if level not in LEVELS:
        raise InvalidArgument(f"level={level!r} must be one of {sorted(LEVELS)}")
    return LEVELS[level]


def load_profile(name: str | None = None) -> str:
    """Register the profiles and load ``name``, else ``$INGEST_CONFORMANCE_PROFILE``, else ``ci``.

    Returns the name loaded. An unknown name raises ``InvalidArgument`` listing the known ones.
    """
    register_profiles()
    chosen = name or os.environ.get(ENV_VAR) or DEFAULT_PROFILE
    if chosen not in PROFILES:
        source = "name" if name else ENV_VAR
        raise InvalidArgument(f"{source}={chosen!r} is not a profile; known: {sorted(PROFILES)}")
    settings.load_profile(chosen)
    return chosen
