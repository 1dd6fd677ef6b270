"""Dashboard: welcome and who is online (KPIs and charts come with analytics)."""

from __future__ import annotations

import reflex as rx

from snapleads_app.components.widgets import ACCENT, section_card
from snapleads_app.state.i18n import tr
from snapleads_app.state.session import SessionState
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


def dashboard_view() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading(tr("dashboard.welcome", name=SessionState.user_name), size="7", id="welcome"),
            rx.hstack(
                rx.text(tr("dashboard.subtitle", workspace=SessionState.workspace_name), color_scheme="gray"),
                role_badge(SessionState.role),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
        ),
        rx.grid(
            section_card(tr("dashboard.team_title"), online_now("online-now-dashboard")),
            upcoming_meetings_card(),
            section_card(
                tr("dashboard.next_steps"),
                _step("user_plus", "dashboard.next_invite"),
                _step("puzzle", "dashboard.next_extension"),
                _step("file_up", "dashboard.next_import"),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        spacing="6",
        width="100%",
    )
