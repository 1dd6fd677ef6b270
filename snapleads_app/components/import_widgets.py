"""Presentational pieces of the import wizard (no state; callers pass Vars and translated labels)."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx

JOB_STATUS_COLORS = {
    "queued": "gray",
    "processing": "blue",
    "completed": "grass",
    "failed": "red",
    "cancelled": "amber",
}


def job_status_badge(status: Any, label: Any) -> rx.Component:
    return rx.badge(
        rx.cond(status == "processing", rx.spinner(size="1")),
        label,
        color_scheme=cast(Any, rx.match(status, *JOB_STATUS_COLORS.items(), "gray")),
        variant="soft",
        radius="full",
        data_status=status,
    )


def count_tile(label: Any, value: Any, color: Any, id_: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=rx.color(color, 11)),
        rx.text(value.to_string(), size="6", weight="bold", id=id_),
        spacing="0",
        padding="0.75em 1em",
        border_radius="0.75em",
        background=rx.color(color, 2),
        border=f"1px solid {rx.color(color, 5)}",
        width="100%",
    )


def step_indicator(current: Any, steps: list[tuple[str, Any]], label: Any) -> rx.Component:
    """An ordered list of the wizard's steps; the current one is marked with aria-current."""
    items = []
    for index, (key, text) in enumerate(steps, start=1):
        active = current == key
        items.append(
            rx.el.li(
                rx.hstack(
                    rx.center(
                        rx.text(str(index), size="1", weight="bold"),
                        width="1.6em",
                        height="1.6em",
                        border_radius="50%",
                        background=rx.cond(active, rx.color("violet", 9), rx.color("gray", 4)),
                        color=rx.cond(active, "white", rx.color("gray", 11)),
                    ),
                    rx.text(text, size="2", weight=rx.cond(active, "bold", "regular")),  # type: ignore[arg-type]
                    spacing="1",
                    align="center",
                ),
                aria_current=rx.cond(active, "step", "false"),
                style={"listStyle": "none"},
            )
        )
    return rx.el.ol(
        rx.hstack(*items, spacing="4", wrap="wrap", align="center"),
        aria_label=label,
        style={"margin": 0, "padding": 0},
    )
