"""Request bodies: info objects, URL lists, uploads, by-url and single bodies, and what each expects."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis.errors import InvalidArgument
from strategies_helpers import examples, parse_multipart

from ingest_conformance.strategies import (
    RUN_TAG_KEY,
    Disposition,
    InvalidInfo,
    JsonRequest,
    Operation,
    UploadRequest,
    by_url_requests,
    info_objects,
    invalid_by_url_requests,
    invalid_info_values,
    invalid_single_url_requests,
    invalid_upload_requests,
    single_upload_requests,
    single_url_requests,
    upload_requests,
)

pytestmark = pytest.mark.unit

BASE = "http://127.0.0.1:8765/served"


@examples(60)
@given(info_objects(run_tag="run-42", document_types=["invoice"], companies=["c1"], with_data=True))
def test_info_objects_carry_the_run_tag(info: dict[str, object]) -> None:
    client = info["clientData"]
    assert isinstance(client, dict) and client[RUN_TAG_KEY] == "run-42"
    assert set(info) <= {"clientData", "type", "company", "data"}
    json.dumps(info)


@examples(20)
@given(invalid_info_values())
def test_invalid_info_is_never_a_json_object(bad: InvalidInfo) -> None:
    try:
        value = json.loads(bad.text)
    except json.JSONDecodeError:
        return
    assert not isinstance(value, dict)


@examples(60)
@given(upload_requests(run_tag="r", base_url=BASE, min_files=0))
def test_upload_requests_parse_and_point_at_the_file_server(req: UploadRequest) -> None:
    body = req.body
    parsed = parse_multipart(body.to_bytes(), body.boundary)
    assert parsed.complete
    names = [part.headers[b"content-disposition"].split(b'"')[1] for part in parsed.parts]
    urls = [part.data.decode() for part, name in zip(parsed.parts, names, strict=True) if name == b"urls" and part.data]
    assert len(req.files) + len(urls) >= 1
    assert names.count(b"files") == len(req.files)
    assert urls == [served.url for served in req.served]
    for served in req.served:
        assert served.url.startswith(BASE + "/files/") and served.url == BASE + served.path
    info = [part.data for part, name in zip(parsed.parts, names, strict=True) if name == b"info"]
    assert len(info) == 1 and (info[0] == b"" or RUN_TAG_KEY.encode() in info[0])


@examples(30)
@given(invalid_upload_requests(run_tag="r"))
def test_invalid_uploads_expect_400(req: UploadRequest) -> None:
    assert req.expected == {Disposition.REFUSED_400}
    parsed = parse_multipart(req.body.to_bytes(), req.body.boundary)
    file_parts = [p for p in parsed.parts if b'name="files"; filename=' in p.headers[b"content-disposition"]]
    if "info is" not in req.description:
        assert not file_parts  # nothing valid is left


@examples(30)
@given(single_upload_requests(run_tag="r"))
def test_single_uploads_have_exactly_one_file_part(req: UploadRequest) -> None:
    assert req.operation is Operation.UPLOAD_SINGLE
    (sample,) = req.files
    assert sample.allowed_outcomes(Operation.UPLOAD_SINGLE) == {Disposition.ACCEPTED_PROCESSED}
    assert [p.name for p in req.body.parts] == ["file", "info"]


@examples(40)
@given(by_url_requests(base_url=BASE, run_tag="r"))
def test_by_url_bodies_name_served_files(req: JsonRequest) -> None:
    payload = json.loads(req.content())
    entries = payload["files"]
    assert len(entries) == len(req.served) >= 1
    for entry, served in zip(entries, req.served, strict=True):
        assert entry["url"] == served.url and urlsplit(entry["url"]).scheme == "http"
        assert set(entry) <= {"url", "filename", "info"}
        assert served.sample.allowed_outcomes(Operation.UPLOAD_BY_URL) == {Disposition.ACCEPTED_PROCESSED}


@examples(40)
@given(invalid_by_url_requests(base_url=BASE))
def test_invalid_by_url_bodies_expect_refusal(req: JsonRequest) -> None:
    assert req.expected is not None and Disposition.REFUSED_400 in req.expected
    payload = req.payload
    assert isinstance(payload, dict)
    files = payload.get("files")
    if isinstance(files, list) and files and "url" in files[0]:
        url = files[0]["url"]
        scheme = urlsplit(url).scheme
        if scheme in ("ftp", "file", "data"):
            assert req.expected == {Disposition.REFUSED_400, Disposition.REJECTED_DOWNLOAD}
        else:
            assert req.expected == {Disposition.REFUSED_400}
            assert not (scheme in ("http", "https") and urlsplit(url).hostname and " " not in url)


@examples(30)
@given(single_url_requests(base_url=BASE, run_tag="r"))
def test_single_url_bodies(req: JsonRequest) -> None:
    assert isinstance(req.payload, dict) and req.payload["url"] == req.served[0].url


@examples(20)
@given(invalid_single_url_requests(base_url=BASE))
def test_invalid_single_url_bodies(req: JsonRequest) -> None:
    assert req.expected is not None
    assert isinstance(req.payload, dict)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: upload_requests(run_tag=""), "run_tag"),
        (lambda: upload_requests(run_tag="r", base_url="ftp://x"), "base_url"),
        (lambda: upload_requests(run_tag="r", max_files=0), "max_files"),
        (lambda: by_url_requests(base_url="/relative", run_tag="r"), "base_url"),
        (lambda: by_url_requests(base_url=BASE, run_tag="r", min_entries=0), "min_entries"),
        (lambda: info_objects(run_tag="r", with_data="yes"), "with_data"),
    ],
)
def test_arguments_are_checked_up_front(build: object, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        build()  # type: ignore[operator]
