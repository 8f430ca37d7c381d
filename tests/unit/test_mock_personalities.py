"""The mock's choices and conformant personalities, without a socket.

Every choice DECISIONS leaves open is a setting with a flag; every personality is a valid mix of
allowed options; together they cover every pair of options of every two choices (strength-2
covering array), read back from the personalities' own overrides, not from the generator's rows.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import fields

import pytest

from ingest_conformance.mock import cli
from ingest_conformance.mock.choices import CHOICES, FLAGS
from ingest_conformance.mock.personalities import (
    PERSONALITIES,
    cli_flags,
    covering_array,
    options_of,
    suite_flags,
    suite_settings,
)
from ingest_conformance.mock.settings import DEFAULTS, MockSettings

pytestmark = pytest.mark.unit


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mock")
    cli.configure_parser(parser)
    return parser


def test_every_pair_of_options_of_every_two_choices_meets_in_some_personality() -> None:
    picked = [options_of(overrides) for overrides in PERSONALITIES.values()]
    missing = []
    for first, second in itertools.combinations(CHOICES, 2):
        seen = {(row[first.name], row[second.name]) for row in picked}
        wanted = {(a.label, b.label) for a in first.options for b in second.options}
        missing += [(first.name, a, second.name, b) for a, b in sorted(wanted - seen)]
    assert not missing, f"{len(missing)} pairs never meet, e.g. {missing[:5]}"


def test_personalities_are_few_named_and_start_with_the_defaults() -> None:
    sizes = sorted((len(c.options) for c in CHOICES), reverse=True)
    assert sizes[0] * sizes[1] <= len(PERSONALITIES) <= 20  # a pair of the two widest needs that many
    assert next(iter(PERSONALITIES)) == "defaults" and PERSONALITIES["defaults"] == {}
    assert all(name.replace("-", "").isalnum() for name in PERSONALITIES)


def test_personalities_are_valid_conformant_settings_with_flags_that_give_them() -> None:
    for name, overrides in PERSONALITIES.items():
        settings = MockSettings(**overrides)
        assert settings.fault is None, name
        assert cli.settings_from(_parser().parse_args(cli_flags(overrides))) == settings, name


def test_each_choice_has_distinct_options_and_the_default_first() -> None:
    setting_names = {f.name for f in fields(MockSettings)}
    assert len({c.name for c in CHOICES}) == len(CHOICES) >= 30
    for choice in CHOICES:
        default, *others = choice.options
        assert not default.overrides, choice.name
        assert others and len({o.label for o in choice.options}) == len(choice.options), choice.name
        assert all(o.overrides and set(o.overrides) <= setting_names for o in others), choice.name
        assert len({tuple(sorted(o.overrides.items())) for o in others}) == len(others), choice.name
        assert all(MockSettings(**o.overrides) != DEFAULTS for o in others), choice.name


def test_every_choice_flag_is_a_setting_some_choice_flips() -> None:
    flipped = {key for c in CHOICES for o in c.options for key in o.overrides}
    assert {flag.setting for flag in FLAGS} <= flipped


def test_choice_flags_show_their_defaults_and_parse_to_the_defaults() -> None:
    text = _parser().format_help()
    for flag in FLAGS:
        option = "--" + flag.setting.replace("_", "-")
        assert option in text, option
    assert cli.settings_from(_parser().parse_args([])) == DEFAULTS
    assert text.count("(default:") >= len(FLAGS)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--decoding", "sloppy"], "invalid choice"),
        (["--read-lag-ms", "-1"], "must not be negative"),
        (["--foreign-list", "teapot"], "invalid choice"),
        (["--unknown-method-status", "418"], "invalid choice"),
    ],
)
def test_bad_choice_flags_are_usage_errors(flags: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _parser().parse_args(flags)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_choice_values_are_refused_by_the_settings() -> None:
    with pytest.raises(ValueError, match="decoding must be one of strict, lenient"):
        MockSettings(decoding="sloppy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="read_lag_ms must not be negative"):
        MockSettings(read_lag_ms=-5)


def test_the_suite_is_told_the_profile_each_personality_declares() -> None:
    assert suite_settings({}) == {} and suite_flags({}) == []
    lagging = suite_settings({"read_lag_ms": 800})
    assert float(lagging["read_after_write_s"]) >= 0.8
    assert suite_settings({"single_url_path": "/v1/x"}) == {"single_url_path": "/v1/x"}
    assert suite_settings({"single_url_path": ""}) == {}  # no route: the suite skips on its 404
    for overrides in PERSONALITIES.values():
        lag = overrides.get("read_lag_ms", 0)
        grace = float(suite_settings(overrides).get("read_after_write_s", 0))
        assert grace >= lag / 1000


@pytest.mark.parametrize("sizes", [[2, 2, 2], [3, 3], [4, 3, 2, 2, 2], [2] * 12])
def test_the_generator_covers_every_pair_of_small_designs(sizes: list[int]) -> None:
    rows = covering_array(sizes)
    assert rows[0] == [0] * len(sizes)
    for i, j in itertools.combinations(range(len(sizes)), 2):
        assert {(r[i], r[j]) for r in rows} == set(itertools.product(range(sizes[i]), range(sizes[j])))
    assert len(rows) <= sizes[0] * sizes[1] + len(sizes)
    assert covering_array(sizes) == rows  # deterministic
