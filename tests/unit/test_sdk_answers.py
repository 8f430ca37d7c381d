"""The harness's answers: every drawn success body is valid against the spec, and fitted to the request."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.sdk.answers import SchemaStrategies, SpecAnswers, draw, error_body, names_from_request
from ingest_conformance.wire.exchange import Exchange

pytestmark = pytest.mark.unit

DOCUMENT = load_openapi()
SPEC = OpenAPIDocument(DOCUMENT)
SUCCESSES = [
    (op, status) for op in SPEC.operations for status in sorted(SPEC.documented_statuses(op)) if 200 <= status < 300
]


def errors_of(operation: str, status: int, body: object) -> list[str]:
    ex = Exchange.for_request("GET", "http://h/", [], b"")
    ex.status, ex.response_body = status, json.dumps(body).encode()
    ex.response_headers = [("content-type", "application/json")]
    return SPEC.validate_response(operation, ex)


@pytest.mark.parametrize(("operation", "status"), SUCCESSES)
def test_every_drawn_success_body_is_spec_valid(operation: str, status: int) -> None:
    schema = SpecAnswers(DOCUMENT)._responses[operation][status]

    @settings(max_examples=40, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(SchemaStrategies(DOCUMENT).for_schema(schema))
    def valid(body: object) -> None:
        assert errors_of(operation, status, body) == []

    valid()


def test_answers_vary_and_are_fitted_to_the_request() -> None:
    answers = SpecAnswers(DOCUMENT, seed_value=3)
    bodies = [answers.success("uploadFiles", path="/v1/ingest/uploads", filenames=["a.pdf", "é.png"]) for _ in range(6)]
    assert {status for status, _ in bodies} == {200, 201}
    for status, body in bodies:
        assert [f["filename"] for f in body["files"]] == ["a.pdf", "é.png"]
        assert errors_of("uploadFiles", status, body) == []
    status, file = answers.success("getFile", path="/v1/ingest/files/0123456789abcdef01234567")
    assert file["id"] == "0123456789abcdef01234567" and errors_of("getFile", status, file) == []
    _, page = answers.success("listImports", path="/v1/ingest/imports", query="limit=1")
    assert len(page["result"]) <= 1 and page["count"] >= len(page["result"])


def test_draw_is_deterministic_per_seed() -> None:
    strategy = st.integers(0, 10**9)
    assert draw(strategy, 5) == draw(strategy, 5)
    assert len({draw(strategy, s) for s in range(5)}) > 1


def test_names_and_error_bodies() -> None:
    assert names_from_request(
        "uploadByUrl",
        [],
        {"files": [{"url": "https://x/p/a%20b.pdf"}, {"url": "https://x/c.pdf", "filename": "n.pdf"}]},
    ) == ["a b.pdf", "n.pdf"]
    assert names_from_request("uploadSingleUrl", [], {"url": "https://x/"}) == ["file"]
    assert error_body(413) == {"statusCode": 413, "message": "Payload Too Large", "error": "Payload Too Large"}
