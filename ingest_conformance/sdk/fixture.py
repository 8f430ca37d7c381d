"""pytest plugin (entry point ``pytest11``): the `sdk_harness` fixture for SDK test suites.

    def test_my_sdk(sdk_harness):
        sdk = MySdk(base_url=sdk_harness.base_url, api_key=sdk_harness.api_key)
        sdk_harness.expect_success(lambda: sdk.upload(["a.pdf"]))
        sdk_harness.assert_conformant()

The harness is started for the test and stopped after it; when the test fails, its report is added
to pytest's output. Kept apart from the suite's own plugin so SDK projects get only this fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ingest_conformance.sdk.harness import SdkHarness


@pytest.fixture
def sdk_harness(request: pytest.FixtureRequest) -> Iterator[SdkHarness]:
    """An `SdkHarness` answering every httpx request of this test from the spec (seeded by the test id)."""
    import zlib

    from ingest_conformance.sdk.harness import SdkHarness

    harness = SdkHarness(test_id=request.node.nodeid, seed=zlib.crc32(request.node.nodeid.encode()))
    with harness:
        yield harness
    request.node.add_report_section("teardown", "SDK harness", harness.report().render())
