"""Which webhook events the mock publishes, and what they hold.

The lifecycle calls `file_final` when a file reaches `processed` or `rejected` (ZIP children
included: they are files) and `import_check` after each final file and when the upload request has
registered all its files; `import.processed` goes out once, when every file of the import is final.
An event is `{"id", "type", "timestamp", "version", "data"}` with `data` the File or Import exactly as
GET answers it at that moment, sent to the URL of the file's environment (A or B) if it subscribed.
"""

from __future__ import annotations

import json
from typing import Any

from .settings import MockSettings
from .store import Store, new_id
from .webhooks import Delivery, WebhookSender, timestamp_now

EVENT_VERSION = "1"


class WebhookEvents:
    def __init__(self, settings: MockSettings, store: Store, sender: WebhookSender | None) -> None:
        self._settings = settings
        self._store = store
        self._sender = sender
        env_ids = [env.environment_id for env in store.environments]
        self._urls = dict(zip(env_ids, (settings.webhook_url, settings.webhook_url_b), strict=False))
        self._env_a = env_ids[0]

    @property
    def enabled(self) -> bool:
        return self._sender is not None

    def file_final(self, file_id: str, status: str, stale_view: dict[str, Any] | None = None) -> None:
        """A file has just been saved `processed` or `rejected`."""
        if self._sender is None:
            return
        fault = self._settings.fault
        kind = "file.processed" if status == "processed" else "file.rejected"
        if kind == "file.rejected" and fault == "webhook-rejected-no-event":
            return  # fault: only the processed path publishes
        if fault == "webhook-zip-children-no-event" and self._store.parent_of(file_id) is not None:
            return  # fault: only files created by an upload request publish
        # `stale_view` only with the `webhook-stale-data` fault: the record loaded before the save.
        view = stale_view if stale_view is not None else self._store.file_view(file_id)
        if view is not None:
            self._publish(kind, view)

    def import_check(self, import_id: str, *, started_only: bool = False) -> None:
        """Publish import.processed if the import has just become complete (once per import)."""
        if self._sender is None or self._settings.fault == "webhook-import-never":
            return  # fault: the completion check is not wired to the publisher
        view = self._store.claim_completion(import_id, started_only=started_only)
        if view is not None:
            self._publish("import.processed", view)

    def _publish(self, kind: str, data: dict[str, Any]) -> None:
        s = self._settings
        assert self._sender is not None
        if kind not in s.webhook_events:
            return
        env_id = str(data.get("environmentId"))
        url = self._urls.get(env_id, "")
        if s.fault == "webhook-other-environment" and env_id != self._env_a and s.webhook_url:
            url = s.webhook_url  # fault: the first webhook configuration is used, whatever the environment
        if not url:
            return
        event_id = new_id()
        if s.fault == "webhook-duplicate-ids":
            event_id = str(data.get("importId") or data.get("id"))  # fault: the import's id names every event
        payload: dict[str, Any] = {
            "id": event_id,
            "type": kind,
            "timestamp": timestamp_now(s),
            "version": EVENT_VERSION,
            "data": json.dumps(data) if s.fault == "webhook-data-as-string" else data,
        }
        self._sender.submit(Delivery(url, payload))
