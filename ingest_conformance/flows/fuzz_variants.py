"""Several requests from each schemathesis case of an operation that carries files.

schemathesis needs ~30 ms to draw one uploadFiles case (an arbitrary-JSON `info`, its negative mutation
engine, hypothesis bookkeeping for ~100 choices) where sending and judging it takes a few. So for the
operations with file parts, each drawn case is a *structure* sent several times with its file parts drawn
afresh: every file part holds another real file from a pool drawn once per test (formats, sizes, pages and
names vary; a pool, because drawing a file costs as much as sending one), and a negative structure without
files may get valid ones beside its violation (the violation must be refused, or accepted, with real files
present too, never with a 5xx). Neither changes the case's mode: a positive structure stays schema-valid, a
negative one keeps its violation, because only optional file parts are added and only real files replace
real files. Hypothesis never repeats a choice sequence, so a structure with nothing to vary is sent once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case

from ingest_conformance import strategies as s

# Requests per drawn schemathesis case, on average: the structures stay varied (a fifth of the requests)
# while the ~30 ms a structure costs is shared by five.
VARIANTS_PER_CASE = 5
FILES_PER_POOL = 40  # at most; a request holds 0-3 files, so each pooled file goes out a few times per test
MAX_ADDED_FILES = 3


def structures_for(examples: int) -> int:
    """How many schemathesis cases feed `examples` requests (all of them when there are few)."""
    return min(examples, max(VARIANTS_PER_CASE, math.ceil(examples / VARIANTS_PER_CASE)))


def files_for(examples: int) -> int:
    """How many real files the variants of `examples` requests draw from."""
    return max(1, min(FILES_PER_POOL, examples))


@dataclass(frozen=True)
class Variant:
    case: Case[Any]  # what is sent
    structure: Case[Any]  # the schemathesis case it varies: its metadata says the mode and the violation
    note: str  # what was drawn afresh; "" when the structure goes out as drawn

    @property
    def label(self) -> str:
        return f" [{self.note}]" if self.note else ""


def as_variant(case: Case[Any]) -> Variant:
    """A case sent as schemathesis drew it."""
    return Variant(case, case, "")


class _Absent:
    """A file part the structure does not have (and the variant does not add)."""


ABSENT = _Absent()


def _required_parts(case: Case[Any]) -> frozenset[str]:
    required: set[str] = set()
    for body in case.operation.body:
        schema = body.resolved_schema or {}
        required.update(name for name in schema.get("required", []) if isinstance(name, str))
    return frozenset(required)


def _with_body(case: Case[Any], body: dict[str, Any]) -> Case[Any]:
    """A copy of `case` with another body and no metadata of its own (the structure keeps that)."""
    return Case(
        operation=case.operation,
        method=case.method,
        path=case.path,
        path_parameters=dict(case.path_parameters),
        headers=case.headers.copy(),
        cookies=dict(case.cookies),
        query=dict(case.query),
        body=body,
        media_type=case.media_type,
        multipart_content_types=case.multipart_content_types,
    )


def _part_strategy(
    value: Any, array: bool, optional_and_negative: bool, files: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any] | None:
    """What one file part becomes in a variant, or None when it stays as drawn."""
    if isinstance(value, s.NamedBinary):
        return files
    if array and isinstance(value, list) and any(isinstance(item, s.NamedBinary) for item in value):
        return st.tuples(*[files if isinstance(item, s.NamedBinary) else st.just(item) for item in value]).map(list)
    if value is ABSENT and optional_and_negative:
        added = st.lists(files, min_size=1, max_size=MAX_ADDED_FILES) if array else files
        return st.one_of(st.just(ABSENT), added)
    return None


def vary(structure: Case[Any], files: st.SearchStrategy[Any]) -> st.SearchStrategy[Variant]:
    """The variants of one structure (the structure itself when it has no file part to draw afresh)."""
    body = structure.body
    if not isinstance(body, dict):
        return st.just(as_variant(structure))
    meta = structure.meta
    negative = meta is not None and meta.generation.mode is GenerationMode.NEGATIVE
    required = _required_parts(structure)
    draws: dict[str, st.SearchStrategy[Any]] = {}
    for name, array in s.file_parts(structure.operation).items():
        part = _part_strategy(body.get(name, ABSENT), array, negative and name not in required, files)
        if part is not None:
            draws[name] = part
    if not draws:
        return st.just(as_variant(structure))

    def build(drawn: dict[str, Any]) -> Variant:
        new = {**body, **{name: value for name, value in drawn.items() if value is not ABSENT}}
        refilled = [name for name, value in drawn.items() if value is not ABSENT and name in body]
        added = [name for name, value in drawn.items() if value is not ABSENT and name not in body]
        notes = ([f"new files in {', '.join(refilled)}"] if refilled else []) + (
            [f"valid files added in {', '.join(added)}"] if added else []
        )
        return Variant(_with_body(structure, new), structure, "; ".join(notes)) if notes else as_variant(structure)

    return st.fixed_dictionaries(draws).map(build)


def variants(structures: Sequence[Case[Any]], files: Sequence[Any]) -> st.SearchStrategy[Variant]:
    """Requests drawn from `structures`: pick one, then fill its file parts from `files` (real files, as
    `strategies.named_files` draws them; see the module's doc)."""
    if not structures or not files:
        raise ValueError("variants need at least one structure and one file")
    pool = st.sampled_from(list(files))
    each = [vary(structure, pool) for structure in structures]  # built once: hypothesis validates each strategy
    return st.integers(0, len(each) - 1).flatmap(each.__getitem__)
