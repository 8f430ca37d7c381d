"""Optional rate limiting (`rate_limit_burst`): the (N+1)-th request within one second gets 429.

Off by default. It exists so the suite can prove it treats 429 as "wait and retry" (DECISIONS:
a 429 is never a failure) against a target that really sends them, Retry-After included. With
`rate_limit_penalty_s` the limiting is sustained: past the burst, every request is refused for that
many seconds (Retry-After says how many are left), as a quota-based gateway does; a client that
honours Retry-After gets through on its next try.
"""

from __future__ import annotations

import collections
import math
import threading
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import send_error

WINDOW_SECONDS = 1.0
EXEMPT_PREFIX = "/__mock__/"  # the health probe must work while the API is throttled
FAULT_BURST = 20  # the `rate-limit-without-retry-after` fault limits at this rate when no burst is set


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, burst: int, *, fault: str | None = None, penalty_s: float = 0.0) -> None:
        self.app = app
        self.burst = burst
        self.penalty_s = penalty_s
        self.retry_after = fault != "rate-limit-without-retry-after"
        if not self.retry_after:
            self.burst = burst or FAULT_BURST
        self._recent: collections.deque[float] = collections.deque()
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def _admit(self) -> float:
        """0 when the request may pass; else the seconds the client should wait."""
        now = time.monotonic()
        with self._lock:
            if now < self._blocked_until:
                return self._blocked_until - now
            while self._recent and now - self._recent[0] >= WINDOW_SECONDS:
                self._recent.popleft()
            if len(self._recent) >= self.burst:
                if self.penalty_s > 0:  # sustained: the whole penalty, not the rest of one window
                    self._blocked_until = now + self.penalty_s
                    return self.penalty_s
                return WINDOW_SECONDS - (now - self._recent[0])
            self._recent.append(now)
            return 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.burst <= 0 or scope["path"].startswith(EXEMPT_PREFIX):
            await self.app(scope, receive, send)
            return
        wait = self._admit()
        if not wait:
            await self.app(scope, receive, send)
            return
        # Burst mode keeps its historic `Retry-After: 1`; sustained mode says the seconds left.
        seconds = max(1, math.ceil(wait)) if self.penalty_s > 0 else 1
        await send_error(
            send,
            429,
            f"rate limit: at most {self.burst} requests per second",
            extra={"retry-after": str(seconds)} if self.retry_after else None,
        )
