"""Fault modes are real, seen from a plain HTTP client (no suite involved): a sample of them each shows
its bug, the same request against the conformant mock does not, and the CLI warns when one is on."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable

import httpx
import pytest

from ingest_conformance.flows.ids import KEY_A, KEY_B, upload, wait_for_file
from ingest_conformance.mock import run_mock

from . import samples
from .conftest import fast

pytestmark = pytest.mark.selftest

Probe = Callable[[httpx.Client], bool]  # True when the bug shows


def _wrong_key_accepted(c: httpx.Client) -> bool:
    return c.get("/v1/ingest/imports", headers={"x-api-key": "not-a-key"}).status_code == 200


def _other_environment_listed(c: httpx.Client) -> bool:
    mine = upload(c, [("a.pdf", samples.pdf())])["importId"]
    listed = c.get("/v1/ingest/imports", headers={"x-api-key": KEY_B}, params={"limit": 15}).json()["result"]
    return mine in [i["id"] for i in listed]


def _rejected_without_error(c: httpx.Client) -> bool:
    file = wait_for_file(c, upload(c, [("a.gif", samples.gif())])["files"][0]["id"])
    return file["status"] == "rejected" and file["error"] is None


def _goes_back_to_pending(c: httpx.Client) -> bool:
    file_id = upload(c, [("a.pdf", samples.pdf())])["files"][0]["id"]
    seen: list[str] = []
    for _ in range(300):  # bounded: about 6 s
        status = c.get(f"/v1/ingest/files/{file_id}").json()["status"]
        seen += [status] if not seen or seen[-1] != status else []
        if status in ("processed", "rejected"):
            break
        time.sleep(0.02)
    return seen[-1] == "processed" and "pending" in seen[1:]


def _only_last_file_kept(c: httpx.Client) -> bool:
    return len(upload(c, [("a.pdf", samples.pdf()), ("b.png", samples.png())])["files"]) == 1


def _html_json(c: httpx.Client) -> bool:
    return c.get("/v1/ingest/imports").headers["content-type"].startswith("text/html")


def _stale_list(c: httpx.Client) -> bool:
    c.get("/v1/ingest/imports")
    new = upload(c, [("a.pdf", samples.pdf())])["importId"]
    return new not in [i["id"] for i in c.get("/v1/ingest/imports").json()["result"]]


def _root_answers(c: httpx.Client) -> bool:
    return c.get("/v1/health").status_code == 200


PROBES: dict[str, Probe] = {
    "auth-any-api-key-accepted": _wrong_key_accepted,
    "iso-list-all-environments": _other_environment_listed,
    "rejected-without-error": _rejected_without_error,
    "retry-requeues-to-pending": _goes_back_to_pending,
    "multi-files-keeps-last": _only_last_file_kept,
    "json-as-text-html": _html_json,
    "list-imports-cached": _stale_list,
    "root-health-200": _root_answers,
}


@pytest.mark.parametrize("fault", list(PROBES))
def test_the_fault_shows_and_the_conformant_mock_does_not(fault: str) -> None:
    for name, expected in ((fault, True), (None, False)):
        delay = 0.1 if fault == "retry-requeues-to-pending" else 0.01  # long enough to be seen by polling
        with (
            run_mock(fast(fault=name, processing_delay=delay)) as mock,
            httpx.Client(base_url=mock.base_url, headers={"x-api-key": KEY_A}, timeout=30) as client,
        ):
            assert PROBES[fault](client) is expected, f"fault={name}"
            assert client.get("/__mock__/health").json()["settings"]["fault"] == name


def test_cli_serves_a_fault_and_warns() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "ingest_conformance", "mock", "--port", "0", "--quiet", "--fault", "root-health-200"],
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stderr is not None
            banner, warning = proc.stderr.readline(), proc.stderr.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+)", banner)
            assert match, banner
            assert "root-health-200" in warning and "NOT conformant" in warning
            assert httpx.get(match.group(1) + "/v1/health").status_code == 200
        finally:
            proc.terminate()
            proc.wait(15)
