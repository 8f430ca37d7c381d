"""The typed target configuration: sources, precedence, coercion, validation, redaction."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ingest_conformance.config.target import ConfigError, Profile, Secret, load_config, parse_set_option
from ingest_conformance.judging.catalogue import load_catalogue

pytestmark = pytest.mark.unit


def test_defaults_equal_the_catalogue_profile_defaults() -> None:
    catalogue = load_catalogue().profile_defaults()
    ours = dataclasses.asdict(Profile())
    assert set(ours) == set(catalogue)
    for key, default in catalogue.items():
        mine = ours[key]
        if key == "allow_http_urls":
            # The catalogue's default is "true for loopback targets"; None = decide from the target.
            assert mine is None and default is True
        elif isinstance(mine, frozenset):
            assert mine == frozenset(default)  # type: ignore[arg-type]
        else:
            assert mine == default, key


def test_precedence_file_then_env_then_flags(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("level: quick\nprofile:\n  max_request_bytes: 10\n  processing_timeout_s: 5\n")
    env = {"INGEST_CONFORMANCE_MAX_REQUEST_BYTES": "20", "INGEST_CONFORMANCE_LEVEL": "full"}
    cfg = load_config(profile_file=profile, environ=env, overrides={"level": "standard"})
    assert cfg.level == "standard"  # flag beats env beats file
    assert cfg.profile.max_request_bytes == 20  # env beats file
    assert cfg.profile.processing_timeout_s == 5.0  # file beats default


def test_toml_profile_and_set_overrides(tmp_path: Path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text("auth_failure_statuses = [403]\nuploads_accept_tif = true\n")
    cfg = load_config(
        profile_file=profile, environ={}, overrides=parse_set_option(["upload_success_statuses=201", "rate_limit=5"])
    )
    assert cfg.profile.auth_failure_statuses == frozenset({403})
    assert cfg.profile.upload_success_statuses == frozenset({201})
    assert cfg.profile.uploads_accept_tif is True
    assert cfg.profile.rate_limit == 5.0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_request_bytes": "lots"}, "max_request_bytes"),
        ({"level": "extreme"}, "expected one of quick, standard, full"),
        ({"no_such_key": "1"}, "unknown setting(s): no_such_key"),
        ({"target_url": "ftp://x"}, "absolute http(s) URL"),
        ({"target_url": "https://sandbox.example"}, "needs a credential"),
        ({"auth_failure_statuses": "401,abc"}, "auth_failure_statuses"),
        ({"id_pattern": "("}, "not a regular expression"),
        ({"single_url_path": "v1/x"}, "must start with '/'"),
        ({"expected_failures": "/nonexistent/x.yaml"}, "expected-failures file not found"),
    ],
    ids=[
        "bad-int",
        "bad-level",
        "unknown-key",
        "bad-scheme",
        "no-credential",
        "bad-status",
        "bad-regex",
        "relative-path",
        "missing-xfail-file",
    ],
)
def test_bad_values_give_one_clear_error(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(environ={}, overrides=overrides)


def test_bad_profile_files(tmp_path: Path) -> None:
    broken = tmp_path / "b.yaml"
    broken.write_text("level: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(profile_file=broken, environ={})
    listy = tmp_path / "l.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        load_config(profile_file=listy, environ={})
    with pytest.raises(ConfigError, match="cannot read profile file"):
        load_config(profile_file=tmp_path / "absent.yaml", environ={})


def test_set_option_needs_key_value() -> None:
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_set_option(["novalue"])


def test_secrets_never_show() -> None:
    cfg = load_config(
        environ={"INGEST_CONFORMANCE_API_KEY": "sk-very-secret"},
        overrides={"target_url": "https://sandbox.example", "second_api_key": "sk-other"},
    )
    assert "sk-very-secret" not in repr(cfg)
    assert "sk-very-secret" not in str(cfg.redacted())
    assert cfg.redacted()["api_key"] == "***"
    assert cfg.redacted()["second_api_key"] == "***"
    assert isinstance(cfg.api_key, Secret) and cfg.api_key.reveal() == "sk-very-secret"
    assert sorted(cfg.secrets()) == ["sk-other", "sk-very-secret"]


def test_heavy_probes_refused_against_production_unless_allowed() -> None:
    prod = load_config(environ={}, overrides={"target_url": "https://api.invofox.com", "api_key": "k"})
    assert prod.is_production and not prod.heavy_probes_allowed
    allowed = load_config(
        environ={}, overrides={"target_url": "https://api.invofox.com", "api_key": "k", "allow_heavy_probes": True}
    )
    assert allowed.heavy_probes_allowed
    assert load_config(environ={}).heavy_probes_allowed  # the bundled mock


def test_sample_profile_loads_and_documents_every_key() -> None:
    sample = Path(__file__).resolve().parents[2] / "profiles" / "sample.yaml"
    cfg = load_config(profile_file=sample, environ={})
    assert cfg.profile == Profile()
    text = sample.read_text()
    for key in [f.name for f in dataclasses.fields(Profile)]:
        assert f"{key}:" in text, f"profiles/sample.yaml does not document {key}"
