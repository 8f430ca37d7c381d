"""Several files, files with urls, `info` on every file, read-your-writes (DECISIONS: Combinations)."""

from __future__ import annotations

import httpx
import pytest

from . import samples
from .conftest import FileServer
from .helpers import ID, upload, wait_for_file, wait_for_import

pytestmark = pytest.mark.selftest


def test_every_uploaded_file_is_readable_at_once_with_the_same_fields(client: httpx.Client) -> None:
    answer = upload(client, [("one.pdf", samples.pdf()), ("two.png", samples.png())])
    for key in ("accountId", "environmentId", "importId"):
        assert ID.fullmatch(answer[key])
    for entry in answer["files"]:
        file = client.get(f"/v1/ingest/files/{entry['id']}")  # no wait: read-your-writes
        assert file.status_code == 200
        body = file.json()
        assert body["filename"] == entry["filename"]
        for key in ("importId", "accountId", "environmentId"):
            assert body[key] == answer[key]


def test_several_files_give_one_entry_each(client: httpx.Client) -> None:
    names = [f"part-{i}.pdf" for i in range(5)]
    answer = upload(client, [(n, samples.pdf()) for n in names])
    assert [f["filename"] for f in answer["files"]] == names
    assert len({f["id"] for f in answer["files"]}) == len(names)
    imported = wait_for_import(client, answer["importId"])
    assert sorted(f["id"] for f in imported["files"]) == sorted(f["id"] for f in answer["files"])
    assert imported["documents"] == len(names)


def test_same_name_twice_gives_two_files(client: httpx.Client) -> None:
    answer = upload(client, [("same.pdf", samples.pdf()), ("same.pdf", samples.pdf())])
    assert len({f["id"] for f in answer["files"]}) == 2


def test_files_and_urls_give_entries_for_both(client: httpx.Client, file_server: FileServer) -> None:
    url = file_server.add("combo/remote.pdf", samples.pdf())
    answer = upload(client, [("local.pdf", samples.pdf())], urls=[url], info={"clientData": {"run": "combo"}})
    assert [f["filename"] for f in answer["files"]] == ["local.pdf", "remote.pdf"]
    for entry in answer["files"]:
        file = wait_for_file(client, entry["id"])
        assert file["status"] == "processed"
        assert file["clientData"] == {"run": "combo"}


def test_client_data_is_stored_on_every_file_and_the_import(client: httpx.Client) -> None:
    info = {"clientData": {"userId": "u-1", "nested": {"n": [1, 2]}}, "company": "66d5dc3afed4f8062c998439"}
    answer = upload(client, [("a.pdf", samples.pdf()), ("b.jpg", samples.jpeg())], info=info)
    for entry in answer["files"]:
        file = client.get(f"/v1/ingest/files/{entry['id']}").json()
        assert file["clientData"] == info["clientData"]
        assert file["companyId"] == info["company"]
    assert client.get(f"/v1/ingest/imports/{answer['importId']}").json()["clientData"] == info["clientData"]


def test_byurl_per_file_client_data_overrides_the_batch(client: httpx.Client, file_server: FileServer) -> None:
    first = file_server.add("override/first.pdf", samples.pdf())
    second = file_server.add("override/second.pdf", samples.pdf())
    response = client.post(
        "/v1/ingest/by-url",
        json={
            "files": [{"url": first, "info": {"clientData": {"who": "file"}}}, {"url": second}],
            "info": {"clientData": {"who": "batch"}, "company": "66d5dc3afed4f8062c998439"},
        },
    )
    assert response.status_code == 201, response.text
    first_file, second_file = (client.get(f"/v1/ingest/files/{f['id']}").json() for f in response.json()["files"])
    assert first_file["clientData"] == {"who": "file"}
    assert second_file["clientData"] == {"who": "batch"}
    assert first_file["companyId"] == second_file["companyId"] == "66d5dc3afed4f8062c998439"


def test_unused_part_names_are_ignored_when_files_are_present(client: httpx.Client) -> None:
    response = client.post(
        "/v1/ingest/uploads", files=[("files", ("a.pdf", samples.pdf())), ("file", ("ignored.pdf", samples.pdf()))]
    )
    assert response.status_code == 201
    assert [f["filename"] for f in response.json()["files"]] == ["a.pdf"]
