"""The run's webhook set-up: whether webhooks can be judged at all, and the receiver when they can.

Webhooks are judged when the target can be told where to deliver:
- the bundled mock: the suite starts the receiver first and hands the mock its URL (judging/suite.py);
- a target with profile `webhook_public_url`: the operator registered that URL (a tunnel to the receiver,
  which listens on `--webhook-listen`, default 127.0.0.1:8765) in the target's webhook configuration;
- a loopback target with `--webhook-listen`: the operator configured it to deliver to that address.
Anything else skips the whole feature with one reason (`skip_reason`), never a failure.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field

from ingest_conformance.config.target import ConfigError, TargetConfig
from ingest_conformance.config.webhook_settings import listen_address
from ingest_conformance.webhooks.events import Ours
from ingest_conformance.webhooks.receiver import PRIMARY_PATH, SECOND_PATH, Receiver

DEFAULT_TUNNEL_LISTEN = "127.0.0.1:8765"  # where a tunnel forwards to when only webhook_public_url is given
LOOPBACK_HOSTS = (None, "127.0.0.1", "localhost", "::1")
SETUP_DOC = "docs/webhooks.md"

__all__ = ["DEFAULT_TUNNEL_LISTEN", "HookSession", "open_webhooks"]


@dataclass
class HookSession:
    """The receiver of the run (None when skipped), why webhooks are skipped, and what is ours."""

    receiver: Receiver | None
    skip_reason: str | None
    ours: Ours
    # Whether the second environment delivers to SECOND_PATH: known for the bundled mock; for other
    # targets the operator may have registered it (deliveries there then show it).
    second_registered: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def primary_url(self) -> str | None:
        return self.receiver.url(PRIMARY_PATH) if self.receiver is not None else None

    @property
    def second_url(self) -> str | None:
        return self.receiver.url(SECOND_PATH) if self.receiver is not None else None

    def skip(self, reason: str) -> None:
        """Webhooks cannot be judged after all (e.g. the bundled mock sends none): say why."""
        self.skip_reason = reason


def open_webhooks(stack: contextlib.ExitStack, config: TargetConfig, run_tag: str) -> HookSession:
    """Start the receiver when webhooks can be judged (closed with `stack`); else a session with the reason."""
    profile = config.profile
    ours = Ours(run_tag)
    listen = config.webhook_listen
    if os.environ.get("PYTEST_XDIST_WORKER") and listen is None and profile.webhook_public_url is None:
        # The target was configured (if at all) by the controller, with the controller's receiver.
        return HookSession(
            None,
            "webhooks not judged in a parallel run: deliveries reach one receiver, not each worker's; "
            "run the webhook tests with --workers 1",
            ours,
        )
    if config.uses_bundled_mock:
        listen = listen or "127.0.0.1:0"
    elif profile.webhook_public_url is not None:
        listen = listen or DEFAULT_TUNNEL_LISTEN
    elif config.target_host not in LOOPBACK_HOSTS:
        return HookSession(
            None,
            f"webhooks not configured: the remote target {config.target_host} cannot reach the suite's receiver; "
            f"set profile webhook_public_url to a public URL forwarding to it and register it in the target's "
            f"webhook configuration ({SETUP_DOC})",
            ours,
        )
    elif listen is None:
        return HookSession(
            None,
            "webhooks not configured: the suite did not start this loopback target, so the target cannot know "
            f"where to deliver; configure its webhook to http://127.0.0.1:PORT{PRIMARY_PATH} and pass "
            f"--webhook-listen 127.0.0.1:PORT ({SETUP_DOC})",
            ours,
        )
    host, port = listen_address(listen)
    receiver = Receiver(
        host, port, public_url=profile.webhook_public_url, signature_header=profile.webhook_signature_header
    )
    try:
        receiver.start()
    except OSError as exc:
        raise ConfigError(f"webhook_listen {listen}: {exc}") from None
    stack.callback(receiver.close)
    return HookSession(receiver, None, ours)
