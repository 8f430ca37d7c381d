"""Hostile and broken requests: every one gets a clear 4xx JSON answer, and the mock stays up."""

from __future__ import annotations

import random

import httpx
import psutil
import pytest

from ingest_conformance.mock import RunningMock

from . import forms, rawsock, samples
from .helpers import KEY_A, assert_json_error

pytestmark = pytest.mark.selftest

UPLOADS = "/v1/ingest/uploads"
PDF = samples.pdf()


def _alive(mock: RunningMock) -> None:
    assert httpx.get(f"{mock.base_url}/__mock__/health", timeout=10).status_code == 200


MULTIPART_CASES: dict[str, tuple[str, bytes]] = {
    "garbage-with-boundary": ("multipart/form-data; boundary=abc", b"\x00\xff garbage \r\n\r\n" * 50),
    "no-boundary-parameter": ("multipart/form-data", forms.encode([forms.file_part(b"a.pdf", PDF)])),
    "empty-boundary": ("multipart/form-data; boundary=", forms.encode([forms.file_part(b"a.pdf", PDF)])),
    "wrong-boundary": ("multipart/form-data; boundary=other", forms.encode([forms.file_part(b"a.pdf", PDF)])),
    "boundary-too-long": ("multipart/form-data; boundary=" + "b" * 300, b"--" + b"b" * 300 + b"--\r\n"),
    "truncated-no-closing-boundary": (forms.content_type(), forms.encode([forms.file_part(b"a.pdf", PDF)])[:-30]),
    "empty-body": (forms.content_type(), b""),
    "only-closing-boundary": (forms.content_type(), b"--" + forms.BOUNDARY + b"--\r\n"),
    "part-without-disposition": (
        forms.content_type(),
        b"--" + forms.BOUNDARY + b"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--" + forms.BOUNDARY + b"--\r\n",
    ),
    "part-without-name": (
        forms.content_type(),
        b"--" + forms.BOUNDARY + b"\r\nContent-Disposition: form-data; "
        b'filename="a.pdf"\r\n\r\n%PDF\r\n--' + forms.BOUNDARY + b"--\r\n",
    ),
    "huge-part-header": (
        forms.content_type(),
        b"--" + forms.BOUNDARY + b"\r\nContent-Disposition: form-data; "
        b'name="files"; filename="' + b"a" * 40_000 + b'.pdf"\r\n\r\n%PDF\r\n--' + forms.BOUNDARY + b"--\r\n",
    ),
    "too-many-headers-in-part": (
        forms.content_type(),
        b"--"
        + forms.BOUNDARY
        + b"\r\n"
        + b"".join(b"X-H%d: v\r\n" % i for i in range(50))
        + b'Content-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n%PDF\r\n--'
        + forms.BOUNDARY
        + b"--\r\n",
    ),
    "not-multipart-at-all": ("text/plain", b"hello"),
    "urlencoded": ("application/x-www-form-urlencoded", b"files=a.pdf&urls="),
}


