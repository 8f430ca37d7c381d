"""The cassette format (docs/cassettes.md): exact bodies, redaction, versioning, clear errors on bad files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cassette_sample import KEY, LATIN1_FORM, TEST, exchange, sample_exchanges, write_sample

from ingest_conformance.cassettes import record
from ingest_conformance.cassettes.record import (
    FORMAT,
    SUFFIX,
    CassetteError,
    Recorder,
    cassette_files,
    read_cassette,
    write_cassette,
)
from ingest_conformance.reporting import scan_for_secrets
from ingest_conformance.spec import OPENAPI_PATH
from ingest_conformance.wire.exchange import Exchange

pytestmark = pytest.mark.unit


@pytest.fixture()
def cassette_path(tmp_path: Path) -> Path:
    return write_sample(tmp_path / ("run" + SUFFIX))


def test_header_names_format_version_count_and_the_spec(cassette_path: Path) -> None:
    header = json.loads(cassette_path.read_text(encoding="utf-8").splitlines()[0])
    assert header["format"] == FORMAT and header["version"] == 1
    assert header["exchanges"] == len(sample_exchanges()) == len(cassette_path.read_text().splitlines()) - 1
    spec_text = OPENAPI_PATH.read_text(encoding="utf-8")
    assert header["spec"] == {"sha256": hashlib.sha256(spec_text.encode()).hexdigest(), "text": spec_text}
    assert header["redaction"]["replacement"] == "***" and "x-api-key" in header["redaction"]["headers"]
    assert header["seed"] == 7 and header["run_tag"] == "ic-run-7"


def test_bodies_come_back_byte_for_byte(cassette_path: Path) -> None:
    cassette = read_cassette(cassette_path)
    first = cassette.entries[0]
    assert first.request_body.data == LATIN1_FORM and first.request_body.state == "stored"  # raw Latin-1, base64
    assert json.loads(cassette_path.read_text().splitlines()[1])["request"]["body"].keys() >= {"base64"}
    assert first.request_body.sha256 == hashlib.sha256(LATIN1_FORM).hexdigest()
    assert (
        first.status == 201 and json.loads(first.response_body.data or b"")["files"][0]["filename"] == "café résumé.pdf"
    )
    streamed = cassette.entries[4]
    assert (streamed.request_body.state, streamed.request_body.size, streamed.request_body.data) == (
        "streamed",
        2_000_000,
        None,
    )
    unanswered = cassette.entries[6]
    assert unanswered.status is None and unanswered.response_body is None and "reset" in (unanswered.error or "")
    assert [e.seq for e in cassette.entries] == list(range(1, 10)) and {e.test for e in cassette.entries} == {TEST}


def test_credentials_are_redacted_everywhere(cassette_path: Path) -> None:
    assert scan_for_secrets([cassette_path], [KEY]) == []
    cassette = read_cassette(cassette_path)
    assert dict(cassette.entries[0].request_headers)["x-api-key"] == "***"
    by_url = json.loads(cassette_path.read_text().splitlines()[4])["request"]["body"]
    assert by_url["redacted"] is True and "k=***" in by_url["text"]
    # the hash is of the bytes stored, so a reader can check what it got
    assert by_url["sha256"] == hashlib.sha256(by_url["text"].encode()).hexdigest()


def test_large_bodies_keep_size_and_hash_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record, "BODY_LIMIT", 10)
    big = exchange("POST", "/v1/ingest/uploads", b"x" * 11, 201, {"a": 1})
    path = write_cassette(tmp_path / "c.jsonl", [(TEST, big)], meta={}, spec_text="openapi: 3.1.0", secrets=[])
    body = read_cassette(path).entries[0].request_body
    assert (body.state, body.size, body.data) == ("elided", 11, None)
    assert body.sha256 == hashlib.sha256(b"x" * 11).hexdigest()


def test_to_exchange_rebuilds_what_was_recorded(cassette_path: Path) -> None:
    ex = read_cassette(cassette_path).entries[1].to_exchange()
    assert (ex.method, ex.status, ex.json()["status"]) == ("GET", 200, "processing")
    assert ex.header("content-type") == "application/json"


def test_recorder_keeps_each_exchange_once_in_request_order() -> None:
    rec = Recorder()
    a, b, c = (exchange("GET", f"/v1/ingest/files/{i}", b"", 200, {}) for i in "abc")
    rec.current_test = "t1"
    rec.tap(b)
    rec.add("t2", [a, b, c])  # b was already seen by a client tap: it keeps its first label
    assert [(t, ex.id) for t, ex in rec.recorded()] == [("t2", a.id), ("t1", b.id), ("t2", c.id)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("not json\n", "line 1 is not JSON"),
        ("[1]\n", "line 1 is not a JSON object"),
        ('{"format": "something/else", "version": 1}\n', "not an ingest-conformance cassette"),
        (json.dumps({"format": FORMAT, "version": 99}) + "\n", "unsupported cassette version 99"),
        (json.dumps({"format": FORMAT, "version": 1}) + "\n", "carries no recorded spec"),
        (
            json.dumps({"format": FORMAT, "version": 1, "spec": {"text": ""}}) + '\n{"seq": 1}\n',
            "line 2 is not a cassette entry",
        ),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CassetteError, match=message) as caught:
        read_cassette(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_missing_files_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="no such file"):
        read_cassette(tmp_path / "nope.jsonl")
    with pytest.raises(CassetteError, match=r"no \*\.cassette\.jsonl file"):
        cassette_files(tmp_path)
    one = write_sample(tmp_path / ("a" + SUFFIX))
    assert cassette_files(tmp_path) == [one] and cassette_files(one) == [one]


def test_an_exchange_without_answer_round_trips_as_none() -> None:
    ex = Exchange.for_request("GET", "http://h/x", [], b"")
    ex.error = "ConnectError"
    line = record.entry_dict(1, TEST, ex, [])
    assert line["response"] is None and line["error"] == "ConnectError"
