"""The content choices over loopback: strict vs lenient decoding, a valid file under the wrong
extension, and the ZIP choices (all-rejected archive, child names, unsupported and nested entries).

Each test sends the same bytes to the mock's default and to the other option, and shows both answers,
so a choice that does nothing (or breaks the default) fails here."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from ingest_conformance.mock import run_mock

from . import damaged, samples
from .conftest import fast
from .helpers import KEY_A, upload, wait_for_file, wait_for_import

pytestmark = pytest.mark.selftest

Clients = dict[str, httpx.Client]
VARIANTS: dict[str, dict[str, Any]] = {
    "strict": {},
    "lenient": {"decoding": "lenient"},
    "strict-sync": {"rejection": "sync"},
    "lenient-sync": {"decoding": "lenient", "rejection": "sync"},
    "mismatch-rejected": {"wrong_extension": "reject"},
    "mismatch-rejected-sync": {"wrong_extension": "reject", "rejection": "sync"},
    "zip-rejected": {"zip_all_rejected": "rejected"},
    "lenient-zip-rejected": {"decoding": "lenient", "zip_all_rejected": "rejected"},
    "entry-paths": {"zip_child_names": "path"},
    "odd-skipped": {"zip_unsupported": "skip", "zip_all_rejected": "rejected"},
    "nested-rejected": {"zip_nested": "reject"},
    "nested-skipped": {"zip_nested": "skip"},
}


@pytest.fixture(scope="module")
def clients() -> Iterator[Clients]:
    with contextlib.ExitStack() as stack:
        opened: Clients = {}
        for name, overrides in VARIANTS.items():
            mock = stack.enter_context(run_mock(fast(**overrides)))
            client = httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_A}, timeout=30)
            opened[name] = stack.enter_context(client)
        yield opened


def _ends(client: httpx.Client, name: str, data: bytes) -> dict[str, Any]:
    return wait_for_file(client, upload(client, [(name, data)])["files"][0]["id"])


def _zip_run(client: httpx.Client, archive: bytes) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The ZIP's own file at its end, and its children by name."""
    answer = upload(client, [("pack.zip", archive)])
    zip_id = answer["files"][0]["id"]
    imported = wait_for_import(client, answer["importId"])
    zip_file = wait_for_file(client, zip_id)
    return zip_file, {f["filename"]: f for f in imported["files"] if f.get("parentFileId") == zip_id}


RECOVERABLE: dict[str, tuple[str, Callable[[], bytes]]] = {
    "png-bad-crc-in-a-later-chunk": ("scan.png", damaged.png_bad_idat_crc),
    "jpeg-tail-cut-off": ("photo.jpg", damaged.jpeg_tail_cut),
    "pdf-xref-offset-wrong": ("doc.pdf", damaged.pdf_xref_offset_damaged),
    "tiff-tail-cut-off": ("scan.tiff", lambda: samples.truncated(samples.tiff())),
}


@pytest.mark.parametrize("case", list(RECOVERABLE))
def test_recoverable_damage_is_rejected_when_strict_and_processed_when_lenient(clients: Clients, case: str) -> None:
    name, make = RECOVERABLE[case]
    data = make()
    strict = _ends(clients["strict"], name, data)
    assert strict["status"] == "rejected" and strict["error"] == "ERR_CORRUPTED_FILE"
    assert _ends(clients["lenient"], name, data)["status"] == "processed"
    assert clients["strict-sync"].post("/v1/ingest/uploads", files=[("files", (name, data))]).status_code == 400
    sync = upload(clients["lenient-sync"], [(name, data)])
    assert wait_for_file(clients["lenient-sync"], sync["files"][0]["id"])["status"] == "processed"


UNRECOVERABLE: dict[str, tuple[str, bytes]] = {
    "empty": ("a.pdf", b""),
    "garbage": ("a.pdf", b"garbage, not a document"),
    "png-header-cut": ("a.png", damaged.header_cut(samples.png())),
    "pdf-header-cut": ("a.pdf", damaged.header_cut(samples.pdf())),
    "png-bad-header-crc": ("a.png", samples.png_bad_crc()),
    "pdf-first-half": ("a.pdf", samples.truncated(samples.pdf(pages=2))),
}


@pytest.mark.parametrize("case", list(UNRECOVERABLE))
def test_what_no_lenient_reader_opens_is_rejected_either_way(clients: Clients, case: str) -> None:
    name, data = UNRECOVERABLE[case]
    for variant in ("strict", "lenient"):
        file = _ends(clients[variant], name, data)
        assert file["status"] == "rejected" and file["error"], (variant, file)
    assert clients["lenient-sync"].post("/v1/ingest/uploads", files=[("files", (name, data))]).status_code == 400


