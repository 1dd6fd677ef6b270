"""Pipelines, their stages, and Kanban columns."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response, status
from pydantic import BaseModel

from api_ext.deps import BearerToken, CurrentCtx, authenticated
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadPublic
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.pipelines.models import (
    PipelineIn,
    PipelinePublic,
    PipelineUpdate,
    StageIn,
    StageOrderIn,
    StagePublic,
    StageUpdate,
)

router = api_router("/pipelines", tags=["pipelines"])
Id = Annotated[int, Path(gt=0, le=2**31 - 1)]


class PipelineList(BaseModel):
    data: list[PipelinePublic]


class Column(BaseModel):
    stage_id: int
    total: int
    data: list[LeadPublic]


@router.get("")
def list_pipelines(ctx: CurrentCtx) -> PipelineList:
    with unit_of_work() as session:
        return PipelineList(data=pipelines.list_pipelines(session=session, ctx=ctx))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_pipeline(body: PipelineIn, ctx: CurrentCtx) -> PipelinePublic:
    with unit_of_work() as session:
        return pipelines.create_pipeline(session=session, ctx=ctx, data=body)


@router.get("/{pipeline_id}")
def get_pipeline(pipeline_id: Id, ctx: CurrentCtx) -> PipelinePublic:
    with unit_of_work() as session:
        return pipelines.get_pipeline(session=session, ctx=ctx, pipeline_id=pipeline_id)


@router.patch("/{pipeline_id}")
def update_pipeline(pipeline_id: Id, body: PipelineUpdate, ctx: CurrentCtx) -> PipelinePublic:
    with unit_of_work() as session:
        return pipelines.update_pipeline(session=session, ctx=ctx, pipeline_id=pipeline_id, data=body)


@router.delete("/{pipeline_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_pipeline(pipeline_id: Id, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        pipelines.delete_pipeline(session=session, ctx=ctx, pipeline_id=pipeline_id)


@router.post("/{pipeline_id}/stages", status_code=status.HTTP_201_CREATED)
def add_stage(pipeline_id: Id, body: StageIn, ctx: CurrentCtx) -> PipelinePublic:
    with unit_of_work() as session:
        return pipelines.add_stage(session=session, ctx=ctx, pipeline_id=pipeline_id, data=body)


@router.put("/{pipeline_id}/stages/order")
def reorder_stages(pipeline_id: Id, body: StageOrderIn, ctx: CurrentCtx) -> PipelinePublic:
    with unit_of_work() as session:
        return pipelines.reorder_stages(session=session, ctx=ctx, pipeline_id=pipeline_id, data=body)


@router.patch("/stages/{stage_id}")
def update_stage(stage_id: Id, body: StageUpdate, ctx: CurrentCtx) -> StagePublic:
    with unit_of_work() as session:
        return pipelines.update_stage(session=session, ctx=ctx, stage_id=stage_id, data=body)


@router.delete("/stages/{stage_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_stage(stage_id: Id, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        pipelines.delete_stage(session=session, ctx=ctx, stage_id=stage_id)


@router.get("/stages/{stage_id}/leads", response_model=Column)
def stage_column(
    stage_id: Id,
    token: BearerToken,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    after_position: float | None = None,
) -> Response:
    """One Kanban column in card order; page with `after_position` = the last card's position."""
    with unit_of_work() as session:
        cards, total = leads.kanban_column_json(
            session=session,
            ctx=authenticated(session, token),
            stage_id=stage_id,
            limit=limit,
            after_position=after_position,
        )
    return Response(
        f'{{"stage_id":{stage_id},"total":{total},"data":{cards}}}', media_type="application/json"
    )
