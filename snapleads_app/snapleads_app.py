"""Composition root of the web process: the Reflex app, the REST router, the task queue, the relay.

Importing the domain never boots Reflex; only this module wires the adapters together.
"""

from __future__ import annotations

import reflex as rx

from api_ext import build_api
from snapleads_app.core.logging import configure_logging
from snapleads_app.core.settings import get_settings
from snapleads_app.pages import register_pages
from snapleads_app.state import (  # noqa: F401 - registers the relay handlers (and patches Reflex)
    realtime,
    realtime_automations,
    realtime_imports,
    realtime_inbox,
    realtime_leads,
    reflex_patches,
    viewing,
)
from workers.broker import setup_broker

_settings = get_settings()  # validates: production refuses the default JWT secret
configure_logging(_settings.log_level, _settings.log_format)
# Jobs enqueued by services (after commit) need a broker in this process too.
setup_broker()

app = rx.App(
    api_transformer=build_api(),
    stylesheets=["/styles.css"],
    head_components=[rx.el.meta(name="color-scheme", content="light")],
    html_lang="pt-BR",
    enable_state=True,
)
register_pages(app)
# Domain events (from any process) → shared states → every linked browser.
app.register_lifespan_task(realtime.relay)

__all__ = ["app", "get_settings"]
