"""The multipart encoder writes exactly the described bytes, streams them, and reproduces them with curl."""

from __future__ import annotations

import hashlib
import shlex
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from strategies_helpers import examples, parse_multipart

from ingest_conformance.strategies import (
    MultipartBody,
    Part,
    RepeatSource,
    SampleFile,
    SampleFilename,
    filenames,
    valid_files,
)

pytestmark = pytest.mark.unit


@examples(60)
@given(st.lists(valid_files(), min_size=1, max_size=3), st.sampled_from([1, 7, 4096, 1 << 16]))
def test_body_is_exact_streamed_and_parsed_back(samples: list[SampleFile], chunk_size: int) -> None:
    parts = [Part.file(sample) for sample in samples] + [Part.json("info", {"clientData": {"k": "v"}})]
    body = MultipartBody(parts)
    whole = body.to_bytes()
    assert len(whole) == body.content_length
    assert b"".join(body.iter_bytes(chunk_size)) == whole
    assert b"".join(body) == whole  # re-iterable: a retry sends the same bytes
    parsed = parse_multipart(whole, body.boundary)
    assert parsed.complete and len(parsed.parts) == len(parts)
    for sample, part in zip(samples, parsed.parts, strict=False):
        assert part.data == sample.content
        assert part.headers[b"content-type"] == sample.mime_type.encode()
        assert sample.filename.encode("latin-1") in part.headers[b"content-disposition"]
    assert parsed.parts[-1].data == b'{"clientData":{"k":"v"}}'
    assert b"content-type" not in parsed.parts[-1].headers


def test_describe_gives_raw_filename_size_and_hash() -> None:
    name = SampleFilename.quoted("Ñandú.pdf")
    body = MultipartBody([Part("files", b"%PDF-1.4", name, "application/pdf"), Part.text("info", "")])
    first, second = body.describe()
    assert first.filename_raw == b"\xd1and\xfa.pdf" and first.filename_text == "Ñandú.pdf"
    assert first.size == 8 and first.sha256 == hashlib.sha256(b"%PDF-1.4").hexdigest()
    assert first.to_dict()["filename_raw_hex"] == "d1616e64fa2e706466"
    assert second.filename_raw is None and second.size == 0
    assert body.framing_size == body.content_length - 8


def test_negative_shapes_are_encoded_as_asked() -> None:
    body = MultipartBody(
        [
            Part.text("files", "invoice.pdf"),  # a plain field where a file part belongs
            Part.text("info", ""),
            Part.text("urls", ""),
            Part("surprise", b"x", SampleFilename.quoted("a.pdf"), "application/pdf"),
        ],
        terminated=False,
    )
    raw = body.to_bytes()
    assert not raw.endswith(b"--" + body.boundary.encode() + b"--\r\n")
    parsed = parse_multipart(raw, body.boundary)
    assert not parsed.complete  # the parser never sees the end of the message
    assert parsed.parts[0].headers[b"content-disposition"] == b'form-data; name="files"'
    assert [p.data for p in parsed.parts[:3]] == [b"invoice.pdf", b"", b""]
    assert b'name="surprise"; filename="a.pdf"' in parsed.parts[3].headers[b"content-disposition"]


def test_streamed_part_is_lazy_and_exact() -> None:
    big = RepeatSource(b"0123456789", 5 * 1024 * 1024 + 3)
    body = MultipartBody([Part("files", big, SampleFilename.quoted("big.bin"), "application/octet-stream")])
    total = 0
    biggest = 0
    for chunk in body.iter_bytes(1 << 16):
        total += len(chunk)
        biggest = max(biggest, len(chunk))
    assert total == body.content_length == big.size + body.framing_size
    assert biggest <= (1 << 16) + 256  # never the whole part at once


def test_boundary_is_checked() -> None:
    with pytest.raises(InvalidArgument, match="boundary"):
        MultipartBody([], boundary="bad\nboundary")
    with pytest.raises(InvalidArgument, match="occurs in the content"):
        MultipartBody([Part.text("info", "--abc")], boundary="abc")
    with pytest.raises(InvalidArgument, match="Part"):
        MultipartBody(["not a part"])  # type: ignore[list-item]


def test_curl_inlines_utf8_bodies() -> None:
    body = MultipartBody([Part("files", b"%PDF x", SampleFilename.quoted("a b.pdf"), "application/pdf")])
    command = body.curl_command("http://127.0.0.1:9/v1/ingest/uploads", headers={"x-api-key": "k"})
    assert command.startswith("curl --silent --show-error --request POST http://127.0.0.1:9/v1/ingest/uploads")
    assert "--header 'x-api-key: k'" in command and "--header Expect:" in command
    quoted = command.split(" --data-binary ", 1)[1]
    assert quoted.startswith("$'") and "\\r\\n" in quoted
    completed = subprocess.run(["bash", "-c", f"printf %s {quoted}"], capture_output=True, check=True)
    assert completed.stdout == body.to_bytes()  # the shell reproduces the exact bytes


def test_curl_writes_raw_latin1_bodies_to_a_file(tmp_path: Path) -> None:
    body = MultipartBody([Part("files", b"%PDF x", SampleFilename.quoted("Ñ.pdf"), "application/pdf")])
    with pytest.raises(InvalidArgument, match="body_file"):
        body.curl_command("http://127.0.0.1:9/x")
    target = tmp_path / "body.bin"
    command = body.curl_command("http://127.0.0.1:9/x", body_file=target)
    assert shlex.split(command)[-2:] == ["--data-binary", f"@{target}"]
    assert target.read_bytes() == body.to_bytes()
    assert f"--header 'Content-Type: {body.content_type}'" in command


@examples(100)
@given(filenames())
def test_every_filename_keeps_its_raw_bytes_in_the_description(name: SampleFilename) -> None:
    body = MultipartBody([Part("files", b"x", name, "application/pdf")])
    (description,) = body.describe()
    assert description.filename_raw == name.raw and description.filename_text == name.text
    assert b"; " + name.disposition + b"\r\n" in body.to_bytes()


def test_part_names_are_escaped_as_browsers_do() -> None:
    body = MultipartBody([Part.text('a"b\r\nc', "v")])
    parsed = parse_multipart(body.to_bytes(), body.boundary)
    assert parsed.parts[0].headers[b"content-disposition"] == b'form-data; name="a%22b%0D%0Ac"'
