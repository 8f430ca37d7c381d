"""The mock's webhook knobs without a socket: validation, flags, personalities, the signature form."""

from __future__ import annotations

import argparse

import pytest

from ingest_conformance.mock import cli
from ingest_conformance.mock.personalities import WEBHOOK_PERSONALITIES, cli_flags
from ingest_conformance.mock.settings import DEFAULTS, WEBHOOK_EVENT_TYPES, MockSettings
from ingest_conformance.mock.webhooks import signature

pytestmark = pytest.mark.unit
URL = "http://127.0.0.1:9/a"


def _parse(*flags: str) -> MockSettings:
    parser = argparse.ArgumentParser(prog="mock")
    cli.configure_parser(parser)
    return cli.settings_from(parser.parse_args(list(flags)))


def test_webhooks_are_off_by_default_and_subscribe_to_the_three_ingest_events() -> None:
    assert DEFAULTS.webhook_url == "" and DEFAULTS.webhook_secret == ""
    assert DEFAULTS.webhook_events == WEBHOOK_EVENT_TYPES
    assert (DEFAULTS.webhook_timeout_s, DEFAULTS.webhook_max_retries) == (30.0, 3)
    assert DEFAULTS.webhook_signature_header == "x-invofox-signature"


def test_every_webhook_flag_reaches_the_settings() -> None:
    settings = _parse(
        *("--webhook-url", URL, "--webhook-url-b", "http://127.0.0.1:9/b", "--webhook-secret", "s"),
        *("--webhook-algorithm", "sha512", "--webhook-encoding", "base64", "--webhook-signature-prefix"),
        *("--webhook-signature-header", "x-sig", "--webhook-method", "PUT"),
        *("--webhook-header", "X-A: 1", "--webhook-header", "authorization:Bearer t"),
        *("--webhook-events", "file.rejected, import.processed", "--webhook-timeout-s", "1.5"),
        *("--webhook-max-retries", "0", "--webhook-retry-delay-s", "0.1", "--webhook-retry-after-max-s", "2"),
        *("--webhook-send-delay-s", "0.5", "--webhook-timestamp", "epoch-ms"),
        *("--webhook-queue-size", "5", "--webhook-concurrency", "2"),
    )
    assert settings == MockSettings(
        webhook_url=URL,
        webhook_url_b="http://127.0.0.1:9/b",
        webhook_secret="s",
        webhook_algorithm="sha512",
        webhook_encoding="base64",
        webhook_signature_prefix=True,
        webhook_signature_header="x-sig",
        webhook_method="PUT",
        webhook_headers=(("X-A", "1"), ("authorization", "Bearer t")),
        webhook_events=("file.rejected", "import.processed"),
        webhook_timeout_s=1.5,
        webhook_max_retries=0,
        webhook_retry_delay_s=0.1,
        webhook_retry_after_max_s=2.0,
        webhook_send_delay_s=0.5,
        webhook_timestamp="epoch-ms",
        webhook_queue_size=5,
        webhook_concurrency=2,
    )
    assert _parse() == DEFAULTS


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"webhook_url": "127.0.0.1:9"}, "webhook_url must be an http"),
        ({"webhook_url_b": URL}, "webhook_url_b needs webhook_url"),
        ({"webhook_url": URL, "webhook_events": ("document.created",)}, "unknown webhook event"),
        ({"webhook_signature_header": "x sig"}, "webhook_signature_header must be a header name"),
        ({"webhook_headers": (("a:b", "c"),)}, "is not a header name"),
        ({"webhook_timeout_s": 0.0}, "webhook_timeout_s must be more than 0"),
        ({"webhook_max_retries": -1}, "webhook_max_retries must not be negative"),
        ({"webhook_queue_size": 0}, "webhook_queue_size and webhook_concurrency"),
    ],
)
def test_bad_webhook_settings_are_refused_in_one_line(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MockSettings(**overrides)  # type: ignore[arg-type]


def test_public_view_hides_the_secret_and_custom_header_values() -> None:
    view = MockSettings(webhook_url=URL, webhook_secret="s3", webhook_headers=(("authorization", "tok"),)).public_view()
    assert "webhook_secret" not in view and view["webhook_secret_set"] is True
    assert view["webhook_headers"] == ["authorization"]


def test_webhook_personalities_are_valid_flags() -> None:
    assert set(WEBHOOK_PERSONALITIES) == {
        "webhook-put",
        "webhook-base64",
        "webhook-prefixed",
        "webhook-slow",
        "webhook-epoch-timestamps",
    }
    for name, overrides in WEBHOOK_PERSONALITIES.items():
        settings = MockSettings(webhook_url=URL, **overrides)
        assert _parse("--webhook-url", URL, *cli_flags(overrides)) == settings, name
        assert settings.webhook_send_delay_s < 30  # within the profile's default webhook_delay_s


def test_signature_is_the_rfc_4231_hmac_in_each_form() -> None:
    key, data = "Jefe", b"what do ya want for nothing?"
    hexed = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"  # RFC 4231 test case 2
    assert signature(key, data, "sha256", "hex", False) == hexed
    assert signature(key, data, "sha256", "hex", True) == "sha256=" + hexed
    assert signature(key, data, "sha256", "base64", False) == "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
    assert signature(key, data, "sha1", "hex", False) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
