"""Meetings with leads, .ics downloads and the private calendar feed (subscribed by Google/Outlook)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response, status
from pydantic import BaseModel

from api_ext.deps import CurrentCtx
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.meetings import service as meetings
from snapleads_app.domain.meetings.models import (
    CalendarFeedCreated,
    CalendarFeedPublic,
    MeetingCreate,
    MeetingPublic,
    MeetingUpdate,
)

router = api_router(tags=["meetings"])
Id = Annotated[int, Path(gt=0, le=2**31 - 1)]
LeadId = Annotated[int, Path(gt=0, le=2**63 - 1)]
ICS = "text/calendar; charset=utf-8"


class MeetingList(BaseModel):
    data: list[MeetingPublic]
    total: int


@router.get("/meetings/upcoming")
def upcoming(ctx: CurrentCtx, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> MeetingList:
    with unit_of_work() as session:
        rows = meetings.upcoming(session=session, ctx=ctx, limit=limit)
    return MeetingList(data=rows, total=len(rows))


@router.post("/meetings", status_code=status.HTTP_201_CREATED)
def create_meeting(body: MeetingCreate, ctx: CurrentCtx) -> MeetingPublic:
    with unit_of_work() as session:
        return meetings.create_meeting(session=session, ctx=ctx, data=body)


@router.get("/meetings/{meeting_id}")
def get_meeting(meeting_id: Id, ctx: CurrentCtx) -> MeetingPublic:
    with unit_of_work() as session:
        return meetings.get_meeting(session=session, ctx=ctx, meeting_id=meeting_id)


@router.patch("/meetings/{meeting_id}")
def update_meeting(meeting_id: Id, body: MeetingUpdate, ctx: CurrentCtx) -> MeetingPublic:
    with unit_of_work() as session:
        return meetings.update_meeting(session=session, ctx=ctx, meeting_id=meeting_id, data=body)


@router.delete("/meetings/{meeting_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_meeting(meeting_id: Id, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        meetings.delete_meeting(session=session, ctx=ctx, meeting_id=meeting_id)


@router.get("/meetings/{meeting_id}/invite.ics", response_class=Response)
def meeting_ics(meeting_id: Id, ctx: CurrentCtx) -> Response:
    with unit_of_work() as session:
        body = meetings.meeting_ics(session=session, ctx=ctx, meeting_id=meeting_id)
    return Response(
        body,
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'},
    )


@router.get("/leads/{lead_id}/meetings")
def lead_meetings(lead_id: LeadId, ctx: CurrentCtx) -> MeetingList:
    with unit_of_work() as session:
        rows = meetings.list_for_lead(session=session, ctx=ctx, lead_id=lead_id)
    return MeetingList(data=rows, total=len(rows))


@router.get("/me/calendar-feed")
def feed_status(ctx: CurrentCtx) -> CalendarFeedPublic:
    with unit_of_work() as session:
        return meetings.feed_status(session=session, ctx=ctx)


@router.post("/me/calendar-feed", status_code=status.HTTP_201_CREATED)
def create_feed(ctx: CurrentCtx) -> CalendarFeedCreated:
    """A new secret URL (shown once); the previous one stops working."""
    with unit_of_work() as session:
        return meetings.create_feed(session=session, ctx=ctx)


@router.delete("/me/calendar-feed", status_code=status.HTTP_204_NO_CONTENT)
def revoke_feed(ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        meetings.revoke_feed(session=session, ctx=ctx)


# HEAD too: some calendar clients probe the URL before subscribing.
@router.api_route(
    "/calendar/{token}.ics", methods=["GET", "HEAD"], response_class=Response, include_in_schema=False
)
def calendar_feed(token: Annotated[str, Path(max_length=128)]) -> Response:
    """Public on purpose (calendar apps cannot log in): the secret token is the credential."""
    with unit_of_work() as session:
        body = meetings.feed_ics(session=session, token=token)
    return Response(body, media_type=ICS, headers={"Cache-Control": "private, max-age=300"})
