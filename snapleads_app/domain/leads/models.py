"""Leads: the table, its indexes (tuned for a million rows per workspace) and the API schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import BigId, created_at_field, json_field

Platform = Literal["instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other"]
Status = Literal["new", "contacted", "responded", "qualified", "scheduled", "closed", "lost"]
Source = Literal["extension", "csv", "manual", "api"]
SortKey = Literal["created", "-created", "updated", "-updated", "score", "-score", "name", "-name"]

LIVE = "deleted_at IS NULL"

# The descriptive fields of a profile (what capture, import, merge and update deal in).
PROFILE_FIELDS = (
    "username",
    "full_name",
    "profile_url",
    "avatar_url",
    "bio",
    "email",
    "phone",
    "website",
    "location",
    "company",
    "headline",
    "followers",
    "following",
    "posts",
)


class Lead(SQLModel, table=True):
    __tablename__ = "lead"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        # One lead per profile per platform, enforced by the database (soft-deleted rows excluded).
        Index(
            "uq_lead_profile",
            "workspace_id",
            "platform",
            "profile_key",
            unique=True,
            postgresql_where=text(LIVE),
            sqlite_where=text(LIVE),
        ),
        # Keyset pagination of the listings (btree scans backwards for DESC order).
        Index("ix_lead_ws_created", "workspace_id", "created_at", "id", postgresql_where=text(LIVE)),
        Index(
            "ix_lead_ws_platform_status_created",
            "workspace_id",
            "platform",
            "status",
            "created_at",
            "id",
            postgresql_where=text(LIVE),
        ),
        Index(
            "ix_lead_ws_status_created",
            "workspace_id",
            "status",
            "created_at",
            "id",
            postgresql_where=text(LIVE),
        ),
        Index(
            "ix_lead_ws_assignee_created",
            "workspace_id",
            "assignee_id",
            "created_at",
            "id",
            postgresql_where=text(LIVE),
        ),
        Index("ix_lead_ws_updated", "workspace_id", "updated_at", "id", postgresql_where=text(LIVE)),
        # Kanban columns: ordered by position inside a stage.
        Index("ix_lead_stage_position", "stage_id", "position", "id", postgresql_where=text(LIVE)),
        # Possible duplicates across platforms.
        Index("ix_lead_ws_email", "workspace_id", "email", postgresql_where=text("email IS NOT NULL")),
        Index("ix_lead_ws_phone", "workspace_id", "phone", postgresql_where=text("phone IS NOT NULL")),
        # Free-text search: trigram GIN on PostgreSQL (plain LIKE scan on SQLite).
        Index(
            "ix_lead_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    platform: str = Field(max_length=16)
    profile_key: str | None = Field(default=None, max_length=512)
    username: str | None = Field(default=None, max_length=100)
    full_name: str | None = Field(default=None, max_length=200)
    profile_url: str | None = Field(default=None, max_length=2048)
    avatar_url: str | None = Field(default=None, max_length=2048)
    bio: str | None = Field(default=None, sa_column=Column(Text))
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    website: str | None = Field(default=None, max_length=2048)
    location: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    headline: str | None = Field(default=None, max_length=300)
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    verified: bool = False
    # No score here: it lives in scoring's lead_score (bulk rescores rewrite narrow rows, not leads).
    status: str = Field(default="new", max_length=16)
    pipeline_id: int | None = Field(default=None, foreign_key="pipeline.id", ondelete="SET NULL")
    stage_id: int | None = Field(default=None, foreign_key="stage.id", ondelete="SET NULL")
    position: float = 0.0
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    notes: str | None = Field(default=None, sa_column=Column(Text))
    source: str = Field(default="manual", max_length=16)
    source_url: str | None = Field(default=None, max_length=2048)
    custom_fields: dict[str, Any] = json_field()
    search_text: str = Field(default="", max_length=1000)
    last_interaction_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    deleted_at: datetime | None = None


# ---------------------------------------------------------------- schemas


class LeadFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str | None = PydField(default=None, max_length=100)
    full_name: str | None = PydField(default=None, max_length=200)
    profile_url: str | None = PydField(default=None, max_length=2048)
    avatar_url: str | None = PydField(default=None, max_length=2048)
    bio: str | None = PydField(default=None, max_length=5000)
    email: str | None = PydField(default=None, max_length=254)
    phone: str | None = PydField(default=None, max_length=40)
    website: str | None = PydField(default=None, max_length=2048)
    location: str | None = PydField(default=None, max_length=200)
    company: str | None = PydField(default=None, max_length=200)
    headline: str | None = PydField(default=None, max_length=300)
    followers: int | None = PydField(default=None, ge=0, le=10_000_000_000)
    following: int | None = PydField(default=None, ge=0, le=10_000_000_000)
    posts: int | None = PydField(default=None, ge=0, le=10_000_000_000)
    verified: bool | None = None
    notes: str | None = PydField(default=None, max_length=20000)
    source_url: str | None = PydField(default=None, max_length=2048)
    custom_fields: dict[str, Any] | None = None


class LeadCreate(LeadFields):
    platform: Platform
    status: Status = "new"
    assignee_id: int | None = PydField(default=None, gt=0, le=2**31 - 1)
    tag_ids: list[Annotated[int, PydField(gt=0, le=2**31 - 1)]] = PydField(
        default_factory=list, max_length=50
    )
    source: Source = "manual"


class LeadUpdate(LeadFields):
    """Partial update: only the fields present in the request change (None clears a field)."""

    status: Status | None = None


class LeadPublic(BaseModel):
    id: int
    platform: str
    username: str | None
    full_name: str | None
    profile_url: str | None
    avatar_url: str | None
    bio: str | None
    email: str | None
    phone: str | None
    website: str | None
    location: str | None
    company: str | None
    headline: str | None
    followers: int | None
    following: int | None
    posts: int | None
    verified: bool
    score: int
    status: str
    pipeline_id: int | None
    stage_id: int | None
    position: float
    assignee_id: int | None
    notes: str | None
    source: str
    source_url: str | None
    custom_fields: dict[str, Any]
    tag_ids: list[int] = []
    last_interaction_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LeadFilter(BaseModel):
    """The filters of the leads list (also "all matching the current filter" for bulk actions/export)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: list[Platform] | None = None
    status: list[Status] | None = None
    stage_id: int | None = PydField(default=None, gt=0)
    pipeline_id: int | None = PydField(default=None, gt=0)
    tag_ids: list[int] | None = PydField(default=None, max_length=20)
    tags_mode: Literal["any", "all"] = "any"
    assignee_id: int | None = PydField(default=None, gt=0)
    unassigned: bool = False
    search: str | None = PydField(default=None, max_length=100)
    score_min: int | None = PydField(default=None, ge=0, le=100)
    score_max: int | None = PydField(default=None, ge=0, le=100)
    created_from: datetime | None = None
    created_to: datetime | None = None


class LeadPage(BaseModel):
    data: list[LeadPublic]
    limit: int
    next_cursor: str | None = None
    page: int | None = None
    total: int | None = None
