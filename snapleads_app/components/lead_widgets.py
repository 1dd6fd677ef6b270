"""Presentational pieces of leads (no state; callers pass Vars and translated labels)."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx

PLATFORM_ICONS = {
    "instagram": "camera",
    "facebook": "thumbs_up",
    "linkedin": "briefcase",
    "twitter": "at_sign",
    "tiktok": "music_2",
    "whatsapp": "message_circle",
    "other": "globe",
}
PLATFORM_COLORS = {
    "instagram": "pink",
    "facebook": "blue",
    "linkedin": "indigo",
    "twitter": "gray",
    "tiktok": "crimson",
    "whatsapp": "grass",
    "other": "gray",
}
STATUS_COLORS = {
    "new": "gray",
    "contacted": "blue",
    "responded": "violet",
    "qualified": "amber",
    "scheduled": "cyan",
    "closed": "grass",
    "lost": "red",
}


def _match(value: Any, mapping: dict[str, str], default: str) -> Any:
    return cast(Any, rx.match(value, *[(k, v) for k, v in mapping.items()], default))


def platform_badge(platform: Any, label: Any) -> rx.Component:
    return rx.badge(
        rx.match(
            platform,
            *[(p, rx.icon(icon, size=12)) for p, icon in PLATFORM_ICONS.items()],
            rx.icon("globe", size=12),
        ),
        label,
        color_scheme=_match(platform, PLATFORM_COLORS, "gray"),
        variant="soft",
        radius="full",
    )


def status_badge(status: Any, label: Any) -> rx.Component:
    return rx.badge(
        label, color_scheme=_match(status, STATUS_COLORS, "gray"), variant="surface", radius="full"
    )


def score_badge(score: Any, label: Any = "") -> rx.Component:
    color = cast(Any, rx.cond(score >= 70, "grass", rx.cond(score >= 40, "amber", "gray")))
    return rx.badge(rx.icon("gauge", size=12), score, color_scheme=color, variant="soft", aria_label=label)


def tag_chip(name: Any, color: Any, *children: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.box(width="0.55em", height="0.55em", border_radius="50%", background=color, flex_shrink="0"),
        rx.text(name, size="1", trim="both", white_space="nowrap"),
        *children,
        align="center",
        spacing="1",
        padding_x="0.5em",
        padding_y="0.15em",
        border_radius="999px",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
    )


def color_swatch(color: str, *, selected: Any, on_click: Any, label: Any) -> rx.Component:
    return rx.el.button(
        rx.cond(selected, rx.icon("check", size=12, color="white"), rx.fragment()),
        type="button",
        on_click=on_click,
        aria_label=label,
        aria_pressed=rx.cond(selected, "true", "false"),
        style={
            "width": "1.6em",
            "height": "1.6em",
            "borderRadius": "50%",
            "background": color,
            "display": "inline-flex",
            "alignItems": "center",
            "justifyContent": "center",
            "cursor": "pointer",
            "border": "2px solid transparent",
            "outlineOffset": "2px",
        },
    )


def field_error(message: Any, field_id: str) -> rx.Component:
    return rx.cond(
        message,
        rx.text(message, size="1", color_scheme="red", id=f"{field_id}-error", role="alert"),
    )
