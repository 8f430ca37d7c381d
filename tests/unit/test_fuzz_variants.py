"""The fuzz test's helpers: which operations schemathesis cannot negate, and the variants of its cases
(flows/fuzz_variants.py), which keep each case's mode: only real files replace real files, files are
added only to optional parts of negative cases, and a variant is what schemathesis would send with those files
in place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case

from ingest_conformance import strategies as s
from ingest_conformance.flows.fuzz_cases import cannot_negate
from ingest_conformance.flows.fuzz_variants import (
    Variant,
    files_for,
    structures_for,
    variants,
)
from ingest_conformance.spec import OPENAPI_PATH

pytestmark = pytest.mark.unit

SETTINGS = settings(
    max_examples=25, deadline=None, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck)
)


@pytest.fixture(scope="module", autouse=True)
def registered() -> Iterator[None]:
    s.register_schemathesis_strategies()
    yield
    s.unregister_schemathesis_strategies()


def _draw(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    drawn: list[Any] = []

    @seed(7)
    @settings(SETTINGS, max_examples=count)
    @given(strategy)
    def run(value: Any) -> None:
        drawn.append(value)

    run()
    return drawn


def _files_in(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, s.NamedBinary)]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize(("operation_id", "part"), [("uploadFiles", "files"), ("uploadSingle", "file")])
def test_variants_change_only_file_parts_and_keep_the_mode(operation_id: str, part: str, mode: GenerationMode) -> None:
    operation = schemathesis.openapi.from_path(OPENAPI_PATH).find_operation_by_id(operation_id)
    structures: list[Case[Any]] = _draw(operation.as_strategy(generation_mode=mode), 12)
    pool = _draw(s.named_files(s.Operation(operation_id)), 6)
    pooled = {id(f) for f in pool}
    sent: list[Variant] = _draw(variants(structures, pool), 40)
    assert len({id(v.structure) for v in sent}) > 1
    required = operation_id == "uploadSingle"
    for variant in sent:
        before, after = variant.structure.body, variant.case.body
        assert variant.structure in structures
        meta = variant.structure.meta
        assert meta is not None and meta.generation.mode is mode
        if variant.case is variant.structure:
            assert variant.note == ""
            continue
        assert isinstance(before, dict) and isinstance(after, dict)
        assert {k: v for k, v in after.items() if k != part} == {k: v for k, v in before.items() if k != part}
        assert all(id(f) in pooled for f in _files_in(after[part]))
        if part in before:  # refilled: the same shape, files where files were, other values untouched
            old, new = before[part], after[part]
            if isinstance(old, list):
                assert len(old) == len(new)
                for o, n in zip(old, new, strict=True):
                    assert isinstance(n, s.NamedBinary) if isinstance(o, s.NamedBinary) else n is o
            else:
                assert isinstance(old, s.NamedBinary) and isinstance(new, s.NamedBinary)
            assert variant.note.startswith("new files")
        else:  # added: only beside a negative case's own violation, only where the part is optional
            assert mode is GenerationMode.NEGATIVE and not required
            assert 1 <= len(_files_in(after[part])) <= 3 and "added" in variant.note
    added = any("added" in v.note for v in sent)
    assert added is (mode is GenerationMode.NEGATIVE and not required)  # seeded: the branch is exercised


def test_a_variant_serialises_with_its_own_files() -> None:
    operation = schemathesis.openapi.from_path(OPENAPI_PATH).find_operation_by_id("uploadSingle")
    structures = _draw(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), 3)
    pool = _draw(s.named_files(s.Operation.UPLOAD_SINGLE), 4)
    for variant in _draw(variants(structures, pool), 8):
        data = variant.case.as_transport_kwargs(base_url="http://127.0.0.1:9")["data"]
        assert variant.case.body["file"].data in data  # the pooled file's bytes go out, not the structure's


def test_sizes_of_pools() -> None:
    assert [structures_for(n) for n in (1, 4, 25, 150)] == [1, 4, 5, 30]
    assert [files_for(n) for n in (0, 4, 25, 150)] == [1, 4, 25, 40]
    with pytest.raises(ValueError, match="at least one structure"):
        variants([], [object()])


def test_only_the_id_only_operations_cannot_be_negated() -> None:
    schema = schemathesis.openapi.from_path(OPENAPI_PATH)
    found = {
        op.definition.raw["operationId"]: cannot_negate(op)
        for op in (result.ok() for result in schema.get_all_operations())
    }
    assert found == {
        "uploadFiles": False,
        "uploadByUrl": False,
        "getFile": True,
        "uploadSingle": False,
        "uploadSingleUrl": False,
        "listImports": False,
        "getImport": True,
    }
    constrained = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/f/{id}": {
                "get": {
                    "operationId": "get",
                    "responses": {"200": {"description": "ok"}},
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
                        }
                    ],
                }
            }
        },
    }
    assert not cannot_negate(schemathesis.openapi.from_dict(constrained).find_operation_by_id("get"))
