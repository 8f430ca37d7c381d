"""Optional rate limiting (`rate_limit_burst`): the (N+1)-th request within one second gets 429.

Off by default. It exists so the suite can prove it treats 429 as "wait and retry" (DECISIONS:
a 429 is never a failure) against a target that really sends them, Retry-After included.
"""

from __future__ import annotations

import collections
import threading
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import send_error

WINDOW_SECONDS = 1.0
EXEMPT_PREFIX = "/__mock__/"  # the health probe must work while the API is throttled
FAULT_BURST = 20  # the `rate-limit-without-retry-after` fault limits at this rate when no burst is set


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, burst: int, *, fault: str | None = None) -> None:
        self.app = app
        self.burst = burst
        self.retry_after = fault != "rate-limit-without-retry-after"
        if not self.retry_after:
            self.burst = burst or FAULT_BURST
        self._recent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def _admit(self) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._recent and now - self._recent[0] >= WINDOW_SECONDS:
                self._recent.popleft()
            if len(self._recent) >= self.burst:
                return False
            self._recent.append(now)
            return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.burst <= 0 or scope["path"].startswith(EXEMPT_PREFIX):
            await self.app(scope, receive, send)
            return
        if self._admit():
            await self.app(scope, receive, send)
            return
        await send_error(
            send,
            429,
            f"rate limit: at most {self.burst} requests per second",
            extra={"retry-after": "1"} if self.retry_after else None,
        )