def test_a_zip_whose_directory_is_misplaced_is_opened_only_when_lenient(clients: Clients) -> None:
    archive = damaged.zip_directory_offset_damaged()
    zip_file, children = _zip_run(clients["strict"], archive)
    assert zip_file["status"] == "rejected" and not children
    zip_file, children = _zip_run(clients["lenient"], archive)
    assert zip_file["status"] == "processed" and zip_file["compressed"] is True
    assert children["in.pdf"]["status"] == "rejected" and children["in.pdf"]["error"] == "ERR_CORRUPTED_FILE"
    zip_file, children = _zip_run(clients["lenient-zip-rejected"], archive)
    assert zip_file["status"] == "rejected" and zip_file["error"] and children["in.pdf"]["status"] == "rejected"


def test_a_zip_entry_with_a_bad_crc_is_one_rejected_child_when_lenient(clients: Clients) -> None:
    archive = damaged.zip_entry_bad_crc()
    assert _zip_run(clients["strict"], archive)[0]["status"] == "rejected"
    zip_file, children = _zip_run(clients["lenient"], archive)
    assert zip_file["status"] == "processed"
    assert children["good.pdf"]["status"] == "processed" and children["bad.pdf"]["status"] == "rejected"
    assert clients["lenient-sync"].post("/v1/ingest/uploads", files=[("files", ("a.zip", archive))]).status_code in (
        200,
        201,
    )


def test_a_valid_file_under_the_wrong_extension_is_sniffed_or_rejected(clients: Clients) -> None:
    sniffed = _ends(clients["strict"], "image.pdf", samples.png())
    assert sniffed["status"] == "processed" and sniffed["mimeType"] == "image/png"
    rejected = _ends(clients["mismatch-rejected"], "image.pdf", samples.png())
    assert rejected["status"] == "rejected" and rejected["error"] == "ERR_UNSUPPORTED_FILE_FORMAT"
    assert _ends(clients["mismatch-rejected"], "photo.jpeg", samples.jpeg())["status"] == "processed"
    refused = clients["mismatch-rejected-sync"].post("/v1/ingest/uploads", files=[("files", ("i.pdf", samples.png()))])
    assert refused.status_code == 400


def test_a_zip_of_only_rejected_children_ends_processed_or_rejected(clients: Clients) -> None:
    archive = samples.zip_of({"notes.txt": b"text", "anim.gif": samples.gif()})
    for variant, expected in (("strict", "processed"), ("zip-rejected", "rejected")):
        zip_file, children = _zip_run(clients[variant], archive)
        assert {c["status"] for c in children.values()} == {"rejected"} and len(children) == 2
        assert zip_file["status"] == expected, variant
        assert bool(zip_file.get("error")) is (expected == "rejected")
    mixed = samples.zip_of({"notes.txt": b"text", "a.pdf": samples.pdf()})
    assert _zip_run(clients["zip-rejected"], mixed)[0]["status"] == "processed"


def test_children_are_named_by_basename_or_full_entry_path(clients: Clients) -> None:
    archive = samples.zip_of({"docs/2024/a.pdf": samples.pdf(), "b.png": samples.png()})
    assert set(_zip_run(clients["strict"], archive)[1]) == {"a.pdf", "b.png"}
    zip_file, children = _zip_run(clients["entry-paths"], archive)
    assert set(children) == {"docs/2024/a.pdf", "b.png"}
    assert zip_file["status"] == "processed" and all(c["status"] == "processed" for c in children.values())


def test_unsupported_entries_become_rejected_children_or_are_skipped(clients: Clients) -> None:
    archive = samples.zip_of({"a.pdf": samples.pdf(), "notes.txt": b"text"})
    children = _zip_run(clients["strict"], archive)[1]
    assert children["notes.txt"]["error"] == "ERR_UNSUPPORTED_FILE_FORMAT" and "a.pdf" in children
    zip_file, children = _zip_run(clients["odd-skipped"], archive)
    assert set(children) == {"a.pdf"} and zip_file["status"] == "processed"
    only_odd = samples.zip_of({"notes.txt": b"text"})
    zip_file, children = _zip_run(clients["odd-skipped"], only_odd)  # nothing left: zip_all_rejected decides
    assert not children and zip_file["status"] == "rejected"


def test_nested_zips_are_expanded_rejected_or_skipped(clients: Clients) -> None:
    archive = samples.zip_of({"a.pdf": samples.pdf(), "inner.zip": samples.zip_of({"deep.pdf": samples.pdf()})})
    expanded = wait_for_import(clients["strict"], upload(clients["strict"], [("pack.zip", archive)])["importId"])
    assert {f["filename"] for f in expanded["files"]} == {"pack.zip", "a.pdf", "inner.zip", "deep.pdf"}
    zip_file, children = _zip_run(clients["nested-rejected"], archive)
    assert children["inner.zip"]["status"] == "rejected" and children["inner.zip"]["error"]
    assert "deep.pdf" not in children and zip_file["status"] == "processed"
    zip_file, children = _zip_run(clients["nested-skipped"], archive)
    assert set(children) == {"a.pdf"} and zip_file["status"] == "processed"
