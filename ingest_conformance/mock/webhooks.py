"""Delivering webhook events: signing, sending, retrying, off the request path.

One background thread runs its own asyncio loop and an httpx client; the lifecycle threads hand it
events with `submit`, which never blocks (a full queue drops the event and counts it). Each event is
sent to its environment's URL; a 5xx answer or no answer within `webhook_timeout_s` is retried at
most `webhook_max_retries` times with the same bytes (so the same `id`), after the receiver's
`Retry-After` (bounded) or a doubling backoff. Every attempt is logged (bounded) for
GET /__mock__/webhooks.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import email.utils
import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from .settings import MockSettings
from .store import new_id

log = logging.getLogger("ingest_conformance.mock.webhooks")
ATTEMPT_LOG_SIZE = 2000
STOP_TIMEOUT = 5.0
TIMED_OUT = "no answer within the timeout"
STORM_FACTOR = 3  # the `webhook-retry-storm` fault: this many times the configured maximum


@dataclass
class Delivery:
    """One event on its way to one URL. `payload` is the envelope; `body` its bytes, fixed at first send."""

    url: str
    payload: dict[str, Any]
    body: bytes = b""
    attempts: int = 0
    created: float = field(default_factory=time.monotonic)


def signature(secret: str, body: bytes, algorithm: str, encoding: str, prefix: bool) -> str:
    """HMAC(secret, raw body) in the configured hash and text form, optionally `<algorithm>=`-prefixed."""
    digest = hmac.new(secret.encode("utf-8"), body, algorithm).digest()
    text = digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")
    return f"{algorithm}={text}" if prefix else text


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header as seconds to wait: delta-seconds or an HTTP-date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if seconds == seconds else None  # NaN is unreadable


def compact(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class WebhookSender:
    def __init__(self, settings: MockSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._pending = 0
        self.dropped = 0
        self.attempt_log: collections.deque[dict[str, Any]] = collections.deque(maxlen=ATTEMPT_LOG_SIZE)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mock-webhooks", daemon=True)
        self._thread.start()
        self._started.wait(STOP_TIMEOUT)

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._main())
        finally:
            self._started.set()  # never leave start() waiting, even if the loop failed to set up
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._slots = asyncio.Semaphore(self._settings.webhook_concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        limits = httpx.Limits(max_connections=self._settings.webhook_concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=None, follow_redirects=False, trust_env=False) as client:
            self._client = client
            self._loop = asyncio.get_running_loop()  # submit() accepts events from now on
            self._started.set()
            await self._stop.wait()
            for task in list(self._tasks):  # unsent events die with the mock
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- intake (any thread) --------------------------------------------------------------------
    def submit(self, delivery: Delivery) -> bool:
        """Queue a delivery without blocking; False (and counted) when the queue is full or stopped."""
        loop = self._loop
        with self._lock:
            if loop is None or loop.is_closed() or self._pending >= self._settings.webhook_queue_size:
                self.dropped += 1
                return False
            self._pending += 1
        try:
            loop.call_soon_threadsafe(self._spawn, delivery)
        except RuntimeError:
            with self._lock:
                self._pending -= 1
                self.dropped += 1
            return False
        return True

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"pending": self._pending, "dropped": self.dropped, "attempts": list(self.attempt_log)}

    def _spawn(self, delivery: Delivery) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- delivery (the sender's loop) -----------------------------------------------------------
    async def _deliver(self, delivery: Delivery) -> None:
        s = self._settings
        try:
            if s.webhook_send_delay_s:
                await asyncio.sleep(s.webhook_send_delay_s)
            allowed = 1 + s.webhook_max_retries
            if s.fault == "webhook-retry-storm":
                allowed = 1 + max(STORM_FACTOR * s.webhook_max_retries, s.webhook_max_retries + 2)
            for attempt in range(allowed):
                async with self._slots:
                    status, retry_after, timed_out = await self._attempt(delivery)
                retryable = status is None or status >= 500
                if s.fault == "webhook-no-retry" and status is not None:
                    retryable = False  # fault: any HTTP answer counts as delivered
                if s.fault == "webhook-timeout-not-retried" and status is None and timed_out:
                    retryable = False  # fault: the timeout error is swallowed as if the delivery went out
                if not retryable or attempt == allowed - 1:
                    return
                backoff = s.webhook_retry_delay_s * 2**attempt
                wait = backoff
                if retry_after is not None and s.fault != "webhook-retry-after-ignored":
                    wait = min(retry_after, s.webhook_retry_after_max_s)
                await asyncio.sleep(wait)
        finally:
            with self._lock:
                self._pending -= 1

    def _render(self, delivery: Delivery) -> tuple[bytes, bytes]:
        """(signed bytes, sent bytes) of this attempt: the same on every attempt unless a fault says otherwise."""
        s = self._settings
        if delivery.attempts > 1 and s.fault == "webhook-redelivery-new-id":
            delivery.payload = {**delivery.payload, "id": new_id(), "timestamp": timestamp_now(s)}
            delivery.body = b""  # fault: the retry rebuilds the event instead of resending it
        if not delivery.body:
            delivery.body = compact(delivery.payload)
        if s.fault == "webhook-body-reserialised":  # fault: signed compact, sent with the default separators
            return delivery.body, json.dumps(delivery.payload, ensure_ascii=False).encode("utf-8")
        return delivery.body, delivery.body

    def _headers(self, signed: bytes) -> dict[str, str]:
        s = self._settings
        headers = {"content-type": "application/json", "user-agent": "ingest-conformance-mock-webhooks"}
        if s.fault != "webhook-custom-headers-dropped":
            headers.update({name: value for name, value in s.webhook_headers})
        if s.webhook_secret and s.fault != "webhook-missing-signature":
            if s.fault == "webhook-wrong-signature":  # fault: a plain hash, not an HMAC
                value = hashlib.new(s.webhook_algorithm, s.webhook_secret.encode("utf-8") + signed).hexdigest()
            else:
                value = signature(
                    s.webhook_secret, signed, s.webhook_algorithm, s.webhook_encoding, s.webhook_signature_prefix
                )
            headers[s.webhook_signature_header] = value
        return headers

    async def _attempt(self, delivery: Delivery) -> tuple[int | None, float | None, bool]:
        """One try: (status or None for no answer, Retry-After seconds or None, whether it timed out)."""
        delivery.attempts += 1
        signed, sent = self._render(delivery)
        started = time.monotonic()
        status: int | None = None
        retry_after: float | None = None
        problem = ""
        try:
            response = await asyncio.wait_for(
                self._client.request(
                    self._settings.webhook_method, delivery.url, content=sent, headers=self._headers(signed)
                ),
                timeout=self._settings.webhook_timeout_s,
            )
            status = response.status_code
            retry_after = retry_after_seconds(response.headers.get("retry-after"))
        except TimeoutError:
            problem = TIMED_OUT
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        record = {
            "event_id": delivery.payload.get("id"),
            "type": delivery.payload.get("type"),
            "url": delivery.url,
            "attempt": delivery.attempts,
            "status": status,
            "problem": problem,
            "seconds": round(time.monotonic() - started, 3),
        }
        with self._lock:
            self.attempt_log.append(record)
        if status is None or status >= 300:
            log.debug("webhook delivery %s attempt %d: %s", record["event_id"], delivery.attempts, status or problem)
        return status, retry_after, problem == TIMED_OUT


def timestamp_now(settings: MockSettings) -> str | int:
    """The envelope's `timestamp` for an event created now: ISO 8601 (UTC, ms) or epoch milliseconds."""
    moment = datetime.now(UTC)
    if settings.webhook_timestamp == "epoch-ms":
        return int(moment.timestamp() * 1000)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
