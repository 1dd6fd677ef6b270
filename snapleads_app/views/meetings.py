"""Meetings: the "schedule a meeting" dialog, the lead drawer's section and the dashboard card."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.widgets import error_callout, section_card
from snapleads_app.state.i18n import tr
from snapleads_app.state.meetings import MeetingState as M


def _field(label: Any, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), control, spacing="1", width="100%")


def meeting_dialog() -> rx.Component:
    """Rendered once per page (inside the lead drawer's fragment): the drawer and the Kanban open it."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    M.editing.id != "",
                    tr("meeting.edit_title", lead=M.dialog_lead_name),
                    tr("meeting.dialog_title", lead=M.dialog_lead_name),
                )
            ),
            rx.form(
                rx.vstack(
                    _field(
                        tr("meeting.starts_at"),
                        rx.input(
                            type="datetime-local",
                            name="starts_at",
                            id="meeting-starts",
                            required=True,
                            default_value=M.editing.local_input,
                        ),
                    ),
                    rx.cond(
                        M.tz != "", rx.text(tr("meeting.timezone", tz=M.tz), size="1", color_scheme="gray")
                    ),
                    _field(
                        tr("meeting.duration"),
                        rx.input(
                            type="number",
                            name="duration_minutes",
                            default_value=M.editing.duration.to_string(),
                            min=5,
                            max=1440,
                            step=5,
                        ),
                    ),
                    _field(
                        tr("meeting.location"),
                        rx.input(
                            name="location",
                            id="meeting-location",
                            max_length=2048,
                            default_value=M.editing.location,
                        ),
                    ),
                    _field(
                        tr("meeting.notes"),
                        rx.text_area(name="notes", rows="3", max_length=5000, default_value=M.editing.notes),
                    ),
                    error_callout(M.error, "meeting-error"),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(tr("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            rx.cond(M.saving, rx.spinner(size="2"), rx.icon("calendar_plus", size=14)),
                            tr("meeting.save"),
                            type="submit",
                            disabled=M.saving,
                            id="meeting-save",
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=M.create,
                reset_on_submit=False,
                key=M.editing.id,  # a fresh form (with its defaults) for each meeting edited
            ),
            max_width="28em",
        ),
        open=M.dialog_open,
        on_open_change=M.set_dialog_open,
    )


def schedule_button(lead_id: Any, lead_name: Any, **props: Any) -> rx.Component:
    return rx.button(
        rx.icon("calendar_plus", size=14),
        tr("meeting.new"),
        size="1",
        variant="soft",
        on_click=M.open_new(lead_id, lead_name),
        **props,
    )


def _meeting_item(m: Any, *, removable: bool) -> rx.Component:
    return rx.hstack(
        rx.icon("calendar", size=16, color=rx.color("violet", 10)),
        rx.vstack(
            rx.text(m.when, " · ", m.duration, " min", size="2", weight="medium"),
            rx.cond(m.location != "", rx.text(m.location, size="1", color_scheme="gray", trim="both")),
            rx.cond(m.notes != "", rx.text(m.notes, size="1", color_scheme="gray", trim="both")),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.icon_button(
            rx.icon("download", size=14),
            variant="ghost",
            size="1",
            on_click=M.download(m.id),
            aria_label=tr("meeting.download"),
            title=tr("meeting.download"),
        ),
        rx.cond(
            removable,
            rx.icon_button(
                rx.icon("pencil", size=14),
                variant="ghost",
                size="1",
                on_click=M.open_edit(m.id),
                aria_label=tr("meeting.edit"),
                title=tr("meeting.edit"),
                data_testid="meeting-edit",
            ),
        ),
        rx.cond(
            removable,
            rx.icon_button(
                rx.icon("trash_2", size=14),
                variant="ghost",
                color_scheme="red",
                size="1",
                on_click=M.delete(m.id),
                aria_label=tr("meeting.delete"),
                title=tr("meeting.delete"),
            ),
        ),
        align="start",
        spacing="2",
        width="100%",
        data_testid="meeting-item",
    )


def lead_meetings_section(lead_id: Any, lead_name: Any, can_edit: Any) -> rx.Component:
    """For the lead drawer: the lead's meetings and the button to schedule one."""
    return rx.vstack(
        rx.hstack(
            rx.text(
                tr("meeting.section"),
                size="1",
                weight="bold",
                color_scheme="gray",
                text_transform="uppercase",
            ),
            rx.spacer(),
            rx.cond(can_edit, schedule_button(lead_id, lead_name, id="schedule-meeting")),
            align="center",
            width="100%",
        ),
        rx.cond(
            M.lead_meetings.length() > 0,
            rx.vstack(
                rx.foreach(M.lead_meetings, lambda m: _meeting_item(m, removable=can_edit)), width="100%"
            ),
            rx.text(tr("meeting.none"), size="2", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
        on_mount=M.load_for_lead(lead_id),
        key=lead_id,
    )


def upcoming_meetings_card() -> rx.Component:
    """For the dashboard: the signed-in user's next meetings in this workspace."""
    return section_card(
        tr("dashboard.meetings_title"),
        rx.cond(
            M.upcoming.length() > 0,
            rx.vstack(
                rx.foreach(
                    M.upcoming,
                    lambda m: rx.vstack(
                        rx.text(m.lead_name, size="2", weight="medium"),
                        _meeting_item(m, removable=False),
                        spacing="1",
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            rx.text(tr("dashboard.no_meetings"), size="2", color_scheme="gray"),
        ),
        on_mount=M.load_upcoming,
        id="upcoming-meetings",
    )
