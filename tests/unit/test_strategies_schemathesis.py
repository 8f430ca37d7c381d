"""schemathesis 4 sends real, well-named files in multipart file parts once the strategies are registered."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER
from schemathesis.transport.asgi import ASGI_TRANSPORT
from schemathesis.transport.requests import REQUESTS_TRANSPORT
from strategies_helpers import examples, parse_multipart, strict_open

from ingest_conformance.spec import OPENAPI_PATH
from ingest_conformance.strategies import (
    FileFormat,
    NamedBinary,
    Operation,
    file_parts,
    named_files,
    register_schemathesis_strategies,
    unregister_schemathesis_strategies,
)
from ingest_conformance.strategies._schemathesis import flatmap_body

pytestmark = pytest.mark.unit

INLINE = {
    "openapi": "3.1.0",
    "info": {"title": "inline", "version": "1"},
    "paths": {
        "/upload": {
            "post": {
                "operationId": "uploadFiles",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["files", "doc", "typed"],
                                "properties": {
                                    "files": {
                                        "type": "array",
                                        "minItems": 1,
                                        "maxItems": 3,
                                        "items": {"type": "string", "format": "binary"},
                                    },
                                    "doc": {"type": "string", "format": "binary"},
                                    "typed": {"type": "string", "format": "binary"},
                                    "note": {"type": "string"},
                                },
                            },
                            "encoding": {"typed": {"contentType": "image/png, application/pdf"}},
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/raw": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


@pytest.fixture
def registered() -> Iterator[None]:
    register_schemathesis_strategies()
    yield
    unregister_schemathesis_strategies()


def _file_parts(kwargs: dict[str, Any]) -> list[tuple[bytes, bytes, bytes]]:
    """(name header, content type, data) of every part with a filename in a serialized request."""
    content_type = kwargs["headers"]["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=ingest-conformance-")
    parsed = parse_multipart(kwargs["data"], content_type.split("boundary=", 1)[1])
    assert parsed.complete
    return [
        (part.headers[b"content-disposition"], part.headers.get(b"content-type", b""), part.data)
        for part in parsed.parts
        if b"filename=" in part.headers[b"content-disposition"]
    ]


def _check_file(disposition: bytes, content_type: bytes, data: bytes) -> FileFormat:
    fmt = next(f for f in FileFormat if f.mime_type.encode() == content_type)
    strict_open(fmt, data)
    extension = disposition.rsplit(b".", 1)[1].rstrip(b'"').decode()
    assert extension in fmt.extensions, disposition
    return fmt


def test_registration_is_idempotent_and_reversible() -> None:
    original = REQUESTS_TRANSPORT._serializers["multipart/form-data"]
    original_png = REQUESTS_TRANSPORT._serializers["image/png"]
    try:
        register_schemathesis_strategies()
        state = dict(REQUESTS_TRANSPORT._serializers)
        register_schemathesis_strategies()
        assert dict(REQUESTS_TRANSPORT._serializers) == state
        assert GLOBAL_HOOK_DISPATCHER.get_all_by_name("flatmap_body").count(flatmap_body) == 1
        assert REQUESTS_TRANSPORT._serializers["multipart/form-data"].__wrapped__ is original  # wrapped once
    finally:
        unregister_schemathesis_strategies()
    assert REQUESTS_TRANSPORT._serializers["multipart/form-data"] is original
    assert REQUESTS_TRANSPORT._serializers["image/png"] is original_png
    assert flatmap_body not in GLOBAL_HOOK_DISPATCHER.get_all_by_name("flatmap_body")


@pytest.mark.parametrize(("operation_id", "field"), [("uploadFiles", "files"), ("uploadSingle", "file")])
def test_real_spec_file_parts_carry_real_named_files(registered: None, operation_id: str, field: str) -> None:
    schema = schemathesis.openapi.from_path(OPENAPI_PATH)
    operation = schema.find_operation_by_id(operation_id)
    formats: set[FileFormat] = set()

    @examples(25)
    @given(operation.as_strategy())
    def check(case: Any) -> None:
        kwargs = REQUESTS_TRANSPORT.serialize_case(case, base_url="http://127.0.0.1:9")
        if not isinstance(case.body, dict) or case.body.get(field) in (None, []):
            return  # no file part generated (e.g. an empty `files` list): schemathesis' own encoding
        parts = _file_parts(kwargs)
        assert len(parts) == (len(case.body[field]) if field == "files" else 1)
        for disposition, content_type, data in parts:
            assert disposition.startswith(f'form-data; name="{field}"; filename="'.encode())
            formats.add(_check_file(disposition, content_type, data))

    check()
    assert formats, "no file part was generated"
    if operation_id == "uploadSingle":
        assert FileFormat.ZIP not in formats  # single refuses ZIPs


def test_negative_cases_still_serialize(registered: None) -> None:
    schema = schemathesis.openapi.from_path(OPENAPI_PATH)
    operation = schema.find_operation_by_id("uploadSingle")

    @examples(25)
    @given(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    def check(case: Any) -> None:
        REQUESTS_TRANSPORT.serialize_case(case, base_url="http://127.0.0.1:9")

    check()


def test_inline_format_binary_encoding_and_raw_bodies(registered: None) -> None:
    schema = schemathesis.openapi.from_dict(INLINE)
    upload = schema["/upload"]["POST"]
    raw = schema["/raw"]["POST"]

    typed: list[FileFormat] = []

    @examples(25)
    @given(upload.as_strategy())
    def check_upload(case: Any) -> None:
        for transport in (REQUESTS_TRANSPORT, ASGI_TRANSPORT):
            kwargs = transport.serialize_case(case, base_url="http://127.0.0.1:9")
            parts = _file_parts(kwargs)
            names = [disposition.split(b";")[1].strip() for disposition, _, _ in parts]
            assert names.count(b'name="doc"') == 1 and names.count(b'name="files"') == len(case.body["files"])
            for disposition, content_type, data in parts:
                fmt = _check_file(disposition, content_type, data)
                if b'name="typed"' in disposition:
                    typed.append(fmt)

    @examples(10)
    @given(raw.as_strategy())
    def check_raw(case: Any) -> None:
        kwargs = REQUESTS_TRANSPORT.serialize_case(case, base_url="http://127.0.0.1:9")
        strict_open(FileFormat.PDF, kwargs["data"])

    check_upload()
    check_raw()
    assert typed and set(typed) <= {FileFormat.PNG, FileFormat.PDF}  # encoding.contentType picks the type


def test_without_registration_schemathesis_names_parts_after_the_field() -> None:
    """The limit the registration works around: the default filename is the field name (+ sniffed extension)."""
    schema = schemathesis.openapi.from_path(OPENAPI_PATH)
    operation = schema.find_operation_by_id("uploadSingle")

    @examples(10)
    @given(operation.as_strategy())
    def check(case: Any) -> None:
        kwargs = REQUESTS_TRANSPORT.serialize_case(case, base_url="http://127.0.0.1:9")
        for name, (filename, *_rest) in kwargs.get("files") or []:
            if name == "file":
                assert filename == "file"

    check()


@examples(20)
@given(named_files(Operation.UPLOAD_FILES))
def test_named_binary_survives_copies(value: Any) -> None:
    assert isinstance(value, NamedBinary)
    duplicate = copy.deepcopy(value)
    assert duplicate.data == value.data and duplicate.filename == value.filename
    assert duplicate.sample.sha256 == value.sample.sha256
    assert value.content_type == value.sample.mime_type


def test_named_files_cover_zip_only_for_uploads() -> None:
    seen: dict[Operation, set[FileFormat]] = {Operation.UPLOAD_FILES: set(), Operation.UPLOAD_SINGLE: set()}

    for operation in seen:

        @examples(60)
        @given(st.just(operation), named_files(operation))
        def collect(op: Operation, value: Any) -> None:
            seen[op].add(value.sample.format)

        collect()
    assert FileFormat.ZIP in seen[Operation.UPLOAD_FILES]
    assert FileFormat.ZIP not in seen[Operation.UPLOAD_SINGLE]


def test_file_parts_name_each_operations_file_parts() -> None:
    schema = schemathesis.openapi.from_path(OPENAPI_PATH)
    found = {
        op: file_parts(schema.find_operation_by_id(op))
        for op in ("uploadFiles", "uploadSingle", "uploadByUrl", "getFile")
    }
    assert found == {"uploadFiles": {"files": True}, "uploadSingle": {"file": False}, "uploadByUrl": {}, "getFile": {}}
    inline = schemathesis.openapi.from_dict(INLINE).find_operation_by_id("uploadFiles")
    assert file_parts(inline) == {"files": True, "doc": False, "typed": False}
