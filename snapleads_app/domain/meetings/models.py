"""Meetings with a lead (a lead in "scheduled" has one or more) and each user's private calendar feed."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import Column, ForeignKey, Index, Text
from sqlmodel import Field, SQLModel

from snapleads_app.core.clock import now
from snapleads_app.core.models import BigId, created_at_field

MAX_DURATION_MINUTES = 24 * 60

# ---------------------------------------------------------------- tables


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        Index("ix_meeting_workspace_lead", "workspace_id", "lead_id"),
        Index("ix_meeting_organiser_starts", "organiser_id", "starts_at"),
        Index("ix_meeting_workspace_starts", "workspace_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    lead_id: int = Field(sa_column=Column(BigId, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False))
    organiser_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    starts_at: datetime
    duration_minutes: int = 30
    location: str = Field(default="", max_length=2048)  # an address or a video-call link
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    sequence: int = 0  # iCalendar SEQUENCE: calendars apply an update only when it grows
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=now, nullable=False)


class CalendarFeed(SQLModel, table=True):
    """A user's private ICS feed: the token lives only as a hash; revoking it makes the URL 404."""

    __tablename__ = "calendar_feed"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = None


# ---------------------------------------------------------------- schemas


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MeetingCreate(_In):
    lead_id: int = PydField(gt=0)
    starts_at: AwareDatetime
    duration_minutes: int = PydField(default=30, ge=5, le=MAX_DURATION_MINUTES)
    location: str = PydField(default="", max_length=2048)
    notes: str = PydField(default="", max_length=5000)
    organiser_id: int | None = PydField(default=None, gt=0)  # default: the actor


class MeetingUpdate(_In):
    starts_at: AwareDatetime | None = None
    duration_minutes: int | None = PydField(default=None, ge=5, le=MAX_DURATION_MINUTES)
    location: str | None = PydField(default=None, max_length=2048)
    notes: str | None = PydField(default=None, max_length=5000)
    organiser_id: int | None = PydField(default=None, gt=0)


class MeetingPublic(BaseModel):
    id: int
    workspace_id: int
    lead_id: int
    lead_name: str
    organiser_id: int
    organiser_name: str
    starts_at: datetime
    duration_minutes: int
    location: str
    notes: str
    created_at: datetime
    updated_at: datetime


class CalendarFeedPublic(BaseModel):
    active: bool
    created_at: datetime | None = None


class CalendarFeedCreated(BaseModel):
    """The feed URL is shown once: only its hash is stored."""

    url: str
    created_at: datetime
