"""Settings → Members: list, invite, change role, remove, revoke. Every rule is the service's."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.core.settings import get_settings
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import InviteIn
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.session import SessionState


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


class MembersState(SessionState):
    members: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    invitations: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    invite_link: rx.Field[str] = rx.field("")
    invite_role: rx.Field[str] = rx.field("agent")

    async def _reload(self, ctx: Any) -> None:
        members = await run_service(accounts.list_members, ctx=ctx)
        self.members = [
            {
                "user_id": str(m.user_id),
                "full_name": m.full_name,
                "email": m.email,
                "role": m.role,
                "joined": _date(m.joined_at),
                "is_me": "1" if m.user_id == ctx.user_id else "",
            }
            for m in members
        ]
        self.can_manage_members = rules.can(ctx.role, "members.manage")
        if self.can_manage_members:
            invitations = await run_service(accounts.list_invitations, ctx=ctx)
            self.invitations = [
                {
                    "id": str(i.id),
                    "email": i.email,
                    "role": i.role,
                    "status": i.status,
                    "expires": _date(i.expires_at),
                }
                for i in invitations
                if i.status == "pending"
            ]
        else:
            self.invitations = []

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        await self._reload(ctx)

    @rx.event
    def set_invite_role(self, role: str) -> None:
        self.invite_role = role

    @rx.event
    @guarded
    async def invite(self, form_data: dict[str, Any]):
        ctx = await self._ctx()
        data = InviteIn.model_validate(
            {"email": str(form_data.get("email", "")), "role": str(form_data.get("role") or self.invite_role)}
        )
        created = await run_service(accounts.invite, ctx=ctx, data=data)
        self.invite_link = get_settings().public_url.rstrip("/") + created.accept_path
        await self._reload(ctx)
        return [rx.set_value("invite_email", ""), rx.toast.success(self._t("members.invited"))]

    @rx.event
    def clear_invite_link(self) -> None:
        self.invite_link = ""

    @rx.event
    def copy_invite_link(self):
        return [rx.set_clipboard(self.invite_link), rx.toast.info(self._t("common.copied"))]

    @rx.event
    @guarded
    async def change_role(self, user_id: str, role: str):
        await self._change(accounts.change_role, user_id=int(user_id), role=role)
        return rx.toast.success(self._t("members.role_changed"))

    @rx.event
    @guarded
    async def remove_member(self, user_id: str):
        await self._change(accounts.remove_member, user_id=int(user_id))
        return rx.toast.success(self._t("members.removed"))

    @rx.event
    @guarded
    async def revoke_invitation(self, invitation_id: str):
        await self._change(accounts.revoke_invitation, invitation_id=int(invitation_id))
        return rx.toast.success(self._t("members.revoked"))
