"""Template use cases: CRUD (managers and up), read (every member), preview for a lead.

The renderer is `render.py` (pure); the values of a lead come from `lead_variables` here, the one place
that says which lead fields a template may use.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadPublic
from snapleads_app.domain.templates.models import (
    MessageTemplate,
    PreviewIn,
    PreviewPublic,
    TemplateIn,
    TemplatePublic,
    TemplateUpdate,
)
from snapleads_app.domain.templates.render import RenderResult, malformed, render, variables_in

#: Lead fields offered to templates (custom fields are added under their own keys and `custom.<key>`).
LEAD_VARIABLES = (
    "first_name",
    "last_name",
    "full_name",
    "username",
    "email",
    "phone",
    "company",
    "headline",
    "job_title",
    "location",
    "website",
    "platform",
    "profile_url",
    "followers",
)


def lead_variables(lead: LeadPublic) -> dict[str, Any]:
    """The values a template can use for `lead`."""
    name = (lead.full_name or "").strip()
    first, _, last = name.partition(" ")
    values: dict[str, Any] = {
        "first_name": first,
        "last_name": last.strip(),
        "full_name": name,
        "username": lead.username,
        "email": lead.email,
        "phone": lead.phone,
        "company": lead.company,
        "headline": lead.headline,
        "job_title": lead.headline,
        "location": lead.location,
        "website": lead.website,
        "platform": lead.platform,
        "profile_url": lead.profile_url,
        "followers": lead.followers,
    }
    for key, value in (lead.custom_fields or {}).items():
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            values.setdefault(str(key), value)
            values[f"custom.{key}"] = value
    return values


def _public(template: MessageTemplate) -> TemplatePublic:
    sent = template.sent_count
    return TemplatePublic(
        id=int(template.id or 0),
        name=template.name,
        body=template.body,
        platform=template.platform,
        category=template.category,
        variables=variables_in(template.body),
        sent_count=sent,
        replied_count=template.replied_count,
        reply_rate=round(template.replied_count / sent, 4) if sent else 0.0,
        created_at=template.created_at,
        updated_at=template.updated_at,
    )


def _require_manage(ctx: Ctx) -> None:
    if not account_rules.can(ctx.role, "templates.manage"):
        raise PermissionDenied("Your role cannot edit templates", code="forbidden_for_role")


def _check_body(body: str) -> None:
    if malformed(body):
        raise InvalidInput(
            "A placeholder is malformed: write {{first_name}} or {{first_name|there}}",
            code="template_malformed",
            errors={"body": "template_malformed"},
        )


def load(session: Session, workspace_id: int, template_id: int) -> MessageTemplate:
    template = session.get(MessageTemplate, template_id)
    if template is None or template.workspace_id != workspace_id:
        raise NotFound("Template not found", code="template_not_found")
    return template


def _flush_unique(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "A template with this name exists", code="template_exists", errors={"name": "template_exists"}
        ) from exc


def list_templates(
    *, session: Session, ctx: Ctx, search: str | None = None, platform: str | None = None
) -> list[TemplatePublic]:
    stmt = select(MessageTemplate).where(MessageTemplate.workspace_id == ctx.workspace_id)
    if search:
        stmt = stmt.where(func.lower(MessageTemplate.name).contains(search.strip().lower(), autoescape=True))
    if platform and platform != "any":
        stmt = stmt.where(col(MessageTemplate.platform).in_(("any", platform)))
    stmt = stmt.order_by(func.lower(MessageTemplate.name), col(MessageTemplate.id))
    return [_public(t) for t in session.exec(stmt)]


def get_template(*, session: Session, ctx: Ctx, template_id: int) -> TemplatePublic:
    return _public(load(session, ctx.workspace_id, template_id))


def create_template(*, session: Session, ctx: Ctx, data: TemplateIn) -> TemplatePublic:
    _require_manage(ctx)
    _check_body(data.body)
    template = MessageTemplate(workspace_id=ctx.workspace_id, created_by_id=ctx.user_id, **data.model_dump())
    session.add(template)
    _flush_unique(session)
    return _public(template)


def update_template(*, session: Session, ctx: Ctx, template_id: int, data: TemplateUpdate) -> TemplatePublic:
    _require_manage(ctx)
    template = load(session, ctx.workspace_id, template_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "body" in changes:
        _check_body(changes["body"])
    for key, value in changes.items():
        setattr(template, key, value)
    template.updated_at = clock.now()
    session.add(template)
    _flush_unique(session)
    return _public(template)


def delete_template(*, session: Session, ctx: Ctx, template_id: int) -> None:
    _require_manage(ctx)
    session.delete(load(session, ctx.workspace_id, template_id))
    session.flush()


def render_for_lead(*, session: Session, ctx: Ctx, lead_id: int, body: str) -> RenderResult:
    """Render `body` for a lead the actor may see (404 otherwise)."""
    lead = leads.get_lead(session=session, ctx=ctx, lead_id=lead_id)
    return render(body, lead_variables(lead))


def preview(*, session: Session, ctx: Ctx, data: PreviewIn) -> PreviewPublic:
    if data.template_id is not None:
        body = load(session, ctx.workspace_id, data.template_id).body
    elif data.body is not None:
        body = data.body
    else:
        raise InvalidInput("Give a template_id or a body", code="invalid_input", errors={"body": "required"})
    result = render_for_lead(session=session, ctx=ctx, lead_id=data.lead_id, body=body)
    return PreviewPublic(text=result.text, missing=result.missing, variables=variables_in(body))


def count_sent(*, session: Session, template_id: int) -> None:
    """One more message sent with this template (the inbox calls it in the same transaction)."""
    session.execute(
        update(MessageTemplate)
        .where(col(MessageTemplate.id) == template_id)
        .values(sent_count=MessageTemplate.sent_count + 1)
    )


def count_replied(*, session: Session, template_ids: list[int]) -> None:
    for template_id in sorted(set(template_ids)):
        session.execute(
            update(MessageTemplate)
            .where(col(MessageTemplate.id) == template_id)
            .values(replied_count=MessageTemplate.replied_count + 1)
        )
