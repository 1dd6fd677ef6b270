"""The REST API: a FastAPI app mounted into the Reflex backend with `api_transformer`.

Routes only translate HTTP to domain calls; rules live in snapleads_app/domain.
"""

from __future__ import annotations

from fastapi import FastAPI

from api_ext.middleware import BodySizeLimitMiddleware, RateLimitMiddleware, RequestContextMiddleware
from api_ext.problems import install_problem_handlers
from api_ext.routes import (
    API_PREFIX,
    analytics,
    auth,
    automations,
    extension,
    imports,
    inbox,
    leads,
    meetings,
    members,
    notifications,
    ops,
    pipelines,
    tags,
    templates,
)
from snapleads_app.core.settings import get_settings

# imports before leads: "/leads/imports" must not be read as "/leads/{lead_id}".
ROUTE_MODULES = (
    auth,
    members,
    imports,
    leads,
    tags,
    pipelines,
    notifications,
    meetings,
    analytics,
    automations,
    inbox,
    templates,
    ops,
    extension,
)


def build_api() -> FastAPI:
    settings = get_settings()
    api = FastAPI(
        title="SnapLeads API",
        version="1.0.0",
        description="REST API of SnapLeads for the Chrome extension and integrations. "
        "Errors are RFC 7807 problem+json documents.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    install_problem_handlers(api)
    for module in ROUTE_MODULES:
        api.include_router(module.router)
    # Outermost first: request id/log/metrics wrap everything, then the size limit, then rate limits.
    api.add_middleware(RateLimitMiddleware)
    api.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        # The import wizard uploads through Reflex's own endpoint (+1 MB for the multipart envelope).
        large_paths={
            f"{API_PREFIX}/leads/import/csv": imports.CSV_MAX_BYTES,
            "/_upload": imports.CSV_MAX_BYTES + 1024 * 1024,
        },
    )
    api.add_middleware(RequestContextMiddleware)
    return api
