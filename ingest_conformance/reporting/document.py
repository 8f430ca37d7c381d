"""reports/results.json: the run's result model, redacted, in a versioned schema.

Schema version 1:
  {"schema": "ingest-conformance/results", "version": 1,
   "run": {seed, started_at, finished_at, target, level, strict, exit_code, unreachable},
   "config": {...redacted...},
   "requirements": [{id, level, feature, statement, operations, sources, outcome, records: [...]}],
   "exchanges": {"<id>": {request, response, elapsed_s, error, note, curl}}}
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest_conformance.results import Outcome

if TYPE_CHECKING:
    from ingest_conformance.suite import Suite

SCHEMA_NAME = "ingest-conformance/results"
SCHEMA_VERSION = 1


def results_document(suite: Suite) -> dict[str, Any]:
    results = suite.results
    secrets = suite.config.secrets()
    rolled = results.by_requirement()
    requirements = []
    for req in suite.catalogue:
        records = [r.to_dict() for r in results.records if r.requirement_id == req.id]
        requirements.append({
            "id": req.id, "level": req.level, "feature": req.feature, "statement": req.statement,
            "operations": list(req.operations), "sources": list(req.sources),
            "outcome": rolled.get(req.id, Outcome.DISABLED).label, "records": records,
        })
    used = {i for r in results.records for i in r.exchange_ids}
    return {
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "run": {
            "seed": results.seed,
            "started_at": _iso(results.started_at),
            "finished_at": _iso(results.finished_at or time.time()),
            "target": suite.base_url,
            "bundled_mock": suite.config.uses_bundled_mock,
            "level": suite.config.level,
            "strict": suite.config.strict,
            "run_tag": suite.run_tag,
            "exit_code": results.exit_code(strict=suite.config.strict),
            "unreachable": results.unreachable,
        },
        "config": suite.config.redacted(),
        "requirements": requirements,
        "exchanges": {str(i): {**results.exchanges[i].to_dict(secrets), "curl": results.exchanges[i].curl(secrets)}
                      for i in sorted(used) if i in results.exchanges},
    }


def write_results(suite: Suite) -> Path:
    out_dir = suite.config.report_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "results.json"
    path.write_text(json.dumps(results_document(suite), indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
