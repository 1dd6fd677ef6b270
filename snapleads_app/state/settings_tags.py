"""Settings → Tags: list with colours and lead counts, create, rename/recolour, delete."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from pydantic import ValidationError

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Conflict
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import TagIn, TagUpdate
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.session import SessionState

# A palette that reads well on light backgrounds (the service accepts any #rrggbb).
PALETTE = (
    "#6366f1",
    "#8b5cf6",
    "#ec4899",
    "#ef4444",
    "#f97316",
    "#f59e0b",
    "#22c55e",
    "#14b8a6",
    "#06b6d4",
    "#3b82f6",
    "#64748b",
)


@dataclasses.dataclass
class TagRow:
    id: str = ""
    name: str = ""
    color: str = ""
    lead_count: int = 0


class SettingsTagsState(SessionState):
    tags: rx.Field[list[TagRow]] = rx.field(default_factory=list)
    loaded: rx.Field[bool] = rx.field(False)
    can_manage: rx.Field[bool] = rx.field(False)
    can_create: rx.Field[bool] = rx.field(False)
    new_color: rx.Field[str] = rx.field(PALETTE[0])
    error: rx.Field[str] = rx.field("")
    editing_id: rx.Field[str] = rx.field("")
    edit_name: rx.Field[str] = rx.field("")
    edit_color: rx.Field[str] = rx.field("")
    edit_error: rx.Field[str] = rx.field("")

    async def _reload(self, ctx: Ctx) -> None:
        found = await run_service(tags.list_tags, ctx=ctx)
        self.tags = [TagRow(id=str(t.id), name=t.name, color=t.color, lead_count=t.lead_count) for t in found]
        # Controls only; the service decides (create: anyone but viewers; change/delete: managers up).
        self.can_manage = rules.can(ctx.role, "tags.manage")
        self.can_create = ctx.role != "viewer"
        self.loaded = True

    def _problem(self, exc: Exception) -> str:
        if isinstance(exc, Conflict) and exc.code == "tag_exists":
            return self._t("error.tag_exists")
        if isinstance(exc, ValidationError):
            return self._t("tags.name_invalid")
        raise exc

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        self.editing_id = ""
        self.error = ""
        await self._reload(ctx)

    @rx.event
    def set_new_color(self, color: str) -> None:
        if color in PALETTE:
            self.new_color = color

    @rx.event
    @guarded
    async def create(self, form_data: dict[str, Any]):
        ctx = await self._ctx()
        try:
            data = TagIn(name=str(form_data.get("name") or ""), color=self.new_color)
            created = await run_service(tags.create_tag, ctx=ctx, data=data)
        except (Conflict, ValidationError) as exc:
            self.error = self._problem(exc)
            return None
        self.error = ""
        await self._reload(ctx)
        return [
            rx.set_value("new-tag-name", ""),
            rx.toast.success(self._t("tags.created", name=created.name)),
        ]

    @rx.event
    def start_edit(self, tag_id: str) -> None:
        row = next((t for t in self.tags if t.id == tag_id), None)
        if row is None:
            return
        self.editing_id = row.id
        self.edit_name = row.name
        self.edit_color = row.color
        self.edit_error = ""

    @rx.event
    def cancel_edit(self) -> None:
        self.editing_id = ""
        self.edit_error = ""

    @rx.event
    def set_edit_name(self, value: str) -> None:
        self.edit_name = str(value)[:60]

    @rx.event
    def set_edit_color(self, color: str) -> None:
        if color in PALETTE:
            self.edit_color = color

    @rx.event
    @guarded
    async def save_edit(self):
        if not self.editing_id:
            return None
        ctx = await self._ctx()
        try:
            data = TagUpdate(name=self.edit_name, color=self.edit_color or None)
            await run_service(tags.update_tag, ctx=ctx, tag_id=int(self.editing_id), data=data)
        except (Conflict, ValidationError) as exc:
            self.edit_error = self._problem(exc)
            return None
        self.editing_id = ""
        self.edit_error = ""
        await self._reload(ctx)
        return rx.toast.success(self._t("tags.saved"))

    @rx.event
    @guarded
    async def delete(self, tag_id: str):
        await self._change(tags.delete_tag, tag_id=int(tag_id))
        return rx.toast.success(self._t("tags.deleted"))
