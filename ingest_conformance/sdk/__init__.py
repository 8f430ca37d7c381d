"""Client (SDK) validation: the client requirements, the Python SDK harness, and the real-client matrix.

    from ingest_conformance.sdk import SdkHarness
    with SdkHarness() as harness:            # or the `sdk_harness` pytest fixture
        ...
    harness.assert_conformant()

docs/sdk.md describes the harness, the client requirements and `ingest-conformance mock --validate-requests`.
"""

from ingest_conformance.sdk.harness import API_KEY, DEFAULT_BASE_URL, HarnessAbort, SdkHarness
from ingest_conformance.sdk.inspection import Inspected, Observation, RequestInspector
from ingest_conformance.sdk.report import HarnessReport
from ingest_conformance.sdk.requirements import ClientRequirement, client_catalogue, load_client_requirements

__all__ = [
    "API_KEY",
    "DEFAULT_BASE_URL",
    "ClientRequirement",
    "HarnessAbort",
    "HarnessReport",
    "Inspected",
    "Observation",
    "RequestInspector",
    "SdkHarness",
    "client_catalogue",
    "load_client_requirements",
]
