"""The pre-flight's items without a network: lines, the clock, webhooks, and the environment rules."""

from __future__ import annotations

import email.utils
import time

import pytest

from ingest_conformance.flows.preflight import (
    MAX_CLOCK_SKEW_S,
    Item,
    Preflight,
    State,
    check_target,
    clock_item,
    webhook_item,
)
from ingest_conformance.flows.preflight_probes import _paired
from ingest_conformance.wire.client import Auth

ENV_A = "66d721f5ee90270bfac654a0"
ENV_B = "66d721f5ee90270bfac654b0"


def test_lines_carry_mark_finding_and_fix() -> None:
    assert Item("x", State.OK, "fine").line() == "✓ x: fine"
    assert Item("x", State.BROKEN, "wrong", "do this").line() == "✗ x: wrong: do this"
    assert Item("x", State.OFF, "not set up").line() == "- x: not set up"


def test_only_broken_items_fail_the_preflight() -> None:
    result = Preflight([Item("a", State.OK, "ok"), Item("b", State.OFF, "off")])
    assert result.ok
    result.items.append(Item("c", State.BROKEN, "bad", "fix"))
    assert not result.ok and [i.name for i in result.broken] == ["c"]


def test_clock_within_bounds_is_fine() -> None:
    now = time.time()
    item = clock_item(email.utils.formatdate(now, usegmt=True), now)
    assert item.state is State.OK and "skew +0 s" in item.found


@pytest.mark.parametrize("sign", [1, -1])
def test_clock_far_off_is_reported_never_blocking(sign: int) -> None:
    now = time.time()
    item = clock_item(email.utils.formatdate(now + sign * (MAX_CLOCK_SKEW_S + 60), usegmt=True), now)
    assert item.state is State.OFF and "reported only" in item.fix
    assert item.found.startswith("skew +" if sign > 0 else "skew -")


def test_clock_without_a_usable_date_is_unknown() -> None:
    assert clock_item(None, time.time()).state is State.OFF
    assert clock_item("yesterday-ish", time.time()).state is State.OFF


def test_webhooks() -> None:
    assert webhook_item(None).line() == "- webhooks: not configured"
    assert webhook_item(lambda: None).state is State.OK
    broken = webhook_item(lambda: "set webhook_public_url to the receiver's public URL")
    assert broken.state is State.BROKEN and broken.fix.startswith("set webhook_public_url")


def test_a_target_that_does_not_answer_is_broken() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    item, date, _ = check_target(f"http://127.0.0.1:{port}")
    assert item.state is State.BROKEN and date is None and "--target-url" in item.fix


def ok(label: str, env: str) -> Item:
    return Item(label, State.OK, f"authenticates as environment {env}")


def test_second_key_of_another_environment_holds() -> None:
    envs: dict[Auth, str | None] = {"api_key": ENV_A, "second_api_key": ENV_B}
    item = _paired(ok("second API key", ENV_B), "second_api_key", envs)
    assert item.state is State.OK and f"another than the first ({ENV_A})" in item.found


def test_second_key_of_the_same_environment_is_broken() -> None:
    envs: dict[Auth, str | None] = {"api_key": ENV_A, "second_api_key": ENV_A}
    item = _paired(ok("second API key", ENV_A), "second_api_key", envs)
    assert item.line() == (
        f"✗ second API key: authenticates as the same environment ({ENV_A}) as the first: "
        "give a key of another environment with --second-api-key"
    )


def test_access_token_of_another_environment_than_the_key_is_broken() -> None:
    envs: dict[Auth, str | None] = {"api_key": ENV_A, "access_token": ENV_B}
    item = _paired(ok("access token", ENV_B), "access_token", envs)
    assert item.state is State.BROKEN and "--access-token" in item.fix


def test_second_pair_must_agree() -> None:
    envs: dict[Auth, str | None] = {"api_key": ENV_A, "second_api_key": ENV_B, "second_access_token": "c" * 24}
    item = _paired(ok("second access token", "c" * 24), "second_access_token", envs)
    assert item.state is State.BROKEN and "--second-access-token" in item.fix


def test_an_unknown_environment_is_not_judged() -> None:
    envs: dict[Auth, str | None] = {"api_key": ENV_A, "second_api_key": None}
    item = Item("second API key", State.OK, "authenticates (the upload answer names no environmentId)")
    assert _paired(item, "second_api_key", envs) is item
