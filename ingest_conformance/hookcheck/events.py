"""The events webhook-check sends: envelopes shaped as Invofox documents them, with File and Import
objects shaped as GET file / GET import answer them, and their signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from typing import Any

ENVELOPE_VERSION = "1"
ACCOUNT_ID = "66d721ec7edc0baa3794eec1"
ENVIRONMENT_ID = "66d721f5ee90270bfac654a0"


def new_id() -> str:
    """24 lowercase hex characters, like the documented ids (MongoDB ObjectIds)."""
    return secrets.token_hex(12)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def file_object(
    import_id: str,
    *,
    status: str,
    filename: str,
    run_tag: str,
    parent_id: str | None = None,
    compressed: bool = False,
) -> dict[str, Any]:
    stamp = now_iso()
    rejected = status == "rejected"
    return {
        "id": new_id(),
        "accountId": ACCOUNT_ID,
        "environmentId": ENVIRONMENT_ID,
        "importId": import_id,
        "filename": filename,
        "compressed": compressed,
        "status": status,
        "mimeType": None if rejected else ("application/zip" if compressed else "application/pdf"),
        "companyId": None,
        "parentFileId": parent_id,
        "documentIds": [] if rejected or compressed else [new_id()],
        "error": "ERR_UNSUPPORTED_FILE_FORMAT" if rejected else None,
        "createdAt": stamp,
        "updatedAt": stamp,
        "clientData": {"webhookCheck": run_tag},
    }


def import_object(import_id: str, files: list[dict[str, Any]], run_tag: str) -> dict[str, Any]:
    return {
        "id": import_id,
        "accountId": ACCOUNT_ID,
        "environmentId": ENVIRONMENT_ID,
        "channel": "api",
        "status": "processed",
        "createdAt": files[0]["createdAt"] if files else now_iso(),
        "documents": sum(len(f["documentIds"]) for f in files),
        "files": files,
        "clientData": {"webhookCheck": run_tag},
        "providerInfo": None,
    }


def envelope(kind: str, data: dict[str, Any], *, timestamp: str | int | None = None) -> dict[str, Any]:
    return {
        "id": new_id(),
        "type": kind,
        "timestamp": now_iso() if timestamp is None else timestamp,
        "version": ENVELOPE_VERSION,
        "data": data,
    }


def body_of(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


def sign(secret: str, body: bytes, algorithm: str, encoding: str, prefix: bool) -> str:
    """HMAC(secret, raw body): hex or base64, optionally `<algorithm>=`-prefixed."""
    digest = hmac.new(secret.encode("utf-8"), body, getattr(hashlib, algorithm)).digest()
    text = digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")
    return f"{algorithm}={text}" if prefix else text
