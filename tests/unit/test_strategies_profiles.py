"""Hypothesis profiles switch by name, by environment variable and by run level."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import Verbosity, settings
from hypothesis.errors import InvalidArgument

from ingest_conformance.strategies import PROFILE_ENV_VAR, load_profile, profile_for_level

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _restore_profile() -> Iterator[None]:
    previous = settings.get_current_profile_name()
    yield
    settings.load_profile(previous)


def test_default_is_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROFILE_ENV_VAR, raising=False)
    assert load_profile() == "ci"
    assert settings().max_examples == 25 and settings().deadline is None


def test_environment_variable_picks_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROFILE_ENV_VAR, "debug")
    assert load_profile() == "debug"
    assert settings().verbosity == Verbosity.verbose
    monkeypatch.setenv(PROFILE_ENV_VAR, "qa")
    assert load_profile() == "qa"
    assert settings().max_examples == 200
    assert load_profile("ci") == "ci"  # an explicit name wins over the variable


def test_levels_map_to_profiles() -> None:
    assert [profile_for_level(level) for level in ("quick", "standard", "full")] == ["ci", "qa", "full"]
    load_profile(profile_for_level("full"))
    assert settings().max_examples == 1000
    with pytest.raises(InvalidArgument, match="level"):
        profile_for_level("huge")


def test_unknown_profile_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROFILE_ENV_VAR, "nightly")
    with pytest.raises(InvalidArgument, match=PROFILE_ENV_VAR):
        load_profile()
