"""Multipart bodies built byte by byte: httpx always writes filenames as UTF-8, and the filename
tests need raw ISO-8859-1 bytes (and exact escapes) on the wire."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

BOUNDARY = b"selftest-boundary-5f1c0a"


@dataclass(frozen=True)
class RawPart:
    name: bytes
    content: bytes
    filename: bytes | None = None  # the raw bytes between the quotes, escapes included
    extra: bytes = b""  # more Content-Disposition parameters, e.g. b"; filename*=UTF-8''a.pdf"
    content_type: bytes | None = b"application/octet-stream"


def file_part(filename: bytes, content: bytes, name: bytes = b"files") -> RawPart:
    return RawPart(name, content, filename=filename)


def text_part(name: bytes, value: bytes) -> RawPart:
    return RawPart(name, value, content_type=None)


def encode(parts: list[RawPart], boundary: bytes = BOUNDARY) -> bytes:
    out = bytearray()
    for part in parts:
        out += b"--" + boundary + b"\r\n"
        disposition = b'Content-Disposition: form-data; name="' + part.name + b'"'
        if part.filename is not None:
            disposition += b'; filename="' + part.filename + b'"'
        out += disposition + part.extra + b"\r\n"
        if part.content_type is not None:
            out += b"Content-Type: " + part.content_type + b"\r\n"
        out += b"\r\n" + part.content + b"\r\n"
    out += b"--" + boundary + b"--\r\n"
    return bytes(out)


def content_type(boundary: bytes = BOUNDARY) -> str:
    return "multipart/form-data; boundary=" + boundary.decode("ascii")


def post_parts(client: httpx.Client, path: str, parts: list[RawPart]) -> httpx.Response:
    return client.post(path, content=encode(parts), headers={"content-type": content_type()})
