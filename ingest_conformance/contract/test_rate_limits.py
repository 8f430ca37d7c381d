"""429 is never a failure: the suite waits as Retry-After says and retries (RATE-*)."""

from __future__ import annotations

import pytest

from ingest_conformance.flows.generation import example_count
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import TargetClient


@pytest.mark.requirement("RATE-429-001", "RATE-429-002", "RESP-GET-001", "ERR-5XX-001")
def test_a_burst_is_answered_or_paced(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    """A short, bounded burst of reads: every one ends answered 200, with any 429 waited out."""
    if not suite.config.heavy_probes_allowed:
        pytest.skip("bursts are not sent to the production host without --allow-heavy-probes")
    count = example_count(suite, quick=10, standard=30, full=100)
    for _ in range(count):
        ex = client.get("/v1/ingest/imports", params={"limit": 1}, note="burst")
        verdict.answered(ex, "listImports")
        verdict.status_in("RESP-GET-001", ex, {200}, "200 once any 429 has been waited out")
    limited = sum(1 for ex in client.exchanges if ex.status == 429)
    if not limited:
        verdict.observe("RATE-429-001", f"no 429 in a burst of {count} reads")
