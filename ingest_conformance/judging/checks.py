"""Checks: small functions with one signature, raising a typed failure.

Every check is ``check(ctx, exchange, case) -> bool``: `ctx` is what the run knows (config,
catalogue, spec), `exchange` what went over the wire, `case` what this request meant (operation
and expectations). A broken rule raises `RequirementFailure` naming the requirement, what was
received and what the contract says, so the report reads "Received … / Documented …". A check that
held returns True; one that had nothing to judge (an error-body check on a 2xx, a schema check on an
answer the spec does not describe) returns False, and records nothing: a pass only counts when the
answer could have failed it (DECISIONS, "What a verdict means").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.config.target import TargetConfig
from ingest_conformance.judging.catalogue import Catalogue
from ingest_conformance.judging.openapi import OpenAPIDocument
from ingest_conformance.wire.exchange import Exchange


class RequirementFailure(AssertionError):
    """The target broke a requirement (its level decides fail / warn / info)."""

    def __init__(
        self,
        requirement_id: str,
        *,
        received: str,
        documented: str,
        exchange: Exchange | None = None,
        message: str = "",
    ) -> None:
        self.requirement_id = requirement_id
        self.received = received
        self.documented = documented
        self.exchange = exchange
        self.message = message or f"{requirement_id} broken"
        super().__init__(self.render())

    def render(self) -> str:
        lines = [
            f"[{self.requirement_id}] {self.message}",
            f"  Received:   {self.received}",
            f"  Documented: {self.documented}",
        ]
        if self.exchange is not None:
            lines.append(f"  Exchange:   {self.exchange.summary()}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Case:
    """What a request meant: its operation and what the contract allows for it."""

    operation: str
    description: str = ""
    expected: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckContext:
    """What every check may consult (the `ctx` of `check(ctx, exchange, case)`)."""

    config: TargetConfig
    catalogue: Catalogue
    spec: OpenAPIDocument


Check = Callable[[CheckContext, Exchange, Case], bool]


def short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def body_preview(exchange: Exchange) -> str:
    if exchange.status is None:
        return f"no answer ({exchange.error})"
    text = exchange.response_body[:300].decode("utf-8", "replace")
    return f"{exchange.status} {text!r}" + ("…" if len(exchange.response_body) > 300 else "")


# -- the checks every answer gets ---------------------------------------------------------------------
def _requires(*ids: str) -> Callable[[Check], Check]:
    def mark(fn: Check) -> Check:
        fn.requirements = ids  # type: ignore[attr-defined]
        return fn

    return mark


@_requires("ERR-5XX-001")
def no_server_error(ctx: CheckContext, exchange: Exchange, case: Case) -> bool:
    """Whatever we sent, a 5xx is never the answer to a client's request (no answer: nothing to judge)."""
    if exchange.status is None:
        return False
    if exchange.status >= 500:
        raise RequirementFailure(
            "ERR-5XX-001",
            received=body_preview(exchange),
            documented="a 4xx for a client mistake, a 2xx otherwise; never 5xx",
            exchange=exchange,
            message=f"server error for: {case.description or case.operation}",
        )
    return True


@_requires("ERR-JSON-001")
def error_body_is_json(ctx: CheckContext, exchange: Exchange, case: Case) -> bool:
    """Only a 4xx is an error answer; anything else is not this check's to judge."""
    if exchange.status is None or not 400 <= exchange.status < 500:
        return False
    ctype = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    try:
        json.loads(exchange.response_body)
        parsed = True
    except ValueError:
        parsed = False
    if (ctype != "application/json" and not ctype.endswith("+json")) or not parsed:
        raise RequirementFailure(
            "ERR-JSON-001",
            received=f"Content-Type {ctype or '(none)'}; {body_preview(exchange)}",
            documented="error answers carry a JSON body (application/json)",
            exchange=exchange,
            message="error answer is not JSON",
        )
    return True


@_requires("RESP-SCHEMA-001")
def response_conforms_to_schema(ctx: CheckContext, exchange: Exchange, case: Case) -> bool:
    """A 2xx the spec describes a JSON body for; any other answer is not this check's to judge."""
    if exchange.status is None or not 200 <= exchange.status < 300:
        return False
    if case.operation not in ctx.spec.operations:
        return False
    if ctx.spec.response_validator(case.operation, exchange.status) is None:
        return False
    errors = ctx.spec.validate_response(case.operation, exchange)
    if errors:
        raise RequirementFailure(
            "RESP-SCHEMA-001",
            received="; ".join(errors[:5]),
            documented=f"the {case.operation} {exchange.status} schema of the spec",
            exchange=exchange,
            message=f"{case.operation} answer does not match the spec",
        )
    return True


ID_FIELDS = ("id", "accountId", "environmentId", "importId", "fileId", "documentId", "parentFileId", "companyId")


@_requires("ID-SHAPE-001")
def ids_match_profile_pattern(ctx: CheckContext, exchange: Exchange, case: Case) -> bool:
    """Every id of a 2xx JSON body; an answer carrying no id has nothing to judge."""
    if exchange.status is None or not 200 <= exchange.status < 300:
        return False
    try:
        body = json.loads(exchange.response_body)
    except ValueError:
        return False
    ids = _walk_ids(body, "")
    if not ids:
        return False
    pattern = re.compile(ctx.config.profile.id_pattern)
    bad = [f"{path}={value!r}" for path, value in ids if not pattern.search(value)]
    if bad:
        raise RequirementFailure(
            "ID-SHAPE-001",
            received=", ".join(bad[:5]),
            documented=f"ids match profile id_pattern {pattern.pattern}",
            exchange=exchange,
            message="ids of an unexpected shape",
        )
    return True


def _walk_ids(node: Any, path: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{key}"
            if key in ID_FIELDS and isinstance(value, str):
                found.append((here, value))
            elif key == "documentIds" and isinstance(value, list):
                found += [(f"{here}/{i}", v) for i, v in enumerate(value) if isinstance(v, str)]
            elif key not in ("clientData", "providerInfo", "data"):  # opaque client data is not ours to judge
                found += _walk_ids(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _walk_ids(value, f"{path}/{i}")
    return found


EVERY_ANSWER: tuple[Check, ...] = (
    no_server_error,
    error_body_is_json,
    response_conforms_to_schema,
    ids_match_profile_pattern,
)
