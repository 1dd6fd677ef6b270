"""Tags of the workspace, with lead counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response, status
from pydantic import BaseModel

from api_ext.deps import BearerToken, CurrentCtx, authenticated, json_response
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import TagIn, TagPublic, TagUpdate

router = api_router("/tags", tags=["tags"])
TagId = Annotated[int, Path(gt=0, le=2**31 - 1)]


class TagList(BaseModel):
    data: list[TagPublic]
    total: int


@router.get("", response_model=TagList)
def list_tags(token: BearerToken) -> Response:
    with unit_of_work() as session:
        data = tags.list_tags(session=session, ctx=authenticated(session, token))
    return json_response(TagList(data=data, total=len(data)))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_tag(body: TagIn, ctx: CurrentCtx) -> TagPublic:
    with unit_of_work() as session:
        return tags.create_tag(session=session, ctx=ctx, data=body)


@router.patch("/{tag_id}")
def update_tag(tag_id: TagId, body: TagUpdate, ctx: CurrentCtx) -> TagPublic:
    with unit_of_work() as session:
        return tags.update_tag(session=session, ctx=ctx, tag_id=tag_id, data=body)


@router.delete("/{tag_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_tag(tag_id: TagId, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        tags.delete_tag(session=session, ctx=ctx, tag_id=tag_id)
