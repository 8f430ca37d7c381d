"""The 400 matrix of the multipart operations, `info` on every upload, and what counts as absent (VAL-*)."""

from __future__ import annotations

import json

import pytest

from ingest_conformance import strategies as s
from ingest_conformance.flows.generation import one_example, salt_of
from ingest_conformance.flows.upload import BY_URL, SINGLE, UPLOADS, flow, post_parts, tag_info
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import Part
from ingest_conformance.wire.client import TargetClient


def _pdf(suite: Suite, *which: object) -> s.SampleFile:
    """The run's PDF for these tests; `which` names another one, for a request that sends two."""
    return one_example(suite, s.pdf_files(max_pages=1), salt=salt_of("validation", *which))


# (case id, path, requirement, parts builder) — each request breaks exactly one rule.
def _cases(suite: Suite) -> dict[str, tuple[str, str, list[Part]]]:
    pdf = _pdf(suite)
    info = Part.json("info", tag_info(suite))
    return {
        "uploads-info-only": (UPLOADS, "VAL-400-001", [info]),
        "uploads-empty-urls-only": (UPLOADS, "VAL-400-001", [Part.text("urls", ""), info]),
        "uploads-files-as-text": (UPLOADS, "VAL-400-002", [Part.text("files", "invoice.pdf"), info]),
        "uploads-files-as-text-with-type": (
            UPLOADS,
            "VAL-400-002",
            [Part.text("files", pdf.content, content_type="application/pdf"), info],
        ),
        "single-no-file": (SINGLE, "VAL-400-003", [info]),
        "single-file-as-text": (SINGLE, "VAL-400-003", [Part.text("file", "invoice.pdf"), info]),
        "single-two-files": (
            SINGLE,
            "VAL-400-004",
            [Part.file(pdf, name="file"), Part.file(_pdf(suite, "second"), name="file"), info],
        ),
        "uploads-only-unknown-part": (UPLOADS, "VAL-PART-002", [Part.file(pdf, name="file"), info]),
        "single-only-unknown-part": (SINGLE, "VAL-PART-002", [Part.file(pdf, name="files"), info]),
    }


CASE_IDS = [
    "uploads-info-only",
    "uploads-empty-urls-only",
    "uploads-files-as-text",
    "uploads-files-as-text-with-type",
    "single-no-file",
    "single-file-as-text",
    "single-two-files",
    "uploads-only-unknown-part",
    "single-only-unknown-part",
]


@pytest.mark.requirement(
    "VAL-400-001", "VAL-400-002", "VAL-400-003", "VAL-400-004", "VAL-PART-002", "ERR-5XX-001", "ERR-JSON-001"
)
@pytest.mark.parametrize("case", CASE_IDS)
def test_invalid_multipart_request_is_400(client: TargetClient, verdict: Verdict, suite: Suite, case: str) -> None:
    path, rid, parts = _cases(suite)[case]
    ex = post_parts(client, path, parts, note=case)
    verdict.answered(ex, "uploadSingle" if path == SINGLE else "uploadFiles")
    verdict.status_in(rid, ex, {400}, f"400 ({case})")


INVALID_INFO = {
    "cut-short": '{"clientData": ',
    "single-quotes": "{'clientData': {}}",
    "trailing-comma": '{"a": 1,}',
    "bare-words": "not json",
    "array": "[]",
    "array-of-objects": '[{"clientData": {}}]',
    "string": '"clientData"',
    "number": "42",
    "boolean": "true",
}


