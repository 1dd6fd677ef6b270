"""Message templates: CRUD and a preview rendered for a lead."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, status
from pydantic import BaseModel

from api_ext.deps import CurrentCtx
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.templates import service as templates
from snapleads_app.domain.templates.models import (
    PreviewIn,
    PreviewPublic,
    TemplateIn,
    TemplatePublic,
    TemplateUpdate,
)

router = api_router("/templates", tags=["templates"])
TemplateId = Annotated[int, Path(gt=0, le=2**31 - 1)]


class TemplateList(BaseModel):
    data: list[TemplatePublic]
    total: int


@router.get("")
def list_templates(
    ctx: CurrentCtx,
    search: Annotated[str | None, Query(max_length=100)] = None,
    platform: Annotated[str | None, Query(max_length=16)] = None,
) -> TemplateList:
    with unit_of_work() as session:
        data = templates.list_templates(session=session, ctx=ctx, search=search, platform=platform)
    return TemplateList(data=data, total=len(data))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_template(body: TemplateIn, ctx: CurrentCtx) -> TemplatePublic:
    with unit_of_work() as session:
        return templates.create_template(session=session, ctx=ctx, data=body)


@router.post("/preview")
def preview(body: PreviewIn, ctx: CurrentCtx) -> PreviewPublic:
    """Render a saved template (`template_id`) or a draft (`body`) for a lead; `missing` lists the
    variables without a value or fallback."""
    with unit_of_work() as session:
        return templates.preview(session=session, ctx=ctx, data=body)


@router.get("/{template_id}")
def get_template(template_id: TemplateId, ctx: CurrentCtx) -> TemplatePublic:
    with unit_of_work() as session:
        return templates.get_template(session=session, ctx=ctx, template_id=template_id)


@router.patch("/{template_id}")
def update_template(template_id: TemplateId, body: TemplateUpdate, ctx: CurrentCtx) -> TemplatePublic:
    with unit_of_work() as session:
        return templates.update_template(session=session, ctx=ctx, template_id=template_id, data=body)


@router.delete("/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_template(template_id: TemplateId, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        templates.delete_template(session=session, ctx=ctx, template_id=template_id)
