"""The harness's request checks on hand-made requests: each client mistake names its requirement and says why."""

from __future__ import annotations

import json

import pytest

from ingest_conformance.judging.openapi import load_openapi
from ingest_conformance.sdk.forms import api_reads, filename_encoding, parse_form
from ingest_conformance.sdk.inspection import RequestInspector

pytestmark = pytest.mark.unit

BASE = "https://ingest.sdk-harness.invalid"
KEY = {"x-api-key": "k"}
PDF = b"%PDF-1.4 tiny"


def part(
    name: str,
    content: bytes,
    *,
    filename: bytes | None = None,
    ctype: str | None = None,
    disposition: bytes | None = None,
) -> bytes:
    head = disposition or (
        b'form-data; name="'
        + name.encode()
        + b'"'
        + (b'; filename="' + filename + b'"' if filename is not None else b"")
    )
    lines = [b"Content-Disposition: " + head] + ([b"Content-Type: " + ctype.encode()] if ctype else [])
    return b"--B\r\n" + b"\r\n".join(lines) + b"\r\n\r\n" + content + b"\r\n"


def form(*parts: bytes, closed: bool = True) -> bytes:
    return b"".join(parts) + (b"--B--\r\n" if closed else b"")


MULTIPART = {**KEY, "content-type": "multipart/form-data; boundary=B"}
GOOD_FILE = part("files", PDF, filename=b"caf\xe9.pdf", ctype="application/pdf")


@pytest.fixture(scope="module")
def inspector() -> RequestInspector:
    return RequestInspector(load_openapi())


def broken(
    inspector: RequestInspector,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    **kw: object,
) -> dict[str, str]:
    result = inspector.inspect(method, BASE + path, headers if headers is not None else MULTIPART, body, **kw)
    return {o.requirement_id: o.message for o in result.observations if o.ok is False}


def test_a_conformant_upload_breaks_nothing_and_records_the_name_encoding(inspector: RequestInspector) -> None:
    body = form(GOOD_FILE, part("urls", b"https://files.example.com/a.pdf"), part("info", b'{"clientData": {}}'))
    result = inspector.inspect("POST", BASE + "/v1/ingest/uploads", MULTIPART, body, intended_filenames=["café.pdf"])
    assert result.operation == "uploadFiles" and not [o for o in result.observations if o.ok is False]
    held = {o.requirement_id for o in result.observations if o.ok}
    assert held >= {
        "SDK-OP-001",
        "SDK-AUTH-001",
        "SDK-FORM-001",
        "SDK-PART-001",
        "SDK-PART-003",
        "SDK-PART-004",
        "SDK-INFO-001",
        "SDK-CTYPE-001",
        "SDK-CTYPE-002",
        "SDK-NAME-001",
        "SDK-NAME-002",
    }
    assert [o.message for o in result.observations if o.ok is None] == [
        "POST /v1/ingest/uploads: filename b'caf\\xe9.pdf' sent as raw ISO-8859-1"
    ]


@pytest.mark.parametrize(
    ("body", "rid", "words"),
    [
        (
            form(part("file", PDF, filename=b"a.pdf", ctype="application/pdf")),
            "SDK-PART-001",
            "part 'file' is not a part of uploadFiles (the file goes in a part named 'files')",
        ),
        (form(part("info", b"{}")), "SDK-PART-001", "no `files` or `urls` part"),
        (form(part("files", PDF, ctype="application/pdf")), "SDK-PART-003", "has no filename: it is a text field"),
        (form(GOOD_FILE, part("info[type]", b"invoice")), "SDK-PART-001", "send info as ONE text part"),
        (form(GOOD_FILE, part("info", b"type=invoice&company=c")), "SDK-INFO-001", "looks like key=value pairs"),
        (form(GOOD_FILE, part("info", b"[1, 2]")), "SDK-INFO-001", "info is a JSON list, not an object"),
        (form(GOOD_FILE, part("info", b"{}"), part("info", b"{}")), "SDK-INFO-001", "info is sent 2 times"),
        (
            form(GOOD_FILE, part("info", b"{}", ctype="application/x-www-form-urlencoded")),
            "SDK-CTYPE-002",
            "info declares Content-Type 'application/x-www-form-urlencoded'",
        ),
        (
            form(part("files", PDF, filename=b"a.pdf", ctype="text/plain")),
            "SDK-CTYPE-001",
            "declares Content-Type 'text/plain', expected one of ['application/octet-stream', 'application/pdf']",
        ),
        (form(part("files", PDF, filename=b"a.pdf")), "SDK-CTYPE-001", "declares no Content-Type, expected one of"),
        (
            form(part("files", PDF, disposition=b'form-data; name="files"; filename="a"b.pdf"')),
            "SDK-NAME-001",
            "text after the closing quote of filename",
        ),
        (
            form(part("files", PDF, disposition=b'form-data; name="files"; filename="a.pdf')),
            "SDK-NAME-001",
            "the quoted filename never closes",
        ),
        (form(GOOD_FILE, closed=False), "SDK-FORM-001", "the closing boundary (--boundary--) is missing"),
        (form(part("urls", b"/relative.pdf")), "SDK-PART-004", "'/relative.pdf' is not an absolute http(s) URL"),
        (form(part("urls", b"x", filename=b"u.txt")), "SDK-PART-004", "a `urls` part carries a filename"),
        (
            form(part("files", PDF, filename="façade.pdf".encode(), ctype="application/pdf")),
            "SDK-NAME-002",
            "'façade.pdf' went out as UTF-8 bytes",
        ),
    ],
)
def test_upload_mistakes(inspector: RequestInspector, body: bytes, rid: str, words: str) -> None:
    found = broken(inspector, "POST", "/v1/ingest/uploads", body)
    assert rid in found and words in found[rid], found


