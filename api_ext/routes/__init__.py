"""Route modules. Every router is made by `api_router` so all routes share the API prefix, the problem
responses in the OpenAPI document and strict JSON parsing (tests/api/test_bad_input_corpus.py checks)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api_ext.problems import PROBLEM_RESPONSES
from api_ext.strict_routes import StrictRoute

API_PREFIX = "/api/v1"


def api_router(
    prefix: str = "", *, tags: list[str] | None = None, problems: bool = True, **kwargs: Any
) -> APIRouter:
    responses = PROBLEM_RESPONSES if problems else None
    return APIRouter(
        prefix=f"{API_PREFIX}{prefix}",
        tags=list(tags or []),
        responses=responses,
        route_class=StrictRoute,
        **kwargs,
    )
