"""Lead scores: the workspace's rules, each lead's explanation (rule → points) and the history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import BigId, created_at_field, json_field


class ScoringConfig(SQLModel, table=True):
    __tablename__ = "scoring_config"  # pyright: ignore[reportAssignmentType]

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True, ondelete="CASCADE")
    rules: dict[str, Any] = json_field()
    version: int = 1
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    updated_at: datetime = created_at_field()


# lead_score and lead_score_history are derived data written a million rows at a time by the bulk
# rescore: no foreign keys (a per-row RI check and lock on `lead` doubled its cost); rows of purged
# leads are removed by `scoring.service.rescore_workspace`.


class LeadScore(SQLModel, table=True):
    __tablename__ = "lead_score"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (Index("ix_lead_score_workspace", "workspace_id"),)

    lead_id: int = Field(sa_column=Column(BigId, primary_key=True, autoincrement=False))
    workspace_id: int
    score: int = 0
    points: dict[str, Any] = json_field()  # rule → points, the explanation shown to users
    rules_version: int = 1
    computed_at: datetime = created_at_field()


class ScoreHistory(SQLModel, table=True):
    __tablename__ = "lead_score_history"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (Index("ix_lead_score_history_lead", "lead_id", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    workspace_id: int
    lead_id: int = Field(sa_column=Column(BigId, nullable=False))
    old_score: int
    new_score: int
    reason: str = Field(max_length=40)  # lead.changed, rules.changed, message, ...
    created_at: datetime = created_at_field()


class ScoreLine(BaseModel):
    rule: str
    points: int


class ScoreExplanation(BaseModel):
    lead_id: int
    score: int
    band: str
    lines: list[ScoreLine]
    rules_version: int
    computed_at: datetime | None


class ScoreHistoryPublic(BaseModel):
    old_score: int
    new_score: int
    reason: str
    created_at: datetime


class ScoringRulesPublic(BaseModel):
    rules: dict[str, Any]
    version: int
    updated_at: datetime | None
