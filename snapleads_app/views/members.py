"""Settings → Members: members table, pending invitations, invite form with the accept link."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.dialogs import confirm_dialog
from snapleads_app.components.widgets import page_title, section_card
from snapleads_app.domain.accounts.models import ROLES
from snapleads_app.state.i18n import tr
from snapleads_app.state.members import MembersState
from snapleads_app.views.common import role_badge, status_label


def _role_select(member: Any) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=tr("members.col_role")),
        rx.select.content(*[rx.select.item(tr(f"role.{r}"), value=r) for r in ROLES]),
        value=member["role"],
        on_change=lambda role: MembersState.change_role(member["user_id"], role),
        size="2",
    )


def _remove_button(member: Any) -> rx.Component:
    return confirm_dialog(
        rx.icon_button(
            rx.icon("user_minus", size=16),
            color_scheme="red",
            variant="soft",
            aria_label=tr("members.remove"),
        ),
        title=tr("members.remove"),
        description=tr("members.remove_confirm", name=member["full_name"]),
        cancel_label=tr("common.cancel"),
        confirm=rx.button(
            tr("members.remove"),
            color_scheme="red",
            on_click=MembersState.remove_member(member["user_id"]),
        ),
    )


def _member_row(member: Any) -> rx.Component:
    manageable = MembersState.can_manage_members & (member["is_me"] == "")
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.text(member["full_name"], weight="medium"),
                rx.cond(member["is_me"] != "", rx.badge(tr("members.you"), variant="outline", size="1")),
                spacing="2",
                align="center",
            )
        ),
        rx.table.cell(member["email"]),
        rx.table.cell(rx.cond(manageable, _role_select(member), role_badge(member["role"]))),
        rx.table.cell(member["joined"], display=["none", "none", "table-cell"]),
        rx.cond(
            MembersState.can_manage_members,
            rx.table.cell(rx.cond(manageable, _remove_button(member), rx.fragment())),
        ),
        align="center",
        data_testid="member-row",
    )


def members_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(tr("members.col_name")),
                rx.table.column_header_cell(tr("members.col_email")),
                rx.table.column_header_cell(tr("members.col_role")),
                rx.table.column_header_cell(tr("members.col_joined"), display=["none", "none", "table-cell"]),
                rx.cond(
                    MembersState.can_manage_members, rx.table.column_header_cell(tr("members.col_actions"))
                ),
            )
        ),
        rx.table.body(rx.foreach(MembersState.members, _member_row)),
        variant="surface",
        width="100%",
    )


def _invitation_row(invitation: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(invitation["email"]),
        rx.table.cell(role_badge(invitation["role"])),
        rx.table.cell(status_label(invitation["status"])),
        rx.table.cell(invitation["expires"], display=["none", "table-cell"]),
        rx.table.cell(
            rx.button(
                tr("members.revoke"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=MembersState.revoke_invitation(invitation["id"]),
            )
        ),
        align="center",
        data_testid="invitation-row",
    )


def invitations_table() -> rx.Component:
    return rx.cond(
        MembersState.invitations.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(tr("members.col_email")),
                    rx.table.column_header_cell(tr("members.col_role")),
                    rx.table.column_header_cell(tr("members.col_status")),
                    rx.table.column_header_cell(tr("members.col_expires"), display=["none", "table-cell"]),
                    rx.table.column_header_cell(tr("members.col_actions")),
                )
            ),
            rx.table.body(rx.foreach(MembersState.invitations, _invitation_row)),
            variant="surface",
            width="100%",
        ),
        rx.text(tr("members.no_invitations"), color_scheme="gray", size="2"),
    )


def invite_form() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.flex(
                rx.vstack(
                    rx.text(tr("members.invite_email"), as_="label", html_for="invite_email", size="2"),
                    rx.input(
                        name="email", id="invite_email", type="email", required=True, size="3", width="100%"
                    ),
                    spacing="1",
                    flex="1",
                    min_width="14em",
                ),
                rx.vstack(
                    rx.text(tr("members.invite_role"), size="2"),
                    rx.select.root(
                        rx.select.trigger(aria_label=tr("members.invite_role"), id="invite_role"),
                        rx.select.content(*[rx.select.item(tr(f"role.{r}"), value=r) for r in ROLES]),
                        name="role",
                        value=MembersState.invite_role,
                        on_change=MembersState.set_invite_role,
                        size="3",
                    ),
                    spacing="1",
                ),
                rx.button(
                    rx.icon("send", size=16),
                    tr("members.invite_button"),
                    type="submit",
                    size="3",
                    id="invite-submit",
                ),
                spacing="3",
                align="end",
                wrap="wrap",
                width="100%",
            ),
            on_submit=MembersState.invite,
            width="100%",
        ),
        rx.cond(
            MembersState.invite_link != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("link")),
                rx.vstack(
                    rx.text(tr("members.invite_link_title"), weight="bold"),
                    rx.text(tr("members.invite_link_hint"), size="2"),
                    rx.hstack(
                        rx.code(MembersState.invite_link, id="invite-link", word_break="break-all"),
                        rx.icon_button(
                            rx.icon("copy", size=16),
                            on_click=MembersState.copy_invite_link,
                            variant="soft",
                            aria_label=tr("common.copy"),
                        ),
                        align="center",
                        spacing="2",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                color_scheme="grass",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


def members_view() -> rx.Component:
    return rx.vstack(
        page_title(tr("members.title"), tr("members.subtitle")),
        rx.cond(MembersState.can_manage_members, section_card(tr("members.invite_title"), invite_form())),
        section_card(tr("members.members"), members_table()),
        rx.cond(
            MembersState.can_manage_members, section_card(tr("members.invitations"), invitations_table())
        ),
        spacing="5",
        width="100%",
    )
