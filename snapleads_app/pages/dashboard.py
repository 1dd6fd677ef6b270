"""/ — the landing page after sign-in."""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.views.dashboard import dashboard_view


@authenticated_page("/", "Dashboard")
def dashboard() -> rx.Component:
    return dashboard_view()
