"""A test-only webhook sender beside a mock: it watches the mock's imports through the API and delivers
file.processed / file.rejected / import.processed events to a receiver, as DECISIONS.md says a target must
(signed, custom header, retries on 5xx or no answer, Retry-After honoured). Knobs break one rule each, so
the selftests can show the suite's webhook checks catch them. The bundled mock's own sender (issue 13,
other branch) replaces this for `run`; this lets the suite side be proven on its own.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from ingest_conformance.webhooks.signature import sign

TERMINAL = {"processed", "rejected"}


@dataclass
class SenderSettings:
    primary_url: str
    second_url: str | None = None
    secret: str = "sender-secret-0123456789"
    header: tuple[str, str] = ("x-ingest-conformance-hook", "hook-header-value-42")
    max_retries: int = 3
    timeout_s: float = 2.0
    # Faults, one rule each:
    unsigned: bool = False  # HOOK-SIG-001
    leak_other_environment: bool = False  # HOOK-ISO-001: environment B's events go to A's URL too
    skip_rejected: bool = False  # HOOK-EVT-001
    retry_storm: int = 0  # > 0: this many retries, whatever the maximum (HOOK-RETRY-003)


@dataclass
class HookSender:
    """Polls the target with each environment's key and delivers every event it owes once per subject."""

    base_url: str
    keys: dict[str, str]  # environment name ("primary", "second") -> x-api-key
    settings: SenderSettings
    sent: set[tuple[str, str]] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> HookSender:
        poller = threading.Thread(target=self._poll, name="hook-sender", daemon=True)
        poller.start()
        self._threads.append(poller)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def _poll(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=10) as api:
            while not self._stop.wait(0.05):
                for env, key in self.keys.items():
                    for item in self._imports(api, key):
                        self._owe(api, env, key, item)

    def _imports(self, api: httpx.Client, key: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for skip in (0, 10):
            answer = api.get("/v1/ingest/imports", params={"skip": skip, "limit": 15}, headers={"x-api-key": key})
            if answer.status_code == 200:
                found += [i for i in answer.json().get("result", []) if isinstance(i, dict)]
        return found

    def _owe(self, api: httpx.Client, env: str, key: str, summary: dict[str, Any]) -> None:
        import_id = str(summary.get("id"))
        if ("import", import_id) in self.sent:
            return
        got = api.get(f"/v1/ingest/imports/{import_id}", headers={"x-api-key": key})
        if got.status_code != 200:
            return
        body = got.json()
        files = [f for f in body.get("files") or [] if isinstance(f, dict)]
        for f in files:
            if f.get("status") in TERMINAL and ("file", str(f["id"])) not in self.sent:
                if f["status"] == "rejected" and self.settings.skip_rejected:
                    self.sent.add(("file", str(f["id"])))
                    continue
                detail = api.get(f"/v1/ingest/files/{f['id']}", headers={"x-api-key": key}).json()
                self.sent.add(("file", str(f["id"])))
                self._deliver(env, f"file.{f['status']}", detail)
        if body.get("status") == "processed" and files and all(f.get("status") in TERMINAL for f in files):
            self.sent.add(("import", import_id))
            self._deliver(env, "import.processed", body)

    def _deliver(self, env: str, kind: str, data: dict[str, Any]) -> None:
        event = {
            "type": kind,
            "id": secrets.token_hex(12),
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "version": "1.0",
            "data": data,
        }
        urls = [self.settings.primary_url if env == "primary" else self.settings.second_url]
        if env != "primary" and self.settings.leak_other_environment:
            urls.append(self.settings.primary_url)
        for url in urls:
            if url is not None:
                thread = threading.Thread(target=self._tries, args=(url, event), daemon=True)
                thread.start()
                self._threads.append(thread)

    def _tries(self, url: str, event: dict[str, Any]) -> None:
        body = json.dumps(event).encode("utf-8")
        headers = {"content-type": "application/json", self.settings.header[0]: self.settings.header[1]}
        if not self.settings.unsigned:
            headers["x-invofox-signature"] = sign(body, self.settings.secret, "sha256")
        tries = 1 + (self.settings.retry_storm or self.settings.max_retries)
        with httpx.Client(timeout=self.settings.timeout_s) as http:
            for _ in range(tries):
                if self._stop.is_set():
                    return
                wait = 0.3
                try:
                    answer = http.post(url, content=body, headers=headers)
                    if answer.status_code < 500:
                        return
                    wait = float(answer.headers.get("retry-after", "0.3"))
                except httpx.TransportError:
                    pass
                time.sleep(0.0 if self.settings.retry_storm else min(wait, 10.0))
