"""The suite against conformant personalities of the mock (must pass) and against injected faults
(the named requirement must fail, exit code 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .faulty import Scope, inject_header, mock_app, rewrite_json, run_suite, serve

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

PERSONALITIES = {
    "defaults": {},
    "opposite-choices": {"rejection": "sync", "success_status": 200, "auth_failure_status": 403,
                         "uploads_accept_tif": False, "byurl_accepts_zip": True},
    "slow-and-rate-limited": {"processing_delay": 0.15, "rate_limit_burst": 60},
}


@pytest.mark.parametrize("name", list(PERSONALITIES))
def test_conformant_personalities_pass(tmp_path: Path, name: str) -> None:
    with serve(mock_app(**PERSONALITIES[name])) as url:
        proc = run_suite(url, "--level", "quick", report_dir=tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["summary"]["verdict"] == "conformant", doc["summary"]
    assert not [r["id"] for r in doc["requirements"] if r["outcome"] in ("fail", "error")]


def _files_processed(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    """GET file claims every rejected file ended processed."""
    if (scope["method"] == "GET" and "/files/" in scope["path"] and isinstance(body, dict)
            and body.get("status") == "rejected"):
        body = {**body, "status": "processed", "error": None}
    return status, body


def _mojibake_names(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    """Filenames come back as if their Latin-1 bytes had been read as UTF-8 and re-encoded."""
    def mangle(name: Any) -> Any:
        return name.encode("utf-8").decode("latin-1") if isinstance(name, str) else name

    if isinstance(body, dict):
        if "filename" in body:
            body = {**body, "filename": mangle(body["filename"])}
        if isinstance(body.get("files"), list):
            body = {**body, "files": [{**f, "filename": mangle(f.get("filename"))} if isinstance(f, dict) else f
                                      for f in body["files"]]}
    return status, body


def _server_error_for_client_errors(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    return (500, {"statusCode": 500, "message": "Internal server error"}) if status == 400 else (status, body)


def _import_without_files(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    if scope["method"] == "GET" and "/imports/" in scope["path"] and isinstance(body, dict):
        body = {**body, "files": []}
    return status, body


FAULTS = {
    "auth-bypass": ("auth", "AUTH-MISS-001", lambda app: inject_header(app, b"x-api-key", b"mock-api-key-a")),
    "rejected-shown-processed": ("formats", "UPL-CORRUPT-001", lambda app: rewrite_json(app, _files_processed)),
    "latin1-mangled": ("filenames", "NAME-LAT1-001", lambda app: rewrite_json(app, _mojibake_names)),
    "5xx-for-client-errors": ("validation", "ERR-5XX-001",
                              lambda app: rewrite_json(app, _server_error_for_client_errors)),
    "import-misses-files": ("combinations", "IMP-FILES-001", lambda app: rewrite_json(app, _import_without_files)),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_injected_fault_is_caught(tmp_path: Path, fault: str) -> None:
    feature, requirement, wrap = FAULTS[fault]
    with serve(wrap(mock_app())) as url:
        proc = run_suite(url, "--level", "quick", "--select", feature, report_dir=tmp_path)
    assert proc.returncode == 1, proc.stdout[-4000:] + proc.stderr[-2000:]
    doc = json.loads((tmp_path / "results.json").read_text())
    outcomes = {r["id"]: r["outcome"] for r in doc["requirements"]}
    assert outcomes[requirement] == "fail", {k: v for k, v in outcomes.items() if v not in ("disabled",)}
    assert requirement in proc.stdout  # the console names the broken requirement
