"""The results document's versioned schema, and reading a saved results.json back safely.

Version history (reports/README.md has the field-by-field description):
  1  run, config, requirements (with their records), exchanges (with curl)
  2  adds run.harness_errors and the roll-ups `summary`, `operations`, `features`, `tests`;
     check messages are redacted like the rest
  3  adds `timings` (latency per operation, processing time per format, 429s and retries over the
     run; reporting/timings.py) and, for `run --baseline`, `baseline` (the comparison with an
     earlier run; reporting/diff.py). Both optional: a version-2 file reads as before, without charts.
A version-1 file is upgraded on load (its roll-ups computed), so it re-renders like a new one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_NAME = "ingest-conformance/results"
SCHEMA_VERSION = 3
SUPPORTED_VERSIONS = (1, 2, 3)

_OUTCOMES = ["disabled", "skip", "pass", "info", "xfail", "warn", "stale", "fail", "error"]
_OUTCOME = {"enum": _OUTCOMES}
_STR = {"type": "string"}
_STRS = {"type": "array", "items": _STR}
_BODY = {
    "type": "object",
    "required": ["size", "sha256"],
    "properties": {
        "size": {"type": "integer", "minimum": 0},
        "sha256": _STR,
        "text": _STR,
        "base64": _STR,
        "elided": {"type": "boolean"},
        "streamed": {"type": "boolean"},
    },
}
_HEADERS = {"type": "array", "items": {"type": "array", "items": _STR, "minItems": 2, "maxItems": 2}}
_ROLLUP = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "required": ["outcome", "requirements"],
        "properties": {
            "outcome": _OUTCOME,
            "requirements": _STRS,
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    },
}
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
_SECONDS = {"type": "number", "minimum": 0}
_STAT_FIELDS: dict[str, Any] = {
    "count": {"type": "integer", "minimum": 0},
    "p50_s": _SECONDS,
    "p95_s": _SECONDS,
    "max_s": _SECONDS,
}
_STATS = {"type": "object", "required": ["count"], "properties": _STAT_FIELDS}
_SERIES = {"type": "array", "items": {"type": "integer", "minimum": 0}}
_TIMINGS = {
    "type": "object",
    "required": ["requests", "duration_s", "operations", "processing", "rate_limits"],
    "properties": {
        "requests": {"type": "integer", "minimum": 0},
        "duration_s": _SECONDS,
        "operations": {"type": "object", "additionalProperties": _STATS},
        "processing": {
            "type": "object",
            "additionalProperties": {**_STATS, "properties": {**_STAT_FIELDS, "statuses": _COUNTS}},
        },
        "rate_limits": {
            "type": "object",
            "required": ["bucket_s", "requests", "rate_limited", "retries"],
            "properties": {
                "bucket_s": {"type": "number", "exclusiveMinimum": 0},
                "requests": _SERIES,
                "rate_limited": _SERIES,
                "retries": _SERIES,
            },
        },
    },
}

# What the writers rely on. Extra keys are allowed everywhere, so later additions stay readable.
RESULTS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["schema", "version", "run", "config", "requirements", "exchanges"],
    "properties": {
        "schema": {"const": SCHEMA_NAME},
        "version": {"enum": list(SUPPORTED_VERSIONS)},
        "run": {
            "type": "object",
            "required": ["seed", "started_at", "finished_at", "target", "level", "strict", "exit_code"],
            "properties": {
                "suite_version": _STR,
                "seed": {"type": ["integer", "null"]},
                "started_at": _STR,
                "finished_at": _STR,
                "target": _STR,
                "bundled_mock": {"type": "boolean"},
                "level": _STR,
                "strict": {"type": "boolean"},
                "run_tag": {"type": ["string", "null"]},
                "exit_code": {"type": "integer"},
                "unreachable": {"type": ["string", "null"]},
                "interrupted": {"type": ["string", "null"]},
                "harness_errors": _STRS,
            },
        },
        "config": {"type": "object"},
        "summary": {
            "type": "object",
            "required": [
                "verdict",
                "requirements",
                "exercised",
                "requirements_by_outcome",
                "checks",
                "checks_by_outcome",
            ],
            "properties": {"verdict": _STR, "requirements_by_outcome": _COUNTS, "checks_by_outcome": _COUNTS},
        },
        "requirements": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "level", "feature", "statement", "operations", "sources", "outcome", "records"],
                "properties": {
                    "id": _STR,
                    "level": _STR,
                    "feature": _STR,
                    "statement": _STR,
                    "operations": _STRS,
                    "sources": _STRS,
                    "outcome": _OUTCOME,
                    "records": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "requirement",
                                "level",
                                "outcome",
                                "test",
                                "message",
                                "received",
                                "documented",
                                "exchanges",
                            ],
                            "properties": {
                                "requirement": _STR,
                                "level": _STR,
                                "outcome": _OUTCOME,
                                "test": _STR,
                                "message": _STR,
                                "received": _STR,
                                "documented": _STR,
                                "exchanges": {"type": "array", "items": {"type": "integer"}},
                                "operation": {"type": ["string", "null"]},
                            },
                        },
                    },
                },
            },
        },
        "operations": _ROLLUP,
        "features": _ROLLUP,
        "timings": _TIMINGS,
        "baseline": {
            "type": "object",
            "required": ["source", "diff"],
            "properties": {"source": _STR, "diff": {"type": "object"}},
        },
        "tests": _ROLLUP,
        "exchanges": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["id", "request", "response"],
                "properties": {
                    "id": {"type": "integer"},
                    "request": {
                        "type": "object",
                        "required": ["method", "url", "headers", "body"],
                        "properties": {"method": _STR, "url": _STR, "headers": _HEADERS, "body": _BODY},
                    },
                    "response": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "required": ["status", "headers", "body"],
                                "properties": {"status": {"type": "integer"}, "headers": _HEADERS, "body": _BODY},
                            },
                        ]
                    },
                    "elapsed_s": {"type": "number"},
                    "error": {"type": ["string", "null"]},
                    "note": _STR,
                    "curl": _STR,
                },
            },
        },
    },
}


class DocumentError(ValueError):
    """A results file that cannot be rendered; the message is one line naming the file and the problem."""


def validate_document(document: Any, origin: str = "results document") -> dict[str, Any]:
    """Check `document` against the schema; returns it upgraded to the current version."""
    if not isinstance(document, dict):
        raise DocumentError(f"{origin}: not a results document (expected a JSON object)")
    if document.get("schema") != SCHEMA_NAME:
        raise DocumentError(f"{origin}: not an ingest-conformance results file (schema is {document.get('schema')!r})")
    version = document.get("version")
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(map(str, SUPPORTED_VERSIONS))
        raise DocumentError(
            f"{origin}: unsupported schema version {version!r} (this ingest-conformance reads "
            f"{supported}); re-render it with the version that wrote it"
        )
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(RESULTS_SCHEMA).iter_errors(document))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise DocumentError(f"{origin}: invalid results document at {where}: {error.message[:200]}")
    if version == 1:
        from ingest_conformance.judging.catalogue import OPERATION_IDS
        from ingest_conformance.reporting.rollup import add_rollups

        document.setdefault("run", {}).setdefault("harness_errors", [])
        add_rollups(document, OPERATION_IDS)
        document["version"] = SCHEMA_VERSION
    return document


def load_document(path: Path) -> dict[str, Any]:
    """Read and validate a saved results.json; raises `DocumentError` with one clear line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocumentError(f"{path}: is a directory, expected a results.json file") from None
    except UnicodeDecodeError:
        raise DocumentError(f"{path}: not UTF-8 text, so not a results.json file") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise DocumentError(f"{path}: JSON nested too deeply") from None
    return validate_document(document, str(path))
