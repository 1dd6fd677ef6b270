"""/templates — template list with stats, editor with variable chips, live preview for a lead."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.widgets import empty_state, options_select, page_header
from snapleads_app.state.i18n import tr
from snapleads_app.state.templates import CATEGORIES, TEMPLATE_PLATFORMS, VARIABLES, TemplatesState

S = TemplatesState
BORDER = f"1px solid {rx.color('gray', 4)}"


def _category_label(value: Any) -> Any:
    return rx.match(value, *[(c, tr(f"templates.category.{c}")) for c in CATEGORIES], value)


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.name, on_click=S.open(row.id), href="#", data_testid="template-name")),
        rx.table.cell(_category_label(row.category)),
        rx.table.cell(rx.match(row.platform, ("any", tr("templates.platform_any")), row.platform)),
        rx.table.cell(row.sent),
        rx.table.cell(row.replied),
        rx.table.cell(row.rate),
        data_testid="template-row",
        background=rx.cond(row.id == S.selected_id, rx.color("violet", 3), "transparent"),
    )


def _list() -> rx.Component:
    return rx.cond(
        S.rows.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(tr(k))
                        for k in (
                            "templates.name",
                            "templates.category",
                            "templates.platform",
                            "templates.sent",
                            "templates.replied",
                            "templates.reply_rate",
                        )
                    ]
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            width="100%",
            variant="surface",
        ),
        rx.cond(S.loaded, empty_state("file_text", tr("templates.empty_title"), tr("templates.empty_body"))),
    )


def _editor() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.input(
                value=S.name,
                on_change=S.set_name,
                placeholder=tr("templates.name"),
                aria_label=tr("templates.name"),
                id="template-name",
                flex="1",
                disabled=~S.can_manage,
            ),
            rx.select.root(
                rx.select.trigger(aria_label=tr("templates.category")),
                rx.select.content(*[rx.select.item(_category_label(c), value=c) for c in CATEGORIES]),
                value=S.category,
                on_change=S.set_category,
                disabled=~S.can_manage,
            ),
            rx.select.root(
                rx.select.trigger(aria_label=tr("templates.platform")),
                rx.select.content(
                    *[
                        rx.select.item(tr("templates.platform_any") if p == "any" else p, value=p)
                        for p in TEMPLATE_PLATFORMS
                    ]
                ),
                value=S.platform,
                on_change=S.set_platform,
                disabled=~S.can_manage,
            ),
            width="100%",
            spacing="2",
        ),
        rx.text_area(
            value=S.body,
            on_change=S.set_body,
            placeholder=tr("templates.body_placeholder"),
            aria_label=tr("templates.body"),
            id="template-body",
            rows="7",
            width="100%",
            disabled=~S.can_manage,
        ),
        rx.cond(
            S.can_manage,
            rx.vstack(
                rx.text(tr("templates.insert_variable"), size="1", color_scheme="gray"),
                rx.hstack(
                    *[
                        rx.button("{{" + v + "}}", size="1", variant="soft", on_click=S.insert_variable(v))
                        for v in VARIABLES
                    ],
                    wrap="wrap",
                    spacing="1",
                ),
                rx.text(tr("templates.fallback_hint"), size="1", color_scheme="gray"),
                spacing="1",
            ),
        ),
        rx.box(
            rx.hstack(
                rx.text(tr("templates.preview_for"), size="1", color_scheme="gray"),
                options_select(
                    S.lead_options,
                    value=S.preview_lead_id,
                    on_change=S.set_preview_lead,
                    trigger={"aria_label": tr("templates.preview_for"), "id": "preview-lead"},
                    size="1",
                ),
                align="center",
                spacing="2",
            ),
            rx.text(
                S.preview, style={"whiteSpace": "pre-wrap"}, id="template-live-preview", padding_y="0.5em"
            ),
            rx.cond(
                S.missing.length() > 0,
                rx.callout(
                    tr("templates.missing", names=S.missing.join(", ")),
                    icon="triangle_alert",
                    color_scheme="amber",
                    size="1",
                    id="template-missing",
                ),
            ),
            padding="0.75em",
            border=BORDER,
            border_radius="0.5em",
            width="100%",
        ),
        rx.cond(
            S.can_manage,
            rx.hstack(
                rx.button(tr("templates.save"), on_click=S.save, id="template-save"),
                rx.cond(
                    S.selected_id != "new",
                    rx.button(tr("templates.delete"), on_click=S.delete, color_scheme="red", variant="soft"),
                ),
                spacing="2",
            ),
        ),
        width="100%",
        spacing="3",
        padding="1em",
        border=BORDER,
        border_radius="0.8em",
        id="template-editor",
    )


def templates_view() -> rx.Component:
    return rx.vstack(
        page_header(
            tr("nav.templates"),
            tr("templates.subtitle"),
            rx.cond(
                S.can_manage,
                rx.button(rx.icon("plus", size=14), tr("templates.new"), on_click=S.new, id="template-new"),
            ),
        ),
        rx.flex(
            rx.box(_list(), flex="1", min_width="22em"),
            rx.cond(S.selected_id != "", rx.box(_editor(), flex="1", min_width="24em")),
            gap="4",
            wrap="wrap",
            width="100%",
            align="start",
        ),
        width="100%",
        spacing="4",
    )
