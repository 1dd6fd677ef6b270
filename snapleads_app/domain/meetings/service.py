"""Meetings with leads, and each user's private calendar feed.

- A meeting belongs to a lead of the workspace; whoever may edit the lead may schedule it (agents:
  their assigned leads, with themselves as organiser). Scheduling moves the lead to "scheduled".
- The calendar feed of a user holds exactly the meetings they organise in the workspaces they are
  still a member of. Its URL carries a secret token stored only as a hash; revoking it (or creating a
  new one) makes the old URL answer 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from snapleads_app.core import clock, security
from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import NotFound, PermissionDenied, Unauthenticated
from snapleads_app.core.settings import get_settings
from snapleads_app.domain.accounts.models import Membership, User
from snapleads_app.domain.leads import rules as lead_rules
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.meetings import ics
from snapleads_app.domain.meetings.models import (
    CalendarFeed,
    CalendarFeedCreated,
    CalendarFeedPublic,
    Meeting,
    MeetingCreate,
    MeetingPublic,
    MeetingUpdate,
)
from snapleads_app.domain.notifications.service import lead_display_name

SCHEDULED = "scheduled"
FEED_PAST_DAYS = 90  # calendars keep recent history; older meetings leave the feed


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet")
    return value


def _public(session: Session, meeting: Meeting, lead: Lead | None = None) -> MeetingPublic:
    lead = lead or session.get(Lead, meeting.lead_id)
    organiser = session.get(User, meeting.organiser_id)
    return MeetingPublic(
        id=_id(meeting.id),
        workspace_id=meeting.workspace_id,
        lead_id=meeting.lead_id,
        lead_name=lead_display_name(lead) if lead else "",
        organiser_id=meeting.organiser_id,
        organiser_name=organiser.full_name if organiser else "",
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        location=meeting.location,
        notes=meeting.notes,
        created_at=meeting.created_at,
        updated_at=meeting.updated_at,
    )


def _lead_for_edit(session: Session, ctx: Ctx, lead_id: int) -> Lead:
    """The lead if the actor may see it (else 404, tenancy included) and edit it (else 403)."""
    leads.get_lead(session=session, ctx=ctx, lead_id=lead_id)  # the leads module's visibility rule
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound("Lead not found", code="lead_not_found")
    if not lead_rules.may_edit(ctx.role, ctx.user_id, lead.assignee_id):
        raise PermissionDenied("Your role cannot schedule meetings for this lead", code="forbidden_for_role")
    return lead


def _check_organiser(session: Session, ctx: Ctx, organiser_id: int) -> None:
    if ctx.role == "agent" and organiser_id != ctx.user_id:
        raise PermissionDenied("Agents organise their own meetings", code="forbidden_for_role")
    member = session.exec(
        select(Membership).where(
            Membership.workspace_id == ctx.workspace_id, Membership.user_id == organiser_id
        )
    ).first()
    if member is None:
        raise NotFound("Organiser is not a member of this workspace", code="organiser_not_found")


def _load(session: Session, ctx: Ctx, meeting_id: int) -> tuple[Meeting, Lead]:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.workspace_id != ctx.workspace_id:
        raise NotFound("Meeting not found", code="meeting_not_found")
    lead = session.get(Lead, meeting.lead_id)
    if lead is None or lead.deleted_at is not None:
        raise NotFound("Meeting not found", code="meeting_not_found")
    if (
        not lead_rules.may_see(ctx.role, ctx.user_id, lead.assignee_id)
        and meeting.organiser_id != ctx.user_id
    ):
        raise NotFound("Meeting not found", code="meeting_not_found")
    return meeting, lead


def create_meeting(*, session: Session, ctx: Ctx, data: MeetingCreate) -> MeetingPublic:
    lead = _lead_for_edit(session, ctx, data.lead_id)
    organiser_id = data.organiser_id or ctx.user_id
    if organiser_id is None:
        raise Unauthenticated("A meeting needs an organiser")
    _check_organiser(session, ctx, organiser_id)
    meeting = Meeting(
        workspace_id=ctx.workspace_id,
        lead_id=data.lead_id,
        organiser_id=organiser_id,
        created_by_id=ctx.user_id,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        location=data.location,
        notes=data.notes,
    )
    session.add(meeting)
    session.flush()
    if lead.status != SCHEDULED:
        # A meeting on the calendar is what "scheduled" means in the pipeline.
        leads.set_status(session=session, ctx=ctx, lead_id=data.lead_id, status=SCHEDULED)
    return _public(session, meeting, lead)


def update_meeting(*, session: Session, ctx: Ctx, meeting_id: int, data: MeetingUpdate) -> MeetingPublic:
    meeting, lead = _load(session, ctx, meeting_id)
    _lead_for_edit(session, ctx, lead.id or 0)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "organiser_id" in changes:
        _check_organiser(session, ctx, changes["organiser_id"])
    for field, value in changes.items():
        setattr(meeting, field, value)
    if changes:
        meeting.sequence += 1
        meeting.updated_at = clock.now()
    session.flush()
    return _public(session, meeting, lead)


def delete_meeting(*, session: Session, ctx: Ctx, meeting_id: int) -> None:
    meeting, lead = _load(session, ctx, meeting_id)
    _lead_for_edit(session, ctx, lead.id or 0)
    session.delete(meeting)


def get_meeting(*, session: Session, ctx: Ctx, meeting_id: int) -> MeetingPublic:
    meeting, lead = _load(session, ctx, meeting_id)
    return _public(session, meeting, lead)


def list_for_lead(*, session: Session, ctx: Ctx, lead_id: int) -> list[MeetingPublic]:
    leads.get_lead(session=session, ctx=ctx, lead_id=lead_id)  # 404 unless visible
    lead = session.get(Lead, lead_id)
    rows = session.exec(
        select(Meeting)
        .where(Meeting.workspace_id == ctx.workspace_id, Meeting.lead_id == lead_id)
        .order_by(col(Meeting.starts_at))
    ).all()
    return [_public(session, m, lead) for m in rows]


def upcoming(*, session: Session, ctx: Ctx, limit: int = 10) -> list[MeetingPublic]:
    """The actor's own meetings in this workspace that have not ended yet, soonest first."""
    now = clock.now()
    rows = session.exec(
        select(Meeting, Lead)
        .join(Lead, col(Lead.id) == Meeting.lead_id)
        .where(
            Meeting.workspace_id == ctx.workspace_id,
            Meeting.organiser_id == ctx.user_id,
            col(Meeting.starts_at) >= now - timedelta(days=1),
            col(Lead.deleted_at).is_(None),
        )
        .order_by(col(Meeting.starts_at))
        .limit(limit * 2)
    ).all()
    ended = [(m, lead) for m, lead in rows if m.starts_at + timedelta(minutes=m.duration_minutes) > now]
    return [_public(session, m, lead) for m, lead in ended[:limit]]


