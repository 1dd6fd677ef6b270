"""Settings → Tags: create (name + colour), rename/recolour inline, delete with confirmation."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.dialogs import confirm_dialog
from snapleads_app.components.lead_widgets import color_swatch, tag_chip
from snapleads_app.components.widgets import empty_state, error_callout, page_title, section_card
from snapleads_app.state.i18n import tr
from snapleads_app.state.settings_tags import PALETTE, SettingsTagsState
from snapleads_app.views.settings_nav import settings_nav

T = SettingsTagsState


def _palette(selected: Any, on_pick: Any) -> rx.Component:
    return rx.hstack(
        *[
            color_swatch(c, selected=selected == c, on_click=on_pick(c), label=tr("tags.color", color=c))
            for c in PALETTE
        ],
        spacing="1",
        wrap="wrap",
        role="group",
    )


def _create_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.flex(
                rx.input(
                    name="name",
                    id="new-tag-name",
                    placeholder=tr("tags.new_placeholder"),
                    aria_label=tr("tags.new_placeholder"),
                    required=True,
                    max_length=60,
                    flex="1",
                    min_width="14em",
                ),
                rx.button(rx.icon("plus", size=16), tr("tags.create"), type="submit", id="create-tag"),
                gap="2",
                wrap="wrap",
                width="100%",
            ),
            _palette(T.new_color, T.set_new_color),
            error_callout(T.error),
            spacing="3",
            width="100%",
        ),
        on_submit=T.create,
        width="100%",
    )


def _edit_row(tag: Any) -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.input(
                value=T.edit_name,
                on_change=T.set_edit_name,
                aria_label=tr("tags.edit", name=tag.name),
                max_length=60,
                flex="1",
                id="edit-tag-name",
            ),
            rx.button(tr("common.save"), on_click=T.save_edit, size="2", id="save-tag"),
            rx.button(
                tr("common.cancel"), on_click=T.cancel_edit, variant="soft", color_scheme="gray", size="2"
            ),
            gap="2",
            width="100%",
        ),
        _palette(T.edit_color, T.set_edit_color),
        rx.cond(T.edit_error != "", rx.text(T.edit_error, color_scheme="red", size="1", role="alert")),
        spacing="2",
        width="100%",
    )


def _delete_button(tag: Any) -> rx.Component:
    return confirm_dialog(
        rx.icon_button(
            rx.icon("trash_2", size=14),
            color_scheme="red",
            variant="soft",
            size="1",
            aria_label=tr("tags.delete"),
        ),
        title=tr("tags.delete"),
        description=tr("tags.delete_confirm", name=tag.name, count=tag.lead_count.to_string()),
        cancel_label=tr("common.cancel"),
        confirm=rx.button(tr("common.delete"), color_scheme="red", on_click=T.delete(tag.id)),
    )


def _row(tag: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.cond(T.editing_id == tag.id, _edit_row(tag), tag_chip(tag.name, tag.color)),
        ),
        rx.table.cell(rx.text(tag.lead_count, size="2")),
        rx.cond(
            T.can_manage,
            rx.table.cell(
                rx.hstack(
                    rx.icon_button(
                        rx.icon("pencil", size=14),
                        variant="soft",
                        size="1",
                        on_click=T.start_edit(tag.id),
                        aria_label=tr("tags.edit", name=tag.name),
                    ),
                    _delete_button(tag),
                    spacing="2",
                ),
            ),
        ),
        align="center",
        data_testid="tag-row",
    )


def settings_tags_view() -> rx.Component:
    return rx.vstack(
        settings_nav(),
        page_title(tr("tags.title"), tr("tags.subtitle")),
        rx.cond(T.can_create, section_card(tr("tags.create"), _create_form())),
        rx.cond(
            T.tags.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(tr("tags.col_tag")),
                        rx.table.column_header_cell(tr("tags.col_leads"), width="7em"),
                        rx.cond(
                            T.can_manage, rx.table.column_header_cell(tr("leads.col_actions"), width="8em")
                        ),
                    )
                ),
                rx.table.body(rx.foreach(T.tags, _row)),
                variant="surface",
                width="100%",
            ),
            rx.cond(T.loaded, empty_state("tags", tr("tags.empty_title"), tr("tags.empty_body"))),
        ),
        spacing="5",
        width="100%",
    )
