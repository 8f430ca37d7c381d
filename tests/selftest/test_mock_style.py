"""The mock's answer-style personalities: undocumented extra fields, and RFC 9457 problem+json errors."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ingest_conformance.mock import RunningMock, run_mock

from . import samples
from .conftest import fast
from .helpers import KEY_A, upload, wait_for_file

pytestmark = pytest.mark.selftest


@pytest.fixture(scope="module")
def styled() -> Iterator[RunningMock]:
    with run_mock(fast(extra_fields=True, error_shape="problem")) as running:
        yield running


@pytest.fixture()
def client(styled: RunningMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=styled.base_url, headers={"x-api-key": KEY_A}, timeout=30) as c:
        yield c


def test_answers_carry_extra_fields_but_client_data_is_untouched(client: httpx.Client) -> None:
    answer = upload(client, [("a.pdf", samples.pdf())], info={"clientData": {"id": "mine", "n": 1}})
    assert answer["requestId"].startswith("req-")
    entry = answer["files"][0]
    assert entry["__v"] == 0 and entry["tags"] == [] and entry["metadata"]["source"] == "mock"
    file = wait_for_file(client, entry["id"])
    assert file["__v"] == 0 and file["clientData"] == {"id": "mine", "n": 1}
    imp = client.get(f"/v1/ingest/imports/{answer['importId']}").json()
    assert imp["__v"] == 0 and all(f["__v"] == 0 for f in imp["files"])
    assert imp["clientData"] == {"id": "mine", "n": 1}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/ingest/imports?limit=99", 400),
        ("GET", "/v1/ingest/files/" + "0" * 24, 404),
        ("GET", "/nope", 404),
        ("DELETE", "/v1/ingest/uploads", 405),
    ],
)
def test_errors_are_problem_json(client: httpx.Client, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank" and body["title"] and body["detail"]
    assert body["instance"] == path.split("?")[0] and "statusCode" not in body


def test_auth_and_rate_limit_errors_too(styled: RunningMock) -> None:
    with httpx.Client(base_url=styled.base_url, timeout=30) as anon:
        response = anon.get("/v1/ingest/imports")
    assert response.status_code == 401 and response.json()["title"] == "Unauthorized"
    with (
        run_mock(fast(error_shape="problem", rate_limit_burst=1)) as limited,
        httpx.Client(base_url=limited.base_url, headers={"x-api-key": KEY_A}, timeout=30) as c,
    ):
        statuses = [c.get("/v1/ingest/imports") for _ in range(3)]
    refused = [r for r in statuses if r.status_code == 429]
    assert refused and refused[0].headers["retry-after"] == "1"
    assert refused[0].json()["status"] == 429


def test_nestjs_errors_gain_timestamp_and_path_with_extra_fields() -> None:
    with run_mock(fast(extra_fields=True)) as mock, httpx.Client(base_url=mock.base_url, timeout=30) as anon:
        body = anon.get("/v1/ingest/imports").json()
    assert body["statusCode"] == 401 and body["path"] == "/v1/ingest/imports" and body["timestamp"]
