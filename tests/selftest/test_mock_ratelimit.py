"""The optional rate limit: the (N+1)-th request within a second gets 429 with Retry-After: 1."""

from __future__ import annotations

import time

import httpx
import pytest

from ingest_conformance.mock import run_mock

from .conftest import fast
from .helpers import KEY_A, assert_json_error

pytestmark = pytest.mark.selftest


def test_burst_then_429_then_recovery() -> None:
    with (
        run_mock(fast(rate_limit_burst=3)) as mock,
        httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_A}) as c,
    ):
        statuses = [c.get("/v1/ingest/imports").status_code for _ in range(3)]
        refused = c.get("/v1/ingest/imports")
        assert statuses == [200, 200, 200]
        assert_json_error(refused, 429)
        assert refused.headers["retry-after"] == "1"
        assert c.get("/__mock__/health").status_code == 200  # the probe is never throttled
        time.sleep(float(refused.headers["retry-after"]) + 0.05)
        assert c.get("/v1/ingest/imports").status_code == 200


def test_rate_limit_is_off_by_default(client: httpx.Client) -> None:
    assert {client.get("/v1/ingest/imports").status_code for _ in range(40)} == {200}
