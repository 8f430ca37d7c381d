"""The real-client matrix (ingest_conformance/sdk/matrix.py): the same uploads by curl, httpx, requests and
Node's fetch/FormData through the validating mock. Each client runs where it is installed, else is skipped
with the reason; the table is printed (pytest -s) and its rows must agree with what the mock answered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest_conformance.mock import run_mock
from ingest_conformance.sdk.forms import api_reads, latin1_wire
from ingest_conformance.sdk.matrix import CLIENTS, UPLOADS_SENT, Client, Row, render_table, run_client

from .conftest import fast

pytestmark = pytest.mark.selftest


@dataclass
class Matrix:
    rows: dict[str, list[Row]]
    skipped: dict[str, str]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    report = tmp_path_factory.mktemp("matrix") / "requests.json"
    result = Matrix({}, {})
    with run_mock(fast(validate_requests=True, validation_report=str(report))) as mock:
        for client in CLIENTS:
            reason = client.missing()
            if reason:
                result.skipped[client.name] = reason
            else:
                result.rows[client.name] = run_client(client, mock.base_url, mock.settings.api_key)
    yield result


@pytest.mark.parametrize("client", CLIENTS, ids=[c.name for c in CLIENTS])
def test_client_uploads_reach_the_api_as_the_mock_predicts(matrix: Matrix, client: Client) -> None:
    if client.name in matrix.skipped:
        pytest.skip(f"{client.name}: {matrix.skipped[client.name]}")
    rows = matrix.rows[client.name]
    assert [r.upload.key for r in rows] == [
        u.key for u in UPLOADS_SENT if not (u.key == "utf8" and "Latin-1" in client.name)
    ]
    for row in rows:
        assert not row.error and row.status == 201, (row.upload.key, row.error, row.status)
        files = [p for p in row.record["parts"] if p["name"] == "files"]
        assert len(files) == len(row.upload.files) and all(p["content_type"] for p in files)
        # what the validating mock says the API reads is what the API answered
        assert [p["filename_read_as"] for p in files] == row.read_back
        for part, (name, _, _) in zip(files, row.upload.files, strict=True):
            raw = bytes.fromhex(part["filename_raw_hex"])
            assert api_reads(raw) == part["filename_read_as"]
            wire = latin1_wire(name)
            if part["filename_encoding"].startswith("raw UTF-8") and wire is not None:
                assert any(v["requirement"] == "SDK-NAME-002" for v in row.violations)
            if raw == wire:  # sent as the API reads: the name comes back intact
                assert part["filename_read_as"] == name
        infos = [p for p in row.record["parts"] if p["name"] == "info"]
        assert len(infos) == (1 if row.upload.info else 0)
        assert not any(v["requirement"] == "SDK-INFO-001" for v in row.violations)
        assert row.conforms in ("yes", "yes, a SHOULD broken"), row.broken  # no stock client breaks a MUST here


def test_only_latin1_bytes_bring_a_latin1_name_back_intact(matrix: Matrix) -> None:
    for name, rows in matrix.rows.items():
        latin1 = next(r for r in rows if r.upload.key == "latin1")
        assert latin1.intact == ("raw ISO-8859-1" in latin1.sent_as[0]), (name, latin1.sent_as, latin1.read_back)


def test_the_table_has_a_row_per_client_and_upload(matrix: Matrix, tmp_path: Path) -> None:
    rows = [row for client_rows in matrix.rows.values() for row in client_rows]
    table = render_table(rows, matrix.skipped)
    print("\n" + table)
    lines = table.splitlines()
    assert len(lines) == 2 + len(rows) + len(matrix.skipped)
    assert all(line.count(" | ") >= 7 for line in lines[2:])
    (tmp_path / "client-matrix.md").write_text(table, encoding="utf-8")
