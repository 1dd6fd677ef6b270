"""Leads endpoints: list with filters and cursor, CRUD, tags, assignment, bulk, merge, export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Response, status
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api_ext.deps import BearerToken, CurrentCtx, authenticated, json_response
from api_ext.params import IsoDateTime
from api_ext.routes import api_router
from snapleads_app.core import clock
from snapleads_app.core.db import new_session, unit_of_work
from snapleads_app.domain.exports import service as exports
from snapleads_app.domain.exports.models import ExportJobPublic
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import (
    LeadCreate,
    LeadFilter,
    LeadPage,
    LeadPublic,
    LeadUpdate,
    Platform,
    SortKey,
    Status,
)
from snapleads_app.domain.timeline.models import ActivityPublic

router = api_router("/leads", tags=["leads"])
LeadId = Annotated[int, Path(gt=0, le=2**63 - 1)]


async def lead_filter(  # async: pure parsing, no reason to hop to a worker thread
    platform: Annotated[list[Platform] | None, Query()] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    stage_id: Annotated[int | None, Query(gt=0, le=2**31 - 1)] = None,
    pipeline_id: Annotated[int | None, Query(gt=0, le=2**31 - 1)] = None,
    tag_ids: Annotated[list[int] | None, Query(alias="tags", max_length=20)] = None,
    tags_mode: Literal["any", "all"] = "any",
    assignee_id: Annotated[int | None, Query(gt=0, le=2**31 - 1)] = None,
    unassigned: bool = False,
    search: Annotated[str | None, Query(max_length=100)] = None,
    score_min: Annotated[int | None, Query(ge=0, le=100)] = None,
    score_max: Annotated[int | None, Query(ge=0, le=100)] = None,
    created_from: IsoDateTime | None = None,
    created_to: IsoDateTime | None = None,
) -> LeadFilter:
    return LeadFilter(
        platform=platform,
        status=status,
        stage_id=stage_id,
        pipeline_id=pipeline_id,
        tag_ids=tag_ids,
        tags_mode=tags_mode,
        assignee_id=assignee_id,
        unassigned=unassigned,
        search=search,
        score_min=score_min,
        score_max=score_max,
        created_from=created_from,
        created_to=created_to,
    )


Filters = Annotated[LeadFilter, Depends(lead_filter)]


class TagIdsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tag_ids: list[Annotated[int, Field(gt=0, le=2**31 - 1)]] = Field(min_length=1, max_length=50)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: int | None = Field(gt=0, le=2**31 - 1)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    secondary_id: int = Field(gt=0, le=2**63 - 1)


class ActivityList(BaseModel):
    data: list[ActivityPublic]


class LeadList(BaseModel):
    data: list[LeadPublic]


class MergeList(BaseModel):
    data: list[leads.MergePublic]


class ExportList(BaseModel):
    data: list[ExportJobPublic]


@router.get("", response_model=LeadPage)
def list_leads(
    token: BearerToken,
    filters: Filters,
    sort: SortKey = "-created",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    include_total: bool = False,
) -> Response:
    with unit_of_work() as session:
        body = leads.list_leads_json(
            session=session,
            ctx=authenticated(session, token),
            filters=filters,
            sort=sort,
            limit=limit,
            cursor=cursor,
            include_total=include_total,
        )
    return Response(body, media_type="application/json")


@router.post("", status_code=status.HTTP_201_CREATED)
def create_lead(body: LeadCreate, ctx: CurrentCtx) -> LeadPublic:
    with unit_of_work() as session:
        return leads.create_lead(session=session, ctx=ctx, data=body)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        202: {"model": ExportJobPublic, "description": "Too big for one response: a background export"}
    },
)
def export_leads(ctx: CurrentCtx, filters: Filters, sort: SortKey = "-created") -> Response:
    """CSV of every lead matching the filters (UTF-8 with BOM; formula cells neutralised). Over
    20,000 leads: 202 with a background export job; poll `/leads/exports/{id}` for its download link."""
    with unit_of_work() as session:
        job = exports.plan_export(session=session, ctx=ctx, filters=filters, sort=sort)
    if job is not None:
        return json_response(job, status.HTTP_202_ACCEPTED)
    session = new_session()
    chunks = leads.export_csv(session=session, ctx=ctx, filters=filters, sort=sort)
    try:
        first = next(chunks)  # authorisation errors surface before the response starts
    except BaseException:
        session.close()
        raise

    def stream():
        try:
            yield first
            yield from chunks
        finally:
            session.close()

    filename = f"leads-{clock.now():%Y%m%d-%H%M}.csv"
    return StreamingResponse(
        stream(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/exports", response_model=ExportList)
def list_exports(ctx: CurrentCtx) -> ExportList:
    """The caller's recent background exports."""
    with unit_of_work() as session:
        return ExportList(data=exports.list_exports(session=session, ctx=ctx))


