"""ASGI middleware of the REST API: request id + access log + metrics, body size limit, rate limits.

Pure ASGI (no BaseHTTPMiddleware) so streaming bodies are counted as they arrive.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from prometheus_client import Counter, Histogram

from api_ext.problems import MEDIA_TYPE, PROBLEM_TYPE_BASE, Problem
from snapleads_app.core import ratelimit
from snapleads_app.core.errors import Unauthenticated
from snapleads_app.core.logging import request_id_var
from snapleads_app.core.security import decode_access_token

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("api_ext.access")

HTTP_REQUESTS = Counter("snapleads_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "snapleads_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


async def send_problem(
    send: Send, *, path: str, status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> None:
    body = Problem(
        type=PROBLEM_TYPE_BASE + code.replace("_", "-"),
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=path,
        code=code,
    ).model_dump()
    raw = json.dumps(body).encode()
    raw_headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(raw)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": raw})


_TITLES = {413: "Payload Too Large", 429: "Too Many Requests"}


# JSON answers never run as a page or inside a frame; the docs page must still run Swagger UI's scripts.
_COMMON_SECURITY = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_PAGE_CSP = (b"content-security-policy", b"frame-ancestors 'none'")


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """Headers for every answer. API JSON gets a CSP that allows nothing; other paths (the docs page,
    the app's pages when they pass through here) only forbid framing, so their scripts keep working."""
    api_json = path.startswith("/api/") and not path.startswith("/api/v1/docs")
    return [*_COMMON_SECURITY, _API_CSP if api_json else _PAGE_CSP]


class RequestContextMiddleware:
    """Request id (X-Request-ID in and out), one structured access log line, Prometheus metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode(errors="ignore")
        request_id = incoming[:64] if incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                # Server-Timing: the time spent in the app before the first byte (benchmarks read it).
                server_ms = (time.perf_counter() - started) * 1000
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    (b"server-timing", f"app;dur={server_ms:.2f}".encode()),
                    *security_headers(scope.get("path", "")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            route_path = getattr(route, "path", None) or "unmatched"
            status = status_holder["status"]
            HTTP_REQUESTS.labels(scope["method"], route_path, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route_path).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuse bodies over the limit with 413 — by Content-Length up front, or while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, large_paths: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.large_paths = large_paths or {}  # CSV uploads may be up to 200 MB

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.large_paths.get(scope["path"], self.default_max_bytes)
        detail = f"Request body exceeds the limit of {max_bytes // (1024 * 1024)} MB."
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await send_problem(
                    send, path=scope["path"], status=413, code="payload_too_large", detail=detail
                )
                return
        received = 0
        started = False
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    # Answer now and tell the app the client left; whatever it sends next is dropped.
                    refused = True
                    if not started:
                        await send_problem(
                            send, path=scope["path"], status=413, code="payload_too_large", detail=detail
                        )
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


# (path prefix — or exact path when it ends with "$" —, method or None, group, limit per minute);
# first match wins. SPEC.md "Limits".
RATE_LIMIT_RULES: tuple[tuple[str, str | None, str, int], ...] = (
    ("/api/v1/auth/web/", None, "", 0),  # browser redirects; throttled by login itself
    ("/api/v1/auth/", None, "auth", 10),
    ("/api/v1/leads/import$", "POST", "import", 5),
    ("/api/v1/leads/import/csv$", "POST", "import", 5),
    ("/api/v1/conversations/", "POST", "messages", 60),
    ("/api/v1/health", None, "", 0),
    ("/api/v1/metrics", None, "", 0),
    ("/api/v1/docs", None, "", 0),
    ("/api/v1/openapi.json", None, "", 0),
    ("/api/v1/", None, "default", 100),
)


def rate_limit_group(path: str, method: str) -> tuple[str, int]:
    for prefix, rule_method, group, limit in RATE_LIMIT_RULES:
        matches = path == prefix[:-1] if prefix.endswith("$") else path.startswith(prefix)
        if matches and (rule_method is None or rule_method == method):
            return group, limit
    return "", 0


def _identity(scope: Scope) -> str:
    """The user id from a well-formed bearer token (signature checked), else the client IP."""
    headers = dict(scope.get("headers") or [])
    auth = headers.get(b"authorization", b"").decode(errors="ignore")
    if auth.lower().startswith("bearer "):
        try:
            claims = decode_access_token(auth[7:].strip())
            return f"user:{claims['sub']}"
        except Unauthenticated:
            pass
    client = scope.get("client") or ("-", 0)
    return f"ip:{client[0]}"


class RateLimitMiddleware:
    """Per-user (or per-IP before login) fixed windows of one minute, with X-RateLimit-* headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        group, limit = rate_limit_group(scope["path"], scope["method"])
        if not group:
            await self.app(scope, receive, send)
            return
        key = f"{group}:{_identity(scope)}"
        # Redis I/O off the event loop (a stalled Redis must not freeze every request).
        window = await anyio.to_thread.run_sync(lambda: ratelimit.hit(key, limit=limit, window_seconds=60))
        headers = {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(window.remaining),
            "X-RateLimit-Reset": str(window.reset_after),
        }
        if not window.allowed:
            await send_problem(
                send,
                path=scope["path"],
                status=429,
                code="rate_limited",
                detail=f"Rate limit of {limit} requests per minute exceeded; retry in {window.reset_after} s.",
                headers={**headers, "Retry-After": str(window.reset_after)},
            )
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *[(k.lower().encode(), v.encode()) for k, v in headers.items()],
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
