"""The 400 matrix of the JSON operations: by-URL and single-by-URL bodies (VAL-400-005/006, VAL-INFO-001)."""

from __future__ import annotations

import pytest

from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import TargetClient

BY_URL_NO_FILES = {
    "empty-object": b"{}",
    "files-null": b'{"files": null}',
    "files-empty-list": b'{"files": []}',
    "files-string": b'{"files": "https://example.invalid/a.pdf"}',
    "files-object": b'{"files": {"url": "https://example.invalid/a.pdf"}}',
    "body-array": b"[]",
    "body-not-json": b'{"files": [',
    "body-empty": b"",
}
BAD_ENTRY = {
    "entry-empty": b'{"files": [{}]}',
    "url-null": b'{"files": [{"url": null}]}',
    "url-number": b'{"files": [{"url": 42}]}',
    "url-empty": b'{"files": [{"url": ""}]}',
    "url-relative": b'{"files": [{"url": "/files/a.pdf"}]}',
    "url-no-scheme": b'{"files": [{"url": "example.invalid/a.pdf"}]}',
    "url-spaces": b'{"files": [{"url": "not a url at all"}]}',
    "entry-string": b'{"files": ["https://example.invalid/a.pdf"]}',
}


@pytest.mark.requirement("VAL-400-005", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize("body", list(BY_URL_NO_FILES.values()), ids=list(BY_URL_NO_FILES))
def test_by_url_without_a_files_list_is_400(client: TargetClient, verdict: Verdict, body: bytes) -> None:
    ex = client.send(
        "POST",
        "/v1/ingest/by-url",
        content=body,
        headers={"content-type": "application/json"},
        note="by-url without a non-empty files list",
    )
    verdict.answered(ex, "uploadByUrl")
    verdict.status_in("VAL-400-005", ex, {400}, "400 when `files` is missing, not a list, or empty")


@pytest.mark.requirement("VAL-400-006", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize("body", list(BAD_ENTRY.values()), ids=list(BAD_ENTRY))
def test_by_url_entry_without_a_valid_url_is_400(client: TargetClient, verdict: Verdict, body: bytes) -> None:
    ex = client.send(
        "POST",
        "/v1/ingest/by-url",
        content=body,
        headers={"content-type": "application/json"},
        note="by-url entry without a valid absolute url",
    )
    verdict.answered(ex, "uploadByUrl")
    verdict.status_in("VAL-400-006", ex, {400}, "400 when a `files` entry lacks a valid absolute `url`")


SINGLE_URL_BAD = {
    "empty-object": b"{}",
    "url-null": b'{"url": null}',
    "url-relative": b'{"url": "/a.pdf"}',
    "url-spaces": b'{"url": "not a url"}',
    "body-array": b'[{"url": "https://example.invalid/a.pdf"}]',
    "body-not-json": b'{"url": ',
}


# DECISIONS.md names no status for a bad single-by-URL body (only for by-URL), so these are held to
# the universal rules: no 5xx, a JSON error body.
@pytest.mark.requirement("ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize("body", list(SINGLE_URL_BAD.values()), ids=list(SINGLE_URL_BAD))
def test_single_url_without_a_valid_url_is_never_5xx(
    client: TargetClient, verdict: Verdict, single_url_path: str, body: bytes
) -> None:
    ex = client.send(
        "POST",
        single_url_path,
        content=body,
        headers={"content-type": "application/json"},
        note="single-by-url without a valid absolute url",
    )
    verdict.answered(ex, "uploadSingleUrl")
