"""/kanban — the board: pipeline picker, one column per stage, draggable cards, lazy columns."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.dnd import drag_card, drop_column
from snapleads_app.components.lead_widgets import score_badge
from snapleads_app.components.live import watch
from snapleads_app.components.widgets import (
    empty_state,
    options_select,
    page_header,
    search_input,
    toolbar,
    unstyled_button,
)
from snapleads_app.state.i18n import tr
from snapleads_app.state.kanban import KanbanState
from snapleads_app.state.lead_detail import LeadDetailState
from snapleads_app.state.meetings import MeetingState
from snapleads_app.state.realtime_leads import LeadsShared
from snapleads_app.views.lead_detail import lead_drawer
from snapleads_app.views.leads_common import lead_avatar, open_lead_item, platform_tag, tags_row

K = KanbanState


def _card_menu(card: Any) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis_vertical", size=14),
                variant="ghost",
                size="1",
                aria_label=tr("kanban.card_menu", name=card.name),
                data_testid="card-menu",
            )
        ),
        rx.menu.content(
            open_lead_item(card),
            rx.cond(
                K.can_edit,
                rx.menu.item(
                    rx.icon("calendar_plus", size=14),
                    tr("meeting.new"),
                    on_click=MeetingState.open_new(card.id, card.name),
                    data_testid="card-schedule",
                ),
            ),
            rx.cond(
                K.can_edit,
                rx.menu.sub(
                    rx.menu.sub_trigger(rx.icon("arrow_right_left", size=14), tr("kanban.move_to")),
                    rx.menu.sub_content(
                        rx.foreach(
                            K.stage_options,
                            lambda s: rx.menu.item(
                                rx.box(
                                    width="0.6em", height="0.6em", border_radius="50%", background=s.color
                                ),
                                s.label,
                                on_click=K.move_to_stage(card.id, s.value),
                                disabled=s.value == card.stage_id,
                                data_stage_option=s.value,
                            ),
                        ),
                    ),
                ),
            ),
        ),
    )


def _card(card: Any) -> rx.Component:
    return drag_card(
        rx.card(
            rx.vstack(
                rx.hstack(
                    lead_avatar(card.initials, card.avatar_url, "2"),
                    rx.vstack(
                        unstyled_button(
                            rx.text(card.name, weight="medium", size="2", trim="both"),
                            on_click=LeadDetailState.open_lead(card.id),
                            style={"textAlign": "left", "color": "inherit"},
                            aria_label=tr("leads.open", name=card.name),
                        ),
                        rx.cond(
                            card.company != "",
                            rx.text(card.company, size="1", color_scheme="gray", trim="both"),
                        ),
                        spacing="0",
                        align="start",
                        flex="1",
                        min_width="0",
                    ),
                    _card_menu(card),
                    spacing="2",
                    align="start",
                    width="100%",
                ),
                rx.hstack(platform_tag(card.platform), score_badge(card.score), spacing="1", wrap="wrap"),
                rx.cond(card.tags.length() > 0, tags_row(card.tags, 2)),
                spacing="2",
                width="100%",
            ),
            size="1",
            width="100%",
            style={"cursor": "grab"},
        ),
        lead_id=card.id,
        data_testid="kanban-card",
        width="100%",
        style={"&[data-dragging]": {"opacity": "0.4"}},
    )


def _column(column: Any) -> rx.Component:
    return drop_column(
        rx.hstack(
            rx.box(
                width="0.7em", height="0.7em", border_radius="50%", background=column.color, flex_shrink="0"
            ),
            rx.text(column.name, weight="bold", size="2", trim="both"),
            rx.badge(
                column.total.to_string(),
                radius="full",
                variant="soft",
                color_scheme="gray",
                data_testid="column-count",
            ),
            align="center",
            spacing="2",
            width="100%",
            padding_x="0.25em",
        ),
        rx.vstack(
            rx.foreach(column.cards, _card),
            rx.cond(
                column.cards.length() == 0,
                rx.center(
                    rx.text(tr("kanban.empty_column"), size="1", color_scheme="gray"),
                    padding_y="1.5em",
                    width="100%",
                    border=f"1px dashed {rx.color('gray', 6)}",
                    border_radius="0.5em",
                ),
            ),
            rx.cond(
                column.has_more,
                rx.button(
                    tr("kanban.load_more"),
                    size="1",
                    variant="ghost",
                    width="100%",
                    on_click=K.load_more(column.stage_id),
                ),
            ),
            spacing="2",
            width="100%",
            min_height="4em",
            flex="1",
        ),
        stage_id=column.stage_id,
        on_drop=K.drop,
        data_testid="kanban-column",
        role="list",
        aria_label=column.name,
        style={
            "display": "flex",
            "flexDirection": "column",
            "gap": "0.6em",
            "width": "17em",
            "minWidth": "17em",
            "padding": "0.75em",
            "borderRadius": "0.8em",
            "background": rx.color("gray", 2),
            "border": f"1px solid {rx.color('gray', 4)}",
            "alignSelf": "stretch",
            "&[data-drop-active]": {
                "background": rx.color("violet", 3),
                "borderColor": rx.color("violet", 7),
            },
        },
    )


def _toolbar() -> rx.Component:
    return page_header(
        tr("kanban.title"),
        tr("kanban.subtitle"),
        toolbar(
            search_input(K.search, K.set_search, tr("kanban.search"), "kanban-search"),
            options_select(
                K.pipelines,
                value=K.pipeline_id,
                on_change=K.set_pipeline,
                trigger={"aria_label": tr("kanban.pipeline"), "id": "pipeline-picker"},
            ),
        ),
    )


def kanban_view() -> rx.Component:
    return rx.vstack(
        watch(LeadsShared.version, K.live_changed),
        _toolbar(),
        rx.cond(
            K.board.length() > 0,
            rx.box(
                rx.hstack(rx.foreach(K.board, _column), spacing="3", align="start", min_height="60vh"),
                width="100%",
                overflow_x="auto",
                padding_bottom="1em",
                id="kanban-board",
                opacity=rx.cond(K.loading, "0.6", "1"),
            ),
            rx.cond(
                K.loading,
                rx.center(rx.spinner(size="3"), padding_y="4em", width="100%"),
                empty_state("columns_3", tr("kanban.no_pipeline"), tr("pipelines.subtitle")),
            ),
        ),
        lead_drawer(),
        spacing="4",
        width="100%",
    )