def test_single_upload_takes_exactly_one_file(inspector: RequestInspector) -> None:
    two = broken(
        inspector,
        "POST",
        "/v1/ingest/single",
        form(GOOD_FILE.replace(b'"files"', b'"file"'), GOOD_FILE.replace(b'"files"', b'"file"')),
    )
    assert "2 parts named 'file' (exactly one is expected)" in two["SDK-PART-002"]
    plural = broken(inspector, "POST", "/v1/ingest/single", form(GOOD_FILE))
    assert "part 'files' is not a part of uploadSingle (the file goes in a part named 'file')" in plural["SDK-PART-002"]


def test_form_framing_and_content_type(inspector: RequestInspector) -> None:
    assert (
        "expected multipart/form-data"
        in broken(inspector, "POST", "/v1/ingest/uploads", b"{}", {**KEY, "content-type": "application/json"})[
            "SDK-FORM-001"
        ]
    )
    assert (
        "without a boundary"
        in broken(inspector, "POST", "/v1/ingest/uploads", b"", {**KEY, "content-type": "multipart/form-data"})[
            "SDK-FORM-001"
        ]
    )


def test_intended_names_make_the_filename_check_exact(inspector: RequestInspector) -> None:
    quoted = form(part("files", PDF, filename=b"a %22q%22.pdf", ctype="application/pdf"))
    found = broken(inspector, "POST", "/v1/ingest/uploads", quoted, intended_filenames=['a "q".pdf'])
    assert (
        "the API reads it back as 'a %22q%22.pdf' (expected the raw ISO-8859-1 bytes b'a \\\\\"q\\\\\".pdf')"
        in found["SDK-NAME-002"]
    )
    # a name outside ISO-8859-1 cannot go as Latin-1: recorded, not judged
    utf8 = form(part("files", PDF, filename="請求書.pdf".encode(), ctype="application/pdf"))
    found = broken(inspector, "POST", "/v1/ingest/uploads", utf8, intended_filenames=["請求書.pdf"])
    assert "SDK-NAME-002" not in found


@pytest.mark.parametrize(
    ("path", "body", "ctype", "words"),
    [
        ("/v1/ingest/by-url", b'{"files": []}', "application/json", "at files: [] should be non-empty"),
        ("/v1/ingest/by-url", b'{"url": "https://x/a.pdf"}', "application/json", "'files' is a required property"),
        (
            "/v1/ingest/by-url",
            b'{"files": [{"url": "https://x/a.pdf"}]}',
            "text/plain",
            "Content-Type is 'text/plain', expected application/json",
        ),
        ("/v1/ingest/single-url", b"url=https://x/a.pdf", "application/json", "the body is not JSON"),
    ],
)
def test_json_bodies(inspector: RequestInspector, path: str, body: bytes, ctype: str, words: str) -> None:
    found = broken(inspector, "POST", path, body, {**KEY, "content-type": ctype})
    assert words in found["SDK-JSON-001"], found


def test_query_auth_and_operations(inspector: RequestInspector) -> None:
    found = broken(inspector, "GET", "/v1/ingest/imports?skip=-1&limit=20&page=2", b"", {"x-access-token": "t"})
    assert "skip='-1' is not an integer 0..10" in found["SDK-QUERY-001"]
    assert "limit='20' is not an integer 1..15" in found["SDK-QUERY-001"]
    assert "'page' is not documented" in found["SDK-QUERY-001"]
    assert "list-imports documents x-api-key only" in found["SDK-AUTH-002"]
    assert (
        "neither x-api-key nor x-access-token"
        in broken(inspector, "GET", "/v1/ingest/files/abc", b"", {})["SDK-AUTH-001"]
    )
    assert "this path takes POST" in broken(inspector, "PUT", "/v1/ingest/uploads", b"", KEY)["SDK-OP-001"]
    assert "no documented operation" in broken(inspector, "GET", "/v1/ingest/file/abc", b"", KEY)["SDK-OP-001"]
    assert broken(inspector, "GET", "/v1/ingest/imports?skip=10&limit=15&environmentId=e", b"", KEY) == {}


def test_filename_encoding_names_and_api_reading() -> None:
    assert filename_encoding(b"caf\xe9.pdf", None) == "raw ISO-8859-1"
    assert filename_encoding("café.pdf".encode(), None) == "raw UTF-8"
    assert filename_encoding(b"a%22b.pdf", None) == "ASCII, percent escapes"
    assert filename_encoding(b'a\\"b.pdf', None) == 'ASCII, quote as \\"'
    assert filename_encoding(b"a.pdf", b"UTF-8''%E2%82%AC.pdf") == "ASCII, RFC 5987 filename*"
    assert api_reads(b'a \\"q\\" \\\\ \xe9.pdf') == 'a "q" \\ é.pdf'
    parts, problems = parse_form(b"preamble\r\n" + form(GOOD_FILE), "B")
    assert problems == [] and parts[0].filename_raw == b"caf\xe9.pdf" and parts[0].content == PDF
    assert json.dumps(parse_form(b"no delimiter", "B")[1]) == "[\"the boundary 'B' never occurs in the body\"]"
