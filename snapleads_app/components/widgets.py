"""Small presentational building blocks (no state; callers pass Vars and translated text)."""

from __future__ import annotations

from typing import Any

import reflex as rx

ACCENT = "violet"


def brand(size: Any = "5") -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon("zap", size=18, color="white"),
            width="2em",
            height="2em",
            border_radius="0.6em",
            background=f"linear-gradient(135deg, {rx.color(ACCENT, 9)}, {rx.color('iris', 10)})",
        ),
        rx.heading("SnapLeads", size=size, weight="bold"),
        align="center",
        spacing="2",
    )


def empty_state(icon: str, title: Any, body: Any) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=28, color=rx.color(ACCENT, 11)),
                width="3.5em",
                height="3.5em",
                border_radius="50%",
                background=rx.color(ACCENT, 3),
            ),
            rx.heading(title, size="5"),
            rx.text(body, color_scheme="gray", align="center", max_width="32em"),
            align="center",
            spacing="3",
        ),
        padding_y="5em",
        width="100%",
    )


def section_card(title: Any, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4"), *children, spacing="4", width="100%"),
        width="100%",
        size="3",
        **props,
    )


def avatar_chip(initials: Any, name: Any, *, online: bool = True) -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.avatar(fallback=initials, size="2", radius="full", color_scheme=ACCENT),
            rx.cond(
                online,
                rx.box(
                    position="absolute",
                    bottom="0",
                    right="0",
                    width="0.65em",
                    height="0.65em",
                    border_radius="50%",
                    background=rx.color("grass", 9),
                    border=f"2px solid {rx.color('gray', 1)}",
                ),
            ),
            position="relative",
        ),
        rx.text(name, size="2", trim="both"),
        align="center",
        spacing="2",
    )


def presence_list(online: Any, title: Any, nobody: Any, *, label: str = "online-now") -> rx.Component:
    """`online` is a Var of [{"user_id", "name", "initials"}]."""
    return rx.vstack(
        rx.hstack(
            rx.box(width="0.5em", height="0.5em", border_radius="50%", background=rx.color("grass", 9)),
            rx.text(title, size="1", weight="bold", color_scheme="gray", text_transform="uppercase"),
            align="center",
            spacing="2",
        ),
        rx.cond(
            online.length() > 0,
            rx.vstack(
                rx.foreach(
                    online,
                    lambda user: rx.box(
                        avatar_chip(user["initials"], user["name"]),
                        data_testid="presence-user",
                        data_user_id=user["user_id"],
                    ),
                ),
                spacing="2",
            ),
            rx.text(nobody, size="1", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
        role="region",
        aria_label=title,
        id=label,
    )


def error_callout(message: Any, id_: str = "form-error") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%", id=id_),
    )


def labelled_input(label: Any, name: str, *, type_: Any = "text", **props: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", html_for=name, size="2", weight="medium"),
        rx.input(name=name, id=name, type=type_, size="3", width="100%", **props),
        spacing="1",
        width="100%",
    )


# Hidden from sight, still read by screen readers (a label for an icon-only column or a drawer).
VISUALLY_HIDDEN_STYLE = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
}
# A native <button> that looks like its content (clickable names, tiny icon buttons).
UNSTYLED_BUTTON_STYLE = {"background": "none", "border": "none", "cursor": "pointer", "padding": 0}


def visually_hidden(text: Any, **props: Any) -> rx.Component:
    return rx.el.span(text, style=VISUALLY_HIDDEN_STYLE, **props)


def unstyled_button(*children: Any, style: dict[str, Any] | None = None, **props: Any) -> rx.Component:
    return rx.el.button(*children, style={**UNSTYLED_BUTTON_STYLE, **(style or {})}, **props)


def page_title(title: Any, subtitle: Any, *, badge: rx.Component | None = None) -> rx.Component:
    """A page's heading and the grey line under it; `badge` sits next to the heading."""
    heading = rx.heading(title, size="7")
    return rx.vstack(
        heading if badge is None else rx.hstack(heading, badge, align="center", spacing="3"),
        rx.text(subtitle, color_scheme="gray"),
        spacing="1",
    )


def page_header(
    title: Any, subtitle: Any, *aside: rx.Component, badge: rx.Component | None = None
) -> rx.Component:
    """`page_title` on the left, `aside` (actions, pickers) pushed to the right; wraps on narrow screens."""
    return rx.flex(
        page_title(title, subtitle, badge=badge),
        rx.spacer(),
        *aside,
        gap="3",
        wrap="wrap",
        align="end",
        width="100%",
    )


def toolbar(*children: rx.Component) -> rx.Component:
    return rx.hstack(*children, spacing="2", wrap="wrap")


def search_input(value: Any, on_change: Any, label: Any, id_: str, **props: Any) -> rx.Component:
    """A debounced search box; `label` is both its placeholder and its accessible name."""
    return rx.input(
        rx.input.slot(rx.icon("search", size=16)),
        value=value,
        on_change=on_change,
        debounce_timeout=300,
        placeholder=label,
        aria_label=label,
        type="search",
        id=id_,
        **props,
    )


def loading_block(label: Any) -> rx.Component:
    return rx.center(
        rx.spinner(size="3"),
        rx.text(label, color_scheme="gray"),
        padding_y="4em",
        width="100%",
        gap="2",
    )


def options_select(
    options: Any,
    *,
    value: Any,
    on_change: Any,
    trigger: dict[str, Any] | None = None,
    first: tuple[rx.Component, ...] = (),
    **props: Any,
) -> rx.Component:
    """A select over a Var list of `{label, value}` options; `first` items come before them."""
    return rx.select.root(
        rx.select.trigger(**(trigger or {})),
        rx.select.content(*first, rx.foreach(options, lambda o: rx.select.item(o.label, value=o.value))),
        value=value,
        on_change=on_change,
        **props,
    )


def captioned(caption: Any, control: rx.Component) -> rx.Component:
    """A control under a small grey caption."""
    return rx.vstack(rx.text(caption, size="1", color_scheme="gray"), control, spacing="1")
