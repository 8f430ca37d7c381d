"""The mock's routes: the seven Ingest operations, GET /openapi.yaml and GET /__mock__/health.

Each handler authenticates first (before reading a possibly large body), then reads and checks
its input (inputs.py, multipart.py), then hands the files to intake.py. Middlewares, outermost
first: access log, rate limit, body-size limit, then Starlette with JSON error handlers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from .. import __version__
from . import errors, formats
from .accesslog import AccessLogMiddleware
from .auth import authenticate, environments_from
from .downloads import filename_from_url
from .errors import ApiError
from .inputs import Info, byurl_body, info_from_text, query_int, read_json_body, single_url_body, urls_from_fields
from .intake import Incoming, Intake
from .lifecycle import Lifecycle
from .limits import BodyLimitMiddleware
from .multipart import Part, read_form
from .ratelimit import RateLimitMiddleware
from .settings import MockSettings
from .store import Environment, Store
from .style import ResponseStyleMiddleware

ID_PATTERN = re.compile(r"[0-9a-f]{24}")
MAX_TEXT_FIELD = 1024 * 1024


class MockApi:
    """The route handlers of one mock instance, sharing its store, lifecycle and settings."""

    def __init__(self, settings: MockSettings) -> None:
        self.settings = settings
        self.store = Store(environments_from(settings), settings.max_stored_imports, settings.fault)
        self.lifecycle = Lifecycle(settings, self.store)
        self.intake = Intake(settings, self.store, self.lifecycle)

    # -- helpers --------------------------------------------------------------------------------
    def _env(self, request: Request, *, allow_access_token: bool = True) -> Environment:
        env = authenticate(
            self.store.environments, request.headers, allow_access_token=allow_access_token, fault=self.settings.fault
        )
        if env is None:
            status = self.settings.auth_failure_status
            raise ApiError(status, "Unauthorized" if status == 401 else "Forbidden resource")
        return env

    def _created(self, body: dict[str, Any], status: int | None = None) -> Response:
        if self.settings.fault == "upload-answer-without-import-id" and "files" in body:
            body = {k: v for k, v in body.items() if k != "importId"}
        if self.settings.fault == "upload-answer-swaps-ids":
            body = {**body, "accountId": body["environmentId"], "environmentId": body["accountId"]}
        return JSONResponse(body, status_code=status or self.settings.success_status)

    def _read(self, body: dict[str, Any]) -> Response:
        """A GET answer (the `json-as-text-html` fault sends the JSON as a plain string, text/html)."""
        if self.settings.fault == "json-as-text-html":
            return Response(json.dumps(body), media_type="text/html")
        return JSONResponse(body)

    @staticmethod
    def _text(part: Part) -> bytes:
        """A text field's value; also accepts the value sent as a (small) file part."""
        if part.content is None:
            return bytes(part.text)
        value = part.content.read(MAX_TEXT_FIELD + 1)
        if len(value) > MAX_TEXT_FIELD:
            raise ApiError(400, f"form field {part.name!r} is too long")
        return value

    def _info(self, parts: list[Part]) -> Info | None:
        info_parts = [p for p in parts if p.name == "info"]
        if len(info_parts) > 1:
            raise ApiError(400, "info may be given only once")
        return info_from_text(self._text(info_parts[0]), fault=self.settings.fault) if info_parts else None

    def _well_formed(self, value: str, what: str) -> str:
        if not ID_PATTERN.fullmatch(value):
            if self.settings.fault == "malformed-id-500":
                raise ValueError(f"Cast to ObjectId failed for value {value!r}")  # surfaces as a 500
            status = 422 if self.settings.fault == "malformed-id-422" else 400
            raise ApiError(status, f"{what} must be a 24-character lowercase hexadecimal id")
        return value

    # -- operations -----------------------------------------------------------------------------
    async def upload_files(self, request: Request) -> Response:
        env = self._env(request)
        parts = await read_form(request)
        if self.settings.fault == "uploads-file-alias":
            parts = [dataclasses.replace(p, name="files") if p.name == "file" else p for p in parts]
        try:
            files = [p for p in parts if p.name == "files"]
            if any(not p.is_file for p in files):
                raise ApiError(400, "files must be file parts (with a filename), not text fields")
            if any(p.is_file for p in parts if p.name == "urls"):
                raise ApiError(400, "urls must be text fields")
            info = self._info(parts)
            urls = urls_from_fields([self._text(p) for p in parts if p.name == "urls"])
            # The `uploads-without-files-accepted` fault: with no file part at all the check never runs.
            unchecked = self.settings.fault == "uploads-without-files-accepted" and not any(p.is_file for p in parts)
            if not files and not urls and not unchecked:
                raise ApiError(400, "at least one of files or urls is required")
            rules = formats.uploads_rules(self.settings)
            url_rules = formats.url_rules(self.settings)
            incoming = [Incoming(p.filename or "", rules, content=p.content) for p in files]
            incoming += [Incoming(filename_from_url(u), url_rules, url=u) for u in urls]
            import_id, created = await self.intake.accept(env, incoming, info)
        except BaseException:
            _close(parts)
            raise
        _close([p for p in parts if p.name != "files"])  # parts we did not use (e.g. `file`)
        return self._created(
            {
                "accountId": env.account_id,
                "environmentId": env.environment_id,
                "importId": import_id,
                "files": [{"id": c.file_id, "filename": c.filename, "documentId": c.document_id} for c in created],
            }
        )

    async def upload_single(self, request: Request) -> Response:
        env = self._env(request)
        parts = await read_form(request)
        try:
            files = [p for p in parts if p.name == "file"]
            if not files:
                raise ApiError(422 if self.settings.fault == "single-without-file-422" else 400, "file is required")
            if len(files) > 1 and self.settings.fault != "single-keeps-first-file":
                raise ApiError(400, "exactly one file is allowed")
            _close(files[1:])  # only with the `single-keeps-first-file` fault: the rest is ignored
            if not files[0].is_file:
                raise ApiError(400, "file must be a file part (with a filename), not a text field")
            info = self._info(parts)
            part = files[0]
            incoming = [Incoming(part.filename or "", formats.single_rules(self.settings), content=part.content)]
            import_id, created = await self.intake.accept(env, incoming, info)
        except BaseException:
            _close(parts)
            raise
        _close([p for p in parts if p.name != "file"])
        return self._single_answer(env, import_id, created[0].file_id, created[0].filename, created[0].document_id)

    async def upload_by_url(self, request: Request) -> Response:
        env = self._env(request)
        entries, batch = byurl_body(
            await read_json_body(request, self.settings.max_json_bytes), fault=self.settings.fault
        )
        rules = formats.url_rules(self.settings)
        incoming = [Incoming(e.filename, rules, url=e.url, info=e.info) for e in entries]
        import_id, created = await self.intake.accept(env, incoming, batch)
        return self._created(
            {
                "accountId": env.account_id,
                "environmentId": env.environment_id,
                "importId": import_id,
                "files": [{"id": c.file_id, "filename": c.filename, "documentId": c.document_id} for c in created],
            },
            202 if self.settings.fault == "byurl-answers-202" else None,
        )

    async def upload_single_url(self, request: Request) -> Response:
        env = self._env(request)
        entry = single_url_body(await read_json_body(request, self.settings.max_json_bytes))
        rules = formats.single_rules(self.settings)  # like single: `.tif` yes, no compression support
        import_id, created = await self.intake.accept(env, [Incoming(entry.filename, rules, url=entry.url)], entry.info)
        return self._single_answer(env, import_id, created[0].file_id, created[0].filename, created[0].document_id)

    def _single_answer(
        self, env: Environment, import_id: str, file_id: str, filename: str, document_id: str | None
    ) -> Response:
        body = {
            "accountId": env.account_id,
            "environmentId": env.environment_id,
            "importId": import_id,
            "fileId": file_id,
            "filename": filename,
        }
        if self.settings.fault == "single-answer-id-not-file-id":
            body["id"] = body.pop("fileId")
        if document_id is not None:
            body["documentId"] = document_id
        return self._created(body)

    async def get_file(self, request: Request) -> Response:
        env = self._env(request)
        file = self.store.get_file(env, self._well_formed(request.path_params["file_id"], "fileId"))
        if file is None:
            raise ApiError(403 if self.settings.fault == "unknown-file-403" else 404, "File not found")
        return self._read(file)

    async def get_import(self, request: Request) -> Response:
        env = self._env(request)
        imp = self.store.get_import(env, self._well_formed(request.path_params["import_id"], "importId"))
        if imp is None:
            raise ApiError(400 if self.settings.fault == "unknown-import-400" else 404, "Import not found")
        return self._read(imp)

    async def list_imports(self, request: Request) -> Response:
        env = self._env(request, allow_access_token=False)  # the LI page documents x-api-key only
        skip = query_int(request, "skip", 0, 0, 10)
        limit = query_int(request, "limit", 5, 1, 15)
        wanted = request.query_params.get("environmentId") or env.environment_id
        trusted = self.settings.fault == "iso-list-trusts-environment-id"
        if wanted != env.environment_id and not trusted:  # another environment (or none): an empty page
            return JSONResponse({"count": 0, "result": []})
        if self.settings.fault == "list-imports-ignores-limit":
            limit = 10
        count, page = self.store.list_imports(wanted, skip, limit)
        return self._read({"count": count, "result": page})

    async def openapi(self, request: Request) -> Response:
        from ingest_conformance.spec import OPENAPI_PATH  # the only thing the mock takes from the suite

        try:
            return Response(OPENAPI_PATH.read_bytes(), media_type="application/yaml")
        except OSError as exc:
            raise ApiError(404, "the OpenAPI description is not installed") from exc

    async def health(self, request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "settings": self.settings.public_view(),
                "environments": [
                    {"accountId": e.account_id, "environmentId": e.environment_id} for e in self.store.environments
                ],
            }
        )


