"""Import jobs: one record per CSV upload or extension/API batch, with its counts and rejected rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import Column, ForeignKey, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import BigId, created_at_field, json_field
from snapleads_app.domain.leads.models import LeadFields

JobStatus = Literal["queued", "processing", "completed", "failed", "cancelled"]
DuplicatePolicy = Literal["skip", "fill", "overwrite"]
AssigneePolicy = Literal["none", "fixed", "round_robin"]
ImportSource = Literal["csv", "extension", "api"]


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (Index("ix_import_job_ws_created", "workspace_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    source: str = Field(max_length=16)
    platform: str | None = Field(default=None, max_length=16)  # for rows that do not say
    source_url: str | None = Field(default=None, max_length=2048)
    file_name: str | None = Field(default=None, max_length=255)
    file_path: str | None = Field(default=None, max_length=1024)
    # The leads of an extension/API batch (≤ 5 MB) as JSON text, kept until the job is done so a retry can
    # resume. Text, not jsonb: written once by the 202 straight from pydantic's serialiser and read once by
    # the worker — jsonb's parse on insert was a third of the 202's time and nothing queries inside it.
    payload: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="queued", max_length=16)
    duplicate_policy: str = Field(default="skip", max_length=16)
    assignee_policy: str = Field(default="none", max_length=16)
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    tag_ids: list[int] = json_field(list)
    mapping: dict[str, Any] = json_field()
    layout: dict[str, Any] = json_field()
    total: int = 0
    processed: int = 0  # rows consumed so far: the resume point after a crash or a retry
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    errors: int = 0
    round_robin_offset: int = 0
    cancel_requested: bool = False
    error: str | None = Field(default=None, max_length=1000)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    created_at: datetime = created_at_field()


class ImportRejectedRow(SQLModel, table=True):
    """A row that could not be imported; written in the same transaction as its chunk (exactly once)."""

    __tablename__ = "import_rejected_row"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (UniqueConstraint("job_id", "row_number", name="uq_import_rejected_job_row"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    job_id: int = Field(sa_column=Column(ForeignKey("import_job.id", ondelete="CASCADE"), nullable=False))
    row_number: int
    data: dict[str, Any] = json_field()
    error: str = Field(max_length=500)


class MappingPreset(SQLModel, table=True):
    __tablename__ = "import_mapping_preset"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_mapping_preset_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    mapping: dict[str, Any] = json_field()
    created_at: datetime = created_at_field()


# ---------------------------------------------------------------- schemas


class ImportOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: (
        Literal["instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other"] | None
    ) = None
    duplicate_policy: DuplicatePolicy = "skip"
    tags: list[str] = PydField(default_factory=list, max_length=20)
    assignee_policy: AssigneePolicy = "none"
    assignee_id: int | None = PydField(default=None, gt=0)


class BatchLeadIn(LeadFields):
    """One lead as the extension or an API client sends it (normalised by the same rules as any lead);
    counts may come as the page shows them ("12,5 mil", "1.2k")."""

    platform: (
        Literal["instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other"] | None
    ) = None
    followers: int | str | None = PydField(default=None, union_mode="left_to_right")  # type: ignore[assignment]
    following: int | str | None = PydField(default=None, union_mode="left_to_right")  # type: ignore[assignment]
    posts: int | str | None = PydField(default=None, union_mode="left_to_right")  # type: ignore[assignment]


class BatchImportIn(ImportOptions):
    source: Literal["extension", "api"] = "api"
    source_url: str | None = PydField(default=None, max_length=2048)
    leads: list[BatchLeadIn] = PydField(min_length=1, max_length=10_000)


class ImportJobPublic(BaseModel):
    id: int
    source: str
    platform: str | None
    source_url: str | None
    file_name: str | None
    status: str
    progress: float
    total: int
    processed: int
    created: int
    updated: int
    duplicates: int
    errors: int
    duplicate_policy: str
    error: str | None
    created_by_id: int | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime


class MappingPresetIn(BaseModel):
    """A column mapping saved under a name, to reuse with the next file of the same shape."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = PydField(min_length=1, max_length=80)
    mapping: dict[str, str] = PydField(min_length=1, max_length=300)


class MappingPresetPublic(BaseModel):
    id: int
    name: str
    mapping: dict[str, str]
    created_at: datetime
