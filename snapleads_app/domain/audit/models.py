"""Audit log: who did what to which record, from which entry point."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import created_at_field, json_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (Index("ix_audit_log_workspace_created", "workspace_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    via: str = Field(max_length=16)
    action: str = Field(max_length=64)
    entity_type: str = Field(max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] = json_field()
    created_at: datetime = created_at_field()


class AuditEntryPublic(BaseModel):
    id: int
    actor_user_id: int | None
    via: str
    action: str
    entity_type: str
    entity_id: str | None
    data: dict[str, Any]
    created_at: datetime
