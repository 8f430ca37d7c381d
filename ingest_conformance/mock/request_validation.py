"""`ingest-conformance mock --validate-requests`: serve as usual, and judge every request a client sends.

For SDKs in any language: point the SDK's own tests at the mock, then read what the SDK got wrong,
per request and client requirement (spec/client-requirements.yaml). During the run:
GET /__mock__/requests (`?since=N` for requests after sequence number N, `?violations=1` for only
those with violations); DELETE /__mock__/requests forgets them. When the mock stops, the same
document is written to --validation-report. Bodies are read as they stream past the mock's own
handling, which is unchanged; credentials and bodies are never stored, only their shape.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from python_multipart.multipart import MultipartParser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .request_rules import ClientRules, SeenPart, encoding_of, scan_disposition

FORMAT = "ingest-conformance/mock-request-validation"
VERSION = 1
ENDPOINT = "/__mock__/requests"
TEXT_LIMIT = 64 * 1024  # text parts (info, urls) are kept up to this for judging; files never are
JSON_LIMIT = 1024 * 1024
MAX_RECORDS = 10_000  # the oldest are dropped past this (the summary still counts them)
TIMING_SLACK_S = 0.05


class RequestLog:
    def __init__(self, rules: ClientRules) -> None:
        self.rules = rules
        self.records: deque[dict[str, Any]] = deque(maxlen=MAX_RECORDS)
        self.seen = 0
        self.by_requirement: dict[str, int] = {}
        self.not_before: dict[str, tuple[float, float]] = {}  # client key -> (earliest, Retry-After given)

    def add(self, record: dict[str, Any]) -> None:
        self.seen += 1
        record["seq"] = self.seen
        for violation in record["violations"]:
            self.by_requirement[violation["requirement"]] = self.by_requirement.get(violation["requirement"], 0) + 1
        self.records.append(record)

    def document(self, *, since: int = 0, violations_only: bool = False) -> dict[str, Any]:
        chosen = [r for r in self.records if r["seq"] > since and (r["violations"] or not violations_only)]
        return {
            "format": FORMAT,
            "version": VERSION,
            "summary": {
                "requests": self.seen,
                "with_violations": sum(1 for r in self.records if r["violations"]),
                "by_requirement": dict(sorted(self.by_requirement.items())),
            },
            "requirements": {
                rid: {"level": level, "statement": self.rules.statements[rid]}
                for rid, level in self.rules.levels.items()
            },
            "requests": chosen,
        }

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(self.document(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        partial.replace(path)
        return path


class _Observer:
    """What one request looked like as it streamed in, judged when its answer has gone out."""

    def __init__(self, scope: Scope, log: RequestLog) -> None:
        self.log, self.started = log, time.monotonic()
        self.method, self.path = scope["method"], scope["path"]
        self.query = scope.get("query_string", b"").decode("latin-1")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        self.content_type = headers.get("content-type", "")
        self.credential = next((h for h in ("x-api-key", "x-access-token") if headers.get(h, "").strip()), None)
        secret = headers.get(self.credential, "") if self.credential else ""
        host = (scope.get("client") or ("?", 0))[0]
        self.client_key = hashlib.sha256(f"{host}|{secret}".encode()).hexdigest()[:16]  # never the value itself
        self.client = host
        self.operation, _ = log.rules.operation(self.method, self.path)
        self.violations: list[tuple[str, str]] = []
        self.parts: list[SeenPart] = []
        self.body = bytearray()
        framed = "transfer-encoding" in headers or headers.get("content-length", "0").strip() not in ("", "0")
        self.complete = not framed  # a request without a body is complete before the app reads anything
        self.form_ended = False
        self.problem = ""
        self._parser: MultipartParser | None = None
        self._current: SeenPart | None = None
        self._header = [bytearray(), bytearray()]
        self._headers: list[tuple[bytes, bytes]] = []
        if self.operation in ("uploadFiles", "uploadSingle"):
            self._start_form()
        self._judge_timing()

    # -- streaming ---------------------------------------------------------------------------------
    def _start_form(self) -> None:
        match = re.search(r'boundary="?([^";]+)"?', self.content_type)
        if not self.content_type.lower().startswith("multipart/form-data") or not match:
            self.violations.append(
                (
                    "SDK-FORM-001",
                    f"Content-Type {self.content_type or '(none)'!r}: multipart/form-data with a boundary is expected",
                )
            )
            return
        self._parser = MultipartParser(
            match.group(1).encode("latin-1"),
            {
                "on_part_begin": self._part_begin,
                "on_header_field": lambda d, s, e: self._header[0].extend(d[s:e]),
                "on_header_value": lambda d, s, e: self._header[1].extend(d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_end": self._end,
            },
            max_header_size=64 * 1024,
        )

    def _part_begin(self) -> None:
        self._headers, self._current = [], None

    def _header_end(self) -> None:
        self._headers.append((bytes(self._header[0]).strip().lower(), bytes(self._header[1]).strip()))
        self._header = [bytearray(), bytearray()]

    def _headers_finished(self) -> None:
        found = dict(self._headers)
        ctype = found.get(b"content-type")
        part = SeenPart(found.get(b"content-disposition", b""), ctype.decode("latin-1") if ctype else None)
        scan_disposition(part)
        self.parts.append(part)
        self._current = part

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current is not None:
            self._current.size += end - start
            if not self._current.is_file and len(self._current.text) < TEXT_LIMIT:
                self._current.text += data[start:end]

    def _end(self) -> None:
        self.form_ended = True

    def feed(self, message: Message) -> None:
        if message["type"] != "http.request":
            return
        chunk = message.get("body", b"")
        self.complete = not message.get("more_body", False)
        if self._parser is not None and chunk and not self.problem:
            try:
                self._parser.write(chunk)
            except Exception as exc:  # python-multipart's parse errors: the client's framing
                self.problem = f"malformed multipart body: {exc}"
        elif self.operation in ("uploadByUrl", "uploadSingleUrl") and len(self.body) <= JSON_LIMIT:
            self.body += chunk

    # -- judging -----------------------------------------------------------------------------------
    def _judge_timing(self) -> None:
        waiting = self.log.not_before.pop(self.client_key, None)
        if waiting is not None and self.started < waiting[0] - TIMING_SLACK_S:
            waited = self.started - (waiting[0] - waiting[1])
            self.violations.append(
                ("SDK-RETRY-001", f"sent {waited:.2f} s after a 429 with Retry-After: {waiting[1]:g}")
            )

    def finish(self, status: int | None, retry_after: str | None) -> dict[str, Any]:
        rules, notes = self.log.rules, []
        if self.operation is None:
            self.violations.append(("SDK-OP-001", f"{self.method} {self.path} is not a documented operation"))
        else:
            self.violations += rules.headers_and_query(self.operation, self.credential, self.query)
            json_op = self.operation in ("uploadByUrl", "uploadSingleUrl")
            if json_op and self.content_type.split(";")[0].strip().lower() != "application/json":
                self.violations += rules.json_body(self.operation, self.content_type, b"")  # no body needed
            elif not self.complete:
                notes.append(f"the mock answered {status} before the body ended: only the headers were judged")
            elif self._parser is not None:
                if self.problem or not self.form_ended:
                    self.violations.append(("SDK-FORM-001", self.problem or "the closing boundary is missing"))
                self.violations += rules.form(self.operation, self.parts)
            elif json_op and len(self.body) <= JSON_LIMIT:
                self.violations += rules.json_body(self.operation, self.content_type, bytes(self.body))
        if status == 429 and retry_after and retry_after.strip().isdigit():
            self.log.not_before[self.client_key] = (time.monotonic() + int(retry_after), float(retry_after))
        return {
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "client": self.client,
            "method": self.method,
            "path": self.path,
            "query_keys": [k for k, _ in parse_qsl(self.query)],
            "operation": self.operation,
            "credential": self.credential,
            "status": status,
            "complete": self.complete,
            "parts": [p.describe() for p in self.parts],
            "violations": [
                {"requirement": rid, "level": rules.levels.get(rid, "MUST"), "message": message}
                for rid, message in self.violations
            ],
            "observations": [
                {
                    "requirement": "SDK-NAME-003",
                    "message": f"filename {p.filename!r} sent as {encoding_of(p.filename, p.filename_star)}",
                }
                for p in self.parts
                if p.is_file
            ],
            "notes": notes,
        }


class RequestValidationMiddleware:
    """Outermost but for the access log: it sees every request and answer, 429s and 413s included."""

    def __init__(self, app: ASGIApp, single_url_path: str, report_path: str) -> None:
        self.app, self.report_path = app, Path(report_path)
        self.log = RequestLog(ClientRules(single_url_path))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._on_shutdown(send))
            return
        if scope["type"] != "http" or scope["path"] in ("/__mock__/health", "/openapi.yaml"):
            await self.app(scope, receive, send)
            return
        if scope["path"] == ENDPOINT:
            await self._endpoint(scope, send)
            return
        observer = _Observer(scope, self.log)
        answer: dict[str, Any] = {}

        async def observed_receive() -> Message:
            message = await receive()
            observer.feed(message)
            return message

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["retry_after"] = next(
                    (v.decode("latin-1") for k, v in message.get("headers", []) if k.lower() == b"retry-after"), None
                )
            await send(message)

        try:
            await self.app(scope, observed_receive, observed_send)
        finally:
            self.log.add(observer.finish(answer.get("status"), answer.get("retry_after")))

    def _on_shutdown(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                self.write_report()
            await send(message)

        return wrapped

    def write_report(self) -> None:
        try:
            path = self.log.write(self.report_path)
            summary = self.log.document()["summary"]
            print(
                f"mock: request validation: {summary['requests']} request(s), {summary['with_violations']} with "
                f"violations; report written to {path}",
                file=sys.stderr,
                flush=True,
            )
        except OSError as exc:
            print(
                f"mock: cannot write the request validation report to {self.report_path}: {exc}",
                file=sys.stderr,
                flush=True,
            )

    async def _endpoint(self, scope: Scope, send: Send) -> None:
        params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        body: dict[str, Any]
        if scope["method"] == "DELETE":
            status, body = 200, {"cleared": len(self.log.records)}
            self.log.records.clear()
        elif scope["method"] == "GET":
            since = params.get("since", ["0"])[0]
            status, body = (
                200,
                self.log.document(
                    since=int(since) if since.isdigit() else 0,
                    violations_only=params.get("violations", ["0"])[0] == "1",
                ),
            )
        else:
            status, body = 405, {"statusCode": 405, "message": "GET or DELETE", "error": "Method Not Allowed"}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": data})