@pytest.mark.requirement("VAL-INFO-001", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize("operation", ["uploadFiles", "uploadSingle"])
@pytest.mark.parametrize("info", list(INVALID_INFO.values()), ids=list(INVALID_INFO))
def test_info_that_is_not_a_json_object_is_400(
    client: TargetClient, verdict: Verdict, suite: Suite, operation: str, info: str
) -> None:
    single = operation == "uploadSingle"
    parts = [Part.file(_pdf(suite), name="file" if single else "files"), Part.text("info", info)]
    ex = post_parts(client, SINGLE if single else UPLOADS, parts, note=f"info = {info}")
    verdict.answered(ex, operation)
    verdict.status_in("VAL-INFO-001", ex, {400}, "400 when `info` is not a JSON object")


@pytest.mark.requirement("VAL-INFO-001", "ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize("info", ['"a string"', "[]", "42"], ids=["string", "array", "number"])
def test_by_url_info_that_is_not_an_object_is_400(
    client: TargetClient, verdict: Verdict, suite: Suite, request: pytest.FixtureRequest, info: str
) -> None:
    pdf = _pdf(suite)
    url = request.getfixturevalue("file_server").add(pdf.filename, pdf.content, pdf.mime_type)
    body = f'{{"files": [{{"url": {json.dumps(url)}}}], "info": {info}}}'.encode()
    ex = client.send("POST", BY_URL, content=body, headers={"content-type": "application/json"}, note=f"info={info}")
    verdict.answered(ex, "uploadByUrl")
    verdict.status_in("VAL-INFO-001", ex, {400}, "400 when `info` is not a JSON object")


@pytest.mark.requirement("VAL-EMPTY-001", "RESP-POST-001", "RESP-SCHEMA-001", "RAW-READ-001", "ERR-5XX-001")
@pytest.mark.parametrize(
    ("operation", "empty"),
    [("uploadFiles", "info"), ("uploadFiles", "urls"), ("uploadFiles", "both"), ("uploadSingle", "info")],
)
def test_empty_info_and_urls_count_as_absent(
    client: TargetClient, verdict: Verdict, suite: Suite, operation: str, empty: str
) -> None:
    """The docs' own sample sends `urls` and `info` as empty strings (single has no `urls`)."""
    single = operation == "uploadSingle"
    parts = [Part.file(_pdf(suite), name="file" if single else "files")]
    parts += [Part.text(n, "") for n in (("info", "urls") if empty == "both" else (empty,))]
    ex = post_parts(client, SINGLE if single else UPLOADS, parts, note=f"empty {empty}")
    verdict.status_in(
        "VAL-EMPTY-001",
        ex,
        suite.config.profile.upload_success_statuses,
        "an empty `info`/`urls` value counts as absent: the upload is accepted",
    )
    flow(verdict, client, suite, ex, operation, poll=False)


@pytest.mark.requirement("VAL-TYPE-001", "VAL-PART-001", "ERR-5XX-001")
@pytest.mark.parametrize("case", ["clientData-string", "type-number", "company-object", "extra-unknown-part"])
def test_choices_the_docs_leave_open_are_recorded(
    client: TargetClient, verdict: Verdict, suite: Suite, case: str
) -> None:
    pdf = _pdf(suite)
    info: object = {
        "clientData-string": {"clientData": "a string"},
        "type-number": {"type": 42},
        "company-object": {"company": {"id": "x"}},
    }.get(case, tag_info(suite))
    parts = [Part.file(pdf), Part.json("info", info)]
    if case == "extra-unknown-part":
        parts.append(Part.file(_pdf(suite, "second"), name="file"))
    ex = post_parts(client, UPLOADS, parts, note=case)
    verdict.answered(ex, "uploadFiles")
    rid = "VAL-PART-001" if case == "extra-unknown-part" else "VAL-TYPE-001"
    verdict.observe(rid, f"{case}: {ex.status}", ex)


MALFORMED = {
    "no-boundary-param": (
        "multipart/form-data",
        b'--x\r\nContent-Disposition: form-data; name="files"\r\n\r\nx\r\n--x--',
    ),
    "wrong-boundary": (
        "multipart/form-data; boundary=other",
        b'--x\r\nContent-Disposition: form-data; name="info"\r\n\r\n{}\r\n--x--\r\n',
    ),
    "truncated": (
        "multipart/form-data; boundary=x",
        b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n%PDF-1.',
    ),
    "garbage": ("multipart/form-data; boundary=x", bytes(range(256)) * 4),
    "json-to-multipart-endpoint": ("application/json", b'{"files": []}'),
    "no-content-type": ("", b"hello"),
}


@pytest.mark.requirement("ERR-5XX-001", "ERR-JSON-001")
@pytest.mark.parametrize("path", [UPLOADS, SINGLE], ids=["uploads", "single"])
@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_bodies_get_a_client_error(
    client: TargetClient, verdict: Verdict, suite: Suite, path: str, case: str
) -> None:
    content_type, body = MALFORMED[case]
    if case == "truncated":  # the run's own PDF cut short, so another seed sends other bytes
        pdf = _pdf(suite, "truncated")
        body = body.removesuffix(b"%PDF-1.") + pdf.content[: len(pdf.content) // 2]
    headers = {"content-type": content_type} if content_type else {}
    ex = client.send("POST", path, content=body, headers=headers, note=f"malformed body: {case}")
    verdict.answered(ex, "uploadFiles" if path == UPLOADS else "uploadSingle", case)
    verdict.require(
        "ERR-5XX-001",
        ex.status is not None and 400 <= ex.status < 500,
        exchange=ex,
        received=f"{ex.status}",
        documented="a 4xx for a malformed body (400, 413, 415 …)",
    )
