"""The opposite choices the docs allow (sync rejection, 200, 403, no `.tif` on uploads, ZIP by URL)
on a second mock instance, through the same flows as the default one."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ingest_conformance.mock import RunningMock

from . import samples
from .conftest import FileServer
from .helpers import KEY_A, TOKEN_A, assert_json_error, upload, wait_for_file, wait_for_import

pytestmark = pytest.mark.selftest


@pytest.fixture()
def other(opposite_mock: RunningMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=opposite_mock.base_url, headers={"x-api-key": KEY_A}, timeout=30) as c:
        yield c


def test_success_is_200_and_files_still_end_processed(other: httpx.Client) -> None:
    answer = upload(other, [("a.pdf", samples.pdf()), ("b.png", samples.png())], expect=200)
    assert all(wait_for_file(other, f["id"])["status"] == "processed" for f in answer["files"])
    single = other.post("/v1/ingest/single", files=[("file", ("c.tif", samples.tiff()))])
    assert single.status_code == 200


def test_auth_failure_is_403(opposite_mock: RunningMock) -> None:
    with httpx.Client(base_url=opposite_mock.base_url, timeout=30) as anon:
        assert_json_error(anon.get("/v1/ingest/imports"), 403)
        assert_json_error(anon.post("/v1/ingest/uploads", files=[("files", ("a.pdf", samples.pdf()))]), 403)
    with httpx.Client(base_url=opposite_mock.base_url, headers={"x-access-token": TOKEN_A}, timeout=30) as c:
        assert_json_error(c.get("/v1/ingest/imports"), 403)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("anim.gif", samples.gif()),
        ("notes.txt", b"text"),
        ("fake.pdf", samples.gif()),
        ("garbage.pdf", b"garbage"),
        ("cut.pdf", samples.truncated(samples.pdf(pages=2))),
        ("empty.png", b""),
        ("bomb.zip", samples.zip_bomb()),
        ("broken.zip", b"PK\x03\x04broken"),
        ("scan.tif", samples.tiff()),
    ],
    ids=[
        "gif",
        "txt",
        "gif-named-pdf",
        "garbage-pdf",
        "truncated-pdf",
        "empty-png",
        "zip-bomb",
        "corrupt-zip",
        "tif-not-accepted-on-uploads",
    ],
)
def test_bad_files_are_refused_with_400_at_upload(other: httpx.Client, name: str, data: bytes) -> None:
    before = other.get("/v1/ingest/imports").json()["count"]
    response = other.post("/v1/ingest/uploads", files=[("files", ("ok.pdf", samples.pdf())), ("files", (name, data))])
    assert_json_error(response, 400)
    assert other.get("/v1/ingest/imports").json()["count"] == before  # nothing was stored


def test_single_refuses_a_zip_with_400(other: httpx.Client) -> None:
    response = other.post("/v1/ingest/single", files=[("file", ("a.zip", samples.zip_of({"a.pdf": samples.pdf()})))])
    assert_json_error(response, 400)


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/a.pdf", "file:///tmp/a.pdf", "http://127.0.0.1:9/a.gif"],
    ids=["ftp", "file", "unsupported-extension"],
)
def test_byurl_refuses_what_it_can_judge_at_once(other: httpx.Client, url: str) -> None:
    assert_json_error(other.post("/v1/ingest/by-url", json={"files": [{"url": url}]}), 400)


def test_byurl_accepts_a_zip_and_expands_it(other: httpx.Client, file_server: FileServer) -> None:
    url = file_server.add("opposite/pack.zip", samples.zip_of({"in.pdf": samples.pdf()}))
    response = other.post("/v1/ingest/by-url", json={"files": [{"url": url}]})
    assert response.status_code == 200, response.text
    zip_id = response.json()["files"][0]["id"]
    imported = wait_for_import(other, response.json()["importId"])
    zip_file = next(f for f in imported["files"] if f["id"] == zip_id)
    assert zip_file["compressed"] is True and zip_file["status"] == "processed"
    child = next(f for f in imported["files"] if f["parentFileId"] == zip_id)
    assert child["filename"] == "in.pdf" and child["status"] == "processed"


def test_unreachable_url_is_still_rejected_in_the_background(other: httpx.Client) -> None:
    response = other.post("/v1/ingest/by-url", json={"files": [{"url": "http://127.0.0.1:9/gone.pdf"}]})
    assert response.status_code == 200
    file = wait_for_file(other, response.json()["files"][0]["id"])
    assert file["status"] == "rejected" and file["error"] == "ERR_DOWNLOADING_FILE"


def test_zip_children_are_still_judged_in_the_background(other: httpx.Client) -> None:
    answer = upload(other, [("mixed.zip", samples.zip_of({"a.pdf": samples.pdf(), "b.txt": b"x"}))], expect=200)
    imported = wait_for_import(other, answer["importId"])
    by_name = {f["filename"]: f for f in imported["files"]}
    assert by_name["a.pdf"]["status"] == "processed" and by_name["b.txt"]["status"] == "rejected"


def test_health_reports_the_personality(opposite_mock: RunningMock) -> None:
    settings = httpx.get(f"{opposite_mock.base_url}/__mock__/health").json()["settings"]
    assert settings["rejection"] == "sync" and settings["success_status"] == 200
    assert settings["auth_failure_status"] == 403
