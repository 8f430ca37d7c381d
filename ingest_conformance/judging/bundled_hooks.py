"""Wiring the bundled mock to the run's webhook receiver: the mock flags, and the profile they imply.

When the suite starts the bundled mock it is also the operator who configures the mock's webhook: the
receiver's URL for environment A (and B's URL on the second path), a fresh secret, a custom header with a
fresh value, and a short delivery timeout so retry-by-timeout tests stay quick. The profile of the run is
set to match, so the checks judge exactly what was configured.
"""

from __future__ import annotations

import argparse
import secrets
from dataclasses import replace

from ingest_conformance.config.target import Secret, TargetConfig
from ingest_conformance.webhooks.session import HookSession

# The bundled mock delivers within milliseconds: judge it against short windows so a missing event costs
# seconds, not the half minute a real sender gets.
BUNDLED_RECEIVER_TIMEOUT_S = 2.0
BUNDLED_DELAY_S = 3.0
CUSTOM_HEADER = "x-ingest-conformance-hook"


def mock_options() -> frozenset[str]:
    """Every flag `ingest-conformance mock` takes (read from its parser, no process started)."""
    from ingest_conformance.mock.cli import configure_parser

    parser = argparse.ArgumentParser(add_help=False)
    configure_parser(parser)
    return frozenset(parser._option_string_actions)


def bundled_mock_webhooks(config: TargetConfig, hooks: HookSession) -> tuple[list[str], TargetConfig]:
    """The mock flags that make it deliver to the receiver, and `config` with the profile to judge them by."""
    if hooks.receiver is None or hooks.primary_url is None or hooks.second_url is None:
        return [], config
    known = mock_options()
    if "--webhook-url" not in known:
        hooks.skip("webhooks not judged: the bundled mock of this build sends no webhooks (it has no --webhook-url)")
        return [], config
    profile = config.profile
    secret = profile.webhook_secret.reveal() if profile.webhook_secret is not None else secrets.token_urlsafe(24)
    header_value = secrets.token_hex(12)
    flags = [
        "--webhook-url",
        hooks.primary_url,
        "--webhook-secret",
        secret,
        "--webhook-header",
        f"{CUSTOM_HEADER}:{header_value}",
    ]
    if "--webhook-algorithm" in known:
        flags += ["--webhook-algorithm", profile.webhook_signature_algorithm]
    if profile.webhook_method is not None and "--webhook-method" in known:
        flags += ["--webhook-method", profile.webhook_method]
    if "--webhook-max-retries" in known:
        flags += ["--webhook-max-retries", str(profile.webhook_max_retries)]
    timeout = profile.webhook_receiver_timeout_s
    if "--webhook-timeout" in known:
        timeout = min(timeout, BUNDLED_RECEIVER_TIMEOUT_S)
        flags += ["--webhook-timeout", repr(timeout)]
    if "--second-webhook-url" in known:
        flags += ["--second-webhook-url", hooks.second_url]
        hooks.second_registered = True
    judged = replace(
        profile,
        webhook_secret=Secret(secret),
        webhook_custom_headers=((CUSTOM_HEADER, header_value),),
        webhook_delay_s=min(profile.webhook_delay_s, BUNDLED_DELAY_S),
        webhook_receiver_timeout_s=timeout,
    )
    return flags, replace(config, profile=judged)
