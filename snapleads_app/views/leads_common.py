"""Translated labels and small lead widgets shared by the table, the board and the detail drawer."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.lead_widgets import platform_badge, status_badge, tag_chip
from snapleads_app.state.i18n import tr
from snapleads_app.state.lead_detail import LeadDetailState
from snapleads_app.state.leads import PLATFORMS, STATUSES


def platform_label(platform: Any) -> Any:
    return rx.match(platform, *[(p, tr(f"platform.{p}")) for p in PLATFORMS], platform)


def status_label(status: Any) -> Any:
    return rx.match(status, *[(s, tr(f"lead_status.{s}")) for s in STATUSES], status)


def platform_tag(platform: Any) -> rx.Component:
    return platform_badge(platform, platform_label(platform))


def status_tag(status: Any) -> rx.Component:
    return status_badge(status, status_label(status))


def tags_row(tags: Any, limit: int = 3) -> rx.Component:
    """A lead's tag chips (the first `limit`, then "+n")."""
    return rx.hstack(
        rx.foreach(tags[:limit], lambda t: tag_chip(t.name, t.color)),
        rx.cond(
            tags.length() > limit,
            rx.text("+", (tags.length() - limit).to_string(), size="1", color_scheme="gray"),
        ),
        spacing="1",
        wrap="wrap",
        align="center",
    )


def lead_avatar(initials: Any, avatar_url: Any, size: str = "2") -> rx.Component:
    return rx.avatar(src=avatar_url, fallback=initials, size=size, radius="full", color_scheme="violet")  # type: ignore[arg-type]


def open_lead_item(lead: Any) -> rx.Component:
    """The "Open" entry of a row's or a card's menu: opens the lead in the detail drawer."""
    return rx.menu.item(
        rx.icon("panel_right_open", size=14),
        tr("leads.open", name=lead.name),
        on_click=LeadDetailState.open_lead(lead.id),
    )
