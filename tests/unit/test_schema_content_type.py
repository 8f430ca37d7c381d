"""RESP-SCHEMA-001 judges the Content-Type of a documented JSON answer, not only its bytes: a client
picks its parser by Content-Type (found by the mock's `json-as-text-html` fault, which the suite missed)."""

from __future__ import annotations

import json

import pytest

from ingest_conformance.judging.openapi import OpenAPIDocument, load_openapi
from ingest_conformance.wire.exchange import Exchange

pytestmark = pytest.mark.unit

SPEC = OpenAPIDocument(load_openapi())
LISTING = {"count": 0, "result": []}


def answer(status: int, content_type: str | None, body: object) -> Exchange:
    ex = Exchange.for_request("GET", "http://h/v1/ingest/imports", [], b"")
    ex.status, ex.response_body = status, json.dumps(body).encode()
    ex.response_headers = [("content-type", content_type)] if content_type else []
    return ex


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/vnd.invofox+json"]
)
def test_json_content_types_pass(content_type: str) -> None:
    assert SPEC.validate_response("listImports", answer(200, content_type, LISTING)) == []


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/plain", None])
def test_other_content_types_fail_even_with_a_valid_body(content_type: str | None) -> None:
    errors = SPEC.validate_response("listImports", answer(200, content_type, LISTING))
    assert len(errors) == 1 and "not the documented application/json" in errors[0]


def test_an_undocumented_answer_is_not_judged() -> None:
    assert SPEC.validate_response("listImports", answer(299, "text/html", LISTING)) == []