@router.get("/exports/{job_id}")
def get_export(job_id: Annotated[int, Path(gt=0, le=2**31 - 1)], ctx: CurrentCtx) -> ExportJobPublic:
    with unit_of_work() as session:
        return exports.get_export(session=session, ctx=ctx, job_id=job_id)


@router.get("/exports/{job_id}/download", response_class=FileResponse)
def download_export(
    job_id: Annotated[int, Path(gt=0, le=2**31 - 1)], token: Annotated[str, Query(max_length=128)]
) -> FileResponse:
    """The CSV of a finished export. The link is the key (no bearer token), so it can be opened in a browser."""
    with unit_of_work() as session:
        path, filename = exports.download_file(session=session, job_id=job_id, token=token)
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=filename)


@router.post("/merges/{audit_id}/undo")
def undo_merge(audit_id: Annotated[int, Path(gt=0, le=2**31 - 1)], ctx: CurrentCtx) -> LeadPublic:
    """Undo a merge (id from `GET /leads/{id}/merges` or the audit log): returns the restored lead."""
    with unit_of_work() as session:
        return leads.undo_merge(session=session, ctx=ctx, audit_id=audit_id)


@router.post("/bulk")
def bulk(body: leads.BulkIn, ctx: CurrentCtx) -> leads.BulkResult:
    with unit_of_work() as session:
        return leads.bulk(session=session, ctx=ctx, data=body)


@router.get("/{lead_id}", response_model=LeadPublic)
def get_lead(lead_id: LeadId, token: BearerToken) -> Response:
    with unit_of_work() as session:
        lead = leads.get_lead(session=session, ctx=authenticated(session, token), lead_id=lead_id)
    return json_response(lead)


@router.patch("/{lead_id}")
def update_lead(lead_id: LeadId, body: LeadUpdate, ctx: CurrentCtx) -> LeadPublic:
    with unit_of_work() as session:
        return leads.update_lead(session=session, ctx=ctx, lead_id=lead_id, data=body)


@router.delete("/{lead_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_lead(lead_id: LeadId, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        leads.delete_lead(session=session, ctx=ctx, lead_id=lead_id)


@router.post("/{lead_id}/restore")
def restore_lead(lead_id: LeadId, ctx: CurrentCtx) -> LeadPublic:
    with unit_of_work() as session:
        return leads.restore_lead(session=session, ctx=ctx, lead_id=lead_id)


@router.post("/{lead_id}/tags")
def add_tags(lead_id: LeadId, body: TagIdsIn, ctx: CurrentCtx) -> LeadPublic:
    with unit_of_work() as session:
        return leads.add_tags(session=session, ctx=ctx, lead_id=lead_id, tag_ids=body.tag_ids)


@router.delete("/{lead_id}/tags")
def remove_tags(
    lead_id: LeadId,
    ctx: CurrentCtx,
    tag_ids: Annotated[list[int], Query(alias="tags", min_length=1, max_length=50)],
) -> LeadPublic:
    with unit_of_work() as session:
        return leads.remove_tags(session=session, ctx=ctx, lead_id=lead_id, tag_ids=tag_ids)


@router.post("/{lead_id}/assign")
def assign_lead(lead_id: LeadId, body: AssignIn, ctx: CurrentCtx) -> LeadPublic:
    with unit_of_work() as session:
        return leads.assign_lead(session=session, ctx=ctx, lead_id=lead_id, assignee_id=body.assignee_id)


@router.post("/{lead_id}/move", response_model=LeadPublic)
def move_lead(lead_id: LeadId, body: leads.MoveIn, token: BearerToken) -> Response:
    with unit_of_work() as session:
        lead = leads.move_lead(session=session, ctx=authenticated(session, token), lead_id=lead_id, data=body)
    return json_response(lead)


@router.post("/{lead_id}/merge")
def merge_lead(lead_id: LeadId, body: MergeIn, ctx: CurrentCtx) -> LeadPublic:
    with unit_of_work() as session:
        return leads.merge_leads(session=session, ctx=ctx, primary_id=lead_id, secondary_id=body.secondary_id)


@router.get("/{lead_id}/merges")
def merges(lead_id: LeadId, ctx: CurrentCtx) -> MergeList:
    with unit_of_work() as session:
        return MergeList(data=leads.list_merges(session=session, ctx=ctx, lead_id=lead_id))


@router.get("/{lead_id}/duplicates")
def possible_duplicates(lead_id: LeadId, ctx: CurrentCtx) -> LeadList:
    with unit_of_work() as session:
        return LeadList(data=leads.possible_duplicates(session=session, ctx=ctx, lead_id=lead_id))


@router.get("/{lead_id}/activities")
def activities(
    lead_id: LeadId,
    ctx: CurrentCtx,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before_id: Annotated[int | None, Query(gt=0)] = None,
) -> ActivityList:
    with unit_of_work() as session:
        return ActivityList(
            data=leads.list_activities(
                session=session, ctx=ctx, lead_id=lead_id, limit=limit, before_id=before_id
            )
        )
