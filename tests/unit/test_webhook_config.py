"""Webhook settings: typed and checked like every setting, secrets kept out of views, and the set-up
decision (receiver or one skip reason) for each kind of target."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from ingest_conformance.config.target import ConfigError, Profile, load_config
from ingest_conformance.webhooks.session import open_webhooks

pytestmark = pytest.mark.unit


def test_settings_are_coerced_from_text() -> None:
    cfg = load_config(
        environ={"INGEST_CONFORMANCE_WEBHOOK_SECRET": "whsec-long-secret"},
        overrides={
            "webhook_events": "file.processed, import.processed",
            "webhook_custom_headers": "X-Token:abcdefgh12345,x-env:a",
            "webhook_method": "put",
            "webhook_signature_algorithm": "SHA512",
            "webhook_signature_header": "X-Signature",
            "webhook_max_retries": "5",
            "webhook_delay_s": "2.5",
            "webhook_listen": "127.0.0.1:8765",
        },
    )
    p = cfg.profile
    assert p.webhook_events == ("file.processed", "import.processed")
    assert p.webhook_custom_headers == (("x-token", "abcdefgh12345"), ("x-env", "a"))
    assert (p.webhook_method, p.webhook_signature_algorithm, p.webhook_signature_header) == (
        "PUT",
        "sha512",
        "x-signature",
    )
    assert (p.webhook_max_retries, p.webhook_delay_s, cfg.webhook_listen) == (5, 2.5, "127.0.0.1:8765")
    assert load_config(environ={}, overrides={"webhook_method": "either"}).profile.webhook_method is None


def test_a_mapping_of_custom_headers_in_a_profile_file(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("profile:\n  webhook_custom_headers:\n    X-Tenant: acme\n")
    assert load_config(profile_file=profile, environ={}).profile.webhook_custom_headers == (("x-tenant", "acme"),)


def test_the_secret_and_long_header_values_never_show() -> None:
    cfg = load_config(
        environ={},
        overrides={"webhook_secret": "whsec-long-secret", "webhook_custom_headers": "x-t:abcdefgh12345,x-e:a"},
    )
    view = str(cfg.redacted())
    assert "whsec-long-secret" not in view and "abcdefgh12345" not in view and "whsec" not in repr(cfg)
    assert cfg.redacted()["profile"]["webhook_secret"] == "***"
    assert "whsec-long-secret" in cfg.secrets() and "abcdefgh12345" in cfg.secrets()
    assert "a" not in cfg.secrets()  # a one-letter value would garble every report if scrubbed


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"webhook_method": "PATCH"}, "expected POST, PUT or either"),
        ({"webhook_signature_algorithm": "md5"}, "expected sha1, sha256 or sha512"),
        ({"webhook_events": "file processed"}, "event types"),
        ({"webhook_custom_headers": "novalue"}, "NAME:VALUE"),
        ({"webhook_custom_headers": "bad name:1"}, "not HTTP header names"),
        ({"webhook_receiver_timeout_s": "0"}, "positive number"),
        ({"webhook_max_retries": "-1"}, "0 or more"),
        ({"webhook_public_url": "tunnel.example"}, "absolute http(s) URL"),
        ({"webhook_listen": "8765"}, "HOST:PORT"),
    ],
    ids=["method", "algorithm", "event", "header-pair", "header-name", "timeout", "retries", "public-url", "listen"],
)
def test_bad_values_give_one_clear_error(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(environ={}, overrides=overrides)


def _open(**overrides: str) -> tuple[str | None, str | None]:
    with contextlib.ExitStack() as stack:
        session = open_webhooks(stack, load_config(environ={}, overrides=overrides), "ic-run-1")
        return (session.primary_url, session.skip_reason)


def test_the_set_up_decision_per_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    url, reason = _open()  # the bundled mock: a receiver on a free loopback port
    assert (
        reason is None and url is not None and url.startswith("http://127.0.0.1:") and url.endswith("/webhooks/primary")
    )
    remote = {"target_url": "https://sandbox.example", "api_key": "k"}
    url, reason = _open(**remote)
    assert url is None and reason is not None and "webhook_public_url" in reason
    url, reason = _open(**remote, webhook_public_url="https://t.example/", webhook_listen="127.0.0.1:0")
    assert reason is None and url == "https://t.example/webhooks/primary"
    local = {"target_url": "http://127.0.0.1:9", "api_key": "k"}
    url, reason = _open(**local)
    assert url is None and reason is not None and "--webhook-listen" in reason
    url, reason = _open(**local, webhook_listen="127.0.0.1:0")
    assert reason is None and url is not None
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    url, reason = _open(**local)
    assert url is None and reason is not None and "--workers 1" in reason


def test_a_busy_listen_address_is_a_configuration_error() -> None:
    with contextlib.ExitStack() as stack:
        first = open_webhooks(stack, load_config(environ={}, overrides={"webhook_listen": "127.0.0.1:0"}), "t")
        assert first.receiver is not None
        port = first.receiver.local_url.rsplit(":", 1)[1]
        with pytest.raises(ConfigError, match=r"webhook_listen 127\.0\.0\.1:"):
            open_webhooks(stack, load_config(environ={}, overrides={"webhook_listen": f"127.0.0.1:{port}"}), "t")


def test_profile_defaults_keep_webhooks_unsigned_and_either_method() -> None:
    p = Profile()
    assert p.webhook_secret is None and p.webhook_method is None and p.webhook_custom_headers == ()
