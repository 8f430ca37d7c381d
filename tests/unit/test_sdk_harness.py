"""The SDK harness against examples/sdk/ingest_sdk.py: the conformant client meets every client requirement it
exercises; the buggy one is caught on each of its deliberate bugs, with messages that say what to fix."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from ingest_conformance.judging.results import Outcome
from ingest_conformance.reporting import validate_document
from ingest_conformance.sdk import HarnessAbort, SdkHarness, load_client_requirements

pytestmark = pytest.mark.unit

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sdk" / "ingest_sdk.py"
FILE_ID = "0123456789abcdef01234567"
NAMES = ["façade résumé.pdf", 'inv "2024"; #1.png']


@pytest.fixture(scope="module")
def sdk() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("ingest_sdk_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def exercise(harness: SdkHarness, client: Any) -> None:
    """The same scenarios for every client: uploads of all kinds, reads, the error matrix, a 429."""
    files = [(n, b"%PDF-1.4 example") for n in NAMES]
    harness.expect_success(
        lambda: client.upload_files(
            files, info={"clientData": {"order": 7}}, urls=("https://files.example.com/a.pdf",)
        ),
        filenames=NAMES,
    )
    harness.expect_success(
        lambda: client.upload_single("ñandú.pdf", b"%PDF", info={"type": "invoice"}), filenames=["ñandú.pdf"]
    )
    harness.expect_success(lambda: client.upload_by_url(["https://files.example.com/b.png"], info={"company": "c"}))
    harness.expect_success(lambda: client.get_file(FILE_ID), examples=3)
    harness.expect_success(lambda: client.get_import(FILE_ID))
    harness.expect_success(lambda: client.list_imports(limit=3))
    harness.expect_errors(lambda: client.get_file(FILE_ID))
    harness.expect_errors(lambda: client.upload_files(files[:1]), statuses=[400, 413])
    harness.expect_retry_after(lambda: client.list_imports())


def test_the_conformant_example_meets_every_requirement_it_exercises(sdk: ModuleType, tmp_path: Path) -> None:
    with SdkHarness(seed=1, test_id="IngestClient") as harness:
        client = sdk.IngestClient(harness.base_url, harness.api_key)
        exercise(harness, client)
    report = harness.report()
    harness.assert_conformant(strict=True)
    assert report.broken == []
    harvested = {r.id for r in load_client_requirements()} - {"SDK-NAME-003"}
    assert set(report.met) == harvested  # every requirement was exercised, and held
    assert report.outcome("SDK-NAME-003") is Outcome.INFO
    assert any("sent as raw ISO-8859-1" in m for m in report.messages("SDK-NAME-003"))
    # the harness's answers were spec-valid and fitted: the upload answer names what was uploaded
    uploads = [ex for ex in harness.exchanges if ex.url.endswith("/v1/ingest/uploads") and ex.status in (200, 201)]
    assert [f["filename"] for f in uploads[0].json()["files"]] == [*NAMES, "a.pdf"]
    written = report.write(tmp_path)
    document = validate_document(json.loads(written["json"].read_text()))
    assert document["summary"]["verdict"] == "conformant" and document["features"]["client"]["outcome"] == "info"
    assert harness.api_key not in written["html"].read_text()


def test_the_buggy_example_is_caught_on_each_bug_with_clear_messages(sdk: ModuleType) -> None:
    with SdkHarness(seed=1, test_id="BuggyIngestClient") as harness:
        exercise(harness, sdk.BuggyIngestClient(harness.base_url, harness.api_key))
    report = harness.report()
    assert set(report.broken) == {"SDK-PART-001", "SDK-INFO-001", "SDK-NAME-002", "SDK-RETRY-001", "SDK-ERR-001"}
    assert report.outcome("SDK-NAME-002") is Outcome.WARN  # a SHOULD
    text = report.render(only_broken=True)
    assert "part 'file' is not a part of uploadFiles (the file goes in a part named 'files')" in text
    assert "info is not JSON (it looks like key=value pairs): 'type=invoice'" in text
    assert re.search(r"GET /v1/ingest/imports sent 0\.\d\d s after a 429 with Retry-After: 1", text)
    assert "the call returned None for a 404 answer instead of raising" in text
    assert "'façade résumé.pdf' went out as b'fa\\xc3\\xa7ade" in text
    assert "the API reads it back as 'faÃ§ade rÃ©sumÃ©.pdf'" in text
    assert "went out as b'inv %222024%22; #1.png'" in text
    with pytest.raises(AssertionError, match="SDK-RETRY-001"):
        harness.assert_conformant()


def test_an_sdk_that_retries_forever_is_stopped_and_flagged() -> None:
    def stubborn() -> None:
        with httpx.Client(base_url=harness.base_url, headers={"x-api-key": "k"}) as http:
            for _ in range(100):
                try:
                    if http.get(f"/v1/ingest/files/{FILE_ID}").status_code < 400:
                        return
                except Exception:  # the bug on purpose: swallow and retry
                    continue

    with SdkHarness(retry_after_s=0) as harness:
        harness.expect_errors(stubborn, statuses=[503])
    report = harness.report()
    assert report.outcome("SDK-RETRY-003") is Outcome.FAIL
    assert any("the call sent a request #6" in m for m in report.messages("SDK-RETRY-003"))
    assert len(harness.exchanges) == 5


def test_scripted_answers_and_requests_outside_the_spec() -> None:
    with SdkHarness() as harness, httpx.Client(base_url=harness.base_url) as http:
        harness.answer(418, body={"teapot": True})
        assert http.get(f"/v1/ingest/files/{FILE_ID}", headers={"x-api-key": "k"}).status_code == 418
        unknown = http.post("/v1/ingest/upload", headers={"x-api-key": "k"})
        assert unknown.status_code == 404 and unknown.json()["statusCode"] == 404
        assert http.get("/v1/ingest/imports", headers={"x-access-token": "t"}).status_code == 200
        with pytest.raises(AssertionError, match="not mocked"):  # other hosts are not answered: nothing leaves
            httpx.get("https://api.invofox.com/v1/ingest/imports")
    report = harness.report()
    assert "POST /v1/ingest/upload is not a documented operation" in " ".join(report.messages("SDK-OP-001"))
    assert report.outcome("SDK-AUTH-002") is Outcome.FAIL


def test_the_fixture_serves_the_test(sdk_harness: SdkHarness) -> None:
    assert sdk_harness.test_id.endswith("test_the_fixture_serves_the_test")
    response = httpx.get(f"{sdk_harness.base_url}/v1/ingest/imports?limit=2", headers={"x-api-key": "k"})
    assert response.status_code == 200 and len(response.json()["result"]) <= 2
    sdk_harness.assert_conformant()


def test_harness_abort_escapes_broad_exception_handlers() -> None:
    assert not issubclass(HarnessAbort, Exception) and issubclass(HarnessAbort, BaseException)
