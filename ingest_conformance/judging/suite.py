"""The run-wide state of one conformance run: config, catalogue, spec, target, results.

Built once per pytest session by the plugin. When no target URL is configured, the bundled mock
is started on a free loopback port for the run (and stopped at the end) and its documented
default credentials are used.
"""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass, field, replace

import httpx

from ingest_conformance.config.target import Secret, TargetConfig
from ingest_conformance.judging.bundled_hooks import bundled_mock_webhooks
from ingest_conformance.judging.catalogue import Catalogue, load_catalogue
from ingest_conformance.judging.checks import CheckContext
from ingest_conformance.judging.expected import ExpectedFailures, load_expected_failures
from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.judging.results import RunResults
from ingest_conformance.judging.stalls import Stalls
from ingest_conformance.webhooks.session import HookSession, open_webhooks
from ingest_conformance.wire.client import EXCHANGE_TAPS, Credentials


@dataclass
class Suite:
    config: TargetConfig
    catalogue: Catalogue
    spec: OpenAPIDocument
    expected: ExpectedFailures
    results: RunResults
    base_url: str
    credentials: Credentials
    run_tag: str
    seed: int
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    hooks: HookSession | None = None  # the webhook receiver, or why webhooks are skipped (webhooks/session.py)
    stalls: Stalls = field(init=False)
    """Files that ran past processing_timeout_s: once two have, tests needing a final status skip (stalls.py)."""

    def __post_init__(self) -> None:
        self.stalls = Stalls(self.config.profile.processing_timeout_s)

    @property
    def ctx(self) -> CheckContext:
        return CheckContext(self.config, self.catalogue, self.spec)

    @property
    def poll_start_s(self) -> float:
        """First wait of a status poll (it then backs off): the bundled mock moves a file along in about
        25 ms, so a 50 ms first wait would idle most of each workflow. A loopback target (the bundled mock,
        also as the workers of a parallel run see it) costs nothing to poll; remote targets keep 50 ms."""
        return 0.005 if self.config.target_host in (None, "127.0.0.1", "localhost", "::1") else 0.05

    @property
    def allow_http_urls(self) -> bool:
        if self.config.profile.allow_http_urls is not None:
            return self.config.profile.allow_http_urls
        return self.config.target_host in (None, "127.0.0.1", "localhost", "::1")

    def unreachable_reason(self) -> str | None:
        """None when the target answers HTTP at all (any status); else why not, in one line."""
        try:
            with httpx.Client(timeout=10.0) as http:
                http.get(self.base_url + "/v1/ingest/imports")
        except httpx.TransportError as exc:
            return f"target unreachable at {self.base_url}: {type(exc).__name__}: {exc}"
        return None

    def close(self) -> None:
        self.results.finished_at = time.time()
        self._stack.close()

    @classmethod
    def start(cls, config: TargetConfig) -> Suite:
        catalogue = load_catalogue()
        spec = OpenAPIDocument(load_openapi())
        expected = load_expected_failures(config.expected_failures, set(catalogue.ids))
        seed = config.seed if config.seed is not None else random.SystemRandom().randrange(2**31)
        stack = contextlib.ExitStack()
        # The run tag is derived from the seed (random unless given), so the same seed sends the very same bytes.
        run_tag = f"ic-run-{seed}"
        # The receiver starts first: the bundled mock is told its URL when it starts.
        hooks = open_webhooks(stack, config, run_tag)
        if config.target_url is None:
            base_url, config = _start_bundled_mock(stack, config, hooks)
        else:
            base_url = config.target_url.rstrip("/")
        credentials = Credentials(
            config.api_key, config.access_token, config.second_api_key, config.second_access_token
        )
        results = RunResults(seed=seed, config=config.redacted())
        EXCHANGE_TAPS.append(results.traffic.tap)  # timings of every request, until the run closes
        stack.callback(EXCHANGE_TAPS.remove, results.traffic.tap)
        # A per-run tag on everything we create (above), so shared sandboxes can tell our uploads apart.
        return cls(config, catalogue, spec, expected, results, base_url, credentials, run_tag, seed, stack, hooks)


def _start_bundled_mock(
    stack: contextlib.ExitStack, config: TargetConfig, hooks: HookSession
) -> tuple[str, TargetConfig]:
    from ingest_conformance.mock.process import MockProcess, settings_flags
    from ingest_conformance.mock.settings import MockSettings

    # Quick to process: the bundled mock is a stand-in, not a load test (each lifecycle step waits
    # processing_delay; polls start at `poll_start_s`). The selftests pass at this delay too. It runs quiet,
    # in its own process (mock/process.py says why).
    settings = MockSettings(max_request_bytes=config.profile.max_request_bytes, processing_delay=0.01)
    hook_flags, config = bundled_mock_webhooks(config, hooks)
    running = MockProcess(settings_flags(settings) + hook_flags)
    stack.callback(running.stop)
    config = replace(
        config,
        api_key=Secret(settings.api_key),
        access_token=Secret(settings.access_token),
        second_api_key=Secret(settings.second_api_key),
        second_access_token=Secret(settings.second_access_token),
    )
    return running.base_url, config
