"""Settings → Workspace: the time zone picker."""

from __future__ import annotations

import reflex as rx

from snapleads_app.components.widgets import page_title, section_card
from snapleads_app.domain.analytics.rules import time_zone_choices
from snapleads_app.state.i18n import tr
from snapleads_app.state.settings_workspace import WorkspaceSettingsState
from snapleads_app.views.settings_nav import settings_nav

W = WorkspaceSettingsState


def _zone_picker() -> rx.Component:
    # A native select: ~400 static options, type-ahead by the browser, no state list to ship.
    return rx.el.select(
        *[rx.el.option(zone.replace("_", " "), value=zone) for zone in time_zone_choices()],
        value=W.time_zone,
        on_change=W.save_time_zone,
        disabled=~W.can_edit | W.saving,
        id="time-zone",
        aria_label=tr("workspace.time_zone"),
        style={
            "padding": "0.45em 0.6em",
            "border_radius": "0.5em",
            "border": f"1px solid {rx.color('gray', 7)}",
            "background": rx.color("gray", 1),
            "color": rx.color("gray", 12),
            "min_width": "18em",
        },
    )


def settings_workspace_view() -> rx.Component:
    return rx.vstack(
        settings_nav(),
        page_title(tr("workspace.title"), tr("workspace.subtitle")),
        section_card(
            tr("workspace.time_zone"),
            rx.text(tr("workspace.time_zone_hint"), size="2", color_scheme="gray"),
            _zone_picker(),
            rx.cond(
                ~W.can_edit,
                rx.text(tr("workspace.time_zone_readonly"), size="1", color_scheme="gray"),
            ),
        ),
        spacing="5",
        width="100%",
    )
