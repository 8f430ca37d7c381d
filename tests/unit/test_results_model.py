"""Exchanges (redaction, curl), the result model's roll-up and exit codes, verdicts by level, expected failures."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest

from ingest_conformance.config.target import ConfigError, TargetConfig
from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.judging.checks import Case, CheckContext, RequirementFailure
from ingest_conformance.judging.expected import ExpectedFailures, load_expected_failures
from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.judging.results import CheckRecord, Outcome, RunResults
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.exchange import Exchange

pytestmark = pytest.mark.unit
SECRET = "sk-live-0123456789"


def _exchange(body: bytes) -> Exchange:
    ex = Exchange.for_request(
        "POST",
        "http://127.0.0.1:9/v1/ingest/uploads",
        [("content-type", "multipart/form-data; boundary=b"), ("x-api-key", SECRET)],
        body,
    )
    ex.status = 400
    ex.response_headers = [("content-type", "application/json")]
    ex.response_body = b'{"message": "echo ' + SECRET.encode() + b'"}'
    return ex


def test_exchange_redacts_credentials_everywhere() -> None:
    ex = _exchange(b"--b\r\ncontent\r\n--b--\r\n")
    dumped = str(ex.to_dict([SECRET]))
    assert SECRET not in dumped and "***" in dumped
    assert SECRET not in ex.curl([SECRET])
    assert "$INGEST_X_API_KEY" in ex.curl([SECRET])


def test_curl_reproduces_raw_latin1_bytes_exactly(tmp_path: Path) -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="files"; filename="caf\xe9.pdf"\r\n\r\n%PDF\r\n--b--\r\n'
    command = _exchange(body).curl([SECRET])
    prefix = command.split(" && ", 1)[0]  # the printf | base64 -d > body.bin step
    subprocess.run(prefix, shell=True, cwd=tmp_path, check=True)
    assert (tmp_path / "body.bin").read_bytes() == body
    assert base64.b64encode(body).decode() in command


def test_large_bodies_are_elided_with_size_and_hash() -> None:
    ex = _exchange(b"x" * 100_000)
    view = ex.to_dict()["request"]["body"]
    assert view["elided"] and view["size"] == 100_000 and len(view["sha256"]) == 64


def test_rollup_worst_wins_and_exit_codes() -> None:
    results = RunResults(seed=1, config={})
    results.add(CheckRecord("AUTH-KEY-001", "MUST", Outcome.PASS, "t1"))
    assert results.exit_code(strict=False) == 0
    results.add(CheckRecord("NAME-PATH-001", "SHOULD", Outcome.WARN, "t2"))
    assert results.exit_code(strict=False) == 0 and results.exit_code(strict=True) == 1
    results.add(CheckRecord("AUTH-KEY-001", "MUST", Outcome.ERROR, "t3"))
    assert results.by_requirement()["AUTH-KEY-001"] is Outcome.ERROR
    assert results.exit_code(strict=False) == 3
    results.add(CheckRecord("AUTH-MISS-001", "MUST", Outcome.FAIL, "t4"))
    assert results.exit_code(strict=False) == 1  # a broken MUST is the verdict even beside harness errors
    results.unreachable = "connection refused"
    assert results.exit_code(strict=False) == 3


def _verdict(expected: ExpectedFailures | None = None) -> Verdict:
    catalogue = load_catalogue()
    ctx = CheckContext(TargetConfig(), catalogue, OpenAPIDocument(load_openapi()))
    return Verdict(
        "ingest_conformance/contract/test_x.py::test_y",
        catalogue,
        RunResults(seed=1, config={}),
        expected or ExpectedFailures(),
        ctx=ctx,
    )


def test_verdict_levels() -> None:
    v = _verdict()
    v.require("AUTH-KEY-001", True)
    with pytest.raises(RequirementFailure, match=r"\[AUTH-MISS-001\]"):
        v.require("AUTH-MISS-001", False, received="200", documented="401 or 403")
    v.require("NAME-PATH-001", False, received="../a.pdf", documented="a.pdf")  # SHOULD: recorded, no raise
    v.observe("NAME-UTF8-001", "came back as mojibake")
    rolled = v.results.by_requirement()
    assert rolled == {
        "AUTH-KEY-001": Outcome.PASS,
        "AUTH-MISS-001": Outcome.FAIL,
        "NAME-PATH-001": Outcome.WARN,
        "NAME-UTF8-001": Outcome.INFO,
    }
    assert v.warnings and "NAME-PATH-001" in v.warnings[0]


def test_verdict_check_records_declared_requirements() -> None:
    def check_always_201(ctx: CheckContext, exchange: Exchange, case: Case) -> bool:
        if exchange.status != 201:
            raise RequirementFailure("RESP-POST-001", received=str(exchange.status), documented="201")
        return True

    check_always_201.requirements = ("RESP-POST-001",)  # type: ignore[attr-defined]
    v = _verdict()
    ok = _exchange(b"")
    ok.status = 201
    v.check(check_always_201, ok, Case("uploadFiles"))
    assert v.results.by_requirement()["RESP-POST-001"] is Outcome.PASS
    with pytest.raises(RequirementFailure):
        v.check(check_always_201, _exchange(b""), Case("uploadFiles"))


def test_expected_failures_match_and_go_stale(tmp_path: Path) -> None:
    path = tmp_path / "xf.yaml"
    path.write_text(
        "version: 1\nexpected_failures:\n"
        "  - {requirement: AUTH-MISS-001, reason: sandbox answers 400}\n"
        "  - {requirement: SIZE-413-001, test: '*test_size*', reason: proxy}\n"
    )
    expected = load_expected_failures(path, set(load_catalogue().ids))
    v = _verdict(expected)
    v.require("AUTH-MISS-001", False, received="400", documented="401/403")  # listed: no raise
    assert v.results.by_requirement()["AUTH-MISS-001"] is Outcome.XFAIL
    assert [e.requirement for e in expected.stale()] == ["SIZE-413-001"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("expected_failures: {}\n", "top-level `expected_failures:` list"),
        ("expected_failures:\n  - {requirement: AUTH-MISS-001}\n", "needs `requirement` and `reason`"),
        ("expected_failures:\n  - {requirement: NOPE-1, reason: x}\n", "unknown requirement NOPE-1"),
        ("expected_failures: [\n", "not valid YAML"),
    ],
    ids=["not-a-list", "no-reason", "unknown-id", "broken-yaml"],
)
def test_bad_expected_failure_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "xf.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_expected_failures(path, set(load_catalogue().ids))
