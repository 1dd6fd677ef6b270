"""/ — the landing page after sign-in — and /analytics."""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.dashboard import DashboardState
from snapleads_app.views.analytics import analytics_view
from snapleads_app.views.dashboard import dashboard_view


@authenticated_page("/", "Dashboard", on_load=[DashboardState.load])
def dashboard() -> rx.Component:
    return dashboard_view()


@authenticated_page("/analytics", "Analytics", on_load=[DashboardState.load])
def analytics() -> rx.Component:
    return analytics_view()
