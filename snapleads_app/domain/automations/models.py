"""Automations: a trigger, a condition tree and ordered actions; one AutomationRun per lead and event."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import BigId, created_at_field, json_field

Trigger = Literal[
    "lead_created", "lead_updated", "status_changed", "tag_added", "message_received", "import_completed"
]
RunStatus = Literal["running", "success", "failed", "skipped", "waiting", "cancelled"]


class Automation(SQLModel, table=True):
    __tablename__ = "automation"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (Index("ix_automation_ws_trigger", "workspace_id", "trigger", "enabled"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    name: str = Field(max_length=120)
    enabled: bool = True
    trigger: str = Field(max_length=32)
    trigger_filter: dict[str, Any] = json_field()
    conditions: dict[str, Any] = json_field()
    actions: list[dict[str, Any]] = json_field(list)
    # Bumped on every edit; a run keeps the definition of the version it started with.
    version: int = 1
    round_robin_cursor: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class AutomationRun(SQLModel, table=True):
    __tablename__ = "automation_run"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        # Idempotency: a redelivered trigger message finds its run and never doubles an action.
        UniqueConstraint("automation_id", "lead_id", "event_key", name="uq_automation_run_event"),
        Index("ix_automation_run_ws_created", "workspace_id", "created_at", "id"),
        Index("ix_automation_run_automation_status", "automation_id", "status"),
        Index("ix_automation_run_lead", "lead_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    automation_id: int = Field(foreign_key="automation.id", ondelete="CASCADE")
    lead_id: int = Field(sa_column=Column(BigId, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False))
    event_key: str = Field(max_length=64)
    trigger: str = Field(max_length=32)
    status: str = Field(default="running", max_length=16)
    version: int = 1
    definition: dict[str, Any] = json_field()  # {"actions": [...]} of the version the run started with
    step: int = 0  # index of the next action to execute
    steps: list[dict[str, Any]] = json_field(list)  # what each executed action did
    chain: list[int] = json_field(list)  # automations whose actions caused this trigger (loop guard)
    error: str | None = Field(default=None, max_length=1000)
    resume_at: datetime | None = None
    started_at: datetime = created_at_field()
    finished_at: datetime | None = None
    created_at: datetime = created_at_field()


class ImportedLeadBatch(SQLModel, table=True):
    """Lead ids an import created, kept until the job completes for `import_completed` automations."""

    __tablename__ = "automation_import_batch"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    import_job_id: int = Field(foreign_key="import_job.id", ondelete="CASCADE", index=True)
    lead_ids: list[int] = json_field(list)


# ---------------------------------------------------------------- schemas


class AutomationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = PydField(min_length=1, max_length=120)
    enabled: bool = True
    trigger: Trigger
    trigger_filter: dict[str, Any] = PydField(default_factory=dict)
    conditions: dict[str, Any] = PydField(default_factory=dict)
    actions: list[dict[str, Any]] = PydField(min_length=1, max_length=30)


class AutomationStats(BaseModel):
    total: int = 0
    success: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = 0
    cancelled: int = 0
    last_run_at: datetime | None = None


class AutomationPublic(BaseModel):
    id: int
    name: str
    enabled: bool
    trigger: str
    trigger_filter: dict[str, Any]
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    version: int
    created_at: datetime
    updated_at: datetime
    stats: AutomationStats = AutomationStats()


class AutomationRunPublic(BaseModel):
    id: int
    automation_id: int
    automation_name: str = ""
    lead_id: int
    lead_name: str = ""
    trigger: str
    status: str
    version: int
    step: int
    steps: list[dict[str, Any]]
    definition: dict[str, Any]
    error: str | None
    resume_at: datetime | None
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None = None


class RunFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    automation_id: int | None = None
    lead_id: int | None = None
    status: list[RunStatus] | None = None
