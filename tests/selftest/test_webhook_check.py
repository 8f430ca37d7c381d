"""`ingest-conformance webhook-check` against receivers written here on loopback: a correct one passes
every case, and each broken one (no signature check, slow ack, 500 on redelivery) is caught, as
the case that names its bug."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from ingest_conformance.cli.main import main

from .hookreceiver import Answer, Arrival, Policy, hook_receiver

pytestmark = pytest.mark.selftest

SECRET = "whsec-check-selftest"
KNOWN = {"file.processed", "file.rejected", "import.processed"}


def correct(arrival: Arrival, *, check_signature: bool = True, stall_s: float = 0.0, redelivery: int = 200) -> Answer:
    """What a receiver should do: verify the HMAC over the raw body, acknowledge at once (2xx),
    acknowledge a redelivery it already has (deduplicated on `id`), ignore unknown types."""
    if check_signature:
        given = arrival.headers.get("x-invofox-signature", "").removeprefix("sha256=")
        digest = hmac.new(SECRET.encode(), arrival.body, hashlib.sha256).digest()
        if not (
            hmac.compare_digest(given, digest.hex()) or hmac.compare_digest(given, base64.b64encode(digest).decode())
        ):
            return Answer(401)
    try:
        event = json.loads(arrival.body)
    except ValueError:
        return Answer(400)
    if arrival.nth > 1:
        return Answer(redelivery, stall_s=stall_s)  # already queued: nothing more to do
    return Answer(200 if event.get("type") in KNOWN else 202, stall_s=stall_s)


RECEIVERS: dict[str, Policy] = {
    "correct": correct,
    "no-signature-check": lambda a: correct(a, check_signature=False),
    "slow-ack": lambda a: correct(a, stall_s=1.0),
    "500-on-redelivery": lambda a: correct(a, redelivery=500),
}
CAUGHT_AS = {
    "correct": set(),
    "no-signature-check": {"bad-signature", "missing-signature"},
    "slow-ack": {
        "file-processed",
        "redelivery",
        "file-rejected",
        "import-processed",
        "numeric-timestamp",
        "extra-fields",
        "unknown-type",
        "zip-burst",
    },
    "500-on-redelivery": {"redelivery"},
}


def check(policy: Policy, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, dict[str, Any], str]:
    """Run webhook-check twice against one receiver: as JSON (returned) and as the table (its text)."""
    with hook_receiver(policy) as receiver:
        base = ["webhook-check", "--receiver-url", receiver.url + "/hooks/invofox?token=receiver-token", *flags]
        code = main([*base, "--json"])
        doc = json.loads(capsys.readouterr().out)
        table_code = main(base)
        table = capsys.readouterr().out
    assert code == table_code == doc["exit_code"]
    return code, doc, table


@pytest.mark.parametrize("name", list(RECEIVERS))
def test_each_receiver_is_judged_as_it_behaves(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    burst = "50" if name == "correct" else "10"
    timeout = "0.5" if name == "slow-ack" else "5"  # the slow one answers after 1 s
    code, doc, table = check(RECEIVERS[name], capsys, "--secret", SECRET, "--timeout-s", timeout, "--burst", burst)
    failed = {c["name"] for c in doc["cases"] if c["outcome"] == "fail"}
    assert failed == CAUGHT_AS[name], doc["cases"]
    assert code == (0 if name == "correct" else 1)
    assert len(doc["cases"]) == 10 and not any(c["outcome"] == "skip" for c in doc["cases"])
    burst_case = next(c for c in doc["cases"] if c["name"] == "zip-burst")
    assert len(burst_case["answers"]) == int(burst)
    for text in (json.dumps(doc), table):
        assert SECRET not in text and "receiver-token" not in text  # neither secret nor URL token printed
    assert f"-> exit {code}" in table


def test_a_receiver_refusing_unknown_types_gets_a_warning_not_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    def strict(a: Arrival) -> Answer:
        answer = correct(a)
        return Answer(400) if answer.status == 202 else answer

    code, doc, _ = check(strict, capsys, "--secret", SECRET, "--burst", "3")
    outcomes = {c["name"]: c["outcome"] for c in doc["cases"]}
    assert code == 0 and outcomes["unknown-type"] == "warn"


def test_redelivery_really_repeats_the_first_event_and_other_events_have_fresh_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[Arrival] = []

    def recording(a: Arrival) -> Answer:
        seen.append(a)
        return correct(a)

    check(recording, capsys, "--secret", SECRET, "--burst", "5", "--method", "PUT", "--header", "x-tenant: t1")
    first_run = seen[: len(seen) // 2]
    assert first_run[1].body == first_run[0].body and first_run[1].nth == 2
    ids = [json.loads(a.body)["id"] for a in first_run[1:]]
    assert len(set(ids)) == len(ids)  # only the redelivery reuses an id
    assert {a.method for a in seen} == {"PUT"} and all(a.headers["x-tenant"] == "t1" for a in seen)
    timestamps = [json.loads(a.body)["timestamp"] for a in first_run]
    assert any(isinstance(t, int) for t in timestamps) and any(isinstance(t, str) for t in timestamps)


def test_without_a_secret_the_signature_cases_are_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = check(lambda a: correct(a, check_signature=False), capsys, "--burst", "2")
    skipped = {c["name"] for c in doc["cases"] if c["outcome"] == "skip"}
    assert code == 0 and skipped == {"bad-signature", "missing-signature"}


@pytest.mark.parametrize(
    "encoding_flags", [["--encoding", "base64"], ["--signature-prefix"]], ids=["base64", "prefixed"]
)
def test_the_signature_forms_are_what_a_correct_receiver_verifies(
    encoding_flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = check(correct, capsys, "--secret", SECRET, "--burst", "2", *encoding_flags)
    assert code == 0


BAD_ARGS: list[list[str]] = [
    [],
    ["--receiver-url", "ftp://example/hook"],
    ["--receiver-url", "http://127.0.0.1:1/h", "--timeout-s", "0"],
    ["--receiver-url", "http://127.0.0.1:1/h", "--burst", "100000"],
    ["--receiver-url", "http://127.0.0.1:1/h", "--header", "no colon"],
    ["--receiver-url", "http://127.0.0.1:1/h", "--algorithm", "md5"],
]


@pytest.mark.parametrize("args", BAD_ARGS, ids=lambda a: " ".join(a) or "no-url")
def test_bad_arguments_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["webhook-check", *args]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_nothing_listening_exits_3_after_one_case(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["webhook-check", "--receiver-url", "http://127.0.0.1:9/hook", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 3 and len(doc["cases"]) == 1 and doc["cases"][0]["answers"][0]["unreachable"]
