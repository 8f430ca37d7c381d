"""ZIP uploads: children, nesting and hostile archives (DECISIONS: ZIP)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from . import samples
from .helpers import upload, wait_for_file, wait_for_import

pytestmark = pytest.mark.selftest


def _upload_zip(client: httpx.Client, data: bytes, name: str = "bundle.zip") -> tuple[dict[str, Any], dict[str, Any]]:
    """Upload one archive and wait for its import to finish: (the zip's file, the import)."""
    answer = upload(client, [(name, data)])
    zip_id = answer["files"][0]["id"]
    imported = wait_for_import(client, answer["importId"])
    zip_file = next(f for f in imported["files"] if f["id"] == zip_id)
    return zip_file, imported


def _children(imported: dict[str, Any], parent_id: str) -> dict[str, dict[str, Any]]:
    return {f["filename"]: f for f in imported["files"] if f["parentFileId"] == parent_id}


def test_zip_children_appear_with_parent_and_end_terminal(client: httpx.Client) -> None:
    data = samples.zip_of({"a.pdf": samples.pdf(), "scans/b.png": samples.png(), "c.txt": b"text"})
    zip_file, imported = _upload_zip(client, data)
    assert zip_file["compressed"] is True and zip_file["status"] == "processed"
    assert zip_file["documentIds"] == []
    children = _children(imported, zip_file["id"])
    assert set(children) == {"a.pdf", "b.png", "c.txt"}  # named by basename
    assert all(c["compressed"] is False for c in children.values())
    assert children["a.pdf"]["status"] == children["b.png"]["status"] == "processed"
    assert children["c.txt"]["status"] == "rejected"
    assert children["c.txt"]["error"] == "ERR_UNSUPPORTED_FILE_FORMAT"
    assert imported["documents"] == 2
    for child in children.values():  # each child is a file of its own, readable directly
        assert wait_for_file(client, child["id"])["parentFileId"] == zip_file["id"]


def test_a_zip_child_appears_while_the_import_is_still_processing(client: httpx.Client) -> None:
    answer = upload(client, [("one.zip", samples.zip_of({"inner.pdf": samples.pdf()}))])
    imported = wait_for_import(client, answer["importId"])
    assert len(imported["files"]) == 2 and imported["status"] == "processed"


def test_nested_zip_is_expanded_one_level(client: httpx.Client) -> None:
    inner = samples.zip_of({"deep.pdf": samples.pdf()})
    zip_file, imported = _upload_zip(client, samples.zip_of({"inner.zip": inner, "top.pdf": samples.pdf()}))
    children = _children(imported, zip_file["id"])
    assert children["inner.zip"]["compressed"] is True and children["inner.zip"]["status"] == "processed"
    grandchildren = _children(imported, children["inner.zip"]["id"])
    assert grandchildren["deep.pdf"]["status"] == "processed"


def test_zip_nested_past_the_depth_limit_is_rejected(client: httpx.Client) -> None:
    deepest = samples.zip_of({"x.pdf": samples.pdf()})
    middle = samples.zip_of({"level3.zip": deepest})
    zip_file, imported = _upload_zip(client, samples.zip_of({"level2.zip": middle}))
    level2 = _children(imported, zip_file["id"])["level2.zip"]
    level3 = _children(imported, level2["id"])["level3.zip"]
    assert level3["status"] == "rejected" and level3["error"]
    assert not _children(imported, level3["id"])


@pytest.mark.parametrize(
    "entry", ["../evil.pdf", "../../../../tmp/evil.pdf", "/etc/evil.pdf", "C:/Windows/evil.pdf", "ok/../../evil.pdf"]
)
def test_path_traversal_entries_are_rejected_children(client: httpx.Client, entry: str) -> None:
    data = samples.zip_of({entry: samples.pdf(), "fine.pdf": samples.pdf()})
    zip_file, imported = _upload_zip(client, data)
    children = _children(imported, zip_file["id"])
    assert children["evil.pdf"]["status"] == "rejected" and children["evil.pdf"]["error"]
    assert children["fine.pdf"]["status"] == "processed"
    assert all("/" not in name and "\\" not in name for name in children)


def test_zip_bomb_is_rejected_without_children(client: httpx.Client) -> None:
    zip_file, imported = _upload_zip(client, samples.zip_bomb())
    assert zip_file["status"] == "rejected" and zip_file["error"]
    assert not _children(imported, zip_file["id"])


def test_small_highly_compressible_zip_is_not_a_bomb(client: httpx.Client) -> None:
    padded = samples.pdf() + b"\n%" + b"0" * (600 * 1024) + b"\n"  # 600 KiB of one byte, ratio > 100
    zip_file, imported = _upload_zip(client, samples.zip_of({"padded.txt": padded}))
    assert zip_file["status"] == "processed"
    assert _children(imported, zip_file["id"])["padded.txt"]["error"] == "ERR_UNSUPPORTED_FILE_FORMAT"


@pytest.mark.parametrize(
    "data",
    [
        samples.zip_with_lying_size(samples.pdf(pages=4)),
        samples.truncated(samples.zip_of({"a.pdf": samples.pdf()})),
        b"PK\x05\x06" + b"\x00" * 10,
    ],
    ids=["lying-sizes", "truncated", "broken-end-record"],
)
def test_corrupt_archive_is_rejected(client: httpx.Client, data: bytes) -> None:
    zip_file, _ = _upload_zip(client, data)
    assert zip_file["status"] == "rejected" and zip_file["error"]


def test_empty_archive_ends_processed_with_no_children(client: httpx.Client) -> None:
    zip_file, imported = _upload_zip(client, samples.zip_of({}))
    assert zip_file["status"] == "processed" and not _children(imported, zip_file["id"])


def test_zip_by_url_is_unsupported_by_default(client: httpx.Client, file_server: Any) -> None:
    url = file_server.add("zips/remote.zip", samples.zip_of({"a.pdf": samples.pdf()}))
    response = client.post("/v1/ingest/by-url", json={"files": [{"url": url}]})
    assert response.status_code == 201
    file = wait_for_file(client, response.json()["files"][0]["id"])
    assert file["status"] == "rejected" and file["error"] == "ERR_UNSUPPORTED_FILE_FORMAT"
