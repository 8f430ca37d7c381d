"""The OpenAPI description: valid 3.1, exactly the contract's operations, agreeing with the requirement
catalogue, loadable by schemathesis, and with response schemas that accept and refuse the right bodies."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from schemathesis.specs.openapi.stateful import collect_transitions

from ingest_conformance.judging.catalogue import DOC_PAGES, OPERATION_IDS, Catalogue, load_catalogue
from ingest_conformance.judging.openapi import load_openapi
from ingest_conformance.spec import OPENAPI_PATH

pytestmark = pytest.mark.unit

# The shared contract's operation table.
CONTRACT_OPERATIONS = {
    "uploadFiles": ("post", "/v1/ingest/uploads"),
    "uploadByUrl": ("post", "/v1/ingest/by-url"),
    "getFile": ("get", "/v1/ingest/files/{fileId}"),
    "uploadSingle": ("post", "/v1/ingest/single"),
    "uploadSingleUrl": ("post", "/v1/ingest/single-url"),
    "listImports": ("get", "/v1/ingest/imports"),
    "getImport": ("get", "/v1/ingest/imports/{importId}"),
}
DOC_TAGS = {
    "uploadFiles": "UF",
    "uploadByUrl": "UU",
    "getFile": "GF",
    "uploadSingle": "US",
    "uploadSingleUrl": "USU",
    "listImports": "LI",
    "getImport": "GI",
}
UPLOADS = ("uploadFiles", "uploadByUrl", "uploadSingle", "uploadSingleUrl")
GETS = ("getFile", "listImports", "getImport")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_openapi()


@pytest.fixture(scope="module")
def operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for _, _, op in _iter_operations(spec)}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def _iter_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _response_schema(spec: dict[str, Any], operation: dict[str, Any], status: str) -> dict[str, Any]:
    response = _resolve(spec, operation["responses"][status])
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def test_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    validate(spec)
    assert spec["servers"][0]["url"] == "https://api.invofox.com"
    assert "replaces it" in spec["servers"][0]["description"]


def test_operations_are_exactly_the_contract(spec: dict[str, Any]) -> None:
    found = {op["operationId"]: (method, path) for method, path, op in _iter_operations(spec)}
    assert found == CONTRACT_OPERATIONS
    assert set(OPERATION_IDS) == set(found)


def test_deprecation_flags(spec: dict[str, Any], operations: dict[str, dict[str, Any]]) -> None:
    deprecated = {op_id for op_id, op in operations.items() if op.get("deprecated")}
    assert deprecated == {"uploadSingle", "uploadSingleUrl"}
    schemas = spec["components"]["schemas"]
    assert schemas["UploadFilesForm"]["properties"]["urls"]["deprecated"] is True
    assert "deprecated" not in schemas["UploadFilesForm"]["properties"]["files"]
    assert schemas["SingleUploadResponse"]["properties"]["documentId"]["deprecated"] is True


def test_security_alternatives(spec: dict[str, Any], operations: dict[str, dict[str, Any]]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "header", "name": "x-api-key"}
    assert schemes["accessToken"]["in"] == "header" and schemes["accessToken"]["name"] == "x-access-token"
    assert spec["security"] == [{"apiKey": []}, {"accessToken": []}]
    effective = {op_id: op.get("security", spec["security"]) for op_id, op in operations.items()}
    assert effective.pop("listImports") == [{"apiKey": []}]
    assert all(value == [{"apiKey": []}, {"accessToken": []}] for value in effective.values())


def test_doc_urls_and_path_profile(operations: dict[str, dict[str, Any]], catalogue: Catalogue) -> None:
    for op_id, op in operations.items():
        assert op["x-doc-url"] == DOC_PAGES[DOC_TAGS[op_id]], op_id
    key = "x-path-profile-setting"
    marked = {op_id: op[key] for op_id, op in operations.items() if key in op}
    assert marked == {"uploadSingleUrl": "single_url_path"}
    assert catalogue.profile_defaults()["single_url_path"] == CONTRACT_OPERATIONS["uploadSingleUrl"][1]


def test_x_requirements_exist_in_the_catalogue(operations: dict[str, dict[str, Any]], catalogue: Catalogue) -> None:
    for op_id, op in operations.items():
        ids = op["x-requirements"]
        assert len(ids) == len(set(ids)), op_id
        assert [i for i in ids if i not in catalogue] == [], op_id


def test_x_requirements_agree_with_catalogue_operations(
    operations: dict[str, dict[str, Any]], catalogue: Catalogue
) -> None:
    for op_id, op in operations.items():
        assert set(op["x-requirements"]) == {r.id for r in catalogue.by_operation(op_id)}, op_id


def test_success_and_error_responses(spec: dict[str, Any], operations: dict[str, dict[str, Any]]) -> None:
    for op_id in UPLOADS:
        responses = operations[op_id]["responses"]
        assert set(responses) == {"200", "201", "400", "401", "403", "413", "415", "429"}, op_id
        assert responses["200"] == responses["201"], op_id
    for op_id in GETS:
        assert set(operations[op_id]["responses"]) == {"200", "400", "401", "403", "404", "429"}, op_id
    for op_id, op in operations.items():
        for status in op["responses"]:
            if status.startswith("4"):
                assert _response_schema(spec, op, status) == {"$ref": "#/components/schemas/Error"}, op_id
        too_many = _resolve(spec, op["responses"]["429"])
        assert too_many["headers"]["Retry-After"]["schema"] == {"type": "string"}


def test_response_schemas_stay_open(spec: dict[str, Any]) -> None:
    # Targets may add undocumented fields: no schema a response can reach may close its object.
    def walk(node: object, where: str) -> Iterator[str]:
        if isinstance(node, dict):
            if node.get("additionalProperties") is False or "unevaluatedProperties" in node:
                yield where
            for key, value in node.items():
                yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}/{index}")

    response_schemas = [
        "UploadedFile",
        "UploadResponse",
        "SingleUploadResponse",
        "File",
        "ImportSummary",
        "Import",
        "ImportList",
        "Error",
    ]
    schemas = spec["components"]["schemas"]
    assert [w for name in response_schemas for w in walk(schemas[name], name)] == []
    assert schemas["Error"].get("required", []) == []


def test_list_imports_parameters(operations: dict[str, dict[str, Any]]) -> None:
    params = {p["name"]: p for p in operations["listImports"]["parameters"]}
    assert set(params) == {"environmentId", "skip", "limit"}
    assert all(p["in"] == "query" and p["required"] is False for p in params.values())
    assert params["skip"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 10, "default": 0}
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 15, "default": 5}
    assert params["environmentId"]["schema"] == {"type": "string"}


@pytest.mark.parametrize(("op_id", "name"), [("getFile", "fileId"), ("getImport", "importId")])
def test_path_parameters(spec: dict[str, Any], operations: dict[str, dict[str, Any]], op_id: str, name: str) -> None:
    [param] = [_resolve(spec, p) for p in operations[op_id]["parameters"]]
    found = (param["name"], param["in"], param["required"], param["schema"])
    assert found == (name, "path", True, {"type": "string"})


def test_request_bodies(spec: dict[str, Any], operations: dict[str, dict[str, Any]]) -> None:
    binary = {"type": "string", "contentMediaType": "application/octet-stream"}
    for op_id, form_name in [("uploadFiles", "UploadFilesForm"), ("uploadSingle", "UploadSingleForm")]:
        content = operations[op_id]["requestBody"]["content"]
        assert set(content) == {"multipart/form-data"}
        assert content["multipart/form-data"]["encoding"] == {"info": {"contentType": "application/json"}}
        assert content["multipart/form-data"]["schema"] == {"$ref": f"#/components/schemas/{form_name}"}
    schemas = spec["components"]["schemas"]
    uploads = schemas["UploadFilesForm"]
    assert "required" not in uploads  # "files or urls" is checked by tests (VAL-400-001), not by the schema
    assert uploads["properties"]["files"]["items"] == binary
    assert uploads["properties"]["urls"]["items"] == {"type": "string"}
    single = schemas["UploadSingleForm"]
    assert single["required"] == ["file"] and {**single["properties"]["file"], "description": ""} == {
        **binary,
        "description": "",
    }
    info = schemas["Info"]
    assert info["type"] == "object" and info["additionalProperties"] is True and "required" not in info
    assert {k: v["type"] for k, v in info["properties"].items()} == {
        "type": "string",
        "data": "object",
        "clientData": "object",
        "company": "string",
    }
    for op_id, name in [("uploadByUrl", "ByUrlRequest"), ("uploadSingleUrl", "SingleUrlRequest")]:
        content = operations[op_id]["requestBody"]["content"]
        assert content == {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
    by_url = schemas["ByUrlRequest"]
    assert by_url["required"] == ["files"] and by_url["properties"]["files"]["minItems"] == 1
    entry = schemas["FileUrlInfo"]
    assert entry["required"] == ["url"] and entry["properties"]["url"]["format"] == "uri"
    assert set(entry["properties"]) == {"url", "filename", "info"}
    single_url = schemas["SingleUrlRequest"]
    assert single_url["required"] == ["url"] and single_url["properties"]["url"]["format"] == "uri"


EXPECTED_LINKS = {
    "uploadFiles": {"getFile": ("fileId", "$response.body#/files/0/id")},
    "uploadByUrl": {"getFile": ("fileId", "$response.body#/files/0/id")},
    "uploadSingle": {"getFile": ("fileId", "$response.body#/fileId")},
    "uploadSingleUrl": {"getFile": ("fileId", "$response.body#/fileId")},
}


@pytest.mark.parametrize("op_id", UPLOADS)
def test_links_chain_uploads_to_reads(spec: dict[str, Any], operations: dict[str, dict[str, Any]], op_id: str) -> None:
    expected = {
        **EXPECTED_LINKS[op_id],
        "getImport": ("importId", "$response.body#/importId"),
    }
    for status in ("200", "201"):
        links = _resolve(spec, operations[op_id]["responses"][status])["links"]
        found = {}
        for link in links.values():
            target = operations[link["operationId"]]  # KeyError = a link to a missing operation
            [(param, expression)] = link["parameters"].items()
            params = [_resolve(spec, p) for p in target["parameters"]]
            path_params = {p["name"] for p in params if p["in"] == "path"}
            assert param in path_params, (op_id, status, param)
            found[link["operationId"]] = (param, expression)
        assert found == expected, (op_id, status)


def test_schemathesis_sees_the_links() -> None:
    schema = schemathesis.openapi.from_path(OPENAPI_PATH)
    transitions = collect_transitions([schema.find_operation_by_id(op_id) for op_id in OPERATION_IDS])
    outgoing = {
        (label, link.status_code, link.target.label)
        for label, node in transitions.operations.items()
        for link in node.outgoing
    }
    for op_id in UPLOADS:
        method, path = CONTRACT_OPERATIONS[op_id]
        for status in ("200", "201"):
            for target in ("GET /v1/ingest/files/{fileId}", "GET /v1/ingest/imports/{importId}"):
                assert (f"{method.upper()} {path}", status, target) in outgoing
    assert len(outgoing) == len(UPLOADS) * 2 * 2


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_schemathesis_generates_a_case_without_warnings(op_id: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = schemathesis.openapi.from_path(OPENAPI_PATH)
        operation = schema.find_operation_by_id(op_id)
        cases: list[Any] = []

        # One example through @given, not `find`, which would spend seconds shrinking it.
        @given(operation.as_strategy())
        @settings(database=None, max_examples=1, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        def draw(case: Any) -> None:
            cases.append(case)

        draw()
    assert cases, f"no case generated for {op_id}"
    case = cases[0]
    method, path = CONTRACT_OPERATIONS[op_id]
    assert (case.method.lower(), case.path) == (method, path)
    if op_id in ("uploadByUrl", "uploadSingleUrl"):
        assert isinstance(case.body, dict)
    if op_id == "uploadSingle":
        assert isinstance(case.body, dict) and "file" in case.body


# --- response schemas accept the documented shapes and refuse broken ones -----------------------------

ID = "66d721ec7edc0baa3794eec1"
FILE = {
    "id": ID,
    "accountId": ID,
    "environmentId": ID,
    "importId": ID,
    "filename": "a.pdf",
    "compressed": False,
    "status": "processed",
    "createdAt": "2024-09-26T10:30:00.000Z",
}
SUMMARY = {
    "id": ID,
    "accountId": ID,
    "environmentId": ID,
    "channel": "api",
    "status": "processing",
    "createdAt": "2024-09-26T10:30:00.000Z",
    "documents": 0,
}
NULLS = {
    name: None for name in ("mimeType", "companyId", "parentFileId", "documentIds", "error", "updatedAt", "clientData")
}
UPLOAD = {"accountId": ID, "environmentId": ID, "importId": ID, "files": [{"id": ID, "filename": "a.pdf"}]}
SINGLE = {"accountId": ID, "environmentId": ID, "importId": ID, "fileId": ID, "filename": "a.pdf"}

GOOD = [
    ("File", FILE),
    ("File", {**FILE, **NULLS}),
    (
        "File",
        {
            **FILE,
            "documentIds": [ID],
            "updatedAt": "2024-09-26T10:35:00Z",
            "clientData": {"k": 1},
            "undocumented": True,
        },
    ),
    ("UploadResponse", UPLOAD),
    ("UploadResponse", {**UPLOAD, "files": [{"id": ID, "filename": "a.pdf", "documentId": None}]}),
    ("SingleUploadResponse", {**SINGLE, "documentId": ID}),
    ("ImportSummary", SUMMARY),
    ("Import", {**SUMMARY, "files": [FILE], "clientData": {}, "providerInfo": None}),
    ("ImportList", {"count": 0, "result": []}),
    ("ImportList", {"count": 1, "result": [SUMMARY]}),
    ("Error", {"statusCode": 400, "message": "bad", "error": "Bad Request"}),
    ("Error", {"message": ["a", "b"]}),
    ("Error", {"error": {"code": "X"}}),
    ("Error", {}),
]
BAD = [
    ("File", {**FILE, "status": "done"}),
    ("File", {**FILE, "compressed": "no"}),
    ("File", {**FILE, "createdAt": "yesterday"}),
    ("File", {k: v for k, v in FILE.items() if k != "importId"}),
    ("File", {**FILE, "documentIds": "x"}),
    ("UploadResponse", {k: v for k, v in UPLOAD.items() if k != "files"}),
    ("UploadResponse", {**UPLOAD, "files": [{"id": ID}]}),
    ("SingleUploadResponse", {k: v for k, v in SINGLE.items() if k != "fileId"}),
    ("ImportSummary", {**SUMMARY, "channel": "ftp"}),
    ("ImportSummary", {**SUMMARY, "status": "rejected"}),
    ("ImportSummary", {**SUMMARY, "documents": -1}),
    ("Import", SUMMARY),
    ("ImportList", {"count": 1}),
    ("Error", ["not", "an", "object"]),
    ("Error", {"statusCode": "400"}),
]


def _validator(spec: dict[str, Any], name: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize(("name", "body"), GOOD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(GOOD)])
def test_documented_bodies_validate(spec: dict[str, Any], name: str, body: object) -> None:
    assert list(_validator(spec, name).iter_errors(body)) == []


@pytest.mark.parametrize(("name", "body"), BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_broken_bodies_are_refused(spec: dict[str, Any], name: str, body: object) -> None:
    assert list(_validator(spec, name).iter_errors(body)) != []


def test_load_openapi_hands_out_independent_copies() -> None:
    first = load_openapi()
    first["paths"].clear()
    assert load_openapi()["paths"], "a caller's change leaked into the cached spec"
    assert load_openapi(OPENAPI_PATH)["info"]["title"] == "Invofox Ingest API"


def test_webhooks_section_lists_the_webhook_requirements(spec: dict[str, Any], catalogue: Catalogue) -> None:
    hooks = {name: item["post"] for name, item in spec["webhooks"].items()}
    assert {op["operationId"] for op in hooks.values()} == {
        "fileProcessedEvent",
        "fileRejectedEvent",
        "importProcessedEvent",
    }
    listed = {rid for op in hooks.values() for rid in op["x-requirements"]}
    assert listed == {r.id for r in catalogue.by_feature("webhooks")}
    assert all(catalogue[rid].operations == () for rid in listed)  # events are no operation of `paths`


def test_webhook_event_schemas_accept_and_refuse(spec: dict[str, Any]) -> None:
    from ingest_conformance.judging.openapi import OpenAPIDocument

    doc = OpenAPIDocument(spec)
    file = {
        "id": "66f580d3bee75c4a542daabb",
        "accountId": "66d721ec7edc0baa3794eec1",
        "environmentId": "66d721f5ee90270bfac654a0",
        "importId": "66d711d737c788ba24e17734",
        "filename": "invoice.pdf",
        "compressed": False,
        "status": "processed",
        "createdAt": "2024-09-26T10:30:00.000Z",
    }
    event = {"type": "file.processed", "id": "675e1a2b8f7d06899790871d", "timestamp": "2024-12-15T14:30:00.000Z"}
    good = {**event, "version": "1.0", "data": file}
    assert doc.validate_component("FileProcessedEvent", good) == []
    assert doc.validate_component("FileProcessedEvent", {**good, "timestamp": 1734273000.5}) == []
    assert doc.validate_component("FileRejectedEvent", good)  # the type is fixed per event
    assert doc.validate_component("FileProcessedEvent", {**good, "version": 1})
    assert doc.validate_component("FileProcessedEvent", {k: v for k, v in good.items() if k != "id"})
    assert doc.validate_component("ImportProcessedEvent", {**good, "type": "import.processed"})  # data not an Import
