"""Reflex configuration: everything comes from the project settings (snapleads_app.core.settings).

- No `db_url`: the app uses plain SQLModel + Alembic (snapleads_app.core.db); setting it would make
  Reflex run its own schema check against our tables at every start.
- `redis_url` from the settings: with REDIS_URL set, Reflex switches to its Redis state manager and
  several workers (rx.SharedState fan-out works across them).
- CORS origins are explicit (never `*`: Reflex allows credentials).
- Radix Themes is enabled explicitly (its theme lives here, not in rx.App).
- The sitemap plugin (enabled by default) is disabled: the app is behind a login, nothing to index.
"""

from __future__ import annotations

import os
from pathlib import Path

import reflex as rx

from snapleads_app.core.settings import get_settings

_ROOT = Path(__file__).resolve().parent
_BUN = _ROOT / "tools" / "node_modules" / "bun" / "bin" / "bun.exe"
_settings = get_settings()

_extra: dict = {}
if _BUN.exists() and not os.environ.get("REFLEX_BUN_PATH"):
    _extra["bun_path"] = _BUN  # must be a Path: a str crashes later in Reflex

config = rx.Config(
    app_name="snapleads_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url=_settings.redis_url or None,
    cors_allowed_origins=_settings.allowed_origins,
    # REFLEX_API_URL (read by rx.Config itself) wins over the settings' API_URL.
    api_url=os.environ.get("REFLEX_API_URL") or _settings.api_url,
    deploy_url=_settings.public_url,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="violet", gray_color="slate", radius="large")
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    default_color_mode="light",
    **_extra,
)
