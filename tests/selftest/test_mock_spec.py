"""The mock's real answers fit the OpenAPI description in spec/ (read here with jsonschema directly,
not through the suite's validation code, so the two stay independent)."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ingest_conformance.mock import RunningMock
from ingest_conformance.spec import OPENAPI_PATH

from . import samples
from .conftest import FileServer
from .helpers import upload, wait_for_file, wait_for_import

pytestmark = pytest.mark.selftest

SPEC = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
REGISTRY = Registry().with_resource("urn:spec", Resource(contents=SPEC, specification=DRAFT202012))


def _check(instance: Any, schema_name: str) -> None:
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"urn:spec#/components/schemas/{schema_name}"},
        registry=REGISTRY,
        format_checker=jsonschema.FormatChecker(),
    )
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_answers_match_the_documented_schemas(mock: RunningMock, client: httpx.Client, file_server: FileServer) -> None:
    answer = upload(
        client,
        [("a.pdf", samples.pdf()), ("z.zip", samples.zip_of({"in.png": samples.png()})), ("bad.gif", samples.gif())],
        info={"clientData": {"k": "v"}},
    )
    _check(answer, "UploadResponse")
    _check(client.get(f"/v1/ingest/files/{answer['files'][0]['id']}").json(), "File")  # pending
    for entry in answer["files"]:
        _check(wait_for_file(client, entry["id"]), "File")
    _check(wait_for_import(client, answer["importId"]), "Import")
    _check(client.get("/v1/ingest/imports").json(), "ImportList")
    single = client.post("/v1/ingest/single", files=[("file", ("s.pdf", samples.pdf()))])
    _check(single.json(), "SingleUploadResponse")
    url = file_server.add("spec/u.pdf", samples.pdf())
    _check(client.post("/v1/ingest/by-url", json={"files": [{"url": url}]}).json(), "UploadResponse")
    _check(client.post(mock.settings.single_url_path, json={"url": url}).json(), "SingleUploadResponse")
    for bad in (client.get("/nope"), client.get("/v1/ingest/imports", params={"limit": 99})):
        _check(bad.json(), "Error")
