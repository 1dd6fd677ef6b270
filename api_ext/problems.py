"""RFC 7807 problem+json for every error the API returns."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError as DBAPIDataError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api_ext.strict_routes import is_transient_conflict
from snapleads_app.core.errors import DomainError, RateLimited

log = logging.getLogger(__name__)
PROBLEM_TYPE_BASE = "https://snapleads.dev/problems/"
MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: dict[str, str] = {}


def problem_response(
    request_path: str,
    *,
    status: int,
    code: str,
    detail: str,
    title: str | None = None,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=PROBLEM_TYPE_BASE + code.replace("_", "-"),
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request_path,
        code=code,
        errors=errors or {},
    )
    return JSONResponse(body.model_dump(), status_code=status, media_type=MEDIA_TYPE, headers=headers)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")] or [str(loc[-1])]
    return ".".join(parts)


def allowed_methods(app: FastAPI, path: str) -> str:
    """The documented methods of every route template matching `path` (for a 405's Allow header)."""
    if not hasattr(app.state, "path_methods"):
        app.state.path_methods = [
            (re.compile(_template_pattern(template)), {method.upper() for method in operations})
            for template, operations in app.openapi()["paths"].items()
        ]
    methods = {m for pattern, ms in app.state.path_methods if pattern.fullmatch(path) for m in ms}
    return ", ".join(sorted(methods))


def _template_pattern(template: str) -> str:
    # `{…_id}` parameters are numeric (api_ext/strict_routes.py); others are one path segment.
    pattern = re.escape(template)
    pattern = re.sub(r"\\\{\w+_id\\\}", r"\\d+", pattern)
    return re.sub(r"\\\{\w+\\\}", "[^/]+", pattern)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        headers = {**(headers or {}), **({"WWW-Authenticate": "Bearer"} if exc.status == 401 else {})}
        return problem_response(
            request.url.path,
            status=exc.status,
            code=exc.code,
            detail=exc.detail,
            title=exc.title,
            errors=exc.errors,
            headers=headers or None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors: dict[str, str] = {}
        for error in exc.errors():
            message = str(error.get("msg", "invalid"))
            if error.get("type") == "json_invalid":  # say what is wrong with the document
                message = f"invalid JSON: {(error.get('ctx') or {}).get('error', 'malformed')}"
            errors.setdefault(_field_path(tuple(error.get("loc", ()))), message)
        return problem_response(
            request.url.path,
            status=422,
            code="validation_error",
            title="Invalid input",
            detail="The request has invalid fields; see errors.",
            errors=errors,
        )

    @app.exception_handler(DBAPIDataError)
    async def _unstorable(request: Request, exc: DBAPIDataError) -> JSONResponse:
        # Last line of defence for a value the schemas let through but the database cannot hold
        # (a number out of range, a character the column refuses): the transaction was rolled back.
        log.warning(
            "problem.unstorable_value", extra={"path": request.url.path, "error": str(exc.orig)[:200]}
        )
        return problem_response(
            request.url.path,
            status=422,
            code="validation_error",
            title="Invalid input",
            detail="A value is out of range or cannot be stored.",
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeoutError)
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The database is down or restarting (connection refused or cut, pool exhausted): a clear,
        # retryable 503 instead of a 500. The pool pre-pings, so the next request after it is back works.
        if isinstance(exc, DBAPIError) and is_transient_conflict(exc):
            # Still conflicting after the route's retries: busy, not broken.
            log.warning("problem.database_conflict", extra={"path": request.url.path})
            return problem_response(
                request.url.path,
                status=503,
                code="service_unavailable",
                title="Service Unavailable",
                detail="The data is busy with other changes right now. Please retry.",
                headers={"Retry-After": "1"},
            )
        if isinstance(exc, DBAPIError) and not _is_disconnect(exc):
            return await _unexpected(request, exc)
        log.warning("problem.database_unavailable", extra={"path": request.url.path, "error": str(exc)[:200]})
        return problem_response(
            request.url.path,
            status=503,
            code="service_unavailable",
            title="Service Unavailable",
            detail="The database is unavailable right now. Please retry in a few seconds.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # The router names only the first route of the path; list every method of every route.
            headers = {**(headers or {}), "Allow": allowed_methods(app, request.url.path)}
        return problem_response(
            request.url.path,
            status=exc.status_code,
            code=_HTTP_CODES.get(exc.status_code, "http_error"),
            detail=detail,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request.url.path,
            status=500,
            code="internal_error",
            detail="Something went wrong on our side. The error was logged; please try again.",
        )


DATABASE_RETRY_AFTER_SECONDS = 5


def _is_disconnect(exc: DBAPIError) -> bool:
    """OperationalError covers lost/refused connections and server shutdown, but also e.g. a statement
    timeout or a serialization failure: only connection-level failures become a 503."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    # 08xxx connection exceptions, 57P01-57P03 admin/crash shutdown and cannot-connect-now; no sqlstate
    # (psycopg's OperationalError on connect) means the connection itself failed.
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in {"57P01", "57P02", "57P03"}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": HTTPStatus(status).phrase}
    for status in (401, 403, 404, 409, 413, 422, 429)
}
