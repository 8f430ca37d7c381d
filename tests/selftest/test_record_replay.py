"""`run --record` against the bundled mock, then `replay` of that cassette, offline: every exchange is in the
cassette (wire-exact, no credential), the replay is clean against the spec it was recorded with, and a
deliberately drifted copy of the spec is flagged per operation and requirement."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest_conformance.cassettes.record import read_cassette
from ingest_conformance.cli.main import main
from ingest_conformance.mock.settings import DEFAULTS
from ingest_conformance.reporting import scan_for_secrets
from ingest_conformance.spec import OPENAPI_PATH

pytestmark = pytest.mark.selftest
SECRETS = [DEFAULTS.api_key, DEFAULTS.access_token, DEFAULTS.second_api_key, DEFAULTS.second_access_token]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("recorded")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest_conformance",
            "run",
            "--level",
            "quick",
            "--seed",
            "11",
            "--select",
            "auth",
            "--select",
            "filenames",
            "--select",
            "imports",
            "--record",
            str(root / "cassettes"),
            "--report-dir",
            str(root / "run"),
        ],
        cwd=root,
        env=env,
        text=True,
        capture_output=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "cassette written to" in proc.stdout
    return root


def test_the_cassette_holds_every_exchange_of_the_run(recorded: Path) -> None:
    (path,) = (recorded / "cassettes").iterdir()
    assert path.name == "ic-run-11.cassette.jsonl"
    cassette = read_cassette(path)
    assert cassette.header["seed"] == 11 and cassette.header["bundled_mock"] is True
    assert cassette.spec_text == OPENAPI_PATH.read_text(encoding="utf-8")
    results = json.loads((recorded / "run" / "results.json").read_text())
    in_cassette = {(e.method, e.url, e.request_body.sha256) for e in cassette.entries}
    reported = {
        (x["request"]["method"], x["request"]["url"], x["request"]["body"]["sha256"])
        for x in results["exchanges"].values()
    }
    assert reported <= in_cassette  # the reports keep the evidence; the cassette keeps everything
    assert len(in_cassette) > len(reported)
    tests = {rec["test"].split("::")[-1] for req in results["requirements"] for rec in req["records"]}
    assert {e.test.split("::")[-1] for e in cassette.entries if "::" in e.test} <= tests
    latin1 = [e for e in cassette.entries if re.search(rb'filename="[^"]*[\xa0-\xff]', e.request_body.data or b"")]
    assert latin1, "raw Latin-1 filename bytes are kept exactly (base64 in the file)"
    assert all(
        e.request_body.sha256 == hashlib.sha256(e.request_body.data or b"").hexdigest()
        for e in cassette.entries
        if e.request_body.state == "stored"
    )
    assert scan_for_secrets([path], SECRETS) == []
    assert all(dict(e.request_headers).get("x-api-key", "***") == "***" for e in cassette.entries)


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, *args: Any) -> None:
        raise AssertionError("replay opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def test_replay_is_clean_and_offline(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_network(monkeypatch)
    assert main(["replay", str(recorded / "cassettes"), "--report-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "spec drift against (installed spec/ingest.openapi.yaml): none" in out
    document = json.loads((tmp_path / "results.json").read_text())
    assert document["run"]["replay"]["exchanges"] == len(
        read_cassette(next((recorded / "cassettes").iterdir())).entries
    )
    assert {r["id"]: r["outcome"] for r in document["requirements"]}["RESP-SCHEMA-001"] == "pass"


def test_replay_against_a_drifted_spec_flags_the_drift(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    schemas["UploadResponse"]["required"].append("batchId")  # a new required field
    schemas["UploadResponse"]["properties"]["batchId"] = {"type": "string"}
    schemas["ImportSummary"]["properties"]["channel"]["enum"] = ["upload", "email"]  # "api" dropped
    del spec["paths"]["/v1/ingest/single"]["post"]["responses"]["201"]  # 201 no longer documented
    drifted = tmp_path / "drifted.openapi.yaml"
    drifted.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    _no_network(monkeypatch)
    assert (
        main(["replay", str(recorded / "cassettes"), "--spec", str(drifted), "--report-dir", str(tmp_path / "r")]) == 1
    )
    out = capsys.readouterr().out
    assert "drift: uploadFiles RESP-SCHEMA-001" in out and "'batchId' is a required property" in out
    assert "drift: listImports RESP-SCHEMA-001" in out and "'api' is not one of" in out
    assert "drift: uploadSingle RESP-SCHEMA-001" in out and "undocumented status 201 for uploadSingle" in out
    drift = json.loads((tmp_path / "r" / "results.json").read_text())["run"]["replay"]["drift"]["broken"]
    assert {"uploadFiles", "listImports", "uploadSingle"} <= set(drift)
