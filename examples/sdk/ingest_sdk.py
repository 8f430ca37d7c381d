"""A small example SDK for the Invofox Ingest API, built on httpx, to show what the SDK harness checks.

`IngestClient` follows the contract: `files` parts with raw ISO-8859-1 filenames (a double quote
escaped as \\"), `info` as one JSON text part, JSON bodies for by-URL, errors raised with their
status, a 429 retried only after `Retry-After` seconds, a bounded number of retries.

`BuggyIngestClient` carries the mistakes real SDKs make, on purpose: it leaves the multipart body to
httpx (which writes filenames as UTF-8 and a quote as %22), names the part `file` where upload-files
expects `files`, sends `info` as key=value pairs, ignores `Retry-After`, and turns a 404 into `None`.
tests/unit/test_sdk_harness.py runs both through `ingest_conformance.sdk.SdkHarness`.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx

UPLOADS, SINGLE, BY_URL = "/v1/ingest/uploads", "/v1/ingest/single", "/v1/ingest/by-url"
MAX_ATTEMPTS = 3
MAX_WAIT_S = 30.0


class IngestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Ingest API answered {status}: {message}")
        self.status_code = status


class IngestClient:
    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"x-api-key": api_key}, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    # -- operations --------------------------------------------------------------------------------
    def upload_files(
        self, files: list[tuple[str, bytes]], info: dict[str, Any] | None = None, urls: tuple[str, ...] = ()
    ) -> Any:
        return self._multipart(UPLOADS, "files", files, info, urls)

    def upload_single(self, name: str, data: bytes, info: dict[str, Any] | None = None) -> Any:
        return self._multipart(SINGLE, "file", [(name, data)], info)

    def upload_by_url(self, urls: list[str], info: dict[str, Any] | None = None) -> Any:
        body: dict[str, Any] = {"files": [{"url": u} for u in urls], **({"info": info} if info else {})}
        return self._request(
            "POST", BY_URL, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )

    def get_file(self, file_id: str) -> Any:
        return self._request("GET", f"/v1/ingest/files/{file_id}")

    def get_import(self, import_id: str) -> Any:
        return self._request("GET", f"/v1/ingest/imports/{import_id}")

    def list_imports(self, skip: int = 0, limit: int = 5) -> Any:
        return self._request("GET", "/v1/ingest/imports", params={"skip": skip, "limit": limit})

    # -- the wire ----------------------------------------------------------------------------------
    def _multipart(
        self,
        path: str,
        part: str,
        files: list[tuple[str, bytes]],
        info: dict[str, Any] | None,
        urls: tuple[str, ...] = (),
    ) -> Any:
        boundary = "sdk-" + secrets.token_hex(12)
        out = bytearray()
        for name, data in files:
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            out += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{part}"; filename="'.encode()
                + _quoted_filename(name)
                + f'"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
                + data
                + b"\r\n"
            )
        for url in urls:
            out += f'--{boundary}\r\nContent-Disposition: form-data; name="urls"\r\n\r\n{url}\r\n'.encode()
        if info is not None:
            out += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="info"\r\n\r\n'.encode()
                + json.dumps(info).encode()
                + b"\r\n"
            )
        out += f"--{boundary}--\r\n".encode()
        return self._request(
            "POST", path, content=bytes(out), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            response = self.http.request(method, path, **kwargs)
            retryable = response.status_code == 429 or response.status_code >= 500
            if retryable and attempt < MAX_ATTEMPTS:
                time.sleep(self._wait(response, attempt))
                continue
            if response.status_code >= 400:
                raise IngestError(response.status_code, _message(response))
            return response.json()
        raise AssertionError("unreachable")

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        value = response.headers.get("retry-after", "")
        return min(float(value), MAX_WAIT_S) if value.isdigit() else 0.2 * attempt


def _quoted_filename(name: str) -> bytes:
    """The API reads filenames as ISO-8859-1: send those bytes (quote and backslash escaped); names outside
    ISO-8859-1 go as UTF-8, which the docs warn may come back garbled."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    try:
        return escaped.encode("latin-1")
    except UnicodeEncodeError:
        return escaped.encode("utf-8")


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("message", body)) if isinstance(body, dict) else str(body)


class BuggyIngestClient(IngestClient):
    """Deliberately wrong in the ways real SDKs are (see the module docstring)."""

    def _multipart(
        self,
        path: str,
        part: str,
        files: list[tuple[str, bytes]],
        info: dict[str, Any] | None,
        urls: tuple[str, ...] = (),
    ) -> Any:
        fields: dict[str, Any] = {"info": urlencode(info)} if info else {}  # bug: key=value pairs, not JSON
        if urls:
            fields["urls"] = list(urls)
        parts = [
            ("file", (name, data, mimetypes.guess_type(name)[0] or "application/octet-stream")) for name, data in files
        ]  # bug: `file` on upload-files; httpx writes the names as UTF-8
        return self._request("POST", path, files=parts, data=fields)

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        return 0.01  # bug: Retry-After ignored

    def get_file(self, file_id: str) -> Any:
        try:
            return super().get_file(file_id)
        except IngestError as exc:  # bug: "not found" swallowed into a None the caller cannot tell apart
            if exc.status_code == 404:
                return None
            raise
