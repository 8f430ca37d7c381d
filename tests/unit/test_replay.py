"""Replay, offline: respx answers recorded requests exactly; answers are judged against a given spec and
drift against the recorded spec is reported per operation and requirement, in the usual reports."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from cassette_sample import BASE, FILE, KEY, drifted_spec, write_sample

from ingest_conformance.cassettes.record import SUFFIX, read_cassette
from ingest_conformance.cassettes.replay import (
    AnswerJudge,
    Drift,
    Replay,
    ReplayMismatch,
    cassette_router,
    replay_entries,
)
from ingest_conformance.cli.main import main
from ingest_conformance.config.target import load_config
from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.judging.results import Outcome, RunResults
from ingest_conformance.reporting import load_document

pytestmark = pytest.mark.unit


@pytest.fixture()
def cassette_path(tmp_path: Path) -> Path:
    return write_sample(tmp_path / ("run" + SUFFIX))


def judge(spec: dict[str, object] | None = None, **profile: object) -> AnswerJudge:
    return AnswerJudge(
        OpenAPIDocument(spec or load_openapi()), load_catalogue(), load_config(environ={}, overrides=profile)
    )


def test_router_answers_recorded_requests_in_order_then_repeats_the_last(cassette_path: Path) -> None:
    entries = read_cassette(cassette_path).entries
    with httpx.Client(transport=httpx.MockTransport(cassette_router(entries).handler)) as http:
        url = f"{BASE}/v1/ingest/files/{FILE}"
        # redacted credentials do not matter: requests match on method, URL and body bytes
        polled = [http.get(url, headers={"x-api-key": "anything"}).json()["status"] for _ in range(3)]
        assert polled == ["processing", "processed", "processed"]
        upload = http.post(f"{BASE}/v1/ingest/uploads", content=entries[0].request_body.data)
        assert upload.status_code == 201 and upload.json()["files"][0]["filename"] == "café résumé.pdf"
        # the streamed body was not stored: any body matches its entry
        assert http.post(f"{BASE}/v1/ingest/uploads", content=b"whatever").status_code == 413
        assert http.get(f"{BASE}/v1/ingest/imports?skip=0&limit=5").headers["retry-after"] == "1"
        with pytest.raises(httpx.ReadError, match="reset by peer"):
            http.get(f"{BASE}/v1/ingest/files/000000000000000000000000")
        with pytest.raises(ReplayMismatch, match="no recorded exchange answers GET"):
            http.get(f"{BASE}/v1/ingest/imports?skip=1")


def test_operations_are_found_from_method_and_path_with_the_profile_single_url_path() -> None:
    j = judge(single_url_path="/v2/single-by-url")
    assert j.operation("GET", f"{BASE}/v1/ingest/files/{FILE}?x=1") == ("getFile", True)
    assert j.operation("POST", f"{BASE}/v2/single-by-url") == ("uploadSingleUrl", True)
    assert j.operation("POST", f"{BASE}/v1/ingest/single-url") == (None, False)
    assert j.operation("DELETE", f"{BASE}/v1/ingest/uploads") == (None, True)


def _replay(path: Path, new_spec: dict[str, object]) -> Replay:
    cassette = read_cassette(path)
    recorded = judge(yaml.safe_load(cassette.spec_text))
    return replay_entries(
        cassette.entries, new=judge(new_spec), recorded=recorded, into=Replay(RunResults(seed=7, config={}), Drift())
    )


def test_the_recorded_run_replays_clean_against_its_own_spec(cassette_path: Path) -> None:
    done = _replay(cassette_path, load_openapi())
    assert (done.replayed, done.unanswered) == (9, 1)
    assert done.drift.broken == {} and done.drift.fixed == {}
    rolled = done.results.by_requirement()
    assert rolled["RESP-SCHEMA-001"] is Outcome.PASS and rolled["ERR-JSON-001"] is Outcome.PASS
    assert rolled["RATE-429-002"] is Outcome.PASS and rolled["METH-PATH-001"] is Outcome.PASS
    assert done.results.exit_code(strict=True) == 0


def test_drift_is_reported_per_operation_and_requirement(cassette_path: Path, tmp_path: Path) -> None:
    drifted = yaml.safe_load(drifted_spec(tmp_path / "drifted.yaml").read_text())
    done = _replay(cassette_path, drifted)
    broken = done.drift.broken
    assert {op: set(reqs) for op, reqs in broken.items()} == {
        "uploadFiles": {"RESP-SCHEMA-001"},
        "getFile": {"RESP-SCHEMA-001"},
        "uploadSingle": {"RESP-SCHEMA-001"},
    }
    assert "'batchId' is a required property" in broken["uploadFiles"]["RESP-SCHEMA-001"][0]
    assert "'processing' is not one of" in broken["getFile"]["RESP-SCHEMA-001"][0]  # the first poll only
    assert len(broken["getFile"]["RESP-SCHEMA-001"]) == 1
    assert "undocumented status 201 for uploadSingle" in broken["uploadSingle"]["RESP-SCHEMA-001"][0]
    failed = [r for r in done.results.records if r.outcome is Outcome.FAIL]
    assert len(failed) == 3 and all(r.message.startswith("[spec drift") for r in failed)
    assert {r.test_id.split("]")[0] for r in failed} == {"replay[uploadFiles", "replay[getFile", "replay[uploadSingle"}
    assert done.results.exit_code(strict=False) == 1


def test_going_back_to_the_older_spec_reports_the_fix(cassette_path: Path, tmp_path: Path) -> None:
    drifted = drifted_spec(tmp_path / "drifted.yaml").read_text()
    cassette = read_cassette(cassette_path)
    done = replay_entries(
        cassette.entries,
        new=judge(),
        recorded=judge(yaml.safe_load(drifted)),
        into=Replay(RunResults(seed=7, config={}), Drift()),
    )
    assert done.drift.broken == {} and set(done.drift.fixed) == {"uploadFiles", "getFile", "uploadSingle"}


def test_replay_command_writes_the_usual_reports_with_the_drift(
    cassette_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    spec = drifted_spec(tmp_path / "drifted.yaml")
    assert main(["replay", str(cassette_path), "--spec", str(spec), "--report-dir", str(out)]) == 1
    document = load_document(out / "results.json")  # validated against the results schema
    assert sorted(p.name for p in out.iterdir()) == ["junit.xml", "report.html", "results.json"]
    replay = document["run"]["replay"]
    assert replay["drift"]["broken"]["uploadSingle"]["RESP-SCHEMA-001"]["count"] == 1
    assert replay["exchanges"] == 9 and replay["unanswered"] == 1
    assert document["summary"]["verdict"] == "non-conformant"
    printed = capsys.readouterr().out
    assert "spec drift against" in printed and "drift: uploadFiles RESP-SCHEMA-001 x1" in printed
    assert KEY not in (out / "report.html").read_text() + printed

    assert main(["replay", str(cassette_path.parent), "--report-dir", str(out)]) == 0  # a folder; installed spec
    assert json.loads((out / "results.json").read_text())["run"]["replay"]["drift"]["broken"] == {}


@pytest.mark.parametrize("spec_text", ["openapi: [\n", "just: yaml\n", "openapi: 3.1.0\npaths: 7\n"])
def test_replay_refuses_a_bad_spec_or_cassette(
    cassette_path: Path, tmp_path: Path, spec_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(spec_text)
    assert main(["replay", str(cassette_path), "--spec", str(bad), "--report-dir", str(tmp_path)]) == 2
    assert "--spec" in capsys.readouterr().err
    assert main(["replay", str(bad), "--report-dir", str(tmp_path)]) == 2
    assert "not JSON" in capsys.readouterr().err
