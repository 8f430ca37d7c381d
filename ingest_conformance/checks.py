"""Checks: small functions with one signature, raising a typed failure.

Every check is ``check(ctx, exchange, case) -> None``: `ctx` is what the run knows (config,
catalogue, spec), `exchange` what went over the wire, `case` what this request meant (operation
and expectations). A broken rule raises `RequirementFailure` naming the requirement, what was
received and what the contract says, so the report reads "Received … / Documented …".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.exchange import Exchange


class RequirementFailure(AssertionError):
    """The target broke a requirement (its level decides fail / warn / info)."""

    def __init__(self, requirement_id: str, *, received: str, documented: str,
                 exchange: Exchange | None = None, message: str = "") -> None:
        self.requirement_id = requirement_id
        self.received = received
        self.documented = documented
        self.exchange = exchange
        self.message = message or f"{requirement_id} broken"
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"[{self.requirement_id}] {self.message}", f"  Received:   {self.received}",
                 f"  Documented: {self.documented}"]
        if self.exchange is not None:
            lines.append(f"  Exchange:   {self.exchange.summary()}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Case:
    """What a request meant: its operation and what the contract allows for it."""

    operation: str
    description: str = ""
    expected: dict[str, Any] = field(default_factory=dict)


Check = Callable[[Any, Exchange, Case], None]
REGISTRY: dict[str, Check] = {}


def register(fn: Check) -> Check:
    """Register a check under its function name (so runs can list and select them)."""
    REGISTRY[fn.__name__] = fn
    return fn


def short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def body_preview(exchange: Exchange) -> str:
    if exchange.status is None:
        return f"no answer ({exchange.error})"
    text = exchange.response_body[:300].decode("utf-8", "replace")
    return f"{exchange.status} {text!r}" + ("…" if len(exchange.response_body) > 300 else "")
