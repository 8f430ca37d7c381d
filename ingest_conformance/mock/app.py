"""The mock's routes: the seven Ingest operations, GET /openapi.yaml and GET /__mock__/health.

Each handler authenticates first (before reading a possibly large body), then reads and checks
its input (inputs.py, multipart.py), then hands the files to intake.py. Middlewares, outermost
first: access log, rate limit, body-size limit, then Starlette with JSON error handlers.
"""

from __future__ import annotations

import contextlib
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

ID_PATTERN = re.compile(r"[0-9a-f]{24}")
MAX_TEXT_FIELD = 1024 * 1024


class MockApi:
    """The route handlers of one mock instance, sharing its store, lifecycle and settings."""

    def __init__(self, settings: MockSettings) -> None:
        self.settings = settings
        self.store = Store(environments_from(settings), settings.max_stored_imports)
        self.lifecycle = Lifecycle(settings, self.store)
        self.intake = Intake(settings, self.store, self.lifecycle)

    # -- helpers --------------------------------------------------------------------------------
    def _env(self, request: Request, *, allow_access_token: bool = True) -> Environment:
        env = authenticate(self.store.environments, request.headers, allow_access_token=allow_access_token)
        if env is None:
            status = self.settings.auth_failure_status
            raise ApiError(status, "Unauthorized" if status == 401 else "Forbidden resource")
        return env

    def _created(self, body: dict[str, Any]) -> Response:
        return JSONResponse(body, status_code=self.settings.success_status)

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
        return info_from_text(self._text(info_parts[0])) if info_parts else None

    @staticmethod
    def _well_formed(value: str, what: str) -> str:
        if not ID_PATTERN.fullmatch(value):
            raise ApiError(400, f"{what} must be a 24-character lowercase hexadecimal id")
        return value

    # -- operations -----------------------------------------------------------------------------
    async def upload_files(self, request: Request) -> Response:
        env = self._env(request)
        parts = await read_form(request)
        try:
            files = [p for p in parts if p.name == "files"]
            if any(not p.is_file for p in files):
                raise ApiError(400, "files must be file parts (with a filename), not text fields")
            if any(p.is_file for p in parts if p.name == "urls"):
                raise ApiError(400, "urls must be text fields")
            info = self._info(parts)
            urls = urls_from_fields([self._text(p) for p in parts if p.name == "urls"])
            if not files and not urls:
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
        return self._created({
            "accountId": env.account_id, "environmentId": env.environment_id, "importId": import_id,
            "files": [{"id": c.file_id, "filename": c.filename, "documentId": c.document_id}
                      for c in created],
        })

    async def upload_single(self, request: Request) -> Response:
        env = self._env(request)
        parts = await read_form(request)
        try:
            files = [p for p in parts if p.name == "file"]
            if not files:
                raise ApiError(400, "file is required")
            if len(files) > 1:
                raise ApiError(400, "exactly one file is allowed")
            if not files[0].is_file:
                raise ApiError(400, "file must be a file part (with a filename), not a text field")
            info = self._info(parts)
            part = files[0]
            incoming = [Incoming(part.filename or "", formats.single_rules(), content=part.content)]
            import_id, created = await self.intake.accept(env, incoming, info)
        except BaseException:
            _close(parts)
            raise
        _close([p for p in parts if p.name != "file"])
        return self._single_answer(env, import_id, created[0].file_id, created[0].filename,
                                   created[0].document_id)

    async def upload_by_url(self, request: Request) -> Response:
        env = self._env(request)
        entries, batch = byurl_body(await read_json_body(request, self.settings.max_json_bytes))
        rules = formats.url_rules(self.settings)
        incoming = [Incoming(e.filename, rules, url=e.url, info=e.info) for e in entries]
        import_id, created = await self.intake.accept(env, incoming, batch)
        return self._created({
            "accountId": env.account_id, "environmentId": env.environment_id, "importId": import_id,
            "files": [{"id": c.file_id, "filename": c.filename, "documentId": c.document_id}
                      for c in created],
        })

    async def upload_single_url(self, request: Request) -> Response:
        env = self._env(request)
        entry = single_url_body(await read_json_body(request, self.settings.max_json_bytes))
        rules = formats.single_rules()  # like single: `.tif` yes, no compression support
        import_id, created = await self.intake.accept(
            env, [Incoming(entry.filename, rules, url=entry.url)], entry.info)
        return self._single_answer(env, import_id, created[0].file_id, created[0].filename,
                                   created[0].document_id)

    def _single_answer(self, env: Environment, import_id: str, file_id: str, filename: str,
                       document_id: str | None) -> Response:
        body = {"accountId": env.account_id, "environmentId": env.environment_id, "importId": import_id,
                "fileId": file_id, "filename": filename}
        if document_id is not None:
            body["documentId"] = document_id
        return self._created(body)

    async def get_file(self, request: Request) -> Response:
        env = self._env(request)
        file = self.store.get_file(env, self._well_formed(request.path_params["file_id"], "fileId"))
        if file is None:
            raise ApiError(404, "File not found")
        return JSONResponse(file)

    async def get_import(self, request: Request) -> Response:
        env = self._env(request)
        imp = self.store.get_import(env, self._well_formed(request.path_params["import_id"], "importId"))
        if imp is None:
            raise ApiError(404, "Import not found")
        return JSONResponse(imp)

    async def list_imports(self, request: Request) -> Response:
        env = self._env(request, allow_access_token=False)  # the LI page documents x-api-key only
        skip = query_int(request, "skip", 0, 0, 10)
        limit = query_int(request, "limit", 5, 1, 15)
        wanted = request.query_params.get("environmentId") or env.environment_id
        if wanted != env.environment_id:  # another environment (or none): an empty page
            return JSONResponse({"count": 0, "result": []})
        count, page = self.store.list_imports(env.environment_id, skip, limit)
        return JSONResponse({"count": count, "result": page})

    async def openapi(self, request: Request) -> Response:
        from ingest_conformance.spec import OPENAPI_PATH  # the only thing the mock takes from the suite

        try:
            return Response(OPENAPI_PATH.read_bytes(), media_type="application/yaml")
        except OSError as exc:
            raise ApiError(404, "the OpenAPI description is not installed") from exc

    async def health(self, request: Request) -> Response:
        return JSONResponse({
            "status": "ok", "version": __version__, "settings": self.settings.public_view(),
            "environments": [{"accountId": e.account_id, "environmentId": e.environment_id}
                             for e in self.store.environments],
        })


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

    routes = [
        Route("/v1/ingest/uploads", api.upload_files, methods=["POST"]),
        Route("/v1/ingest/by-url", api.upload_by_url, methods=["POST"]),
        Route("/v1/ingest/files/{file_id}", api.get_file, methods=["GET"]),
        Route("/v1/ingest/single", api.upload_single, methods=["POST"]),
        Route(settings.single_url_path, api.upload_single_url, methods=["POST"]),
        Route("/v1/ingest/imports", api.list_imports, methods=["GET"]),
        Route("/v1/ingest/imports/{import_id}", api.get_import, methods=["GET"]),
        Route("/openapi.yaml", api.openapi, methods=["GET"]),
        Route("/__mock__/health", api.health, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        ApiError: errors.handle_api_error,
        HTTPException: errors.handle_http_exception,
        errors.BodyAborted: errors.handle_body_aborted,
        Exception: errors.handle_unexpected,
    })
    app.router.redirect_slashes = False  # a trailing slash is another (unknown) path, not a redirect
    wrapped: ASGIApp = BodyLimitMiddleware(app, settings)
    wrapped = RateLimitMiddleware(wrapped, settings.rate_limit_burst)
    if not settings.quiet:
        wrapped = AccessLogMiddleware(wrapped)
    return wrapped
