"""Which operation an answer belongs to, so a record names the operation a check actually exercised.

The per-operation tables of the report count a requirement under an operation only when some check of
it ran there (DECISIONS, "What a verdict means"): one ZIP test on uploadFiles must not mark the four
other upload operations. A record's operation is, in order: the one the caller names, the operation of
the answer it judged (when the requirement covers that operation), the requirement's only operation,
or the latest request of the same test to one of the requirement's operations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from ingest_conformance.judging.openapi import OpenAPIDocument
from ingest_conformance.wire.exchange import Exchange


class OperationMap:
    """method + path -> operationId, from the spec's paths (the single-by-URL path from the profile)."""

    def __init__(self, spec: OpenAPIDocument, single_url_path: str | None = None) -> None:
        self._routes: list[tuple[str, re.Pattern[str], str]] = []
        for operation_id, (method, path, _) in spec.operations.items():
            if operation_id == "uploadSingleUrl" and single_url_path:
                path = single_url_path
            pattern = re.escape(path)
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", pattern)
            self._routes.append((method, re.compile(f"^{pattern}/?$"), operation_id))

    def of(self, exchange: Exchange) -> str | None:
        path = urlsplit(exchange.url).path
        return next((op for method, rx, op in self._routes if method == exchange.method and rx.match(path)), None)


def exercised_operation(
    declared: Sequence[str],
    *,
    named: str | None,
    exchange: Exchange | None,
    earlier: Iterable[Exchange],
    operations: OperationMap | None,
) -> str | None:
    """The operation a record of a requirement declaring `declared` operations is counted under."""
    if named:
        return named
    if operations is not None and exchange is not None:
        found = operations.of(exchange)
        if found in declared:
            return found
    if len(declared) == 1:
        return declared[0]
    if operations is not None:
        for ex in reversed(list(earlier)):
            found = operations.of(ex)
            if found in declared:
                return found
    return None
