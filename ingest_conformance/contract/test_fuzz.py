"""schemathesis fuzzing of every operation of the spec, and chains through its links (ERR-5XX-001, RESP-SCHEMA-001,
ERR-JSON-001, ID-SHAPE-001, RAW-READ-001).

Every answer gets the checks every answer gets (no 5xx, JSON errors, success bodies match the spec, id shapes)
and the documented-status rule: its status is one the spec documents for the operation or one the contract
allows anywhere (400, 401, 403, 404, 405, 413, 415, 429), judged under RESP-SCHEMA-001. A 429 is never a
failure: the client waits it out, and the test records it (RATE-429-001; RATE-429-002 when Retry-After is
missing). Cases are seeded from the run's seed and sized by its level.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from ingest_conformance import strategies as s
from ingest_conformance.flows.fuzz_cases import SPEC_SINGLE_URL_PATH, UrlPool, cannot_negate, prepare_cases
from ingest_conformance.flows.fuzz_variants import Variant, as_variant, files_for, structures_for, variants
from ingest_conformance.flows.fuzz_wire import describe, send_case
from ingest_conformance.flows.fuzzing import (
    FUZZ_SETTINGS,
    Judge,
    chain_machine,
    draw_examples,
    reread,
    run_examples,
    uploaded_ids,
)
from ingest_conformance.flows.generation import example_count, one_example, salt_of
from ingest_conformance.judging.openapi import load_openapi
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.wire.client import TargetClient
from ingest_conformance.wire.exchange import Exchange

EVERY_ANSWER = ("ERR-5XX-001", "RESP-SCHEMA-001", "ERR-JSON-001", "ID-SHAPE-001", "RATE-429-001", "RATE-429-002")
OPERATIONS = ["uploadFiles", "uploadByUrl", "getFile", "uploadSingle", "uploadSingleUrl", "listImports", "getImport"]
# Examples per operation and mode, and (scenarios, steps) of the link chains, by run level.
EXAMPLES = {"quick": 4, "standard": 25, "full": 150}
CHAINS = {"quick": (3, 6), "standard": (12, 10), "full": (60, 20)}
# Without a file server a target can reach, generated URLs point at a closed port of the target's own loopback.
NO_FILE_SERVER = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Fuzz:
    schema: OpenApiSchema
    single_url_skip: str | None  # why uploadSingleUrl is not fuzzed, if it is not


@pytest.fixture(scope="module", autouse=True)
def real_files_in_file_parts() -> Iterator[None]:
    """Our schemathesis registration (real, well-named files in file parts) is process-wide: undo it after
    this module, so tests that run later see schemathesis as it was."""
    s.register_schemathesis_strategies()
    yield
    s.unregister_schemathesis_strategies()


@pytest.fixture(scope="session")
def fuzz(suite: Suite, request: pytest.FixtureRequest) -> Fuzz:
    """The spec as schemathesis sees it: single-url at profile `single_url_path` (left out when the target does
    not serve it), generated URLs pointed at the suite's file server, `company` values of the id shape."""
    try:
        server = request.getfixturevalue("file_server")
        samples = [
            one_example(suite, strategy, salt=salt_of("fuzz", name))
            for name, strategy in [("pdf", s.pdf_files(max_pages=1)), ("png", s.png_files()), ("jpeg", s.jpeg_files())]
        ]
        urls = UrlPool(tuple(server.add(x.filename, x.content, x.mime_type) for x in samples), server.base_url)
    except pytest.skip.Exception:
        urls = UrlPool((), NO_FILE_SERVER)
    single_url_skip: str | None = None
    try:
        request.getfixturevalue("single_url_path")
    except pytest.skip.Exception as exc:
        single_url_skip = str(exc.msg)
    document = load_openapi()
    paths = document["paths"]
    paths[suite.config.profile.single_url_path] = paths.pop(SPEC_SINGLE_URL_PATH)
    # An explicit default config: schemathesis would otherwise read a schemathesis.toml found in the cwd.
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    schema.config.update(base_url=suite.base_url)
    if single_url_skip is not None:
        schema = cast(OpenApiSchema, schema.exclude(operation_id="uploadSingleUrl"))
    prepare_cases(schema, urls, suite.run_tag, suite.config.profile.id_pattern)
    return Fuzz(schema, single_url_skip)


