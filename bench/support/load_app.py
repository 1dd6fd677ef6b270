"""ASGI target of bench/support/load_server.py: the Reflex app with rate limits off (see there)."""

from __future__ import annotations

import api_ext.middleware

api_ext.middleware.RATE_LIMIT_RULES = ()

from snapleads_app.snapleads_app import app  # noqa: E402

__all__ = ["app"]
