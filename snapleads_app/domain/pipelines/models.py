"""Pipelines and their ordered stages. The default pipeline's stages are the SPEC statuses."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import created_at_field

STATUSES = ("new", "contacted", "responded", "qualified", "scheduled", "closed", "lost")


class Pipeline(SQLModel, table=True):
    __tablename__ = "pipeline"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        # At most one default pipeline per workspace.
        Index(
            "uq_pipeline_default",
            "workspace_id",
            unique=True,
            postgresql_where=text("is_default"),
            sqlite_where=text("is_default"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    is_default: bool = False
    created_at: datetime = created_at_field()


class Stage(SQLModel, table=True):
    __tablename__ = "stage"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (UniqueConstraint("pipeline_id", "position", name="uq_stage_pipeline_position"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    pipeline_id: int = Field(foreign_key="pipeline.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=60)
    # For the default pipeline: the lead status this stage stands for (moving there sets it).
    status: str | None = Field(default=None, max_length=16)
    position: int
    color: str = Field(default="#94a3b8", max_length=7)
    # Live leads in the stage, kept by the services: counting a 400k-card column costs ~300 ms.
    lead_count: int = 0


class StagePublic(BaseModel):
    id: int
    name: str
    status: str | None
    position: int
    color: str


class PipelinePublic(BaseModel):
    id: int
    name: str
    is_default: bool
    stages: list[StagePublic]


class StageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = PydField(min_length=1, max_length=60)
    color: str = PydField(default="#94a3b8", pattern=r"^#[0-9a-fA-F]{6}$")


class PipelineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = PydField(min_length=1, max_length=80)
    stages: list[StageIn] = PydField(min_length=1, max_length=30)


class PipelineUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str | None = PydField(default=None, min_length=1, max_length=80)


class StageUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str | None = PydField(default=None, min_length=1, max_length=60)
    color: str | None = PydField(default=None, pattern=r"^#[0-9a-fA-F]{6}$")


class StageOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage_ids: list[int] = PydField(min_length=1, max_length=30)