@pytest.mark.requirement(*EVERY_ANSWER)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_fuzz_operation(
    client: TargetClient,
    verdict: Verdict,
    suite: Suite,
    fuzz: Fuzz,
    request: pytest.FixtureRequest,
    operation_id: str,
    mode: GenerationMode,
) -> None:
    """Schema-valid (positive) or schema-invalid (negative) requests: whatever the target answers must be allowed."""
    if operation_id == "uploadSingleUrl" and fuzz.single_url_skip:
        pytest.skip(fuzz.single_url_skip)
    operation = fuzz.schema.find_operation_by_id(operation_id)
    if mode is GenerationMode.NEGATIVE and cannot_negate(operation):
        pytest.skip(
            f"schemathesis can build no schema-invalid {operation_id} request from the spec: its only "
            "input, the id in the path, is any string (malformed ids are the VAL-ID-001 tests' subject)"
        )
    judge = Judge(verdict, suite)
    examples = example_count(suite, **EXAMPLES)
    salt = salt_of("fuzz", operation_id, mode.value)

    def send_variant(variant: Variant) -> None:
        if judge.failures:
            return  # one failure is enough evidence; the rest of the examples cost no request
        description = describe(variant.structure, operation_id) + variant.label
        judge(send_case(client, variant.case, suite.base_url, description), operation_id, description)

    try:
        strategy = operation.as_strategy(generation_mode=mode)
        if s.file_parts(operation):  # schemathesis' draw costs ~8 requests' time: vary each one (fuzz_variants)
            structures = draw_examples(suite, strategy, examples=structures_for(examples), salt=salt)
            files = draw_examples(
                suite,
                s.named_files(s.Operation(operation_id)),
                examples=files_for(examples),
                salt=salt_of("fuzz", operation_id, mode.value, "files"),
            )
            run_examples(suite, variants(structures, files), send_variant, examples=examples, salt=salt)
        else:
            run_examples(suite, strategy.map(as_variant), send_variant, examples=examples, salt=salt)
    except Unsatisfiable:
        pytest.skip(f"schemathesis can build no schema-invalid {operation_id} request from the spec")
    request.node.add_report_section("call", "fuzz", judge.summary())
    judge.finish()


@pytest.mark.requirement(*EVERY_ANSWER, "RAW-READ-001")
def test_fuzz_chains_through_links(
    client: TargetClient, verdict: Verdict, suite: Suite, fuzz: Fuzz, request: pytest.FixtureRequest
) -> None:
    """schemathesis' state machine over the spec's links: upload → GET file → GET import, mostly positive with
    some negative steps; a file id an upload answered with reads 200 when the link leads there (RAW-READ-001)."""
    judge = Judge(verdict, suite)
    written: set[str] = set()
    reads: list[str] = []

    def step(case: Case[Any]) -> Exchange:
        operation_id = str(case.operation.definition.raw["operationId"])
        description = describe(case, operation_id)
        ex = send_case(client, case, suite.base_url, description)
        file_id = (case.path_parameters or {}).get("fileId")
        if operation_id == "getFile" and file_id in written:
            ex = reread(client, ex, suite.config.profile.read_after_write_s)
            judge.readable(ex, description)
            reads.append(str(file_id))
        judge(ex, operation_id, description)
        written.update(uploaded_ids(ex, operation_id))
        return ex

    machine = chain_machine(fuzz.schema, step)
    machine.rule_order_seed = suite.seed
    scenarios = example_count(suite, **{k: v[0] for k, v in CHAINS.items()})
    steps = CHAINS[suite.config.level][1]
    seed(suite.seed ^ salt_of("fuzz", "chains"))(machine)
    machine.run(settings=settings(max_examples=scenarios, stateful_step_count=steps, **FUZZ_SETTINGS))
    request.node.add_report_section(
        "call", "fuzz", f"{judge.summary()}; uploaded files read through links: {len(reads)}"
    )
    judge.finish()
