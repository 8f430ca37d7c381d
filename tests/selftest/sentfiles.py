"""The files a recorded run sent, per test, read back from its cassette (for the seed selftest).

A file is named by its bytes, the first 16 hex digits of their sha256: of a multipart file part (a part
with a filename, or one whose Content-Type is not text or JSON), or as the suite's file server puts them
in every URL it serves (`/f/<n>-<sha256[:16]>/<name>`), wherever such a URL appears in a request body.
An empty file has no bytes to tell it apart, so it is named by its filename. Bodies the cassette keeps only as size and
hash (streamed, or over its body limit) are listed apart: their bytes cannot be split into parts.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from ingest_conformance.cassettes.record import CassetteEntry, read_cassette

EMPTY_SHA16 = hashlib.sha256(b"").hexdigest()[:16]
SERVED_URL = re.compile(rb"/f/\d+-([0-9a-f]{16})/([^\"'\s\\\r\n]*)")
BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
NOT_FILES = ("text/plain", "application/json")


@dataclass
class SentFiles:
    """What one run sent, by test id (the cassette's `test` field)."""

    requests: dict[str, list[list[str]]] = field(default_factory=lambda: defaultdict(list))  # files per request
    streamed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # whole-body sha256

    def files(self, test: str) -> list[str]:
        return [name for request in self.requests.get(test, []) for name in request]


def read_sent_files(cassette: Path) -> SentFiles:
    sent = SentFiles()
    for entry in read_cassette(cassette).entries:
        body = entry.request_body
        if body.data is None:
            if body.size:
                sent.streamed[entry.test].append(body.sha256)
            continue
        names = _files_in(entry, body.data)
        if names:
            sent.requests[entry.test].append(names)
    return sent


def _files_in(entry: CassetteEntry, data: bytes) -> list[str]:
    names = [
        f"empty:{unquote(name.decode())}" if digest.decode() == EMPTY_SHA16 else digest.decode()
        for digest, name in SERVED_URL.findall(data)
    ]
    content_type = next((v for k, v in entry.request_headers if k.lower() == "content-type"), "")
    boundary = BOUNDARY.search(content_type)
    if content_type.lower().startswith("multipart/") and boundary:
        names += [_name(head, content) for head, content in _parts(data, boundary.group(1).encode()) if _is_file(head)]
    return names


def _parts(data: bytes, boundary: bytes) -> list[tuple[bytes, bytes]]:
    parts = []
    for chunk in data.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.partition(b"\r\n\r\n")
        parts.append((head, content.removesuffix(b"\r\n")))
    return parts


def _is_file(head: bytes) -> bool:
    lowered = head.lower()
    if b"filename" in lowered:
        return True
    match = re.search(rb"content-type:\s*([^\r\n;]+)", lowered)
    return match is not None and match.group(1).strip().decode("latin-1") not in NOT_FILES


def _name(head: bytes, content: bytes) -> str:
    if content:
        return hashlib.sha256(content).hexdigest()[:16]
    filename = re.search(rb"filename\*?=([^\r\n]*)", head)
    return "empty:" + (filename.group(1).decode("latin-1") if filename else "(no filename)")
