"""Analytics: the kept daily lead counts (PostgreSQL) and the schemas of every metric."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import BigInteger, Column, Index, text
from sqlmodel import Field, SQLModel

from snapleads_app.domain.inbox.models import Message
from snapleads_app.domain.leads.models import Platform

Granularity = Literal["hour", "day", "week", "month"]


class LeadDailyCount(SQLModel, table=True):
    """Live leads per local creation day and current platform/status/assignee/pipeline/stage, and the
    furthest stage position they reached (the funnel).

    Kept by statement-level triggers on `lead` (PostgreSQL, see rollup_sql.py), so every write path —
    services, bulk updates, COPY imports — keeps it exact without a hook. 0 stands for "none" in
    assignee/pipeline/stage, -1 for "no stage reached". SQLite (the embedded default, small data)
    reads `lead` and `activity` directly instead.
    """

    __tablename__ = "lead_daily_count"  # pyright: ignore[reportAssignmentType]

    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE", primary_key=True)
    day: date = Field(primary_key=True)
    platform: str = Field(max_length=16, primary_key=True)
    status: str = Field(max_length=16, primary_key=True)
    assignee_id: int = Field(default=0, primary_key=True)
    pipeline_id: int = Field(default=0, primary_key=True)
    stage_id: int = Field(default=0, primary_key=True)
    furthest: int = Field(default=-1, primary_key=True)
    leads: int = 0


class LeadMonthlyCount(SQLModel, table=True):
    """`LeadDailyCount` per local month (first day of the month): long periods read whole months here."""

    __tablename__ = "lead_monthly_count"  # pyright: ignore[reportAssignmentType]

    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE", primary_key=True)
    month: date = Field(primary_key=True)
    platform: str = Field(max_length=16, primary_key=True)
    status: str = Field(max_length=16, primary_key=True)
    assignee_id: int = Field(default=0, primary_key=True)
    pipeline_id: int = Field(default=0, primary_key=True)
    stage_id: int = Field(default=0, primary_key=True)
    furthest: int = Field(default=-1, primary_key=True)
    leads: int = 0


class LeadTotalCount(SQLModel, table=True):
    """Live leads now (any creation day): the totals, per rep and per status at a glance (PostgreSQL)."""

    __tablename__ = "lead_total_count"  # pyright: ignore[reportAssignmentType]

    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE", primary_key=True)
    platform: str = Field(max_length=16, primary_key=True)
    status: str = Field(max_length=16, primary_key=True)
    assignee_id: int = Field(default=0, primary_key=True)
    pipeline_id: int = Field(default=0, primary_key=True)
    stage_id: int = Field(default=0, primary_key=True)
    leads: int = 0


class LeadProgress(SQLModel, table=True):
    """Per lead: the furthest non-"lost" stage position reached in its current pipeline (PostgreSQL)."""

    __tablename__ = "lead_progress"  # pyright: ignore[reportAssignmentType]

    lead_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    furthest: int = -1


class ConversationMetric(SQLModel, table=True):
    """Per conversation: when it started, the dimensions the analytics filter on, our first outbound
    message and the lead's first message after it (PostgreSQL, kept by the triggers of
    inbox_rollup_sql.py). 0 stands for "none" in pipeline/assignee; `live`: the lead is not deleted."""

    __tablename__ = "conversation_metric"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        # Index-only reads of the period's rows (the filters' columns ride along).
        Index(
            "ix_conversation_metric_ws_created",
            "workspace_id",
            "created_at",
            postgresql_include=["live", "platform", "pipeline_id", "assignee_id"],
        ),
        Index(
            "ix_conversation_metric_ws_first_out",
            "workspace_id",
            "first_out_at",
            postgresql_include=["first_reply_at", "live", "platform", "pipeline_id", "assignee_id"],
        ),
        # Conversations of deleted leads (few): what hourly timelines subtract from the period's messages.
        Index(
            "ix_conversation_metric_ws_gone",
            "workspace_id",
            postgresql_where=text("NOT live"),
            sqlite_where=text("NOT live"),
        ),
    )

    conversation_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    created_at: datetime
    platform: str = Field(max_length=16)
    pipeline_id: int = 0
    assignee_id: int = 0
    live: bool = True
    first_out_at: datetime | None = None
    first_reply_at: datetime | None = None


class MessageDailyCount(SQLModel, table=True):
    """Messages of live leads' conversations per local day × platform/pipeline/assignee (the
    conversation's) × sender (0: none, e.g. inbound) × direction, and conversations started per local day
    (direction "started", sender 0) (PostgreSQL, kept by triggers)."""

    __tablename__ = "message_daily_count"  # pyright: ignore[reportAssignmentType]

    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE", primary_key=True)
    day: date = Field(primary_key=True)
    platform: str = Field(max_length=16, primary_key=True)
    pipeline_id: int = Field(default=0, primary_key=True)
    assignee_id: int = Field(default=0, primary_key=True)
    sender_id: int = Field(default=0, primary_key=True)
    direction: str = Field(max_length=16, primary_key=True)
    messages: int = 0


# Template performance for agents (their own sends) reads the template messages by sender.
MESSAGE_TEMPLATE_SENDER = Index(
    "ix_message_template_sender",
    Message.__table__.c.workspace_id,  # pyright: ignore[reportAttributeAccessIssue]
    Message.__table__.c.sender_user_id,  # pyright: ignore[reportAttributeAccessIssue]
    Message.__table__.c.template_id,  # pyright: ignore[reportAttributeAccessIssue]
    Message.__table__.c.reply_counted,  # pyright: ignore[reportAttributeAccessIssue]
    postgresql_where=text("template_id IS NOT NULL"),
    sqlite_where=text("template_id IS NOT NULL"),
)

# Hourly message timelines (≤ 14 days) read `message` by workspace and time.
MESSAGE_WS_CREATED = Index(
    "ix_message_ws_created",
    Message.__table__.c.workspace_id,  # pyright: ignore[reportAttributeAccessIssue]
    Message.__table__.c.created_at,  # pyright: ignore[reportAttributeAccessIssue]
)


# ---------------------------------------------------------------- input


class AnalyticsQuery(BaseModel):
    """Local dates (the workspace's time zone), both inclusive; default: the last 30 days."""

    model_config = ConfigDict(extra="forbid")

    date_from: date | None = None
    date_to: date | None = None
    platform: list[Platform] | None = None
    pipeline_id: int | None = PydField(default=None, gt=0, le=2**31 - 1)
    assignee_id: int | None = PydField(default=None, gt=0, le=2**31 - 1)


# ---------------------------------------------------------------- output


class Period(BaseModel):
    date_from: date
    date_to: date
    previous_from: date
    previous_to: date
    time_zone: str


class CountRow(BaseModel):
    key: str
    count: int


class InboxOverview(BaseModel):
    """Conversation metrics (definitions in domain/analytics/inbox_metrics.py)."""

    conversations_started: int = 0
    response_rate: float | None = None
    median_first_reply_seconds: float | None = None
    messages_sent: int = 0
    messages_received: int = 0


class Overview(BaseModel):
    period: Period
    leads_total: int
    new_leads: int
    new_leads_previous: int
    growth_pct: float | None  # None when the previous period had no leads
    scheduled: int
    closed: int
    by_platform: list[CountRow]
    by_status: list[CountRow]
    inbox: InboxOverview


class FunnelStage(BaseModel):
    stage_id: int
    name: str
    status: str | None
    color: str
    position: int
    current: int  # cohort leads sitting in the stage now
    reached: int  # cohort leads that reached the stage (or a later one) at some point
    conversion_pct: float | None  # reached / reached of the previous stage
    terminal: bool  # a "lost" stage: counted on its own, not part of the progression


class Funnel(BaseModel):
    period: Period
    pipeline_id: int
    pipeline_name: str
    cohort: int  # leads created in the period (with the filters)
    stages: list[FunnelStage]


class TimelinePoint(BaseModel):
    bucket: str  # ISO local date, or local "YYYY-MM-DDTHH:00" for hours
    leads: int
    conversations: int = 0
    messages_sent: int = 0
    messages_received: int = 0


class Timeline(BaseModel):
    period: Period
    granularity: Granularity
    points: list[TimelinePoint]


class UserRow(BaseModel):
    user_id: int | None  # None: unassigned
    name: str
    leads_assigned: int  # live leads assigned now
    new_leads: int  # of those, created in the period
    by_status: dict[str, int]
    closed: int
    # Inbox metrics (domain/analytics/inbox_metrics.py).
    conversations: int = 0
    messages_sent: int = 0
    replies: int = 0
    response_rate: float | None = None


class ByUser(BaseModel):
    period: Period
    rows: list[UserRow]


class ImportSourceRow(BaseModel):
    source: str
    jobs: int
    rows: int
    created: int
    updated: int
    duplicates: int
    errors: int


class TemplateRow(BaseModel):
    template_id: int
    name: str
    sent: int  # messages sent with the template (all time)
    replies: int  # of those, answered by the lead within 7 days
    reply_rate: float | None  # replies / sent (0..1); None when never sent


class TemplateStats(BaseModel):
    """Template performance since each template was created; `own_only`: the caller's own sends
    (agents), else the whole workspace's."""

    own_only: bool
    rows: list[TemplateRow]


class ImportsStats(BaseModel):
    period: Period
    rows: list[ImportSourceRow]


class RecentActivity(BaseModel):
    id: int
    lead_id: int
    lead_name: str
    type: str
    data: dict[str, object]
    actor_name: str | None
    created_at: datetime
