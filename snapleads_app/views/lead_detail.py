"""The lead detail drawer: inline edits (saved on blur), tags, status/stage, assignee, timeline,
possible duplicates with merge, delete. Used by /leads and /kanban."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.dialogs import confirm_dialog
from snapleads_app.components.lead_widgets import field_error, score_badge, tag_chip
from snapleads_app.components.live import watch
from snapleads_app.components.widgets import (
    VISUALLY_HIDDEN_STYLE,
    captioned,
    options_select,
    unstyled_button,
)
from snapleads_app.state.i18n import tr
from snapleads_app.state.lead_detail import LeadDetailState
from snapleads_app.state.leads import STATUSES
from snapleads_app.state.realtime_leads import LeadsShared
from snapleads_app.views.leads_common import lead_avatar, platform_tag, status_label
from snapleads_app.views.meetings import lead_meetings_section, meeting_dialog
from snapleads_app.views.settings_scoring import score_explanation

D = LeadDetailState


def _section(title: Any, *children: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="1", weight="bold", color_scheme="gray", text_transform="uppercase"),
        *children,
        spacing="2",
        width="100%",
    )


def _text_field(field: str, *, multiline: bool = False, type_: Any = "text") -> rx.Component:
    error = D.errors.get(field, "")
    common: dict[str, Any] = {
        "id": f"detail-{field}",
        "default_value": D.values.get(field, ""),
        "on_blur": lambda value: D.save_field(field, value),
        "read_only": ~D.can_edit,
        "width": "100%",
        "aria_invalid": rx.cond(error != "", "true", "false"),
        "aria_describedby": f"detail-{field}-error",
        "key": D.lead_id + "-" + D.revision.to_string() + f"-{field}",
    }
    control = (
        rx.text_area(rows="3", resize="vertical", **common) if multiline else rx.input(type=type_, **common)
    )
    return rx.vstack(
        rx.text(
            tr(f"detail.field_{field}"),
            as_="label",
            html_for=f"detail-{field}",
            size="1",
            color_scheme="gray",
        ),
        control,
        field_error(error, f"detail-{field}"),
        spacing="1",
        width="100%",
    )


def _controls() -> rx.Component:
    def trigger(label_key: str, id_: str) -> dict[str, Any]:
        return {"aria_label": tr(label_key), "width": "100%", "id": id_}

    return rx.grid(
        captioned(
            tr("detail.status"),
            rx.select.root(
                rx.select.trigger(**trigger("detail.status", "detail-status")),
                rx.select.content(*[rx.select.item(status_label(s), value=s) for s in STATUSES]),
                value=D.status,
                on_change=D.set_status,
                disabled=~D.can_edit,
            ),
        ),
        captioned(
            tr("detail.stage"),
            options_select(
                D.stage_options,
                value=D.stage_id,
                on_change=D.set_stage,
                trigger=trigger("detail.stage", "detail-stage"),
                disabled=~D.can_edit,
            ),
        ),
        captioned(
            tr("detail.assignee"),
            options_select(
                D.member_options,
                value=rx.cond(D.assignee_id == "", "none", D.assignee_id),
                on_change=D.set_assignee,
                trigger=trigger("detail.assignee", "detail-assignee"),
                first=(rx.select.item(tr("detail.unassigned"), value="none"),),
                disabled=~D.can_assign,
            ),
        ),
        captioned(
            tr("detail.score"),
            rx.vstack(score_badge(D.score, tr("detail.score")), score_explanation(D.lead_id)),
        ),
        columns="2",
        spacing="3",
        width="100%",
    )


def _tags() -> rx.Component:
    return _section(
        tr("detail.tags"),
        rx.flex(
            rx.foreach(
                D.lead_tags,
                lambda t: tag_chip(
                    t.name,
                    t.color,
                    rx.cond(
                        D.can_edit,
                        unstyled_button(
                            rx.icon("x", size=10),
                            on_click=D.remove_tag(t.id),
                            aria_label=tr("detail.remove_tag", name=t.name),
                            style={"display": "inline-flex"},
                        ),
                    ),
                ),
            ),
            gap="1",
            wrap="wrap",
            id="detail-tags",
        ),
        rx.cond(
            D.can_edit,
            rx.flex(
                options_select(
                    D.available_tags,
                    value="",
                    on_change=D.add_tag,
                    trigger={"placeholder": tr("detail.add_tag"), "aria_label": tr("detail.add_tag")},
                    size="1",
                ),
                rx.cond(
                    D.can_create_tags,
                    rx.form(
                        rx.hstack(
                            rx.input(
                                name="tag_name",
                                id="new-tag-name",
                                placeholder=tr("detail.new_tag"),
                                aria_label=tr("detail.new_tag"),
                                size="1",
                            ),
                            rx.button(
                                rx.icon("plus", size=12),
                                tr("detail.create_tag"),
                                size="1",
                                variant="soft",
                                type="submit",
                            ),
                            spacing="1",
                        ),
                        on_submit=D.create_tag,
                        reset_on_submit=True,
                    ),
                ),
                gap="2",
                wrap="wrap",
                align="center",
            ),
        ),
    )


def _timeline() -> rx.Component:
    def item(a: Any) -> rx.Component:
        label = rx.match(
            a.type,
            *[
                (k, tr(f"activity.{k}"))
                for k in (
                    "lead.created",
                    "lead.updated",
                    "lead.deleted",
                    "lead.restored",
                    "lead.assigned",
                    "lead.merged",
                    "lead.merge_undone",
                    "status.changed",
                    "stage.changed",
                    "tag.added",
                    "tag.removed",
                )
            ],
            a.type,
        )
        return rx.hstack(
            rx.center(
                rx.icon("dot", size=14),
                width="1.6em",
                height="1.6em",
                border_radius="50%",
                background=rx.color("violet", 3),
                flex_shrink="0",
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(label, size="2", weight="medium"),
                    rx.text(a.detail, size="2", color_scheme="gray"),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(a.who, " · ", a.when, size="1", color_scheme="gray"),
                rx.cond(
                    (a.merged_lead_id != "") & D.can_delete,
                    rx.button(
                        rx.icon("undo_2", size=12),
                        tr("detail.undo_merge"),
                        size="1",
                        variant="ghost",
                        on_click=D.undo_merge(a.merged_lead_id),
                        data_testid="undo-merge",
                    ),
                ),
                spacing="0",
            ),
            spacing="2",
            align="start",
            data_testid="activity",
        )

    return _section(
        tr("detail.timeline"),
        rx.cond(
            D.activities.length() > 0,
            rx.vstack(rx.foreach(D.activities, item), spacing="3", width="100%"),
            rx.text(tr("detail.no_activity"), size="2", color_scheme="gray"),
        ),
    )


def _duplicates() -> rx.Component:
    return rx.cond(
        D.duplicates.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("merge")),
            rx.vstack(
                rx.text(tr("detail.duplicates"), weight="bold"),
                rx.text(tr("detail.duplicates_hint"), size="1"),
                rx.foreach(
                    D.duplicates,
                    lambda d: rx.hstack(
                        platform_tag(d.platform),
                        rx.text(d.name, size="2", weight="medium"),
                        rx.text(d.email, size="1", color_scheme="gray"),
                        rx.spacer(),
                        rx.cond(
                            D.can_delete,
                            rx.button(tr("detail.merge"), size="1", variant="soft", on_click=D.merge(d.id)),
                        ),
                        width="100%",
                        align="center",
                        wrap="wrap",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            width="100%",
        ),
    )


def _delete() -> rx.Component:
    return rx.cond(
        D.can_delete,
        confirm_dialog(
            rx.button(
                rx.icon("trash_2", size=14),
                tr("detail.delete"),
                color_scheme="red",
                variant="soft",
                id="detail-delete",
            ),
            title=tr("detail.delete"),
            description=tr("detail.delete_confirm", name=D.name),
            cancel_label=tr("common.cancel"),
            confirm=rx.button(tr("common.delete"), color_scheme="red", on_click=D.delete),
        ),
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            lead_avatar(D.avatar_initials, "", "4"),
            rx.vstack(
                rx.heading(D.name, size="5", id="detail-name"),
                rx.hstack(
                    platform_tag(D.platform),
                    rx.text(
                        tr("detail.created", when=D.created, source=D.source), size="1", color_scheme="gray"
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost", aria_label=tr("common.close"))),
            width="100%",
            align="start",
        ),
        rx.cond(~D.can_edit, rx.callout(tr("detail.read_only"), icon="lock", size="1", width="100%")),
        _duplicates(),
        _controls(),
        lead_meetings_section(D.lead_id, D.name, D.can_edit),
        _tags(),
        _section(
            tr("detail.fields"),
            rx.grid(
                _text_field("full_name"),
                _text_field("username"),
                _text_field("email", type_="email"),
                _text_field("phone", type_="tel"),
                _text_field("company"),
                _text_field("headline"),
                _text_field("location"),
                _text_field("website", type_="url"),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _text_field("profile_url", type_="url"),
            _text_field("bio", multiline=True),
            _text_field("notes", multiline=True),
        ),
        _timeline(),
        rx.hstack(rx.spacer(), _delete(), width="100%"),
        spacing="5",
        width="100%",
    )


def lead_drawer() -> rx.Component:
    return rx.fragment(
        watch(LeadsShared.version, D.live_changed),
        meeting_dialog(),
        rx.drawer.root(
            rx.drawer.overlay(z_index="50"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.box(
                        rx.drawer.title(tr("detail.title"), style=VISUALLY_HIDDEN_STYLE),
                        rx.cond(
                            D.loading & (D.name == ""),
                            rx.center(rx.spinner(size="3"), padding="4em"),
                            _content(),
                        ),
                        padding="1.5em",
                        height="100%",
                        overflow_y="auto",
                    ),
                    top="0",
                    right="0",
                    height="100%",
                    width=["100%", "100%", "36em"],
                    background=rx.color("gray", 1),
                    z_index="51",
                    id="lead-drawer",
                    role="dialog",
                    aria_label=tr("detail.title"),
                ),
            ),
            open=D.open,
            on_open_change=D.set_open,
            direction="right",
        ),
    )
