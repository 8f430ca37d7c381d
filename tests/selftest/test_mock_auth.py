"""Authentication and environment isolation on the mock (DECISIONS: Authentication)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from ingest_conformance.mock import RunningMock

from . import samples
from .helpers import KEY_A, KEY_B, TOKEN_A, TOKEN_B, assert_json_error, upload, wait_for_file

pytestmark = pytest.mark.selftest

Call = Callable[[httpx.Client], httpx.Response]
UNKNOWN = "0123456789abcdef01234567"


def _operations(mock: RunningMock) -> dict[str, Call]:
    pdf = samples.pdf()
    return {
        "uploadFiles": lambda c: c.post("/v1/ingest/uploads", files=[("files", ("a.pdf", pdf))]),
        "uploadSingle": lambda c: c.post("/v1/ingest/single", files=[("file", ("a.pdf", pdf))]),
        "uploadByUrl": lambda c: c.post("/v1/ingest/by-url", json={"files": [{"url": "http://127.0.0.1:9/a.pdf"}]}),
        "uploadSingleUrl": lambda c: c.post(mock.settings.single_url_path, json={"url": "http://127.0.0.1:9/a.pdf"}),
        "getFile": lambda c: c.get(f"/v1/ingest/files/{UNKNOWN}"),
        "getImport": lambda c: c.get(f"/v1/ingest/imports/{UNKNOWN}"),
        "listImports": lambda c: c.get("/v1/ingest/imports"),
    }


OPERATIONS = ["uploadFiles", "uploadSingle", "uploadByUrl", "uploadSingleUrl", "getFile", "getImport", "listImports"]
SUCCESS = {
    "uploadFiles": 201,
    "uploadSingle": 201,
    "uploadByUrl": 201,
    "uploadSingleUrl": 201,
    "getFile": 404,
    "getImport": 404,
    "listImports": 200,
}  # the GETs of unknown ids pass auth first


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-api-key": "wrong"},
        {"x-access-token": "wrong"},
        {"x-api-key": ""},
        {"x-api-key": KEY_A, "x-access-token": "wrong"},
    ],
    ids=["none", "wrong-key", "wrong-token", "empty-key", "valid-key-plus-wrong-token"],
)
def test_missing_or_wrong_credential_gets_401(mock: RunningMock, operation: str, headers: dict[str, str]) -> None:
    with httpx.Client(base_url=mock.base_url, headers=headers, timeout=30) as c:
        response = _operations(mock)[operation](c)
    if operation == "listImports" and headers.get("x-api-key") == KEY_A:
        assert response.status_code == 200  # list-imports only reads x-api-key (the LI page)
    else:
        assert_json_error(response, 401)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_api_key_is_accepted_everywhere(mock: RunningMock, operation: str) -> None:
    with httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_A}, timeout=30) as c:
        assert _operations(mock)[operation](c).status_code == SUCCESS[operation]


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op != "listImports"])
def test_access_token_is_accepted_except_on_list_imports(mock: RunningMock, operation: str) -> None:
    with httpx.Client(base_url=mock.base_url, headers={"x-access-token": TOKEN_A}, timeout=30) as c:
        assert _operations(mock)[operation](c).status_code == SUCCESS[operation]


def test_list_imports_refuses_an_access_token_alone(mock: RunningMock) -> None:
    with httpx.Client(base_url=mock.base_url, headers={"x-access-token": TOKEN_A}, timeout=30) as c:
        assert_json_error(c.get("/v1/ingest/imports"), 401)


def test_auth_is_refused_before_a_large_body_is_read(anon: httpx.Client) -> None:
    body = b"x" * (900 * 1024)  # under the 1 MiB limit, so only the credential is wrong
    response = anon.post(
        "/v1/ingest/uploads", content=body, headers={"content-type": "multipart/form-data; boundary=zzz"}
    )
    assert_json_error(response, 401)


def test_other_environment_never_sees_a_file_or_import(mock: RunningMock, client: httpx.Client) -> None:
    answer = upload(client, [("mine.pdf", samples.pdf())])
    file_id, import_id = answer["files"][0]["id"], answer["importId"]
    wait_for_file(client, file_id)
    with httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_B}, timeout=30) as b:
        assert_json_error(b.get(f"/v1/ingest/files/{file_id}"), 404)
        assert_json_error(b.get(f"/v1/ingest/imports/{import_id}"), 404)
        listed = b.get("/v1/ingest/imports", params={"environmentId": answer["environmentId"]})
        assert listed.status_code == 200 and listed.json() == {"count": 0, "result": []}
        own = b.get("/v1/ingest/imports", params={"limit": 15}).json()
        assert import_id not in [imp["id"] for imp in own["result"]]
    with httpx.Client(base_url=mock.base_url, headers={"x-access-token": TOKEN_B}, timeout=30) as b:
        assert_json_error(b.get(f"/v1/ingest/files/{file_id}"), 404)


def test_each_environment_uploads_into_its_own(mock: RunningMock) -> None:
    with httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_B}, timeout=30) as b:
        answer = upload(b, [("b.pdf", samples.pdf())])
        file = b.get(f"/v1/ingest/files/{answer['files'][0]['id']}").json()
    with httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_A}, timeout=30) as a:
        mine = upload(a, [("a.pdf", samples.pdf())])
    assert answer["environmentId"] != mine["environmentId"]
    assert answer["accountId"] == file["accountId"] and answer["environmentId"] == file["environmentId"]


def test_health_and_openapi_need_no_credential(anon: httpx.Client) -> None:
    health = anon.get("/__mock__/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "mock-api-key" not in health.text  # credential values are never echoed
    spec = anon.get("/openapi.yaml")
    assert spec.status_code == 200 and b"openapi:" in spec.content
