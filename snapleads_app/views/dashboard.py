"""Dashboard (/): welcome, filters, KPI cards, leads over time, funnel, breakdowns, reps, activity, team.

Composed of separate section functions (here and in views/analytics_sections.py) so other features add
their own section (e.g. upcoming meetings) without touching these.
"""

from __future__ import annotations

import reflex as rx

from snapleads_app.components.widgets import ACCENT, section_card
from snapleads_app.state.dashboard import DashboardState
from snapleads_app.state.i18n import tr
from snapleads_app.state.session import SessionState
from snapleads_app.views.analytics_sections import (
    breakdown_section,
    filters_bar,
    funnel_section,
    kpi_section,
    live_watchers,
    new_workspace_state,
    recent_activity_section,
    reps_section,
    timeline_section,
)
from snapleads_app.views.common import role_badge
from snapleads_app.views.meetings import upcoming_meetings_card
from snapleads_app.views.shell import online_now


def _step(icon: str, key: str) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(icon, size=16),
            width="2em",
            height="2em",
            border_radius="0.5em",
            background=rx.color(ACCENT, 3),
            color=rx.color(ACCENT, 11),
        ),
        rx.text(tr(key), size="2"),
        align="center",
        spacing="3",
    )


def welcome_section() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("dashboard.welcome", name=SessionState.user_name), size="7", id="welcome"),
        rx.hstack(
            rx.text(tr("dashboard.subtitle", workspace=SessionState.workspace_name), color_scheme="gray"),
            role_badge(SessionState.role),
            rx.text(DashboardState.period_text, color_scheme="gray", size="2", id="period-text"),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        spacing="2",
    )


def team_section() -> rx.Component:
    return rx.grid(
        section_card(tr("dashboard.team_title"), online_now("online-now-dashboard")),
        upcoming_meetings_card(),
        section_card(
            tr("dashboard.next_steps"),
            _step("user_plus", "dashboard.next_invite"),
            _step("puzzle", "dashboard.next_extension"),
            _step("file_up", "dashboard.next_import"),
        ),
        columns=rx.breakpoints(initial="1", md="3"),
        spacing="4",
        width="100%",
    )


def analytics_overview_section() -> rx.Component:
    """The numbers: a new workspace (no leads at all) gets the empty state instead."""
    return rx.cond(
        DashboardState.workspace_total == 0,
        new_workspace_state(),
        rx.vstack(
            filters_bar(),
            kpi_section(),
            rx.grid(
                rx.box(timeline_section(), grid_column=rx.breakpoints(initial="auto", lg="span 2")),
                funnel_section(),
                columns=rx.breakpoints(initial="1", lg="3"),
                spacing="4",
                width="100%",
            ),
            breakdown_section(),
            rx.grid(
                rx.box(reps_section(), grid_column=rx.breakpoints(initial="auto", lg="span 2")),
                recent_activity_section(),
                columns=rx.breakpoints(initial="1", lg="3"),
                spacing="4",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
    )


def dashboard_view() -> rx.Component:
    return rx.vstack(
        live_watchers(),
        welcome_section(),
        analytics_overview_section(),
        team_section(),
        spacing="6",
        width="100%",
    )
