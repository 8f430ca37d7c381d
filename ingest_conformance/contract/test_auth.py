"""Authentication on every operation: x-api-key, x-access-token, missing, wrong, mixed (AUTH-*)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from ingest_conformance import strategies as s
from ingest_conformance.flows.generation import one_example, salt_of
from ingest_conformance.flows.reading import read_after_write
from ingest_conformance.flows.upload import Existing, tag_info
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import Auth, TargetClient
from ingest_conformance.wire.exchange import Exchange

OPERATIONS = ["uploadFiles", "uploadByUrl", "getFile", "uploadSingle", "uploadSingleUrl", "listImports", "getImport"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = None

    def send(self, client: TargetClient, suite: Suite, auth: Auth, note: str) -> Exchange:
        """A read (of the set-up upload's file or import, or the list) gets profile `read_after_write_s`."""
        if self.method == "GET":
            return read_after_write(client, suite, self.path, auth=auth, note=note)
        headers = {"content-type": self.content_type} if self.content_type else None
        return client.send(self.method, self.path, auth=auth, content=self.body, headers=headers, note=note)


def valid_request(operation: str, suite: Suite, request: pytest.FixtureRequest) -> Request:
    """A request the target must accept with a valid credential (fixtures pulled lazily, so a
    by-URL operation skips alone when the file server cannot be reached)."""
    pdf = one_example(suite, s.pdf_files(max_pages=1), salt=salt_of("auth", operation))
    if operation in ("uploadFiles", "uploadSingle"):
        name = "files" if operation == "uploadFiles" else "file"
        body = s.MultipartBody([s.Part.file(pdf, name=name), s.Part.json("info", tag_info(suite))])
        path = "/v1/ingest/uploads" if operation == "uploadFiles" else "/v1/ingest/single"
        return Request("POST", path, body.to_bytes(), body.content_type)
    if operation in ("uploadByUrl", "uploadSingleUrl"):
        url = request.getfixturevalue("file_server").add(pdf.filename, pdf.content, pdf.mime_type)
        if operation == "uploadByUrl":
            payload: dict[str, object] = {"files": [{"url": url}], "info": tag_info(suite)}
            return Request("POST", "/v1/ingest/by-url", json.dumps(payload).encode(), "application/json")
        path = request.getfixturevalue("single_url_path")
        return Request("POST", path, json.dumps({"url": url, "info": tag_info(suite)}).encode(), "application/json")
    if operation == "listImports":
        return Request("GET", "/v1/ingest/imports")
    existing: Existing = request.getfixturevalue("existing")
    if operation == "getFile":
        return Request("GET", f"/v1/ingest/files/{existing.file_id}")
    return Request("GET", f"/v1/ingest/imports/{existing.import_id}")


def success_statuses(suite: Suite, operation: str) -> set[int]:
    return {200} if operation.startswith(("get", "list")) else set(suite.config.profile.upload_success_statuses)


@pytest.mark.requirement("AUTH-KEY-001", "RESP-POST-001", "RESP-GET-001", "RESP-SCHEMA-001", "ERR-5XX-001")
@pytest.mark.parametrize("operation", OPERATIONS)
def test_valid_api_key_is_accepted(
    client: TargetClient, verdict: Verdict, suite: Suite, operation: str, request: pytest.FixtureRequest
) -> None:
    ex = valid_request(operation, suite, request).send(client, suite, "api_key", "valid x-api-key")
    verdict.answered(ex, operation)
    verdict.status_in("AUTH-KEY-001", ex, success_statuses(suite, operation), "a valid x-api-key is accepted")


@pytest.mark.requirement("AUTH-TOKEN-001", "RESP-SCHEMA-001", "ERR-5XX-001")
@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op != "listImports"])
def test_valid_access_token_is_accepted(
    client: TargetClient, verdict: Verdict, suite: Suite, operation: str, request: pytest.FixtureRequest
) -> None:
    if suite.credentials.access_token is None:
        pytest.skip("no access token configured (--access-token)")
    ex = valid_request(operation, suite, request).send(client, suite, "access_token", "valid x-access-token")
    verdict.answered(ex, operation)
    verdict.status_in(
        "AUTH-TOKEN-001",
        ex,
        success_statuses(suite, operation),
        "a valid x-access-token is accepted instead of x-api-key",
    )


REFUSALS: list[tuple[Auth, str]] = [
    ("none", "AUTH-MISS-001"),
    ("wrong", "AUTH-BAD-001"),
    ("wrong_access_token", "AUTH-BAD-001"),
]


@pytest.mark.requirement("AUTH-MISS-001", "AUTH-BAD-001", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(("auth", "rid"), REFUSALS, ids=["missing", "wrong-key", "wrong-token"])
def test_missing_or_wrong_credential_is_refused(
    client: TargetClient,
    verdict: Verdict,
    suite: Suite,
    operation: str,
    auth: Auth,
    rid: str,
    request: pytest.FixtureRequest,
) -> None:
    ex = valid_request(operation, suite, request).send(client, suite, auth, f"credential: {auth}")
    verdict.answered(ex, operation)
    allowed = suite.config.profile.auth_failure_statuses
    verdict.status_in(
        rid,
        ex,
        allowed,
        f"never 2xx; one of {sorted(allowed)} (profile auth_failure_statuses)",
        message=f"{operation} with {auth.replace('_', ' ')} credential",
    )


@pytest.mark.requirement("AUTH-MIX-001", "ERR-5XX-001")
@pytest.mark.parametrize("operation", ["uploadFiles", "getFile", "listImports"])
def test_valid_key_beside_a_wrong_token_is_recorded(
    client: TargetClient, verdict: Verdict, suite: Suite, operation: str, request: pytest.FixtureRequest
) -> None:
    ex = valid_request(operation, suite, request).send(client, suite, "mixed", "valid key and wrong token")
    verdict.answered(ex, operation)
    verdict.observe("AUTH-MIX-001", f"{operation} with a valid x-api-key and a wrong x-access-token: {ex.status}", ex)
