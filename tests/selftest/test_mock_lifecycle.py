"""Processing lifecycle of files and imports (DECISIONS: Processing lifecycle)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from ingest_conformance.mock import RunningMock, run_mock

from . import samples
from .conftest import fast
from .helpers import KEY_A, upload, wait_for_file, wait_for_import

pytestmark = pytest.mark.selftest


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def slow_mock() -> Iterator[RunningMock]:
    """Slow enough to see every intermediate state."""
    with run_mock(fast(processing_delay=0.15)) as running:
        yield running


def test_every_state_is_seen_in_order_and_only_forward(slow_mock: RunningMock) -> None:
    with httpx.Client(base_url=slow_mock.base_url, headers={"x-api-key": KEY_A}, timeout=30) as c:
        answer = upload(c, [("slow.pdf", samples.pdf())])
        first = c.get(f"/v1/ingest/files/{answer['files'][0]['id']}").json()
        assert first["status"] == "pending" and first["updatedAt"] is None
        file = wait_for_file(c, answer["files"][0]["id"])
        seen = [s for i, s in enumerate(file["_seen"]) if i == 0 or file["_seen"][i - 1] != s]
        assert seen == ["pending", "processing", "processed"]
        assert _parse(file["updatedAt"]) >= _parse(file["createdAt"])


def test_import_is_processing_until_all_files_are_terminal(slow_mock: RunningMock) -> None:
    with httpx.Client(base_url=slow_mock.base_url, headers={"x-api-key": KEY_A}, timeout=30) as c:
        answer = upload(c, [("a.pdf", samples.pdf()), ("b.gif", samples.gif())])
        early = c.get(f"/v1/ingest/imports/{answer['importId']}").json()
        assert early["status"] == "processing"
        assert {f["status"] for f in early["files"]} <= {"pending", "processing"}
        done = wait_for_import(c, answer["importId"])
        assert {f["status"] for f in done["files"]} == {"processed", "rejected"}


def test_rejected_files_carry_an_error_and_processed_ones_none(client: httpx.Client) -> None:
    answer = upload(client, [("good.png", samples.png()), ("bad.pdf", b"nope")])
    good, bad = (wait_for_file(client, f["id"]) for f in answer["files"])
    assert good["status"] == "processed" and good["error"] is None and good["documentIds"]
    assert bad["status"] == "rejected" and isinstance(bad["error"], str) and bad["error"]
    assert bad["documentIds"] == []


def test_import_fields(client: httpx.Client) -> None:
    answer = upload(client, [("a.pdf", samples.pdf()), ("b.tiff", samples.tiff()), ("c.txt", b"x")])
    imported = wait_for_import(client, answer["importId"])
    assert imported["id"] == answer["importId"] and imported["channel"] == "api"
    assert imported["accountId"] == answer["accountId"]
    assert imported["environmentId"] == answer["environmentId"]
    assert imported["documents"] == sum(len(f["documentIds"]) for f in imported["files"]) == 2
    assert imported["clientData"] == {}  # IR: an empty object when none was given
    _parse(imported["createdAt"])


def test_terminal_status_stays_put(client: httpx.Client) -> None:
    answer = upload(client, [("stay.pdf", samples.pdf())])
    file = wait_for_file(client, answer["files"][0]["id"])
    for _ in range(5):
        again = client.get(f"/v1/ingest/files/{file['id']}").json()
        assert again["status"] == file["status"] and again["updatedAt"] == file["updatedAt"]


def test_many_files_all_reach_a_terminal_state(client: httpx.Client) -> None:
    files = [(f"bulk-{i}.{'pdf' if i % 2 else 'png'}", samples.pdf() if i % 2 else samples.png()) for i in range(20)]
    answer = upload(client, files)
    imported = wait_for_import(client, answer["importId"])
    assert len(imported["files"]) == 20
    assert all(f["status"] == "processed" for f in imported["files"])
