"""413 for bodies over the limit, with Content-Length or chunked, in both oversize modes (DECISIONS: Size)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import psutil
import pytest

from ingest_conformance.mock import RunningMock, run_mock

from . import rawsock, samples
from .conftest import SMALL_LIMIT, fast
from .helpers import KEY_A, assert_json_error, wait_for_file

pytestmark = pytest.mark.selftest

UPLOADS = "/v1/ingest/uploads"
GIB = 1024**3


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    block = b"x" * size
    sent = 0
    while sent < total:
        piece = block[: min(size, total - sent)]
        sent += len(piece)
        yield piece


@pytest.fixture(scope="module")
def close_mock() -> Iterator[RunningMock]:
    with run_mock(fast(oversize_mode="close")) as running:
        yield running


@pytest.fixture(scope="module")
def capped_mock() -> Iterator[RunningMock]:
    with run_mock(fast(drain_max_bytes=2 * 1024 * 1024, drain_max_seconds=1.0, max_json_bytes=4096)) as running:
        yield running


def _oversize_headers(length: int | None = None) -> dict[str, str]:
    headers = {"x-api-key": KEY_A, "content-type": "multipart/form-data; boundary=b"}
    if length is None:
        headers["transfer-encoding"] = "chunked"
    else:
        headers["content-length"] = str(length)
    return headers


def test_content_length_over_the_limit_gets_413_and_the_connection_stays_usable(client: httpx.Client) -> None:
    response = client.post(
        UPLOADS, content=b"x" * (SMALL_LIMIT + 1), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert_json_error(response, 413)
    assert client.get("/v1/ingest/imports").status_code == 200  # fully drained: keep-alive survives


def test_chunked_body_over_the_limit_gets_413(client: httpx.Client) -> None:
    response = client.post(
        UPLOADS, content=_chunks(3 * SMALL_LIMIT), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert "content-length" not in response.request.headers  # really chunked
    assert_json_error(response, 413)


def test_chunked_valid_form_over_the_limit_gets_413(client: httpx.Client) -> None:
    big = samples.noisy_png(SMALL_LIMIT + 200_000)

    def form() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.png"\r\n\r\n'
        yield from (big[i : i + 65536] for i in range(0, len(big), 65536))
        yield b"\r\n--b--\r\n"

    response = client.post(UPLOADS, content=form(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert_json_error(response, 413)


def test_limit_crossed_by_the_last_chunk_is_answered_at_once(mock: RunningMock) -> None:
    """The whole chunked body arrives at once, so the chunk over the limit is also the last one:
    there is nothing left to drain, and the 413 must not wait for more."""
    payload = b"q" * (SMALL_LIMIT + 1000)
    chunked = b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n"
    with rawsock.connect(mock.base_url) as sock:
        sock.sendall(rawsock.request_head("POST", UPLOADS, _oversize_headers()) + chunked)
        started = time.monotonic()
        status, _, _ = rawsock.read_response(sock, timeout=10)
    assert status == 413 and time.monotonic() - started < 5


def test_allowed_file_under_the_limit_is_accepted(client: httpx.Client) -> None:
    near = samples.noisy_png(SMALL_LIMIT - 4096)
    response = client.post(UPLOADS, files=[("files", ("near-limit.png", near))])
    assert response.status_code == 201, response.text
    assert wait_for_file(client, response.json()["files"][0]["id"])["status"] == "processed"


def test_expect_100_continue_gets_413_without_sending_the_body(mock: RunningMock) -> None:
    with rawsock.connect(mock.base_url) as sock:
        headers = {**_oversize_headers(2 * GIB), "expect": "100-continue"}
        sock.sendall(rawsock.request_head("POST", UPLOADS, headers))
        status, _, body = rawsock.read_response(sock)
    assert status == 413 and b'"statusCode": 413' in body


@pytest.mark.parametrize("length", [2 * GIB, SMALL_LIMIT + 1], ids=["2GiB", "limit+1"])
def test_close_mode_answers_at_once_and_closes(close_mock: RunningMock, length: int) -> None:
    with rawsock.connect(close_mock.base_url) as sock:
        sock.sendall(rawsock.request_head("POST", UPLOADS, _oversize_headers(length)) + b"x" * 1024)
        status, headers, body = rawsock.read_response(sock)
        assert status == 413 and headers["connection"] == "close"
        assert b"413" in body
        assert rawsock.closed_by_peer(sock)


def test_close_mode_chunked_is_cut_off_soon_after_the_limit(close_mock: RunningMock) -> None:
    rss_before = psutil.Process().memory_info().rss
    with rawsock.connect(close_mock.base_url) as sock:
        sock.sendall(rawsock.request_head("POST", UPLOADS, _oversize_headers()))
        chunk = b"10000\r\n" + b"y" * 0x10000 + b"\r\n"
        sent = rawsock.send_until_refused(sock, SMALL_LIMIT + 256 * 1024, chunk)
        status, headers, _ = rawsock.read_response(sock)
        assert sent >= SMALL_LIMIT and status == 413 and headers["connection"] == "close"
    assert psutil.Process().memory_info().rss - rss_before < 64 * 1024 * 1024
    assert httpx.get(f"{close_mock.base_url}/__mock__/health").status_code == 200


def test_close_mode_with_httpx_still_sees_413_for_a_small_overshoot(close_mock: RunningMock) -> None:
    with httpx.Client(base_url=close_mock.base_url, headers={"x-api-key": KEY_A}) as c:
        response = c.post(
            UPLOADS, content=b"x" * (SMALL_LIMIT + 10), headers={"content-type": "multipart/form-data; boundary=b"}
        )
    assert_json_error(response, 413)


def test_draining_is_bounded_in_bytes(capped_mock: RunningMock) -> None:
    rss_before = psutil.Process().memory_info().rss
    with rawsock.connect(capped_mock.base_url, timeout=5) as sock:
        sock.sendall(rawsock.request_head("POST", UPLOADS, _oversize_headers(2 * GIB)))
        sent = rawsock.send_until_refused(sock, 256 * 1024 * 1024, b"z" * 65536)
    assert sent < 128 * 1024 * 1024, f"the mock kept draining {sent} bytes"
    assert psutil.Process().memory_info().rss - rss_before < 64 * 1024 * 1024
    assert httpx.get(f"{capped_mock.base_url}/__mock__/health").status_code == 200


def test_draining_is_bounded_in_time(capped_mock: RunningMock) -> None:
    with rawsock.connect(capped_mock.base_url) as sock:
        sock.sendall(rawsock.request_head("POST", UPLOADS, _oversize_headers(SMALL_LIMIT * 4)) + b"x" * 1000)
        started = time.monotonic()
        status, headers, _ = rawsock.read_response(sock, timeout=10)  # we stall; the mock gives up
    assert status == 413 and headers["connection"] == "close"
    assert 0.5 < time.monotonic() - started < 8


def test_json_body_over_its_own_cap_gets_413(capped_mock: RunningMock) -> None:
    with httpx.Client(base_url=capped_mock.base_url, headers={"x-api-key": KEY_A}) as c:
        body = {"files": [{"url": "http://127.0.0.1:9/a.pdf", "filename": "n" * 5000}]}
        assert_json_error(c.post("/v1/ingest/by-url", json=body), 413)


def test_oversize_without_credential_gets_401_or_413(anon: httpx.Client) -> None:
    response = anon.post(
        UPLOADS, content=b"x" * (SMALL_LIMIT * 2), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert_json_error(response, (401, 413))