def _close(parts: list[Part]) -> None:
    for part in parts:
        if part.content is not None:
            part.content.close()


def create_app(settings: MockSettings) -> ASGIApp:
    """The complete mock as one ASGI app (the lifecycle workers start with its lifespan)."""
    api = MockApi(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        api.lifecycle.start()
        try:
            yield
        finally:
            api.lifecycle.stop()

    upload_methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] if settings.fault == "uploads-any-method" else ["POST"]
    routes = [
        Route("/v1/ingest/uploads", api.upload_files, methods=upload_methods),
        Route("/v1/ingest/by-url", api.upload_by_url, methods=["POST"]),
        Route("/v1/ingest/files/{file_id}", api.get_file, methods=["GET"]),
        Route("/v1/ingest/single", api.upload_single, methods=["POST"]),
        Route(settings.single_url_path, api.upload_single_url, methods=["POST"]),
        Route("/v1/ingest/imports", api.list_imports, methods=["GET"]),
        Route("/v1/ingest/imports/{import_id}", api.get_import, methods=["GET"]),
        Route("/openapi.yaml", api.openapi, methods=["GET"]),
        Route("/__mock__/health", api.health, methods=["GET"]),
    ]
    if settings.fault == "root-health-200":
        routes.append(Route("/v1/health", api.health, methods=["GET"]))
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ApiError: errors.handle_api_error,
            HTTPException: errors.handle_http_exception,
            errors.BodyAborted: errors.handle_body_aborted,
            Exception: errors.handle_unexpected,
        },
    )
    app.router.redirect_slashes = False  # a trailing slash is another (unknown) path, not a redirect
    app.state.fault = settings.fault  # read by fault hooks that have only the request (faults.fault_of)
    wrapped: ASGIApp = BodyLimitMiddleware(app, settings)
    wrapped = RateLimitMiddleware(wrapped, settings.rate_limit_burst, fault=settings.fault)
    if settings.extra_fields or settings.error_shape != "nestjs":
        wrapped = ResponseStyleMiddleware(wrapped, settings)
    if settings.validate_requests:  # SDK teams: every request judged against the client requirements
        from .request_validation import RequestValidationMiddleware

        wrapped = RequestValidationMiddleware(wrapped, settings.single_url_path, settings.validation_report)
    if not settings.quiet:
        wrapped = AccessLogMiddleware(wrapped)
    return wrapped
