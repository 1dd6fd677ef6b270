"""Templates page: list with stats, editor (name, category, platform, body) and a live preview for a
chosen lead. The preview renders with the pure renderer on every keystroke over the lead's values,
fetched once per chosen lead through the templates service (the one place that lists them)."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from snapleads_app.core.context import Ctx
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadFilter
from snapleads_app.domain.templates import service as templates
from snapleads_app.domain.templates.models import TemplateIn, TemplatePublic, TemplateUpdate
from snapleads_app.domain.templates.render import render, variables_in
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.leads import Option, display_name
from snapleads_app.state.session import SessionState

CATEGORIES = ("outreach", "follow_up", "meeting", "closing", "other")
TEMPLATE_PLATFORMS = ("any", "instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "email")
VARIABLES = templates.LEAD_VARIABLES


@dataclasses.dataclass
class TemplateRow:
    id: str = ""
    name: str = ""
    category: str = ""
    platform: str = ""
    sent: int = 0
    replied: int = 0
    rate: str = ""


def template_row(t: TemplatePublic) -> TemplateRow:
    return TemplateRow(
        id=str(t.id),
        name=t.name,
        category=t.category,
        platform=t.platform,
        sent=t.sent_count,
        replied=t.replied_count,
        rate=f"{round(t.reply_rate * 100)}%",
    )


class TemplatesState(SessionState):
    rows: rx.Field[list[TemplateRow]] = rx.field(default_factory=list)
    selected_id: rx.Field[str] = rx.field("")  # "" = nothing open, "new" = a draft
    name: rx.Field[str] = rx.field("")
    body: rx.Field[str] = rx.field("")
    category: rx.Field[str] = rx.field("outreach")
    platform: rx.Field[str] = rx.field("any")
    lead_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    preview_lead_id: rx.Field[str] = rx.field("")
    preview: rx.Field[str] = rx.field("")
    missing: rx.Field[list[str]] = rx.field(default_factory=list)
    variables: rx.Field[list[str]] = rx.field(default_factory=list)
    can_manage: rx.Field[bool] = rx.field(False)
    loaded: rx.Field[bool] = rx.field(False)

    _lead_values: dict[str, Any] = {}  # noqa: RUF012 - the preview lead's template values

    def _render_preview(self) -> None:
        result = render(self.body, self._lead_values)
        self.preview = result.text
        self.missing = result.missing if self.preview_lead_id else []
        self.variables = variables_in(self.body)

    async def _reload(self, ctx: Ctx) -> None:
        found = await run_service(templates.list_templates, ctx=ctx)
        self.rows = [template_row(t) for t in found]

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        self.can_manage = rules.can(ctx.role, "templates.manage")
        await self._reload(ctx)
        page = await run_service(leads.list_leads, ctx=ctx, filters=LeadFilter(), limit=50)
        self.lead_options = [Option(value=str(lead.id), label=display_name(lead)) for lead in page.data]
        if not self.preview_lead_id and page.data:
            await self._choose_lead(ctx, str(page.data[0].id))
        self.loaded = True
        if (
            self.selected_id
            and self.selected_id != "new"
            and all(r.id != self.selected_id for r in self.rows)
        ):
            self.selected_id = ""

    async def _choose_lead(self, ctx: Ctx, lead_id: str) -> None:
        self.preview_lead_id = lead_id
        self._lead_values = {}
        if lead_id.isdigit():
            lead = await run_service(leads.get_lead, ctx=ctx, lead_id=int(lead_id))
            self._lead_values = templates.lead_variables(lead)
        self._render_preview()

    @rx.event
    @guarded
    async def set_preview_lead(self, lead_id: str):
        ctx = await self._ctx()
        await self._choose_lead(ctx, lead_id)

    @rx.event
    @guarded
    async def open(self, template_id: str):
        ctx = await self._ctx()
        t = await run_service(templates.get_template, ctx=ctx, template_id=int(template_id))
        self.selected_id = str(t.id)
        self.name, self.body, self.category, self.platform = t.name, t.body, t.category, t.platform
        self._render_preview()

    @rx.event
    def new(self):
        self.selected_id = "new"
        self.name, self.body, self.category, self.platform = "", "", "outreach", "any"
        self._render_preview()
        return rx.set_focus("template-name")

    @rx.event
    def set_name(self, value: str):
        self.name = value[:120]

    @rx.event
    def set_body(self, value: str):
        self.body = value[:5000]
        self._render_preview()

    @rx.event
    def insert_variable(self, name: str):
        self.body = f"{self.body}{{{{{name}}}}}"
        self._render_preview()

    @rx.event
    def set_category(self, value: str):
        self.category = value if value in CATEGORIES else "other"

    @rx.event
    def set_platform(self, value: str):
        self.platform = value if value in TEMPLATE_PLATFORMS else "any"

    @rx.event
    @guarded
    async def save(self):
        ctx = await self._ctx()
        fields = {"name": self.name, "body": self.body, "category": self.category, "platform": self.platform}
        if self.selected_id == "new":
            data = TemplateIn.model_validate(fields)
            saved = await run_service(templates.create_template, ctx=ctx, data=data)
        else:
            update = TemplateUpdate.model_validate(fields)
            saved = await run_service(
                templates.update_template, ctx=ctx, template_id=int(self.selected_id), data=update
            )
        self.selected_id = str(saved.id)
        await self._reload(ctx)
        return rx.toast.success(self._t("templates.saved"), duration=1500)

    @rx.event
    @guarded
    async def delete(self):
        if not self.selected_id.isdigit():
            self.selected_id = ""
            return None
        ctx = await self._ctx()
        await run_service(templates.delete_template, ctx=ctx, template_id=int(self.selected_id))
        self.selected_id = ""
        await self._reload(ctx)
        return rx.toast.success(self._t("templates.deleted"), duration=1500)
