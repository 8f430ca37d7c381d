"""`mock --validate-requests`: every request judged against the client requirements, readable during the run
at /__mock__/requests and written as a report when the mock stops; and the same verdicts as the suite's own,
independently written SDK harness on the same bytes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ingest_conformance.judging.openapi import load_openapi
from ingest_conformance.mock import RunningMock, run_mock
from ingest_conformance.sdk.inspection import RequestInspector

from .client_corpus import CORPUS, PDF, ClientRequest, form, part
from .conftest import fast
from .helpers import KEY_A

pytestmark = pytest.mark.selftest
ENDPOINT = "/__mock__/requests"


@pytest.fixture(scope="module")
def validating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMock]:
    report = tmp_path_factory.mktemp("validation") / "requests.json"
    with run_mock(fast(validate_requests=True, validation_report=str(report))) as running:
        yield running


def send(mock: RunningMock, request: ClientRequest) -> dict[str, object]:
    """Send `request`'s exact bytes; return the mock's record of it."""
    with httpx.Client(base_url=mock.base_url, timeout=30) as http:
        since = http.get(ENDPOINT, params={"violations": "1", "since": 1 << 62}).json()["summary"]["requests"]
        http.request(request.method, request.path, content=request.body, headers=request.all_headers())
        records = http.get(ENDPOINT, params={"since": since}).json()["requests"]
    assert len(records) == 1, records
    record: dict[str, object] = records[0]
    return record


def broken_ids(record: dict[str, object]) -> set[str]:
    return {v["requirement"] for v in record["violations"]}  # type: ignore[attr-defined]


@pytest.mark.parametrize("request_", CORPUS, ids=[c.key for c in CORPUS])
def test_each_mistake_is_flagged_and_the_harness_agrees(validating: RunningMock, request_: ClientRequest) -> None:
    record = send(validating, request_)
    assert broken_ids(record) == request_.breaks, record["violations"]
    # the suite's SDK harness, written apart from the mock, reads the same bytes the same way
    inspected = RequestInspector(load_openapi()).inspect(
        request_.method,
        validating.base_url + request_.path,
        {k.lower(): v for k, v in request_.all_headers().items()},
        request_.body,
    )
    harness = {o.requirement_id for o in inspected.observations if o.ok is False}
    assert harness == broken_ids(record), (harness, record["violations"])


def test_records_describe_parts_without_bodies_or_credentials(validating: RunningMock) -> None:
    record = send(validating, CORPUS[0])
    assert record["operation"] == "uploadFiles" and record["credential"] == "x-api-key" and record["complete"]
    files = [p for p in record["parts"] if p["name"] == "files"]  # type: ignore[attr-defined]
    assert files == [
        {
            "name": "files",
            "filename_raw_hex": b'caf\xe9 \\"q\\".pdf'.hex(),
            "filename_encoding": 'raw ISO-8859-1, quote as \\"',
            "filename_read_as": 'café "q".pdf',
            "content_type": "application/pdf",
            "size": len(PDF),
        }
    ]
    text = json.dumps(httpx.get(validating.base_url + ENDPOINT).json())
    assert KEY_A not in text and "tiny" not in text  # neither credentials nor contents are kept


def test_the_endpoint_filters_and_forgets(validating: RunningMock) -> None:
    send(validating, CORPUS[1])
    with httpx.Client(base_url=validating.base_url) as http:
        flagged = http.get(ENDPOINT, params={"violations": "1"}).json()
        assert flagged["requests"] and all(r["violations"] for r in flagged["requests"])
        assert flagged["format"] == "ingest-conformance/mock-request-validation" and flagged["version"] == 1
        assert flagged["requirements"]["SDK-PART-001"]["level"] == "MUST"
        assert http.delete(ENDPOINT).json()["cleared"] >= 1
        assert http.get(ENDPOINT).json()["requests"] == []
        assert http.post(ENDPOINT).status_code == 405


def test_unvalidated_mocks_have_no_such_endpoint(mock: RunningMock) -> None:
    assert httpx.get(mock.base_url + ENDPOINT).status_code == 404


def test_retry_after_is_timed_per_client_and_the_report_is_written_at_stop(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "out" / "requests.json"
    with (
        run_mock(fast(validate_requests=True, validation_report=str(report), rate_limit_burst=1)) as running,
        httpx.Client(base_url=running.base_url, headers={"x-api-key": KEY_A}) as http,
    ):
        statuses = [http.get("/v1/ingest/imports").status_code for _ in range(3)]
        assert statuses[1:] == [429, 429]
        time.sleep(1.1)
        assert http.get("/v1/ingest/imports").status_code == 200
        assert not report.exists()  # written when the mock stops
    document = json.loads(report.read_text())
    retry = [[v["message"] for v in r["violations"]] for r in document["requests"]]
    assert retry[0] == [] and retry[1] == []  # the first 429 is the server's doing, not the client's
    assert len(retry[2]) == 1 and retry[2][0].startswith("sent 0.") and retry[2][0].endswith("Retry-After: 1")
    assert retry[3] == []  # waited as told
    assert document["summary"] == {"requests": 4, "with_violations": 1, "by_requirement": {"SDK-RETRY-001": 1}}
    assert "request validation: 4 request(s), 1 with violations; report written to" in capfd.readouterr().err


def test_a_large_streamed_upload_is_judged_without_keeping_it(validating: RunningMock) -> None:
    big = form(part("files", b"%PDF-1.4" + b"0" * (900 * 1024), filename=b"big.pdf", ctype="application/pdf"))
    record = send(validating, ClientRequest("big", "POST", "/v1/ingest/uploads", big))
    assert record["status"] == 201 and record["violations"] == [] and record["complete"]
    assert record["parts"][0]["size"] == 8 + 900 * 1024  # type: ignore[index]


def test_an_early_answer_judges_the_headers_only(validating: RunningMock) -> None:
    record = send(
        validating,
        ClientRequest(
            "anonymous-upload", "POST", "/v1/ingest/uploads", form(part("file", PDF, filename=b"a.pdf")), headers={}
        ),
    )
    assert record["status"] == 401 and broken_ids(record) == {"SDK-AUTH-001"}
    assert "before the body ended" in record["notes"][0]  # type: ignore[index]
