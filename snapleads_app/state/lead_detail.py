"""Lead detail drawer (opened from the table and the board): inline edits, tags, status/stage,
assignee, notes, activity timeline, possible duplicates with merge, delete with undo."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx
from pydantic import ValidationError

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Conflict, InvalidInput
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.leads import rules as lead_rules
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadPublic, LeadUpdate
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import TagIn, TagPublic
from snapleads_app.domain.timeline.models import ActivityPublic
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.leads import (
    LeadRow,
    LeadsState,
    Option,
    TagChip,
    display_name,
    field_errors,
    initials,
    lead_row,
    load_lookups,
    tag_chips,
    undo_toast,
)
from snapleads_app.state.realtime_leads import current_version, observe_change, remember_own
from snapleads_app.state.session import SessionState

# Fields edited inline (text inputs); status, assignee, tags and stage have their own controls.
EDITABLE = (
    "full_name",
    "username",
    "profile_url",
    "email",
    "phone",
    "company",
    "headline",
    "location",
    "website",
    "bio",
    "notes",
)
ACTIVITY_ICONS = {
    "lead.created": "sparkles",
    "lead.updated": "pencil",
    "lead.deleted": "trash_2",
    "lead.restored": "undo_2",
    "lead.assigned": "user_check",
    "lead.merged": "merge",
    "lead.merge_undone": "undo_2",
    "status.changed": "flag",
    "stage.changed": "columns_3",
    "tag.added": "tag",
    "tag.removed": "tag",
}


@dataclasses.dataclass
class ActivityRow:
    id: str = ""
    type: str = ""
    icon: str = "dot"
    who: str = ""
    when: str = ""
    detail: str = ""
    merged_lead_id: str = ""  # on "lead.merged": the lead that was merged in (its merge can be undone)


def _activity(
    activity: ActivityPublic, names: dict[int, str], tag_map: dict[int, TagPublic], stages: dict[int, str]
) -> ActivityRow:
    data = activity.data or {}
    detail = ""
    if activity.type == "status.changed":
        detail = f"{data.get('from') or ''} → {data.get('to') or ''}".strip()
    elif activity.type == "stage.changed":
        detail = f"{stages.get(data.get('from') or 0, '')} → {stages.get(data.get('to') or 0, '')}".strip()
    elif activity.type in ("tag.added", "tag.removed"):
        ids = data.get("tag_ids") or [data.get("tag_id")]
        detail = ", ".join(tag_map[i].name for i in ids if i in tag_map)
    elif activity.type == "lead.assigned":
        detail = names.get(data.get("to") or 0, "—")
    elif activity.type == "lead.updated":
        detail = ", ".join(str(f) for f in data.get("fields") or [])
    elif activity.type == "lead.created":
        detail = str(data.get("source") or "")
    return ActivityRow(
        id=str(activity.id),
        type=activity.type,
        icon=ACTIVITY_ICONS.get(activity.type, "dot"),
        who=names.get(activity.actor_user_id or 0, "") or activity.via,
        when=activity.created_at.strftime("%Y-%m-%d %H:%M"),
        detail=detail,
        merged_lead_id=str(data.get("merged_lead_id") or "") if activity.type == "lead.merged" else "",
    )


class LeadDetailState(SessionState):
    open: rx.Field[bool] = rx.field(False)
    lead_id: rx.Field[str] = rx.field("")
    loading: rx.Field[bool] = rx.field(False)
    name: rx.Field[str] = rx.field("")
    avatar_initials: rx.Field[str] = rx.field("")
    platform: rx.Field[str] = rx.field("")
    status: rx.Field[str] = rx.field("")
    score: rx.Field[int] = rx.field(0)
    stage_id: rx.Field[str] = rx.field("")
    assignee_id: rx.Field[str] = rx.field("")
    created: rx.Field[str] = rx.field("")
    source: rx.Field[str] = rx.field("")
    values: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # Bumped after each load so the uncontrolled inputs re-mount with the stored values.
    revision: rx.Field[int] = rx.field(0)
    lead_tags: rx.Field[list[TagChip]] = rx.field(default_factory=list)
    tag_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    member_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    stage_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    activities: rx.Field[list[ActivityRow]] = rx.field(default_factory=list)
    duplicates: rx.Field[list[LeadRow]] = rx.field(default_factory=list)
    new_tag: rx.Field[str] = rx.field("")
    can_edit: rx.Field[bool] = rx.field(False)
    can_assign: rx.Field[bool] = rx.field(False)
    can_delete: rx.Field[bool] = rx.field(False)
    can_create_tags: rx.Field[bool] = rx.field(False)
    _live_seen: int = 0
    _own_changes: dict[str, float] = {}  # noqa: RUF012

    @rx.var
    def available_tags(self) -> list[Option]:
        mine = {t.id for t in self.lead_tags}
        return [o for o in self.tag_options if o.value not in mine]

    async def _refresh(self, ctx: Ctx, lead: LeadPublic | None = None) -> None:
        lead_id = int(self.lead_id)
        if lead is None:
            lead = await run_service(leads.get_lead, ctx=ctx, lead_id=lead_id)
        tag_map, names, tag_opts, member_opts = await load_lookups(ctx)
        found = await run_service(pipelines.list_pipelines, ctx=ctx)
        stage_names = {s.id: s.name for p in found for s in p.stages}
        self.stage_options = [
            Option(value=str(s.id), label=s.name if p.is_default else f"{p.name} · {s.name}", color=s.color)
            for p in found
            for s in p.stages
        ]
        self.tag_options = tag_opts
        self.member_options = member_opts
        self.name = display_name(lead)
        self.avatar_initials = initials(self.name)
        self.platform = lead.platform
        self.status = lead.status
        self.score = lead.score
        self.stage_id = str(lead.stage_id or "")
        self.assignee_id = str(lead.assignee_id or "")
        self.created = lead.created_at.strftime("%Y-%m-%d %H:%M")
        self.source = lead.source
        self.values = {f: str(getattr(lead, f) or "") for f in EDITABLE}
        self.lead_tags = tag_chips(lead.tag_ids, tag_map)
        self.can_edit = lead_rules.may_edit(ctx.role, ctx.user_id, lead.assignee_id)
        self.can_assign = rules.can(ctx.role, "leads.assign")
        self.can_delete = rules.can(ctx.role, "leads.delete")
        self.can_create_tags = rules.can(ctx.role, "leads.create")
        activities = await run_service(leads.list_activities, ctx=ctx, lead_id=lead_id, limit=50)
        self.activities = [_activity(a, names, tag_map, stage_names) for a in activities]
        dups = await run_service(leads.possible_duplicates, ctx=ctx, lead_id=lead_id)
        self.duplicates = [lead_row(d, tag_map, names) for d in dups]
        self.revision += 1

    def _touched(self) -> None:
        self._own_changes = remember_own(self._own_changes, [self.lead_id])

    # ------------------------------------------------------------ open / close

    @rx.event
    @guarded
    async def open_lead(self, lead_id: str):
        ctx = await self._ctx()
        self.lead_id = str(lead_id)
        self.errors = {}
        self.new_tag = ""
        self.open = True
        self.loading = True
        # Changes up to here are in what _refresh reads; later ones reach live_changed.
        self._live_seen = await asyncio.to_thread(current_version, ctx.workspace_id)
        try:
            await self._refresh(ctx)
        except Exception:
            self.open = False
            raise
        finally:
            self.loading = False

    @rx.event
    def set_open(self, open_: bool) -> None:
        self.open = bool(open_)
        if not open_:
            self.errors = {}

    # ------------------------------------------------------------ edits

    async def _change_lead(self, service: Callable[..., LeadPublic], /, **kwargs: Any) -> None:
        """Apply `service` to the open lead as the signed-in user, mark it as this tab's own change
        and show the lead the service returned."""
        ctx = await self._ctx()
        lead = await run_service(service, ctx=ctx, lead_id=int(self.lead_id), **kwargs)
        self._touched()
        await self._refresh(ctx, lead)

    async def _update(self, ctx: Ctx, data: dict[str, Any], field: str) -> bool:
        try:
            lead = await run_service(
                leads.update_lead, ctx=ctx, lead_id=int(self.lead_id), data=LeadUpdate.model_validate(data)
            )
        except (InvalidInput, Conflict, ValidationError) as exc:
            errors = field_errors(exc, self.lang)
            if field in ("username", "profile_url") and "profile_url" in errors and field not in errors:
                errors[field] = errors.pop("profile_url")
            self.errors = {**{k: v for k, v in self.errors.items() if k != field}, **(errors or {field: "?"})}
            return False
        self.errors = {k: v for k, v in self.errors.items() if k != field}
        self._touched()
        await self._refresh(ctx, lead)
        return True

    @rx.event
    @guarded
    async def save_field(self, field: str, value: str):
        if field not in EDITABLE:
            return None
        value = str(value).strip()
        if value == self.values.get(field, ""):
            self.errors = {k: v for k, v in self.errors.items() if k != field}
            return None
        ctx = await self._ctx()
        if await self._update(ctx, {field: value or None}, field):
            return rx.toast.success(self._t("detail.saved"), duration=1500)
        return None

    @rx.event
    @guarded
    async def set_status(self, status: str):
        ctx = await self._ctx()
        if status != self.status and await self._update(ctx, {"status": status}, "status"):
            return rx.toast.success(self._t("detail.saved"), duration=1500)
        return None

    @rx.event
    @guarded
    async def set_stage(self, stage_id: str):
        if stage_id == self.stage_id or not stage_id.isdigit():
            return
        await self._change_lead(leads.move_lead, data=leads.MoveIn(stage_id=int(stage_id)))

    @rx.event
    @guarded
    async def set_assignee(self, assignee_id: str):
        await self._change_lead(
            leads.assign_lead, assignee_id=int(assignee_id) if assignee_id.isdigit() else None
        )

    # ------------------------------------------------------------ tags

    @rx.event
    @guarded
    async def add_tag(self, tag_id: str):
        if not str(tag_id).isdigit():
            return
        await self._change_lead(leads.add_tags, tag_ids=[int(tag_id)])

    @rx.event
    @guarded
    async def remove_tag(self, tag_id: str):
        await self._change_lead(leads.remove_tags, tag_ids=[int(tag_id)])

    @rx.event
    def set_new_tag(self, value: str) -> None:
        self.new_tag = str(value)[:60]

    @rx.event
    @guarded
    async def create_tag(self, form_data: dict[str, Any] | None = None):
        name = str((form_data or {}).get("tag_name") or self.new_tag).strip()
        if not name:
            return None
        ctx = await self._ctx()
        existing = next((o for o in self.tag_options if o.label.lower() == name.lower()), None)
        if existing is not None:
            tag_id = int(existing.value)
        else:
            created = await run_service(tags.create_tag, ctx=ctx, data=TagIn(name=name))
            tag_id = created.id
        lead = await run_service(leads.add_tags, ctx=ctx, lead_id=int(self.lead_id), tag_ids=[tag_id])
        self.new_tag = ""
        self._touched()
        await self._refresh(ctx, lead)
        return rx.set_value("new-tag-name", "")

    # ------------------------------------------------------------ merge / delete

    @rx.event
    @guarded
    async def merge(self, secondary_id: str):
        ctx = await self._ctx()
        lead = await run_service(
            leads.merge_leads, ctx=ctx, primary_id=int(self.lead_id), secondary_id=int(secondary_id)
        )
        self._own_changes = remember_own(self._own_changes, [self.lead_id, secondary_id])
        await self._refresh(ctx, lead)
        return rx.toast.success(self._t("detail.merged"))

    @rx.event
    @guarded
    async def undo_merge(self, secondary_id: str):
        """Undo the merge of `secondary_id` into this lead (the service decides what comes back)."""
        ctx = await self._ctx()
        merges = await run_service(leads.list_merges, ctx=ctx, lead_id=int(self.lead_id))
        merge = next((m for m in merges if str(m.secondary_id) == str(secondary_id) and not m.undone), None)
        if merge is None:
            return rx.toast.info(self._t("detail.merge_already_undone"))
        await run_service(leads.undo_merge, ctx=ctx, audit_id=merge.audit_id)
        self._own_changes = remember_own(self._own_changes, [self.lead_id, str(secondary_id)])
        await self._refresh(ctx)
        return rx.toast.success(self._t("detail.merge_undone"))

    @rx.event
    @guarded
    async def delete(self):
        ctx = await self._ctx()
        lead_id = int(self.lead_id)
        await run_service(leads.delete_lead, ctx=ctx, lead_id=lead_id)
        self.open = False
        return undo_toast(self._t("leads.deleted_one"), self._t("leads.undo"), [lead_id])

    # ------------------------------------------------------------ live

    @rx.event
    @guarded
    async def live_changed(self, version: int):
        action, change = await observe_change(self, version)
        if action == "skip" or not self.open or not self.lead_id:
            return None
        if action == "partial" and self.lead_id not in change.get("ids", "").split(","):
            return None
        ctx = await self._ctx()
        if change.get("type") == "lead.deleted" and self.lead_id in change.get("ids", "").split(","):
            self.open = False
            return rx.toast.info(self._t("detail.deleted_elsewhere"))
        await self._refresh(ctx)
        return None


__all__ = ["LeadDetailState", "LeadsState"]
