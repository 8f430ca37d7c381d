"""Webhook signatures: every form DECISIONS.md accepts verifies; plain hashes, other algorithms and
re-serialised bodies do not, and the reason says which mistake it was."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from ingest_conformance.webhooks.signature import ALGORITHMS, sign, verify

pytestmark = pytest.mark.unit

BODY = b'{"type":"file.processed","id":"675e1a2b8f7d06899790871d","data":{"id":"66f580d3bee75c4a542daabb"}}'
SECRET = "whsec-unit-0123456789"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("encoding", ["hex", "base64"])
@pytest.mark.parametrize("prefix", [False, True])
def test_every_accepted_form_verifies(algorithm: str, encoding: str, prefix: bool) -> None:
    value = sign(BODY, SECRET, algorithm, encoding=encoding, prefix=prefix)  # type: ignore[arg-type]
    result = verify(BODY, value, SECRET, algorithm)  # type: ignore[arg-type]
    assert result.ok, result.detail
    assert algorithm in result.detail and encoding in result.detail


def test_forms_a_sender_may_choose_verify() -> None:
    digest = hmac.new(SECRET.encode(), BODY, "sha256").digest()
    for value in (
        digest.hex().upper(),
        base64.urlsafe_b64encode(digest).decode().rstrip("="),
        f"  SHA256={digest.hex()}  ",
    ):
        assert verify(BODY, value, SECRET, "sha256").ok, value


def test_the_sign_helper_is_a_real_hmac() -> None:
    assert sign(BODY, SECRET) == hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "no signature header"),
        ("   ", "an empty signature header"),
        (hashlib.sha256(BODY).hexdigest(), "plain sha256 hash of the body, not an HMAC"),
        (sign(BODY, SECRET, "sha1"), "a sha1-sized value where the profile says sha256"),
        (sign(BODY, SECRET, "sha256", prefix=True).replace("sha256=", "sha1="), "prefix names sha1"),
        (sign(BODY, "another-secret"), "does not match HMAC-sha256"),
        ("not-a-digest", "not a hex or base64 sha256 digest"),
    ],
    ids=["absent", "empty", "plain-hash", "other-algorithm", "wrong-prefix", "wrong-secret", "garbage"],
)
def test_wrong_signatures_fail_with_the_reason(value: str | None, reason: str) -> None:
    result = verify(BODY, value, SECRET, "sha256")
    assert not result.ok
    assert reason in result.detail


def test_a_body_re_serialised_after_signing_fails() -> None:
    value = sign(BODY, SECRET)
    reserialised = json.dumps(json.loads(BODY), indent=1).encode()
    assert verify(BODY, value, SECRET, "sha256").ok
    assert not verify(reserialised, value, SECRET, "sha256").ok
