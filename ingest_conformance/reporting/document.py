"""The results document: the run's result model, redacted, in a versioned schema.

Every writer (console, junit.xml, report.html) reads this document and nothing else, so a report
re-rendered from a saved reports/results.json is identical to the one the run wrote. The schema is
documented in reports/README.md and checked by `schema.RESULTS_SCHEMA`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

from ingest_conformance.judging.catalogue import OPERATION_IDS, Catalogue
from ingest_conformance.judging.results import Outcome, RunResults
from ingest_conformance.reporting.document_schema import SCHEMA_NAME, SCHEMA_VERSION
from ingest_conformance.reporting.rollup import add_rollups
from ingest_conformance.wire.redaction import redact_document, redact_exchange

RESULTS_FILE = "results.json"


def build_document(
    catalogue: Catalogue,
    results: RunResults,
    *,
    run: Mapping[str, Any],
    config: Mapping[str, Any],
    secrets: Iterable[str],
    strict: bool,
) -> dict[str, Any]:
    """The document of one run: `run` holds the run's metadata (target, level, run tag, ...)."""
    secrets = [s for s in secrets if s]
    rolled = results.by_requirement()
    requirements = []
    for req in catalogue:
        records = [r.to_dict() for r in results.records if r.requirement_id == req.id]
        requirements.append(
            {
                "id": req.id,
                "level": str(req.level),
                "feature": req.feature,
                "statement": req.statement,
                "operations": list(req.operations),
                "sources": list(req.sources),
                "outcome": rolled.get(req.id, Outcome.DISABLED).label,
                "records": records,
            }
        )
    used = sorted({i for r in results.records for i in r.exchange_ids if i in results.exchanges})
    document: dict[str, Any] = {
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "run": {
            "seed": results.seed,
            "started_at": _iso(results.started_at),
            "finished_at": _iso(results.finished_at or time.time()),
            **run,
            "strict": strict,
            "exit_code": results.exit_code(strict=strict),
            "unreachable": results.unreachable,
            "harness_errors": list(results.harness_errors),
        },
        "summary": {},
        "config": dict(config),
        "requirements": requirements,
        "operations": {},
        "features": {},
        "tests": {},
        "exchanges": {str(i): redact_exchange(results.exchanges[i], secrets) for i in used},
    }
    return add_rollups(redact_document(document, secrets), OPERATION_IDS)


def dump_document(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
