"""The pre-flight check of a run's setup: `ingest-conformance doctor`, and the start of `run`.

It answers, in a few seconds, what a new user otherwise learns from a long run that skips or errors:
does the target answer, does each credential authenticate and as which environment (two different
ones for the isolation tests), can the target fetch from the suite's file server, is a webhook
receiver set up, how far apart are the clocks, and which settings the run will use.

Only what the setup decides is reported broken (✗, with the fix to make); what the target does with
a request that is not about the setup is left to the run to judge (it is reported, never blocks).
So a wrong key is ✗ and a by-URL upload answered 500 is not: the run's own tests catch that one.
Probes that the setup makes impossible (no second credential, a remote target without a public file
server URL) are "-": the run skips their tests with a reason, and the line says what to give.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import httpx

from ingest_conformance.judging.suite import Suite
from ingest_conformance.wire.client import TargetClient

# Clock skew beyond this is flagged ("-", with the figure): nothing in the contract compares clocks, so
# it never blocks a run; it only explains odd timestamps when reading a report.
MAX_CLOCK_SKEW_S = 300.0
TARGET_TIMEOUT_S = 10.0


class State(StrEnum):
    OK = "ok"
    BROKEN = "broken"  # the setup is wrong: the run would skip or error on it; exit 2
    OFF = "off"  # not configured or not decidable: the run skips what needs it; never blocks


MARKS = {State.OK: "✓", State.BROKEN: "✗", State.OFF: "-"}


@dataclass(frozen=True)
class Item:
    """One line of the pre-flight: what was checked, what was found, and the fix when it is broken."""

    name: str
    state: State
    found: str
    fix: str = ""

    def line(self) -> str:
        text = f"{MARKS[self.state]} {self.name}: {self.found}"
        return f"{text}: {self.fix}" if self.fix else text


# What the lead wires to the webhook receiver: None = the receiver saw a test delivery; else why not.
WebhookProbe = Callable[[], str | None]


@dataclass
class Preflight:
    items: list[Item] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def broken(self) -> list[Item]:
        return [item for item in self.items if item.state is State.BROKEN]

    @property
    def ok(self) -> bool:
        return not self.broken

    def lines(self) -> list[str]:
        return [item.line() for item in self.items]


def run_preflight(suite: Suite, *, webhooks: WebhookProbe | None = None) -> Preflight:
    """Every item, in order; stops after the target item when the target does not answer at all."""
    from ingest_conformance.flows.preflight_probes import check_credentials, check_file_server

    started = time.monotonic()
    result = Preflight()
    target, date_header, local_time = check_target(suite.base_url)
    result.items.append(target)
    if target.state is State.OK:
        result.items.append(clock_item(date_header, local_time))
        with TargetClient(
            suite.base_url, suite.credentials, rate_limit=suite.config.profile.rate_limit, timeout_s=TARGET_TIMEOUT_S
        ) as client:
            creds = check_credentials(client, suite)
            result.items += creds.items
            result.items.append(check_file_server(client, suite, creds.first_auth))
        result.items.append(webhook_item(webhooks))
    result.items.append(settings_item(suite))
    result.elapsed_s = time.monotonic() - started
    return result


def check_target(base_url: str) -> tuple[Item, str | None, float]:
    """Does anything answer HTTP at the base URL (any status)? Also its Date header and our clock then."""
    url = base_url + "/v1/ingest/imports"
    try:
        with httpx.Client(timeout=TARGET_TIMEOUT_S, follow_redirects=False) as http:
            sent = time.time()
            response = http.get(url)
            local = (sent + time.time()) / 2  # the Date was stamped somewhere in between
    except httpx.HTTPError as exc:
        found = f"no answer at {base_url} ({type(exc).__name__}: {str(exc)[:120] or 'no detail'})"
        return Item("target", State.BROKEN, found, "check --target-url, and that the server is up"), None, 0.0
    found = f"answers at {base_url} ({response.status_code} to GET /v1/ingest/imports without a credential)"
    return Item("target", State.OK, found), response.headers.get("date"), local


def clock_item(date_header: str | None, local_time: float) -> Item:
    """The skew between the target's clock (its `Date` header, 1 s resolution) and ours."""
    if not date_header:
        return Item("clock", State.OFF, "the target sends no Date header, so its clock skew is unknown")
    try:
        their = email.utils.parsedate_to_datetime(date_header).timestamp()
    except (TypeError, ValueError):
        return Item("clock", State.OFF, f"the Date header {date_header[:60]!r} does not parse")
    skew = their + 0.5 - local_time  # the Date header drops the fraction of its second: +0.5 s on average
    found = f"skew {round(skew) or 0:+d} s, ±1 s (the target's Date header against this machine's clock)"
    if abs(skew) > MAX_CLOCK_SKEW_S:
        note = f"more than {MAX_CLOCK_SKEW_S:.0f} s apart (reported only; no check compares clocks): NTP would fix it"
        return Item("clock", State.OFF, found, note)
    return Item("clock", State.OK, found)


def webhook_item(probe: WebhookProbe | None) -> Item:
    """The webhook receiver, when the run has one set up; `probe` asks it for a test delivery."""
    if probe is None:
        return Item("webhooks", State.OFF, "not configured")
    problem = probe()
    if problem is None:
        return Item("webhooks", State.OK, "the receiver got a test delivery")
    return Item("webhooks", State.BROKEN, "the receiver got no test delivery", problem)


def settings_item(suite: Suite) -> Item:
    """The settings as the run will use them: every profile setting, defaults decided (secrets never shown)."""
    config = suite.config
    profile = dict(config.redacted()["profile"])
    profile["allow_http_urls"] = suite.allow_http_urls  # None means "decided from the target": show the decision
    found = (
        f"level {config.level}, seed {suite.seed}, report dir {config.report_dir}"
        + (", strict" if config.strict else "")
        + (f", select {','.join(config.select)}" if config.select else "")
        + (f", expected failures {config.expected_failures}" if config.expected_failures else "")
        + "; profile "
        + ", ".join(f"{key}={_show(key, value)}" for key, value in profile.items())
    )
    return Item("settings", State.OK, found)


def _show(key: str, value: object) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    if value is None:
        return "none" if key in ("rate_limit", "file_server_public_url") else "either"
    return str(value)
