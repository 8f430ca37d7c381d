"""Bodies around a size limit are exact, their PDF stays valid, and streaming keeps memory flat."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from strategies_helpers import examples, parse_multipart, rss_bytes, strict_open

from ingest_conformance.strategies import (
    FileFormat,
    Part,
    chunked_encoding,
    padded_pdf,
    sized_upload_body,
    sizes_around,
    streamed_body,
    upload_bodies_around,
)
from ingest_conformance.strategies._pdf import padded_pdf_min_size

pytestmark = pytest.mark.unit


def test_sizes_around_a_limit() -> None:
    assert sizes_around(100) == (99, 100, 101)
    assert sizes_around(100, spread=2) == (98, 99, 100, 101, 102)
    with pytest.raises(InvalidArgument, match="limit"):
        sizes_around(0)


@pytest.mark.parametrize("limit", [4096, 10_000, 100_000, 1 << 20, 104_857_600])
def test_bodies_around_a_limit_are_exact_to_the_byte(limit: int) -> None:
    bodies = upload_bodies_around(limit, extra_parts=[Part.json("info", {"clientData": {"run": "r1"}})])
    assert sorted(bodies) == [limit - 1, limit, limit + 1]
    for size, body in bodies.items():
        assert body.content_length == size
        assert int(body.headers()["Content-Length"]) == size
        if size <= 1 << 20:  # materialise the small ones and read them back independently
            raw = body.to_bytes()
            assert len(raw) == size
            parsed = parse_multipart(raw, body.boundary)
            assert parsed.complete
            info, pdf = parsed.parts
            assert info.data == b'{"clientData":{"run":"r1"}}'
            strict_open(FileFormat.PDF, pdf.data)


def test_padded_pdf_reaches_every_size_across_digit_boundaries() -> None:
    smallest = padded_pdf_min_size()
    sizes = list(range(smallest, smallest + 40))
    for boundary in (1_000, 10_000, 100_000):  # where startxref gains a digit
        sizes += list(range(boundary + 170, boundary + 200))
    for size in sizes:
        data = padded_pdf(size).read_all()
        assert len(data) == size
        strict_open(FileFormat.PDF, data)
    with pytest.raises(ValueError, match="at least"):
        padded_pdf(smallest - 1)


@examples(40)
@given(st.integers(min_value=2000, max_value=300_000))
def test_any_total_size_is_reachable(size: int) -> None:
    body = sized_upload_body(size)
    assert body.content_length == size
    assert len(body.to_bytes()) == size


def test_sized_body_arguments_are_checked() -> None:
    with pytest.raises(InvalidArgument, match="smallest"):
        sized_upload_body(100)
    with pytest.raises(InvalidArgument, match="field_name"):
        sized_upload_body(5000, field_name="")


def test_streamed_body_exact_length_and_chunked_framing() -> None:
    body = streamed_body(300_007, pattern=b"abc", chunk_size=4096)
    assert body.headers() == {"Content-Type": "application/octet-stream", "Content-Length": "300007"}
    assert body.headers(chunked=True)["Transfer-Encoding"] == "chunked"
    assert sum(len(chunk) for chunk in body) == 300_007
    framed = b"".join(body.iter_chunked())
    decoded, rest = bytearray(), framed
    while True:
        size_line, rest = rest.split(b"\r\n", 1)
        size = int(size_line, 16)
        if size == 0:
            assert rest == b"\r\n"
            break
        decoded += rest[:size]
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
    assert bytes(decoded) == (b"abc" * 100_003)[:300_007]
    assert list(chunked_encoding([b"", b"x"])) == [b"1\r\nx\r\n", b"0\r\n\r\n"]


def test_streaming_64_mib_keeps_memory_flat() -> None:
    gc.collect()
    before = rss_bytes()
    peak = before
    body = sized_upload_body(64 << 20)
    total = 0
    for index, chunk in enumerate(body.iter_bytes(1 << 16)):
        total += len(chunk)
        if index % 64 == 0:
            peak = max(peak, rss_bytes())
    peak = max(peak, rss_bytes())
    assert total == 64 << 20
    assert peak - before < 20 * 1024 * 1024, f"RSS grew by {(peak - before) / 2**20:.1f} MiB"


def test_streamed_body_arguments_are_checked() -> None:
    with pytest.raises(InvalidArgument, match="size"):
        streamed_body(-1)
    with pytest.raises(InvalidArgument, match="pattern"):
        streamed_body(10, pattern=b"")


def test_httpx_sends_the_body_with_its_exact_length_and_can_resend_it() -> None:
    import httpx

    seen: list[tuple[str | None, str | None, int]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        data = b"".join(request.stream)  # type: ignore[union-attr]
        seen.append((request.headers.get("content-length"), request.headers.get("transfer-encoding"), len(data)))
        return httpx.Response(413 if len(seen) == 1 else 201)

    body = sized_upload_body(300_000)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        for _ in range(2):  # a retry re-iterates the same body object
            client.post("http://127.0.0.1:9/v1/ingest/uploads", content=body, headers=body.headers())
        client.post("http://127.0.0.1:9/v1/ingest/uploads", content=body, headers=body.headers(chunked=True))
    assert seen[:2] == [("300000", None, 300_000)] * 2
    assert seen[2] == (None, "chunked", 300_000)
