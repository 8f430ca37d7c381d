"""Request bodies around profile `max_request_bytes` (SIZE-*, ERR-MULTI-001, ERR-5XX-001).

Every body is exactly the size named: the multipart framing and the `info` part are counted in, so
limit-1 and limit+1 straddle the limit by one byte. Quick and standard runs send limit-1 and limit+1
once per framing to uploads; full adds single and by-url, the exact limit and a 2x overshoot.
"""

from __future__ import annotations

from typing import Any

import pytest

from ingest_conformance.flows.sizing import (
    CHUNKED,
    CONTENT_LENGTH,
    OPERATIONS,
    judge_all,
    judge_refused,
    probe_oversized,
    require_heavy,
    send_within_limit,
    sized_body,
)
from ingest_conformance.flows.upload import Uploaded, read_back, upload_answer
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import TargetClient

FRAMING_RID = {CONTENT_LENGTH: "SIZE-413-001", CHUNKED: "SIZE-413-002"}
FULL = pytest.mark.level("full")


def oversized_case(operation: str, framing: str, overshoot: str, *, full: bool = False) -> Any:
    marks = [pytest.mark.requirement(FRAMING_RID[framing], "SIZE-413-003", "ERR-5XX-001")]
    return pytest.param(
        operation, framing, overshoot, marks=[*marks, FULL] if full else marks, id=f"{operation}-{framing}-{overshoot}"
    )


OVERSIZED = [
    oversized_case("uploads", CONTENT_LENGTH, "limit+1"),
    oversized_case("uploads", CHUNKED, "limit+1"),
    oversized_case("uploads", CONTENT_LENGTH, "2x", full=True),
    oversized_case("uploads", CHUNKED, "2x", full=True),
    *(
        oversized_case(op, framing, "limit+1", full=True)
        for op in ("single", "by-url")
        for framing in (CONTENT_LENGTH, CHUNKED)
    ),
]


def overshoot_size(limit: int, overshoot: str) -> int:
    return 2 * limit if overshoot == "2x" else limit + 1


@pytest.mark.parametrize(("operation", "framing", "overshoot"), OVERSIZED)
def test_oversized_body_gets_413(verdict: Verdict, suite: Suite, operation: str, framing: str, overshoot: str) -> None:
    require_heavy(suite, "oversized bodies")
    size = overshoot_size(suite.config.profile.max_request_bytes, overshoot)
    path, operation_id = OPERATIONS[operation]
    what = f"a {operation} body of {size} bytes ({overshoot} of max_request_bytes), {framing}"
    sent = probe_oversized(suite, verdict, path, sized_body(suite, operation, size), framing, note=what)
    judge_refused(verdict, sent, FRAMING_RID[framing], operation_id, {413}, what)


@pytest.mark.requirement("SIZE-413-003", "SIZE-413-001", "ERR-5XX-001")
@pytest.mark.level("standard")
def test_early_answer_to_an_oversized_body_is_read(verdict: Verdict, suite: Suite) -> None:
    """`Expect: 100-continue` invites the target to answer before the body; the probe sends it anyway
    (as clients do once their wait runs out), so a target that answers 413 and closes is read early."""
    require_heavy(suite, "oversized bodies")
    size = suite.config.profile.max_request_bytes + 1
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


def within_case(operation: str, framing: str, below: int, *, full: bool = False) -> Any:
    marks = [pytest.mark.requirement("SIZE-OK-001", "RESP-POST-001", "RESP-SCHEMA-001", "RAW-READ-001", "ERR-5XX-001")]
    label = "limit" if below == 0 else f"limit-{below}"
    return pytest.param(
        operation, framing, below, marks=[*marks, FULL] if full else marks, id=f"{operation}-{framing}-{label}"
    )


WITHIN = [
    within_case("uploads", CONTENT_LENGTH, 1),
    within_case("uploads", CHUNKED, 1),
    within_case("uploads", CONTENT_LENGTH, 0, full=True),
    within_case("uploads", CHUNKED, 0, full=True),
    within_case("single", CONTENT_LENGTH, 1, full=True),
    within_case("single", CHUNKED, 0, full=True),
]


@pytest.mark.parametrize(("operation", "framing", "below"), WITHIN)
def test_allowed_file_at_the_limit_is_accepted(
    client: TargetClient, verdict: Verdict, suite: Suite, operation: str, framing: str, below: int
) -> None:
    require_heavy(suite, f"bodies of max_request_bytes ({suite.config.profile.max_request_bytes} bytes)")
    size = suite.config.profile.max_request_bytes - below
    path, operation_id = OPERATIONS[operation]
    what = f"a valid PDF in a {operation} body of {size} bytes (max_request_bytes - {below}), {framing}"
    sent = send_within_limit(client, path, sized_body(suite, operation, size), framing, note=what)
    ex = sent.exchange
    judged: list[tuple[dict[str, Any], list[Uploaded]] | None] = []
    judge_all(
        lambda: verdict.require(
            "SIZE-OK-001",
            ex.status is not None and 200 <= ex.status < 300,
            received=f"{ex.status or ex.error}",
            exchange=ex,
            documented="an allowed file whose request stays within the limit is accepted",
            message=f"{what}: {sent.figures()}",
        ),
        lambda: judged.append(upload_answer(verdict, suite, ex, operation_id, what)),
    )
    if judged and judged[0] is not None:
        answer, files = judged[0]
        for uploaded in files:
            read_back(verdict, client, suite, answer, uploaded)


def multi_case(framing: str, *, full: bool = False) -> Any:
    marks = [pytest.mark.requirement("ERR-MULTI-001", "SIZE-413-003", "ERR-5XX-001")]
    return pytest.param(framing, marks=[*marks, FULL] if full else marks, id=framing)


@pytest.mark.parametrize("framing", [multi_case(CONTENT_LENGTH), multi_case(CHUNKED, full=True)])
def test_no_credential_and_oversized(verdict: Verdict, suite: Suite, framing: str) -> None:
    """Two rules broken at once: either refusal is right (auth failure statuses or 413), nothing else."""
    require_heavy(suite, "oversized bodies")
    size = suite.config.profile.max_request_bytes + 1
    what = f"an uploads body of {size} bytes with no credential"
    sent = probe_oversized(
        suite, verdict, "/v1/ingest/uploads", sized_body(suite, "uploads", size), framing, auth="none", note=what
    )
    judge_refused(
        verdict, sent, "ERR-MULTI-001", "uploadFiles", {413, *suite.config.profile.auth_failure_statuses}, what
    )