def meeting_ics(*, session: Session, ctx: Ctx, meeting_id: int) -> bytes:
    """One meeting as an .ics invitation (METHOD:REQUEST) to import into any calendar."""
    meeting, lead = _load(session, ctx, meeting_id)
    organiser = session.get(User, meeting.organiser_id)
    return ics.invitation(meeting, lead, organiser)


# ---------------------------------------------------------------- the private feed


def feed_path(token: str) -> str:
    return f"/api/v1/calendar/{token}.ics"


def feed_status(*, session: Session, ctx: Ctx) -> CalendarFeedPublic:
    row = _active_feed(session, ctx.user_id)
    return CalendarFeedPublic(active=row is not None, created_at=row.created_at if row else None)


def _active_feed(session: Session, user_id: int | None) -> CalendarFeed | None:
    return session.exec(
        select(CalendarFeed).where(CalendarFeed.user_id == user_id, col(CalendarFeed.revoked_at).is_(None))
    ).first()


def create_feed(*, session: Session, ctx: Ctx) -> CalendarFeedCreated:
    """A new secret feed URL (shown once); any previous URL of the user stops working."""
    if ctx.user_id is None:
        raise Unauthenticated("Sign in to continue")
    revoke_feed(session=session, ctx=ctx)
    token = security.new_token()
    row = CalendarFeed(user_id=ctx.user_id, token_hash=security.token_hash(token))
    session.add(row)
    session.flush()
    return CalendarFeedCreated(
        url=get_settings().api_url.rstrip("/") + feed_path(token), created_at=row.created_at
    )


def revoke_feed(*, session: Session, ctx: Ctx) -> None:
    now = clock.now()
    for row in session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == ctx.user_id, col(CalendarFeed.revoked_at).is_(None)
        )
    ):
        row.revoked_at = now


def feed_ics(*, session: Session, token: str) -> bytes:
    """The feed behind a secret token; unknown or revoked token → NotFound (the URL answers 404)."""
    row = session.exec(
        select(CalendarFeed).where(CalendarFeed.token_hash == security.token_hash(token))
    ).first()
    if row is None or row.revoked_at is not None:
        raise NotFound("Calendar feed not found", code="feed_not_found")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise NotFound("Calendar feed not found", code="feed_not_found")
    since: datetime = clock.now() - timedelta(days=FEED_PAST_DAYS)
    rows = session.exec(
        select(Meeting, Lead)
        .join(Lead, col(Lead.id) == Meeting.lead_id)
        .join(
            Membership,
            (col(Membership.workspace_id) == Meeting.workspace_id) & (col(Membership.user_id) == user.id),
        )
        .where(
            Meeting.organiser_id == user.id,
            col(Meeting.starts_at) >= since,
            col(Lead.deleted_at).is_(None),
        )
        .order_by(col(Meeting.starts_at))
    ).all()
    return ics.feed(user, list(rows))
