"""Filenames sent as raw bytes (DECISIONS: Filenames): Latin-1 round trips, escapes, paths."""

from __future__ import annotations

import httpx
import pytest

from . import forms, samples
from .forms import RawPart, file_part

pytestmark = pytest.mark.selftest

PDF = samples.pdf()

LATIN1_NAMES = {
    "accents": "Factura_añoüéÿ.pdf",
    "upper-half": "".join(chr(c) for c in range(0xA0, 0x100) if chr(c) not in "/\\") + ".pdf",
    "nbsp-and-signs": "Rechnung\u00a0Nr.\u00a71\u00b0 \u00bd.pdf",
    "ascii-specials": "my file (1) #2 & 'copy'; v.3.pdf",
}


def _upload_raw(client: httpx.Client, raw_name: bytes, extra: bytes = b"") -> tuple[str, str]:
    response = forms.post_parts(client, "/v1/ingest/uploads", [RawPart(b"files", PDF, filename=raw_name, extra=extra)])
    assert response.status_code == 201, response.text
    entry = response.json()["files"][0]
    return entry["id"], entry["filename"]


def _stored_name(client: httpx.Client, file_id: str) -> str:
    response = client.get(f"/v1/ingest/files/{file_id}")
    assert response.status_code == 200
    name: str = response.json()["filename"]
    return name


@pytest.mark.parametrize("case", list(LATIN1_NAMES))
def test_latin1_filename_round_trips(client: httpx.Client, case: str) -> None:
    name = LATIN1_NAMES[case]
    file_id, answered = _upload_raw(client, name.encode("latin-1"))
    assert answered == name
    assert _stored_name(client, file_id) == name


def test_latin1_filename_round_trips_on_single(client: httpx.Client) -> None:
    name = "Übersicht_ñ_ø.pdf"
    response = forms.post_parts(client, "/v1/ingest/single", [file_part(name.encode("latin-1"), PDF, b"file")])
    assert response.status_code == 201
    assert response.json()["filename"] == name
    assert _stored_name(client, response.json()["fileId"]) == name


def test_escaped_double_quote_comes_back_unescaped(client: httpx.Client) -> None:
    file_id, answered = _upload_raw(client, b'say \\"hi\\" (2).pdf')
    assert answered == 'say "hi" (2).pdf'
    assert _stored_name(client, file_id) == 'say "hi" (2).pdf'


def test_raw_utf8_name_is_read_as_latin1_as_the_docs_warn(client: httpx.Client) -> None:
    name = "résumé_€.pdf"
    _, answered = _upload_raw(client, name.encode("utf-8"))
    assert answered == name.encode("utf-8").decode("latin-1")  # garbled, the documented behaviour


def test_plain_filename_wins_over_rfc5987(client: httpx.Client) -> None:
    _, answered = _upload_raw(client, b"plain.pdf", extra=b"; filename*=UTF-8''%E2%82%AC.pdf")
    assert answered == "plain.pdf"


def test_rfc5987_alone_is_decoded(client: httpx.Client) -> None:
    response = forms.post_parts(
        client, "/v1/ingest/uploads", [RawPart(b"files", PDF, extra=b"; filename*=UTF-8''%E2%82%AC-euro.pdf")]
    )
    assert response.status_code == 201
    assert response.json()["files"][0]["filename"] == "€-euro.pdf"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"../../etc/a.pdf", "a.pdf"),
        (b"C:\\x\\a.pdf", "a.pdf"),
        (b"/abs/path/b.pdf", "b.pdf"),
        (b"dir\\\\sub\\\\c.pdf", "c.pdf"),
    ],
    ids=["dotdot", "windows-drive", "absolute", "escaped-backslashes"],
)
def test_path_parts_are_not_echoed(client: httpx.Client, raw: bytes, expected: str) -> None:
    file_id, answered = _upload_raw(client, raw)
    assert answered == expected
    assert _stored_name(client, file_id) == expected


def test_byurl_filename_defaults_to_the_last_url_segment(client: httpx.Client) -> None:
    response = client.post(
        "/v1/ingest/by-url",
        json={
            "files": [
                {"url": "http://127.0.0.1:9/some/dir/Invoice%20%C3%B1.pdf?sig=1"},
                {"url": "http://127.0.0.1:9/x.pdf", "filename": "named by me.pdf"},
            ]
        },
    )
    assert response.status_code == 201
    assert [f["filename"] for f in response.json()["files"]] == ["Invoice ñ.pdf", "named by me.pdf"]
