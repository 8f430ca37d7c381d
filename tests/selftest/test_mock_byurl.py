"""Uploads by URL, served from a loopback file server (DECISIONS: by-URL)."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest

from ingest_conformance.mock import RunningMock

from . import samples
from .conftest import FileServer
from .helpers import wait_for_file

pytestmark = pytest.mark.selftest


def _by_url(client: httpx.Client, *entries: dict[str, str]) -> list[dict[str, str]]:
    response = client.post("/v1/ingest/by-url", json={"files": list(entries)})
    assert response.status_code == 201, response.text
    files: list[dict[str, str]] = response.json()["files"]
    return files


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once closed


def test_reachable_url_of_an_allowed_file_ends_processed(client: httpx.Client, file_server: FileServer) -> None:
    url = file_server.add("by-url/invoice.pdf", samples.pdf())
    (entry,) = _by_url(client, {"url": url})
    assert entry["filename"] == "invoice.pdf"
    file = wait_for_file(client, entry["id"])
    assert file["status"] == "processed" and file["mimeType"] == "application/pdf"


def test_several_urls_with_own_names(client: httpx.Client, file_server: FileServer) -> None:
    a = file_server.add("by-url/a.jpg", samples.jpeg())
    b = file_server.add("by-url/b.tiff", samples.tiff())
    entries = _by_url(client, {"url": a, "filename": "first.jpg"}, {"url": b})
    assert [e["filename"] for e in entries] == ["first.jpg", "b.tiff"]
    assert all(wait_for_file(client, e["id"])["status"] == "processed" for e in entries)


def test_redirect_on_loopback_is_followed(client: httpx.Client, file_server: FileServer) -> None:
    file_server.add("by-url/moved.png", samples.png())
    (entry,) = _by_url(client, {"url": f"{file_server.base}/redirect/by-url/moved.png"})
    assert wait_for_file(client, entry["id"])["status"] == "processed"


@pytest.mark.parametrize(
    "make_url",
    [
        lambda fs: f"http://127.0.0.1:{_closed_port()}/gone.pdf",
        lambda fs: f"{fs.base}/by-url/never-registered.pdf",
        lambda fs: "http://files.example.invalid/remote.pdf",
    ],
    ids=["connection-refused", "source-404", "non-loopback-host"],
)
def test_unreachable_url_is_rejected_with_downloading_error(
    client: httpx.Client, file_server: FileServer, make_url: Callable[[FileServer], str]
) -> None:
    url = make_url(file_server)
    (entry,) = _by_url(client, {"url": url})
    file = wait_for_file(client, entry["id"])
    assert file["status"] == "rejected" and file["error"] == "ERR_DOWNLOADING_FILE"


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/a.pdf", "file:///etc/passwd.pdf", "data:application/pdf;base64,JVBERi0xLjcK"],
    ids=["ftp", "file", "data"],
)
def test_other_schemes_are_never_downloaded(client: httpx.Client, url: str) -> None:
    (entry,) = _by_url(client, {"url": url, "filename": "x.pdf"})
    file = wait_for_file(client, entry["id"])
    assert file["status"] == "rejected" and file["error"] == "ERR_DOWNLOADING_FILE"


def test_downloaded_unsupported_and_corrupt_files_are_rejected(client: httpx.Client, file_server: FileServer) -> None:
    gif = file_server.add("by-url/pic.gif", samples.gif())
    bad = file_server.add("by-url/bad.pdf", b"not a pdf")
    unsupported, corrupt = _by_url(client, {"url": gif}, {"url": bad})
    assert wait_for_file(client, unsupported["id"])["error"] == "ERR_UNSUPPORTED_FILE_FORMAT"
    assert wait_for_file(client, corrupt["id"])["status"] == "rejected"


def test_single_url_processes_one_file(mock: RunningMock, client: httpx.Client, file_server: FileServer) -> None:
    url = file_server.add("single-url/one.tif", samples.tiff())
    response = client.post(mock.settings.single_url_path, json={"url": url, "info": {"clientData": {"s": 1}}})
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {"accountId", "environmentId", "importId", "fileId", "filename"}
    assert body["filename"] == "one.tif"
    file = wait_for_file(client, body["fileId"])
    assert file["status"] == "processed" and file["clientData"] == {"s": 1}


def test_single_url_has_no_zip_support(mock: RunningMock, client: httpx.Client, file_server: FileServer) -> None:
    url = file_server.add("single-url/pack.zip", samples.zip_of({"a.pdf": samples.pdf()}))
    response = client.post(mock.settings.single_url_path, json={"url": url})
    file = wait_for_file(client, response.json()["fileId"])
    assert file["status"] == "rejected" and file["error"] == "ERR_UNSUPPORTED_FILE_FORMAT"
