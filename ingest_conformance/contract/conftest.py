"""Fixtures of the contract tests.

The run-wide ones come from the suite's plugin under prefixed names (`ic_suite`, `ic_client`,
`ic_verdict`: the plugin is a guest in other projects' pytest sessions); here, inside the contract
tests only, they get their short names.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ingest_conformance import strategies as s
from ingest_conformance.flows.generation import one_example, salt_of
from ingest_conformance.flows.upload import Existing, tag_info
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import MultipartBody, Part
from ingest_conformance.wire.client import TargetClient
from ingest_conformance.wire.fileserver import FileServer, serve_files


@pytest.fixture(scope="session")
def suite(ic_suite: Suite) -> Suite:
    """The run: config, catalogue, spec, target, results."""
    return ic_suite


@pytest.fixture
def verdict(ic_verdict: Verdict) -> Verdict:
    """This test's judge."""
    return ic_verdict


@pytest.fixture
def client(ic_client: TargetClient) -> TargetClient:
    """A recording client for the target; its exchanges become this test's evidence."""
    return ic_client


@pytest.fixture(scope="session")
def file_server(suite: Suite) -> Iterator[FileServer]:
    """The suite's loopback file server, for by-URL uploads; skips when the target cannot reach it."""
    public = suite.config.profile.file_server_public_url
    if public is None and suite.config.target_host not in (None, "127.0.0.1", "localhost", "::1"):
        pytest.skip(
            "by-URL tests need profile file_server_public_url: a remote target cannot reach the "
            "suite's loopback file server"
        )
    if not suite.allow_http_urls and not (public or "").startswith("https://"):
        pytest.skip("profile allow_http_urls is false and file_server_public_url is not an https URL")
    with serve_files(public_url=public) as server:
        yield server


@pytest.fixture(scope="session")
def single_url_path(suite: Suite) -> str:
    """The (undocumented) single-by-URL path; its tests skip when the target does not serve it."""
    path = suite.config.profile.single_url_path
    with TargetClient(suite.base_url, suite.credentials) as probe:
        ex = probe.post_json(path, {}, note="does the target serve single-by-URL?")
    if ex.status in (404, 405):
        pytest.skip(
            f"the target answers {ex.status} to POST {path} (profile single_url_path): single-by-URL not served"
        )
    return path


@pytest.fixture(scope="session")
def second_environment(suite: Suite) -> str:
    """Which credential of another environment is configured; skips the isolation tests without one."""
    if suite.credentials.second_api_key is not None:
        return "second_api_key"
    if suite.credentials.second_access_token is not None:
        return "second_access_token"
    pytest.skip("isolation tests need a credential of another environment: --second-api-key")


@pytest.fixture(scope="session")
def existing(suite: Suite) -> Existing:
    """Upload one valid PDF with the API key; tests needing existing ids skip if this upload fails."""
    sample = one_example(suite, s.pdf_files(max_pages=1), salt=salt_of("existing"))
    body = MultipartBody([Part.file(sample), Part.json("info", tag_info(suite))])
    with TargetClient(suite.base_url, suite.credentials) as setup:
        ex = setup.post_multipart(
            "/v1/ingest/uploads",
            body.to_bytes(),
            body.content_type,
            note="set-up upload for tests that need existing ids",
        )
    try:
        answer = ex.json()
        return Existing(str(answer["files"][0]["id"]), str(answer["importId"]), answer)
    except (ValueError, KeyError, IndexError, TypeError):
        pytest.skip(
            f"set-up upload of one valid PDF did not succeed ({ex.summary()}); "
            "tests needing existing ids are skipped (the upload tests judge why)"
        )