@pytest.mark.parametrize("case", list(MULTIPART_CASES))
def test_broken_multipart_gets_400(mock: RunningMock, client: httpx.Client, case: str) -> None:
    ctype, body = MULTIPART_CASES[case]
    assert_json_error(client.post(UPLOADS, content=body, headers={"content-type": ctype}), 400)
    assert_json_error(client.post("/v1/ingest/single", content=body, headers={"content-type": ctype}), 400)
    _alive(mock)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 404),
        ("GET", "/v1/ingest", 404),
        ("GET", "/v1/ingest/uploads/", 404),
        ("POST", "/v1/ingest/files", 404),
        ("GET", "/v1/ingest/files/", 404),
        ("GET", "/v2/ingest/uploads", 404),
        ("GET", "/v1/ingest/files/0123456789abcdef01234567/extra", 404),
        ("GET", "/v1/ingest/uploads", 405),
        ("PUT", "/v1/ingest/uploads", 405),
        ("DELETE", "/v1/ingest/by-url", 405),
        ("PATCH", "/v1/ingest/single", 405),
        ("POST", "/v1/ingest/imports", 405),
        ("DELETE", "/v1/ingest/files/0123456789abcdef01234567", 405),
        ("OPTIONS", "/v1/ingest/imports", 405),
    ],
)
def test_unknown_paths_and_methods(client: httpx.Client, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert_json_error(response, status)
    if status == 405:
        assert "allow" in response.headers


def test_a_one_megabyte_header_gets_431_and_the_mock_survives(mock: RunningMock) -> None:
    with rawsock.connect(mock.base_url) as sock:
        head = rawsock.request_head("GET", "/v1/ingest/imports", {"x-api-key": KEY_A, "x-big": "a" * (1 << 20)})
        sock.sendall(head)
        status, headers, body = rawsock.read_response(sock)
    assert status == 431 and headers["content-type"] == "application/json"
    assert b'"statusCode": 431' in body
    _alive(mock)


def test_a_one_megabyte_header_via_httpx(mock: RunningMock) -> None:
    response = httpx.get(f"{mock.base_url}/v1/ingest/imports", headers={"x-api-key": KEY_A, "x-big": "b" * (1 << 20)})
    assert_json_error(response, 431)


def test_an_endless_header_line_is_cut_off_with_bounded_memory(mock: RunningMock) -> None:
    rss_before = psutil.Process().memory_info().rss
    with rawsock.connect(mock.base_url) as sock:
        sock.sendall(b"GET /v1/ingest/imports HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        sent = rawsock.send_until_refused(sock, 512 * 1024 * 1024, b"c" * 65536)
    assert sent < 128 * 1024 * 1024
    assert psutil.Process().memory_info().rss - rss_before < 64 * 1024 * 1024
    _alive(mock)


@pytest.mark.parametrize(
    "raw",
    [
        b"NONSENSE\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /v1/ingest/uploads HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /v1/ingest/uploads HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n",
        b"POST /v1/ingest/uploads HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET /v1/ingest/imports HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
    ],
    ids=[
        "no-request-line",
        "bad-version",
        "bad-content-length",
        "bad-chunk-size",
        "length-and-chunked",
        "header-without-colon",
    ],
)
def test_unparsable_http_gets_a_json_400(mock: RunningMock, raw: bytes) -> None:
    with rawsock.connect(mock.base_url) as sock:
        sock.sendall(raw)
        status, headers, body = rawsock.read_response(sock)
    assert status == 400 and headers["content-type"] == "application/json"
    assert b'"statusCode": 400' in body
    _alive(mock)


def test_truncated_body_and_gone_client_leave_the_mock_healthy(mock: RunningMock) -> None:
    body = forms.encode([forms.file_part(b"a.pdf", PDF)])
    with rawsock.connect(mock.base_url) as sock:
        head = rawsock.request_head(
            "POST",
            UPLOADS,
            {"x-api-key": KEY_A, "content-type": forms.content_type(), "content-length": str(len(body) + 1000)},
        )
        sock.sendall(head + body)
    _alive(mock)


def test_random_bytes_never_get_a_5xx(mock: RunningMock, client: httpx.Client) -> None:
    rng = random.Random(20241124)
    valid = forms.encode([forms.file_part(b"a.pdf", PDF), forms.text_part(b"info", b'{"clientData": {}}')])
    for _ in range(60):
        body = bytearray(valid)
        for _ in range(rng.randint(1, 8)):  # flip, cut or insert a few bytes
            position = rng.randrange(len(body))
            action = rng.choice(("flip", "cut", "insert"))
            if action == "flip":
                body[position] ^= 1 << rng.randrange(8)
            elif action == "cut":
                del body[position : position + rng.randint(1, 40)]
            else:
                body[position:position] = rng.randbytes(rng.randint(1, 40))
        for path in (UPLOADS, "/v1/ingest/single", "/v1/ingest/by-url"):
            response = client.post(path, content=bytes(body), headers={"content-type": forms.content_type()})
            assert response.status_code < 500, (path, response.status_code, response.text)
    _alive(mock)


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe",
        b"null",
        b"[]",
        b'"files"',
        b'{"files": null}',
        b"{" * 50,
        b'{"files": [{"url": "http://127.0.0.1:9/a.pdf", "info": "x"}]}',
        b'{"files": [{"url": "http://127.0.0.1:9/a.pdf", "filename": 5}]}',
    ],
)
def test_broken_json_gets_400(client: httpx.Client, body: bytes) -> None:
    response = client.post("/v1/ingest/by-url", content=body, headers={"content-type": "application/json"})
    assert_json_error(response, 400)
