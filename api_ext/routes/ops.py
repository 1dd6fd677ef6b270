"""Operations: health of the database, Redis and the queue; Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api_ext.routes import api_router
from snapleads_app.core import health

router = api_router(tags=["ops"], problems=False)


@router.get("/health")
def get_health() -> JSONResponse:
    report: dict[str, Any] = health.check()
    return JSONResponse(report, status_code=503 if report["status"] == "down" else 200)


@router.get("/metrics", response_class=Response)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
