"""A small recorded run for the cassette and replay tests: spec-valid answers, a Latin-1 multipart body,
a streamed body, a transport failure, and the credential echoed where a careless target would echo it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ingest_conformance.cassettes.record import write_cassette
from ingest_conformance.spec import OPENAPI_PATH
from ingest_conformance.wire.exchange import Exchange

BASE = "http://127.0.0.1:8765"
KEY = "sk-sample-Key/with+plus=&42"
ACC, ENV, IMP, FILE, DOC = (
    "66d721ec7edc0baa3794eec1",
    "66d721f5ee90270bfac654a0",
    "6b04f8712ae07c277cf850c5",
    "6b04f8712ae07c277cf850c6",
    "6b04f8712ae07c277cf850c7",
)
LATIN1_FORM = (
    b'--b\r\nContent-Disposition: form-data; name="files"; filename="caf\xe9 r\xe9sum\xe9.pdf"\r\n'
    b"Content-Type: application/pdf\r\n\r\n%PDF-1.4 tiny\r\n--b--\r\n"
)
JSON = [("content-type", "application/json")]
TEST = "ingest_conformance/contract/test_sample.py::test_sample"


def exchange(
    method: str,
    path: str,
    body: bytes | None,
    status: int | None,
    answer: object = None,
    *,
    headers: list[tuple[str, str]] | None = None,
    response_headers: list[tuple[str, str]] | None = None,
    streamed_size: int | None = None,
    error: str | None = None,
) -> Exchange:
    ex = Exchange.for_request(
        method,
        BASE + path,
        [("host", "127.0.0.1:8765"), ("x-api-key", KEY), *(headers or [])],
        body,
        streamed_size=streamed_size,
        streamed_sha256="cd" * 32 if streamed_size else "",
    )
    ex.status = status
    ex.response_headers = response_headers if response_headers is not None else list(JSON)
    ex.response_body = answer if isinstance(answer, bytes) else json.dumps(answer).encode() if answer else b""
    ex.error = error
    ex.elapsed_s = 0.01
    return ex


def upload_answer() -> dict[str, object]:
    return {
        "accountId": ACC,
        "environmentId": ENV,
        "importId": IMP,
        "files": [{"id": FILE, "filename": "café résumé.pdf", "documentId": DOC}],
    }


def file_answer(status: str = "processed") -> dict[str, object]:
    return {
        "id": FILE,
        "accountId": ACC,
        "environmentId": ENV,
        "importId": IMP,
        "filename": "café résumé.pdf",
        "compressed": False,
        "status": status,
        "createdAt": "2024-05-01T10:00:00Z",
        "error": None,
        "clientData": {"echo": KEY},
    }


def sample_exchanges() -> list[Exchange]:
    multipart = [("content-type", "multipart/form-data; boundary=b")]
    return [
        exchange("POST", "/v1/ingest/uploads", LATIN1_FORM, 201, upload_answer(), headers=multipart),
        exchange("GET", f"/v1/ingest/files/{FILE}", b"", 200, file_answer("processing")),
        exchange("GET", f"/v1/ingest/files/{FILE}", b"", 200, file_answer("processed")),
        exchange(
            "POST",
            "/v1/ingest/by-url",
            json.dumps({"files": [{"url": f"http://h/a.pdf?k={KEY}"}]}).encode(),
            400,
            {"statusCode": 400, "message": "bad url", "error": "Bad Request"},
            headers=JSON,
        ),
        exchange(
            "POST",
            "/v1/ingest/uploads",
            None,
            413,
            {"statusCode": 413, "message": "too large"},
            headers=multipart,
            streamed_size=2_000_000,
        ),
        exchange(
            "GET",
            "/v1/ingest/imports?skip=0&limit=5",
            b"",
            429,
            {"statusCode": 429},
            response_headers=[*JSON, ("retry-after", "1")],
        ),
        exchange("GET", "/v1/ingest/files/000000000000000000000000", b"", None, error="ReadError: reset by peer"),
        exchange("GET", "/v1/ingest/nowhere", b"", 404, {"statusCode": 404}),
        exchange(
            "POST",
            "/v1/ingest/single",
            LATIN1_FORM.replace(b'name="files"', b'name="file"'),
            201,
            {"accountId": ACC, "environmentId": ENV, "importId": IMP, "fileId": FILE, "filename": "café résumé.pdf"},
            headers=multipart,
        ),
    ]


def write_sample(path: Path) -> Path:
    recorded = [(TEST, ex) for ex in sample_exchanges()]
    meta = {
        "target": BASE,
        "bundled_mock": False,
        "seed": 7,
        "level": "quick",
        "run_tag": "ic-run-7",
        "profile": {"single_url_path": "/v1/ingest/single-url", "id_pattern": "^[0-9a-f]{24}$"},
    }
    return write_cassette(path, recorded, meta=meta, spec_text=OPENAPI_PATH.read_text(encoding="utf-8"), secrets=[KEY])


def drifted_spec(path: Path) -> Path:
    """The installed spec with three deliberate changes: a new required upload field, getFile's status enum
    without `processing`, and single upload no longer documenting 201."""
    spec = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    schemas["UploadResponse"]["required"].append("batchId")
    schemas["UploadResponse"]["properties"]["batchId"] = {"type": "string"}
    schemas["File"]["properties"]["status"]["enum"].remove("processing")
    del spec["paths"]["/v1/ingest/single"]["post"]["responses"]["201"]
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
