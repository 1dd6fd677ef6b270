"""The Reflex backend's own routes pass through the API's middleware: in the prod build the compiled
pages are served by the same fall-through mount (`rx.App(api_transformer=…)` mounts Reflex inside our
FastAPI app), so they carry the same security headers."""

from __future__ import annotations

import httpx


def test_reflex_routes_get_the_security_headers(app_url: str) -> None:
    from reflex_base.config import get_config

    backend = get_config().api_url.rstrip("/")
    response = httpx.get(f"{backend}/ping", timeout=60)  # Reflex's own route, not ours
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    # A page must keep running its scripts: only framing is forbidden there, not everything.
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["x-request-id"]
