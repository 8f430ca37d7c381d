"""The API choices over loopback: each option the contract allows, shown beside the mock's default.

One `flipped` mock takes every choice here that does not change what the others need (so one
instance serves most tests); read lag, list order, size limits and rate limits get mocks of their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ingest_conformance.mock import RunningMock, run_mock
from ingest_conformance.mock.auth import ENVIRONMENT_A, ENVIRONMENT_B

from . import forms, samples
from .conftest import SMALL_LIMIT, fast
from .helpers import KEY_A, KEY_B, TOKEN_A, assert_json_error, upload, wait_for_file

pytestmark = pytest.mark.selftest

FLIPPED: dict[str, Any] = {
    "root_health": True,
    "path_names": "refuse",
    "info_types": "lenient",
    "unknown_parts": "refuse",
    "mixed_credentials": "accept",
    "unknown_method_status": 404,
    "malformed_id_status": 404,
    "foreign_id_status": 403,
    "nullable_fields": "absent",
    "list_imports_token": True,
    "single_url_path": "",
    "percent_names": "decode",
    "filename_star": "prefer",
}


@pytest.fixture(scope="module")
def flipped() -> Iterator[RunningMock]:
    with run_mock(fast(**FLIPPED)) as running:
        yield running


@pytest.fixture()
def other(flipped: RunningMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=flipped.base_url, headers={"x-api-key": KEY_A}, timeout=30) as c:
        yield c


def _served(**overrides: Any) -> RunningMock:
    return run_mock(fast(**overrides))


def _client(mock: RunningMock, key: str = KEY_A) -> httpx.Client:
    return httpx.Client(base_url=mock.base_url, headers={"x-api-key": key}, timeout=30)


def test_flipped_settings_show_in_health(flipped: RunningMock) -> None:
    settings = httpx.get(f"{flipped.base_url}/__mock__/health").json()["settings"]
    assert {key: settings[key] for key in FLIPPED} == FLIPPED


def test_root_health_route(client: httpx.Client, other: httpx.Client) -> None:
    for path in ("/", "/health"):
        assert client.get(path).status_code == 404
        assert other.get(path).status_code == 200 and other.get(path).json()["status"] == "ok"
    assert_json_error(other.get("/v1/ingest/nope"), 404)  # under /v1/ unknown paths stay 404


@pytest.mark.parametrize("name", [b"../../a.pdf", b"C:\\\\x\\\\a.pdf", b"dir/a.pdf"], ids=["dotdot", "windows", "dir"])
def test_path_part_names_are_stripped_or_refused(client: httpx.Client, other: httpx.Client, name: bytes) -> None:
    parts = [forms.file_part(name, samples.pdf())]
    stripped = forms.post_parts(client, "/v1/ingest/uploads", parts)
    assert stripped.status_code == 201 and stripped.json()["files"][0]["filename"] == "a.pdf"
    assert_json_error(forms.post_parts(other, "/v1/ingest/uploads", parts), 400)
    by_url = {"files": [{"url": "http://127.0.0.1:9/a.pdf", "filename": name.decode().replace("\\\\", "\\")}]}
    assert_json_error(other.post("/v1/ingest/by-url", json=by_url), 400)
    assert other.post("/v1/ingest/uploads", files=[("files", ("a.pdf", samples.pdf()))]).status_code == 201


def test_info_keys_of_the_wrong_type_are_refused_or_ignored(client: httpx.Client, other: httpx.Client) -> None:
    info = '{"clientData": "not an object", "company": 7}'
    files = [("files", ("a.pdf", samples.pdf()))]
    assert_json_error(client.post("/v1/ingest/uploads", files=files, data={"info": info}), 400)
    accepted = other.post("/v1/ingest/uploads", files=files, data={"info": info})
    assert accepted.status_code == 201
    file = wait_for_file(other, accepted.json()["files"][0]["id"])
    assert file.get("clientData") is None and file.get("companyId") is None
    assert_json_error(other.post("/v1/ingest/uploads", files=files, data={"info": "[1]"}), 400)  # still an object


def test_undefined_part_names_are_ignored_or_refused(client: httpx.Client, other: httpx.Client) -> None:
    files = [("files", ("a.pdf", samples.pdf())), ("file", ("b.pdf", samples.pdf()))]
    ignored = client.post("/v1/ingest/uploads", files=files)
    assert ignored.status_code == 201 and len(ignored.json()["files"]) == 1
    assert_json_error(other.post("/v1/ingest/uploads", files=files), 400)
    single = [("file", ("a.pdf", samples.pdf())), ("files", ("b.pdf", samples.pdf()))]
    assert client.post("/v1/ingest/single", files=single).status_code == 201
    assert_json_error(other.post("/v1/ingest/single", files=single), 400)


def test_a_valid_and_a_wrong_credential_together(client: httpx.Client, other: httpx.Client) -> None:
    mixed = {"x-api-key": KEY_A, "x-access-token": "wrong-token"}
    assert_json_error(client.get("/v1/ingest/files/" + "0" * 24, headers=mixed), 401)
    assert_json_error(other.get("/v1/ingest/files/" + "0" * 24, headers=mixed), 404)  # served: then unknown
    assert_json_error(other.get("/v1/ingest/imports", headers={"x-api-key": "wrong"}), 401)  # alone: refused


def test_status_choices_for_methods_malformed_and_foreign_ids(client: httpx.Client, other: httpx.Client) -> None:
    assert_json_error(client.delete("/v1/ingest/uploads"), 405)
    assert_json_error(other.delete("/v1/ingest/uploads"), 404)
    assert_json_error(client.get("/v1/ingest/files/not-an-id"), 400)
    assert_json_error(other.get("/v1/ingest/imports/not-an-id"), 404)
    for c, status in ((client, 404), (other, 403)):
        answer = upload(c, [("a.pdf", samples.pdf())])
        foreign = {"x-api-key": KEY_B}
        assert_json_error(c.get(f"/v1/ingest/files/{answer['files'][0]['id']}", headers=foreign), status)
        assert_json_error(c.get(f"/v1/ingest/imports/{answer['importId']}", headers=foreign), status)
        assert_json_error(c.get("/v1/ingest/files/" + "0" * 24, headers=foreign), 404)  # unknown stays 404


def test_nullable_fields_are_null_or_absent(client: httpx.Client, other: httpx.Client) -> None:
    nullable = {"companyId", "parentFileId", "error", "clientData"}
    shown = wait_for_file(client, upload(client, [("a.pdf", samples.pdf())])["files"][0]["id"])
    assert nullable <= set(shown) and all(shown[k] is None for k in nullable)
    left_out = wait_for_file(other, upload(other, [("a.pdf", samples.pdf())])["files"][0]["id"])
    assert not nullable & set(left_out) and left_out["status"] == "processed" and left_out["documentIds"]
    rejected = wait_for_file(other, upload(other, [("a.gif", samples.gif())])["files"][0]["id"])
    assert rejected["error"] == "ERR_UNSUPPORTED_FILE_FORMAT"  # a value is never left out


def test_list_imports_with_the_access_token(mock: RunningMock, flipped: RunningMock) -> None:
    for served, status in ((mock, 401), (flipped, 200)):
        with httpx.Client(base_url=served.base_url, headers={"x-access-token": TOKEN_A}, timeout=30) as token_only:
            response = token_only.get("/v1/ingest/imports")
            assert response.status_code == status, response.text
            assert token_only.get("/v1/ingest/files/" + "0" * 24).status_code == 404  # GET file takes it either way


def test_single_by_url_route_can_be_absent_or_moved(client: httpx.Client, other: httpx.Client) -> None:
    body = {"url": "http://127.0.0.1:9/a.pdf"}
    assert client.post("/v1/ingest/single-url", json=body).status_code == 201
    assert_json_error(other.post("/v1/ingest/single-url", json=body), 404)
    with _served(single_url_path="/v1/ingest/single/url") as moved, _client(moved) as c:
        assert c.post("/v1/ingest/single/url", json=body).status_code == 201
        assert_json_error(c.post("/v1/ingest/single-url", json=body), 404)


def test_percent_sequences_and_filename_star(client: httpx.Client, other: httpx.Client) -> None:
    percent = [forms.file_part(b"a%20b%28c%29.pdf", samples.pdf())]
    assert forms.post_parts(client, "/v1/ingest/uploads", percent).json()["files"][0]["filename"] == "a%20b%28c%29.pdf"
    assert forms.post_parts(other, "/v1/ingest/uploads", percent).json()["files"][0]["filename"] == "a b(c).pdf"
    star = [
        forms.RawPart(b"files", samples.pdf(), filename=b"plain.pdf", extra=b"; filename*=UTF-8''%C3%A9t%C3%A9.pdf")
    ]
    assert forms.post_parts(client, "/v1/ingest/uploads", star).json()["files"][0]["filename"] == "plain.pdf"
    assert forms.post_parts(other, "/v1/ingest/uploads", star).json()["files"][0]["filename"] == "été.pdf"


def test_read_lag_hides_new_files_and_imports_for_a_while() -> None:
    with _served(read_lag_ms=600) as lagging, _client(lagging) as c:
        answer = upload(c, [("a.pdf", samples.pdf())])
        file_id, import_id = answer["files"][0]["id"], answer["importId"]
        assert_json_error(c.get(f"/v1/ingest/files/{file_id}"), 404)
        assert_json_error(c.get(f"/v1/ingest/imports/{import_id}"), 404)
        assert import_id not in [i["id"] for i in c.get("/v1/ingest/imports").json()["result"]]
        time.sleep(0.7)
        assert c.get(f"/v1/ingest/files/{file_id}").status_code == 200
        assert c.get(f"/v1/ingest/imports/{import_id}").json()["files"][0]["id"] == file_id
        assert import_id in [i["id"] for i in c.get("/v1/ingest/imports").json()["result"]]
    with _served() as consistent, _client(consistent) as c:
        answer = upload(c, [("a.pdf", samples.pdf())])
        assert c.get(f"/v1/ingest/files/{answer['files'][0]['id']}").status_code == 200


def _listed(c: httpx.Client, **params: Any) -> list[str]:
    return [i["id"] for i in c.get("/v1/ingest/imports", params=params).json()["result"]]


@pytest.mark.parametrize("order", ["newest", "oldest", "unordered"])
def test_list_order_and_what_skip_counts(order: str) -> None:
    for unit in ("items", "pages"):
        with _served(list_order=order, skip_unit=unit) as mock, _client(mock) as c:
            made = [upload(c, [("a.pdf", samples.pdf())])["importId"] for _ in range(5)]
            whole = _listed(c, limit=15)
            assert sorted(whole) == sorted(made) and whole == _listed(c, limit=15)  # all there, a stable order
            if order != "unordered":
                assert whole == (made[::-1] if order == "newest" else made)
            else:
                assert whole not in (made, made[::-1]) or len(made) < 3
            expected = whole[2:4] if unit == "pages" else whole[1:3]
            assert _listed(c, limit=2, skip=1) == expected, (order, unit)


@pytest.mark.parametrize(("answer", "status"), [("empty", 200), ("403", 403), ("404", 404), ("own", 200)])
def test_list_imports_of_another_environment(answer: str, status: int) -> None:
    with _served(foreign_list=answer) as mock, _client(mock) as a, _client(mock, KEY_B) as b:
        mine = upload(a, [("a.pdf", samples.pdf())])["importId"]
        theirs = upload(b, [("b.pdf", samples.pdf())])["importId"]
        response = a.get("/v1/ingest/imports", params={"environmentId": ENVIRONMENT_B, "limit": 15})
        assert response.status_code == status, response.text
        if answer == "empty":
            assert response.json() == {"count": 0, "result": []}
        elif answer == "own":
            assert [i["id"] for i in response.json()["result"]] == [mine] and theirs != mine
        else:
            assert_json_error(response, status)
        assert _listed(a, environmentId=ENVIRONMENT_A) == [mine]  # its own id is always listed


def _upload_bytes(c: httpx.Client, parts: list[tuple[str, int]]) -> httpx.Response:
    files = [("files", (name, samples.noisy_png(size))) for name, size in parts]
    return c.post("/v1/ingest/uploads", files=files)


def test_size_limit_in_mb_or_mib() -> None:
    just_over_a_million = [("a.png", 1_020_000)]
    with _served() as mib, _client(mib) as c:
        assert _upload_bytes(c, just_over_a_million).status_code == 201  # 1 MiB = 1 048 576 bytes
    with _served(size_unit="MB") as mb, _client(mb) as c:
        assert_json_error(_upload_bytes(c, just_over_a_million), 413)  # 1 "MB" = 1 000 000 bytes
        assert _upload_bytes(c, [("a.png", 900_000)]).status_code == 201


def test_size_limit_per_body_or_per_file_part() -> None:
    two_parts = [("a.png", 600_000), ("b.png", 600_000)]  # each under 1 MiB, together over it
    with _served() as body, _client(body) as c:
        assert_json_error(_upload_bytes(c, two_parts), 413)
    with _served(size_scope="part") as part, _client(part) as c:
        accepted = _upload_bytes(c, two_parts)
        assert accepted.status_code == 201 and len(accepted.json()["files"]) == 2
        assert_json_error(_upload_bytes(c, [("big.png", SMALL_LIMIT + 50_000)]), 413)
    with _served(size_scope="part", oversize_mode="close") as closing, _client(closing) as c:
        refused = _upload_bytes(c, [("big.png", SMALL_LIMIT + 50_000)])
        assert refused.status_code == 413 and refused.headers.get("connection") == "close"


def test_sustained_rate_limiting_lasts_past_the_window_and_says_so() -> None:
    with _served(rate_limit_burst=3) as burst, _client(burst) as c:
        statuses = [c.get("/v1/ingest/imports").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        time.sleep(1.05)
        assert c.get("/v1/ingest/imports").status_code == 200  # a burst limit forgets after its window
    with _served(rate_limit_burst=3, rate_limit_penalty_s=2.5) as sustained, _client(sustained) as c:
        for _ in range(3):
            assert c.get("/v1/ingest/imports").status_code == 200
        limited = c.get("/v1/ingest/imports")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
        time.sleep(1.05)
        still = c.get("/v1/ingest/imports")
        assert still.status_code == 429 and int(still.headers["retry-after"]) in (1, 2)
        time.sleep(int(still.headers["retry-after"]) + 0.05)  # honouring Retry-After gets through
        assert c.get("/v1/ingest/imports").status_code == 200
