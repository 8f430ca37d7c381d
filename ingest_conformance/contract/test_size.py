"""Request bodies around profile `max_request_bytes` (SIZE-*, ERR-MULTI-001, ERR-5XX-001).

Every body is exactly the size named: the multipart framing and the `info` part are counted in. Whether a
target counts MB or MiB, the whole body or each file part, is not documented, so DECISIONS judges the limit
with a band, profile `size_tolerance` (default 5 %): a body of at most limit x (1 - tol) ("under") must be
accepted and end processed, one of at least limit x (1 + tol) ("over") must get 413, and what happens in
between is recorded (SIZE-BAND-001, INFO). With `size_tolerance=0` under is the limit itself and over is
limit+1: the exact byte. Quick and standard runs send under and over once per framing to uploads; full adds
single and by-url, a 2x overshoot and the band's inside.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from ingest_conformance.flows.sizing import (
    CHUNKED,
    CONTENT_LENGTH,
    OPERATIONS,
    judge_refused,
    probe_oversized,
    require_heavy,
    send_within_limit,
    sized_body,
)
from ingest_conformance.flows.upload import flow
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import TargetClient

FRAMING_RID = {CONTENT_LENGTH: "SIZE-413-001", CHUNKED: "SIZE-413-002"}
FULL = pytest.mark.level("full")


def under_size(suite: Suite) -> int:
    """The largest body that must be accepted: limit x (1 - size_tolerance), the limit itself at 0."""
    profile = suite.config.profile
    return math.floor(profile.max_request_bytes * (1 - profile.size_tolerance))


def over_size(suite: Suite) -> int:
    """The smallest body that must get 413: limit x (1 + size_tolerance), limit+1 at 0."""
    profile = suite.config.profile
    return max(profile.max_request_bytes + 1, math.ceil(profile.max_request_bytes * (1 + profile.size_tolerance)))


def oversized_case(operation: str, framing: str, overshoot: str, *, full: bool = False) -> Any:
    marks = [pytest.mark.requirement(FRAMING_RID[framing], "SIZE-413-003", "ERR-5XX-001")]
    return pytest.param(
        operation, framing, overshoot, marks=[*marks, FULL] if full else marks, id=f"{operation}-{framing}-{overshoot}"
    )


OVERSIZED = [
    oversized_case("uploads", CONTENT_LENGTH, "over"),
    oversized_case("uploads", CHUNKED, "over"),
    oversized_case("uploads", CONTENT_LENGTH, "2x", full=True),
    oversized_case("uploads", CHUNKED, "2x", full=True),
    *(
        oversized_case(op, framing, "over", full=True)
        for op in ("single", "by-url")
        for framing in (CONTENT_LENGTH, CHUNKED)
    ),
]


def overshoot_size(suite: Suite, overshoot: str) -> int:
    return max(2 * suite.config.profile.max_request_bytes, over_size(suite)) if overshoot == "2x" else over_size(suite)


@pytest.mark.parametrize(("operation", "framing", "overshoot"), OVERSIZED)
def test_oversized_body_gets_413(verdict: Verdict, suite: Suite, operation: str, framing: str, overshoot: str) -> None:
    require_heavy(suite, "oversized bodies")
    size = overshoot_size(suite, overshoot)
    path, operation_id = OPERATIONS[operation]
    what = f"a {operation} body of {size} bytes ({overshoot}: {band(suite)}), {framing}"
    sent = probe_oversized(suite, verdict, path, sized_body(suite, operation, size), framing, note=what)
    judge_refused(verdict, sent, FRAMING_RID[framing], operation_id, {413}, what)


@pytest.mark.requirement("SIZE-413-003", "SIZE-413-001", "ERR-5XX-001")
@pytest.mark.level("standard")
def test_early_answer_to_an_oversized_body_is_read(verdict: Verdict, suite: Suite) -> None:
    """`Expect: 100-continue` invites the target to answer before the body; the probe sends it anyway
    (as clients do once their wait runs out), so a target that answers 413 and closes is read early."""
    require_heavy(suite, "oversized bodies")
    size = over_size(suite)
    what = f"an uploads body of {size} bytes with Expect: 100-continue"
    sent = probe_oversized(
        suite,
        verdict,
        "/v1/ingest/uploads",
        sized_body(suite, "uploads", size),
        CONTENT_LENGTH,
        extra_headers=(("Expect", "100-continue"),),
        note=what,
    )
    judge_refused(verdict, sent, "SIZE-413-001", "uploadFiles", {413}, what)


def within_case(operation: str, framing: str, *, full: bool = False) -> Any:
    marks = [
        pytest.mark.requirement(
            "SIZE-OK-001", "RESP-POST-001", "RESP-SCHEMA-001", "RAW-READ-001", "LIFE-STATUS-003", "ERR-5XX-001"
        )
    ]
    return pytest.param(operation, framing, marks=[*marks, FULL] if full else marks, id=f"{operation}-{framing}-under")


WITHIN = [
    within_case("uploads", CONTENT_LENGTH),
    within_case("uploads", CHUNKED),
    within_case("single", CONTENT_LENGTH, full=True),
    within_case("single", CHUNKED, full=True),
]


def band(suite: Suite) -> str:
    profile = suite.config.profile
    return (
        f"max_request_bytes {profile.max_request_bytes}, size_tolerance {profile.size_tolerance:g}: "
        f"accepted up to {under_size(suite)}, 413 from {over_size(suite)}"
    )


@pytest.mark.parametrize(("operation", "framing"), WITHIN)
def test_allowed_file_under_the_limit_is_accepted(
    client: TargetClient, verdict: Verdict, suite: Suite, operation: str, framing: str
) -> None:
    """A valid PDF whose request is at the band's lower edge is accepted and ends processed like any valid
    file: an upload stored truncated (or refused on the way in) fails SIZE-OK-001."""
    require_heavy(suite, f"bodies of about max_request_bytes ({suite.config.profile.max_request_bytes} bytes)")
    size = under_size(suite)
    path, operation_id = OPERATIONS[operation]
    what = f"a valid PDF in a {operation} body of {size} bytes ({band(suite)}), {framing}"
    sent = send_within_limit(client, path, sized_body(suite, operation, size), framing, note=what)
    ex = sent.exchange
    verdict.require(
        "SIZE-OK-001",
        ex.status is not None and 200 <= ex.status < 300,
        received=f"{ex.status or ex.error}",
        exchange=ex,
        documented="an allowed file whose request stays under the band is accepted",
        message=f"{what}: {sent.figures()}",
    )
    result = flow(verdict, client, suite, ex, operation_id)
    for file_id, poll in result.polls.items():
        verdict.require(
            "SIZE-OK-001",
            poll.final_status == "processed",
            received=f"file {file_id} ends {poll.final_status!r} ({(poll.body or {}).get('error')})",
            exchange=poll.last,
            documented="the accepted file ends processed like any valid file (not stored truncated)",
            message=what,
        )


@pytest.mark.requirement("SIZE-BAND-001", "ERR-5XX-001")
@pytest.mark.level("full")
@pytest.mark.parametrize("where", ["limit", "limit+1"])
def test_body_inside_the_band_is_recorded(client: TargetClient, verdict: Verdict, suite: Suite, where: str) -> None:
    """Inside the band (MB vs MiB, whole body vs file part) a target may accept or refuse with 413; never 5xx."""
    require_heavy(suite, "bodies of about max_request_bytes")
    limit = suite.config.profile.max_request_bytes
    size = limit if where == "limit" else limit + 1
    if not under_size(suite) < size < over_size(suite):
        pytest.skip(f"size_tolerance {suite.config.profile.size_tolerance:g}: {size} bytes is not inside the band")
    what = f"an uploads body of {size} bytes ({where}; {band(suite)})"
    body = sized_body(suite, "uploads", size)
    sent = probe_oversized(suite, verdict, "/v1/ingest/uploads", body, CONTENT_LENGTH, note=what)
    verdict.answered(sent.exchange, "uploadFiles", what)
    verdict.observe("SIZE-BAND-001", f"{what}: {sent.exchange.status or sent.exchange.error}", sent.exchange)


def multi_case(framing: str, *, full: bool = False) -> Any:
    marks = [pytest.mark.requirement("ERR-MULTI-001", "SIZE-413-003", "ERR-5XX-001")]
    return pytest.param(framing, marks=[*marks, FULL] if full else marks, id=framing)


@pytest.mark.parametrize("framing", [multi_case(CONTENT_LENGTH), multi_case(CHUNKED, full=True)])
def test_no_credential_and_oversized(verdict: Verdict, suite: Suite, framing: str) -> None:
    """Two rules broken at once: either refusal is right (auth failure statuses or 413), nothing else."""
    require_heavy(suite, "oversized bodies")
    size = over_size(suite)
    what = f"an uploads body of {size} bytes with no credential"
    sent = probe_oversized(
        suite, verdict, "/v1/ingest/uploads", sized_body(suite, "uploads", size), framing, auth="none", note=what
    )
    judge_refused(
        verdict, sent, "ERR-MULTI-001", "uploadFiles", {413, *suite.config.profile.auth_failure_statuses}, what
    )
