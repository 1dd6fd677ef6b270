"""Analytics endpoints: overview, funnel, timeline, by user, imports, templates — each table as CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api_ext.deps import CurrentCtx
from api_ext.routes import api_router
from snapleads_app.core import clock
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.analytics import service as analytics
from snapleads_app.domain.analytics.models import (
    AnalyticsQuery,
    ByUser,
    Funnel,
    Granularity,
    ImportsStats,
    Overview,
    TemplateStats,
    Timeline,
)
from snapleads_app.domain.analytics.service import Table
from snapleads_app.domain.leads.models import Platform

router = api_router("/analytics", tags=["analytics"])


def analytics_query(
    date_from: Annotated[
        date | None, Query(description="First local day (default: 29 days before date_to)")
    ] = None,
    date_to: Annotated[date | None, Query(description="Last local day, inclusive (default: today)")] = None,
    platform: Annotated[list[Platform] | None, Query()] = None,
    pipeline_id: Annotated[int | None, Query(gt=0, le=2**31 - 1)] = None,
    assignee_id: Annotated[int | None, Query(gt=0, le=2**31 - 1)] = None,
) -> AnalyticsQuery:
    return AnalyticsQuery(
        date_from=date_from,
        date_to=date_to,
        platform=platform,
        pipeline_id=pipeline_id,
        assignee_id=assignee_id,
    )


Params = Annotated[AnalyticsQuery, Depends(analytics_query)]


@router.get("/overview")
def overview(ctx: CurrentCtx, query: Params) -> Overview:
    with unit_of_work() as session:
        return analytics.overview(session=session, ctx=ctx, query=query)


@router.get("/funnel")
def funnel(ctx: CurrentCtx, query: Params) -> Funnel:
    with unit_of_work() as session:
        return analytics.funnel(session=session, ctx=ctx, query=query)


@router.get("/timeline")
def timeline(ctx: CurrentCtx, query: Params, granularity: Granularity = "day") -> Timeline:
    with unit_of_work() as session:
        return analytics.timeline(session=session, ctx=ctx, query=query, granularity=granularity)


@router.get("/by-user")
def by_user(ctx: CurrentCtx, query: Params) -> ByUser:
    with unit_of_work() as session:
        return analytics.by_user(session=session, ctx=ctx, query=query)


@router.get("/imports")
def imports(ctx: CurrentCtx, query: Params) -> ImportsStats:
    with unit_of_work() as session:
        return analytics.imports(session=session, ctx=ctx, query=query)


@router.get("/templates")
def template_stats(ctx: CurrentCtx) -> TemplateStats:
    """Per template: sent, replies within 7 days, reply rate (agents: their own sends)."""
    with unit_of_work() as session:
        return analytics.template_stats(session=session, ctx=ctx)


@router.get("/{table}.csv", response_class=Response)
def export_table(ctx: CurrentCtx, table: Table, query: Params, granularity: Granularity = "day") -> Response:
    """One table as CSV (UTF-8 with BOM, formula cells neutralised); needs the export permission."""
    with unit_of_work() as session:
        text = analytics.export_csv(
            session=session, ctx=ctx, table=table, query=query, granularity=granularity
        )
    name = f"snapleads-{table}-{clock.now().strftime('%Y%m%d')}.csv"
    return Response(
        content=text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class TimeZoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time_zone: str = Field(min_length=1, max_length=64, examples=["America/Sao_Paulo"])


class TimeZoneOut(BaseModel):
    time_zone: str


@router.put("/time-zone")
def set_time_zone(ctx: CurrentCtx, body: TimeZoneIn) -> TimeZoneOut:
    """The workspace's IANA time zone (its days in every report); recounts the kept daily counts."""
    with unit_of_work() as session:
        return TimeZoneOut(
            time_zone=analytics.set_time_zone(session=session, ctx=ctx, time_zone=body.time_zone)
        )
