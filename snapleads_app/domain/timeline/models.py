"""Activity timeline of a lead: every change, who made it and from which entry point."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Column, ForeignKey, Index
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import BigId, created_at_field, json_field


class Activity(SQLModel, table=True):
    __tablename__ = "activity"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        Index("ix_activity_lead_created", "lead_id", "created_at"),
        Index("ix_activity_workspace_created", "workspace_id", "created_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    lead_id: int = Field(sa_column=Column(BigId, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False))
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    via: str = Field(max_length=16)
    type: str = Field(max_length=40)  # lead.created, lead.updated, status.changed, tag.added, ...
    data: dict[str, Any] = json_field()
    created_at: datetime = created_at_field()


class ActivityPublic(BaseModel):
    id: int
    lead_id: int
    actor_user_id: int | None
    via: str
    type: str
    data: dict[str, Any]
    created_at: datetime
