"""Formats per operation, on the default (async-rejection) mock (DECISIONS: Formats)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from . import samples
from .helpers import upload, wait_for_file

pytestmark = pytest.mark.selftest

VALID: dict[str, Callable[[], bytes]] = {
    "pdf": samples.pdf,
    "jpeg": samples.jpeg,
    "jpg": samples.jpeg,
    "png": samples.png,
    "tiff": samples.tiff,
    "tif": samples.tiff,
}
MIME = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "tif": "image/tiff",
}


def _single(client: httpx.Client, name: str, data: bytes) -> str:
    response = client.post("/v1/ingest/single", files=[("file", (name, data))])
    assert response.status_code == 201, response.text
    file_id: str = response.json()["fileId"]
    return file_id


@pytest.mark.parametrize("ext", ["pdf", "jpeg", "jpg", "png", "tiff", "tif"])
def test_uploads_process_every_allowed_format(client: httpx.Client, ext: str) -> None:
    answer = upload(client, [(f"doc.{ext}", VALID[ext]())])
    file = wait_for_file(client, answer["files"][0]["id"])
    assert file["status"] == "processed" and file["error"] is None
    assert file["mimeType"] == MIME[ext] and file["compressed"] is False
    assert file["documentIds"] == [answer["files"][0]["documentId"]]


@pytest.mark.parametrize("ext", ["pdf", "jpeg", "jpg", "png", "tiff", "tif"])
def test_single_processes_every_allowed_format(client: httpx.Client, ext: str) -> None:
    file = wait_for_file(client, _single(client, f"doc.{ext}", VALID[ext]()))
    assert file["status"] == "processed" and file["error"] is None


def test_uploads_accept_a_zip(client: httpx.Client) -> None:
    answer = upload(client, [("bundle.zip", samples.zip_of({"a.pdf": samples.pdf()}))])
    file = wait_for_file(client, answer["files"][0]["id"])
    assert file["compressed"] is True and file["status"] == "processed"


def test_single_rejects_a_zip_as_unsupported(client: httpx.Client) -> None:
    file = wait_for_file(client, _single(client, "bundle.zip", samples.zip_of({"a.pdf": samples.pdf()})))
    assert file["status"] == "rejected" and file["error"] == "ERR_UNSUPPORTED_FILE_FORMAT"


UNSUPPORTED = {
    "gif": ("anim.gif", samples.gif()),
    "txt": ("notes.txt", b"plain text\n"),
    "docx": ("letter.docx", samples.zip_of({"word/document.xml": b"<w:document/>"})),
    "exe": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
    "no-extension": ("README", samples.pdf()),
    "gif-bytes-named-pdf": ("fake.pdf", samples.gif()),
}


@pytest.mark.parametrize("case", list(UNSUPPORTED))
def test_unsupported_type_is_rejected_with_the_documented_code(client: httpx.Client, case: str) -> None:
    answer = upload(client, [UNSUPPORTED[case]])
    file = wait_for_file(client, answer["files"][0]["id"])
    assert file["status"] == "rejected" and file["error"] == "ERR_UNSUPPORTED_FILE_FORMAT"
    assert file["documentIds"] == []


CORRUPT = {
    "garbage-pdf": ("garbage.pdf", b"this is not a pdf at all" * 10),
    "truncated-pdf": ("cut.pdf", samples.truncated(samples.pdf(pages=3))),
    "truncated-png": ("cut.png", samples.truncated(samples.png())),
    "truncated-jpeg": ("cut.jpg", samples.truncated(samples.jpeg())),
    "truncated-tiff": ("cut.tiff", samples.truncated(samples.tiff())),
    "empty-pdf": ("empty.pdf", b""),
    "empty-png": ("empty.png", b""),
    "empty-zip": ("empty.zip", b""),
    "garbage-zip": ("broken.zip", b"PK\x03\x04" + b"\xff" * 200),
    "png-bad-crc": ("crc.png", samples.png_bad_crc()),
    "png-pixel-bomb": ("bomb.png", samples.pixel_bomb_png()),
}


@pytest.mark.parametrize("case", list(CORRUPT))
def test_invalid_content_never_ends_processed(client: httpx.Client, case: str) -> None:
    answer = upload(client, [CORRUPT[case]])
    file = wait_for_file(client, answer["files"][0]["id"])
    assert file["status"] == "rejected"
    assert isinstance(file["error"], str) and file["error"]


def test_png_bytes_named_pdf_are_processed_as_the_png_they_are(client: httpx.Client) -> None:
    answer = upload(client, [("really-a-png.pdf", samples.png())])
    file = wait_for_file(client, answer["files"][0]["id"])
    assert file["status"] == "processed" and file["mimeType"] == "image/png"


def test_a_multi_page_pdf_is_read_fully(client: httpx.Client) -> None:
    answer = upload(client, [("pages.pdf", samples.pdf(pages=5))])
    assert wait_for_file(client, answer["files"][0]["id"])["status"] == "processed"
