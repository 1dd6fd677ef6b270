"""Settings sub-navigation (members, tags, pipelines) shown at the top of every settings page."""

from __future__ import annotations

import reflex as rx

from snapleads_app.components.widgets import ACCENT
from snapleads_app.state.i18n import tr

SETTINGS_SECTIONS: list[tuple[str, str, str]] = [
    ("/settings/members", "nav.members", "users"),
    ("/settings/tags", "nav.tags", "tags"),
    ("/settings/pipelines", "nav.pipelines", "columns_3"),
    ("/settings/notifications", "nav.notifications", "bell"),
    ("/settings/scoring", "nav.scoring", "gauge"),
    ("/settings/webhooks", "nav.webhooks", "webhook"),
    ("/settings/workspace", "nav.workspace", "globe"),
]


def _tab(route: str, key: str, icon: str) -> rx.Component:
    active = rx.State.router.url.path.startswith(route)
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=16), rx.text(tr(key), size="2", weight="medium"), spacing="2", align="center"
        ),
        href=route,
        underline="none",
        padding_x="0.8em",
        padding_y="0.45em",
        border_radius="0.5em",
        color=rx.cond(active, rx.color(ACCENT, 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color(ACCENT, 3), "transparent"),
        aria_current=rx.cond(active, "page", "false"),
    )


def settings_nav() -> rx.Component:
    return rx.el.nav(
        rx.hstack(*[_tab(*s) for s in SETTINGS_SECTIONS], spacing="1", wrap="wrap"),
        aria_label=tr("nav.settings_sections"),
        width="100%",
        padding_bottom="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )
