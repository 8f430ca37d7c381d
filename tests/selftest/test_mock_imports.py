"""List-imports and get-import (DECISIONS: Processing lifecycle; list-imports ranges)."""

from __future__ import annotations

import httpx
import pytest

from ingest_conformance.mock import run_mock

from . import samples
from .conftest import fast
from .helpers import KEY_A, upload, wait_for_import

pytestmark = pytest.mark.selftest


def test_listing_is_newest_first_with_a_total_count() -> None:
    with run_mock(fast()) as mock, httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_A}) as c:
        created = [upload(c, [(f"n{i}.pdf", samples.pdf())])["importId"] for i in range(8)]
        first = c.get("/v1/ingest/imports").json()
        assert first["count"] == 8
        assert [imp["id"] for imp in first["result"]] == created[::-1][:5]  # default limit 5
        second = c.get("/v1/ingest/imports", params={"skip": 5, "limit": 15}).json()
        assert [imp["id"] for imp in second["result"]] == created[::-1][5:]
        assert second["count"] == 8
        one = c.get("/v1/ingest/imports", params={"limit": 1}).json()
        assert [imp["id"] for imp in one["result"]] == [created[-1]]


def test_summary_fields(client: httpx.Client) -> None:
    answer = upload(client, [("s.pdf", samples.pdf())])
    summary = next(imp for imp in client.get("/v1/ingest/imports").json()["result"] if imp["id"] == answer["importId"])
    assert set(summary) >= {"id", "accountId", "environmentId", "channel", "status", "createdAt", "documents"}
    assert "files" not in summary
    assert summary["channel"] == "api" and summary["status"] in ("processing", "processed")
    assert summary["accountId"] == answer["accountId"]


def test_own_environment_id_filter_lists_the_same(client: httpx.Client) -> None:
    answer = upload(client, [("f.pdf", samples.pdf())])
    filtered = client.get("/v1/ingest/imports", params={"environmentId": answer["environmentId"]}).json()
    assert answer["importId"] in [imp["id"] for imp in filtered["result"]]


def test_unknown_environment_id_gives_an_empty_page(client: httpx.Client) -> None:
    upload(client, [("u.pdf", samples.pdf())])
    listed = client.get("/v1/ingest/imports", params={"environmentId": "ffffffffffffffffffffffff"})
    assert listed.status_code == 200 and listed.json() == {"count": 0, "result": []}


def test_get_import_lists_every_file_of_the_upload(client: httpx.Client) -> None:
    answer = upload(client, [("x.pdf", samples.pdf()), ("y.png", samples.png())])
    imported = client.get(f"/v1/ingest/imports/{answer['importId']}").json()
    assert [f["id"] for f in imported["files"]] == [f["id"] for f in answer["files"]]
    assert imported["providerInfo"] is None


def test_the_store_forgets_the_oldest_finished_imports_past_its_cap() -> None:
    with (
        run_mock(fast(max_stored_imports=3)) as mock,
        httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_A}) as c,
    ):
        answers = []
        for i in range(5):
            answers.append(upload(c, [(f"cap{i}.pdf", samples.pdf())]))
            wait_for_import(c, answers[-1]["importId"])
        upload(c, [("last.pdf", samples.pdf())])
        listed = c.get("/v1/ingest/imports", params={"limit": 15}).json()
        assert listed["count"] == 3
        assert c.get(f"/v1/ingest/imports/{answers[0]['importId']}").status_code == 404
        assert c.get(f"/v1/ingest/files/{answers[0]['files'][0]['id']}").status_code == 404
        assert c.get(f"/v1/ingest/imports/{answers[-1]['importId']}").status_code == 200
