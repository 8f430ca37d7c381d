"""The 400/404 matrix of DECISIONS ("Requests the docs call invalid"), one readable id per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from . import forms, samples
from .forms import file_part, text_part
from .helpers import assert_json_error, upload

pytestmark = pytest.mark.selftest

PDF = samples.pdf()
Send = Callable[[httpx.Client], httpx.Response]


def _form(path: str, parts: list[forms.RawPart]) -> Send:
    return lambda c: forms.post_parts(c, path, parts)


def _json(path: str, body: Any) -> Send:
    return lambda c: c.post(path, json=body)


def _raw(path: str, content: bytes, ctype: str) -> Send:
    return lambda c: c.post(path, content=content, headers={"content-type": ctype})


def _get(path: str, params: dict[str, str] | None = None) -> Send:
    return lambda c: c.get(path, params=params)


UP, SINGLE, BYURL, SURL = "/v1/ingest/uploads", "/v1/ingest/single", "/v1/ingest/by-url", "/v1/ingest/single-url"
GOOD_URL = "http://127.0.0.1:9/a.pdf"

BAD_REQUESTS: dict[str, Send] = {
    "uploads-no-parts": _form(UP, []),
    "uploads-only-empty-info-and-urls": _form(UP, [text_part(b"info", b""), text_part(b"urls", b"")]),
    "uploads-files-as-text-field": _form(UP, [text_part(b"files", b"%PDF-1.7 not a file part")]),
    "uploads-only-a-file-part-named-file": _form(UP, [file_part(b"a.pdf", PDF, name=b"file")]),
    "uploads-info-broken-json": _form(UP, [file_part(b"a.pdf", PDF), text_part(b"info", b"{broken")]),
    "uploads-info-json-array": _form(UP, [file_part(b"a.pdf", PDF), text_part(b"info", b"[1, 2]")]),
    "uploads-info-json-string": _form(UP, [file_part(b"a.pdf", PDF), text_part(b"info", b'"text"')]),
    "uploads-info-json-number": _form(UP, [file_part(b"a.pdf", PDF), text_part(b"info", b"42")]),
    "uploads-info-not-utf8": _form(UP, [file_part(b"a.pdf", PDF), text_part(b"info", b'{"a": "\xff"}')]),
    "uploads-info-nan": _form(UP, [file_part(b"a.pdf", PDF), text_part(b"info", b'{"a": NaN}')]),
    "uploads-info-twice": _form(UP, [file_part(b"a.pdf", PDF), text_part(b"info", b"{}"), text_part(b"info", b"{}")]),
    "uploads-urls-not-a-url": _form(UP, [text_part(b"urls", b"not a url")]),
    "uploads-urls-relative": _form(UP, [text_part(b"urls", b"/files/a.pdf")]),
    "uploads-json-body": _json(UP, {"files": []}),
    "single-without-file": _form(SINGLE, [text_part(b"info", b"{}")]),
    "single-with-two-files": _form(
        SINGLE, [file_part(b"a.pdf", PDF, name=b"file"), file_part(b"b.pdf", PDF, name=b"file")]
    ),
    "single-file-as-text-field": _form(SINGLE, [text_part(b"file", b"%PDF-1.7")]),
    "single-only-files-part": _form(SINGLE, [file_part(b"a.pdf", PDF)]),
    "single-info-array": _form(SINGLE, [file_part(b"a.pdf", PDF, name=b"file"), text_part(b"info", b"[]")]),
    "byurl-empty-object": _json(BYURL, {}),
    "byurl-files-empty-list": _json(BYURL, {"files": []}),
    "byurl-files-not-a-list": _json(BYURL, {"files": {"url": GOOD_URL}}),
    "byurl-entry-without-url": _json(BYURL, {"files": [{"filename": "a.pdf"}]}),
    "byurl-entry-url-relative": _json(BYURL, {"files": [{"url": "/a.pdf"}]}),
    "byurl-entry-url-not-a-url": _json(BYURL, {"files": [{"url": "just words"}]}),
    "byurl-entry-url-number": _json(BYURL, {"files": [{"url": 42}]}),
    "byurl-entry-url-no-host": _json(BYURL, {"files": [{"url": "http:///a.pdf"}]}),
    "byurl-second-entry-bad": _json(BYURL, {"files": [{"url": GOOD_URL}, {"url": ""}]}),
    "byurl-entry-not-object": _json(BYURL, {"files": [GOOD_URL]}),
    "byurl-info-array": _json(BYURL, {"files": [{"url": GOOD_URL}], "info": []}),
    "byurl-body-array": _json(BYURL, [{"url": GOOD_URL}]),
    "byurl-broken-json": _raw(BYURL, b'{"files": [', "application/json"),
    "byurl-empty-body": _raw(BYURL, b"", "application/json"),
    "byurl-not-json-content-type": _raw(BYURL, b'{"files": [{"url": "http://127.0.0.1:9/a.pdf"}]}', "text/plain"),
    "byurl-deeply-nested": _raw(BYURL, b"[" * 100_000 + b"]" * 100_000, "application/json"),
    "single-url-without-url": _json(SURL, {"filename": "a.pdf"}),
    "single-url-relative": _json(SURL, {"url": "a.pdf"}),
    "list-skip-negative": _get("/v1/ingest/imports", {"skip": "-1"}),
    "list-skip-11": _get("/v1/ingest/imports", {"skip": "11"}),
    "list-skip-not-integer": _get("/v1/ingest/imports", {"skip": "abc"}),
    "list-skip-fraction": _get("/v1/ingest/imports", {"skip": "1.5"}),
    "list-skip-empty": _get("/v1/ingest/imports", {"skip": ""}),
    "list-limit-0": _get("/v1/ingest/imports", {"limit": "0"}),
    "list-limit-16": _get("/v1/ingest/imports", {"limit": "16"}),
    "list-limit-huge": _get("/v1/ingest/imports", {"limit": "99999999999999999999"}),
    "list-limit-not-integer": _get("/v1/ingest/imports", {"limit": "five"}),
    "file-id-malformed": _get("/v1/ingest/files/not-an-id"),
    "file-id-uppercase": _get("/v1/ingest/files/0123456789ABCDEF01234567"),
    "import-id-too-short": _get("/v1/ingest/imports/0123456789abcdef"),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_invalid_request_gets_400(client: httpx.Client, case: str) -> None:
    assert_json_error(BAD_REQUESTS[case](client), 400)


@pytest.mark.parametrize(
    "path",
    ["/v1/ingest/files/0123456789abcdef01234567", "/v1/ingest/imports/0123456789abcdef01234567"],
    ids=["file", "import"],
)
def test_unknown_well_formed_id_gets_404(client: httpx.Client, path: str) -> None:
    assert_json_error(client.get(path), 404)


@pytest.mark.parametrize("case", ["empty-info-string", "empty-urls-string", "blank-info", "info-null-keys"])
def test_empty_info_and_urls_count_as_absent(client: httpx.Client, case: str) -> None:
    extra = {
        "empty-info-string": [text_part(b"info", b"")],
        "empty-urls-string": [text_part(b"urls", b"")],
        "blank-info": [text_part(b"info", b"  \r\n ")],
        "info-null-keys": [text_part(b"info", b'{"clientData": null, "company": null}')],
    }[case]
    response = forms.post_parts(client, UP, [file_part(b"a.pdf", PDF), *extra])
    assert response.status_code == 201, response.text
    assert len(response.json()["files"]) == 1


@pytest.mark.parametrize(
    "params", [{"skip": "0", "limit": "1"}, {"skip": "10", "limit": "15"}, {}], ids=["lowest", "highest", "defaults"]
)
def test_list_imports_accepts_the_documented_ranges(client: httpx.Client, params: dict[str, str]) -> None:
    upload(client, [("listed.pdf", PDF)])
    response = client.get("/v1/ingest/imports", params=params)
    assert response.status_code == 200
    assert len(response.json()["result"]) <= int(params.get("limit", "5"))
