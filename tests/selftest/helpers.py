"""Shared steps of the mock selftests: credentials, uploads, and polling a file to its end."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx

KEY_A = "mock-api-key-a"
TOKEN_A = "mock-access-token-a"
KEY_B = "mock-api-key-b"
TOKEN_B = "mock-access-token-b"
ID = re.compile(r"[0-9a-f]{24}")
RANK = {"pending": 0, "processing": 1, "processed": 2, "rejected": 2}
TERMINAL = {"processed", "rejected"}
POLL_TIMEOUT = 15.0


def upload(
    client: httpx.Client,
    files: list[tuple[str, bytes]],
    *,
    info: dict[str, Any] | None = None,
    urls: list[str] | None = None,
    expect: int = 201,
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if info is not None:
        data["info"] = json.dumps(info)
    if urls:
        data["urls"] = urls
    response = client.post("/v1/ingest/uploads", files=[("files", f) for f in files], data=data)
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


def wait_for_file(client: httpx.Client, file_id: str, timeout: float = POLL_TIMEOUT) -> dict[str, Any]:
    """Poll until terminal; asserts on the way that the status only ever moved forward."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while True:
        response = client.get(f"/v1/ingest/files/{file_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        status = body["status"]
        assert status in RANK, status
        if seen:
            assert RANK[status] >= RANK[seen[-1]], f"status went back: {seen} then {status}"
            assert not (seen[-1] in TERMINAL and status != seen[-1]), f"terminal status changed: {seen}, {status}"
        seen.append(status)
        if status in TERMINAL:
            body["_seen"] = seen
            return body
        assert time.monotonic() < deadline, f"file {file_id} still {status} after {timeout}s"
        time.sleep(0.02)


def wait_for_import(client: httpx.Client, import_id: str, timeout: float = POLL_TIMEOUT) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/v1/ingest/imports/{import_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert body["status"] in ("processing", "processed")
        if body["status"] == "processed":
            return body
        assert time.monotonic() < deadline, f"import {import_id} still processing after {timeout}s"
        time.sleep(0.02)


def assert_json_error(response: httpx.Response, status: int | tuple[int, ...]) -> dict[str, Any]:
    """A 4xx with the mock's NestJS-shaped JSON body."""
    wanted = (status,) if isinstance(status, int) else status
    assert response.status_code in wanted, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["statusCode"] == response.status_code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["error"], str) and body["error"]
    return body
