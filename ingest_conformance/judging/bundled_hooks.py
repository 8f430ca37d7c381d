"""Wiring the bundled mock to the run's webhook receiver: the mock flags, and the profile they imply.

When the suite starts the bundled mock it is also the operator who configures the mock's webhook: the
receiver's URL for environment A (and B's URL on the second path), a fresh secret, a custom header with a
fresh value, and a short delivery timeout so retry-by-timeout tests stay quick. The profile of the run is
set to match, so the checks judge exactly what was configured.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from ingest_conformance.config.target import Secret, TargetConfig
from ingest_conformance.webhooks.session import HookSession

# The bundled mock delivers within milliseconds: judge it against short windows so a missing event costs
# seconds, not the half minute a real sender gets.
BUNDLED_RECEIVER_TIMEOUT_S = 2.0
BUNDLED_DELAY_S = 3.0
CUSTOM_HEADER = "x-ingest-conformance-hook"


def bundled_mock_webhooks(config: TargetConfig, hooks: HookSession) -> tuple[list[str], TargetConfig]:
    """The mock flags that make it deliver to the receiver, and `config` with the profile to judge them by."""
    if hooks.receiver is None or hooks.primary_url is None or hooks.second_url is None:
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
    timeout = min(profile.webhook_receiver_timeout_s, BUNDLED_RECEIVER_TIMEOUT_S)
    flags += [
        "--webhook-algorithm",
        profile.webhook_signature_algorithm,
        "--webhook-max-retries",
        str(profile.webhook_max_retries),
        "--webhook-timeout-s",
        repr(timeout),
        "--webhook-url-b",
        hooks.second_url,
    ]
    if profile.webhook_method is not None:
        flags += ["--webhook-method", profile.webhook_method]
    hooks.second_registered = True
    judged = replace(
        profile,
        webhook_secret=Secret(secret),
        webhook_custom_headers=((CUSTOM_HEADER, header_value),),
        webhook_delay_s=min(profile.webhook_delay_s, BUNDLED_DELAY_S),
        webhook_receiver_timeout_s=timeout,
    )
    return flags, replace(config, profile=judged)
