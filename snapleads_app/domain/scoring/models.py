"""Lead scores: the workspace's rules, each lead's explanation (rule → points) and the history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index, SmallInteger
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import BigId, created_at_field, json_field

# The points of each rule in `rules.RULE_ORDER`: smallint[] on PostgreSQL (42 bytes against ~190 for
# the same as jsonb object: the bulk rescore rewrites a million of these), a JSON list on SQLite.
# An empty list = never computed (a lead's row is created with score 0 before its first scoring).
PointsType = JSON().with_variant(ARRAY(SmallInteger()), "postgresql")


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
#
# lead_score is the only home of a lead's score (not a column of `lead`: a score change there was a
# non-HOT update of a wide row with 12 indexes). Every lead gets its row (score 0) when it is created;
# the row stays while the lead is in the trash so a restore finds it. Readers still treat a missing row
# as 0 (see `leads.repo`).


class LeadScore(SQLModel, table=True):
    __tablename__ = "lead_score"  # pyright: ignore[reportAssignmentType]
    # The score filter and sort of the leads listing (keyset on score, lead_id).
    __table_args__ = (Index("ix_lead_score_ws_score", "workspace_id", "score", "lead_id"),)

    lead_id: int = Field(sa_column=Column(BigId, primary_key=True, autoincrement=False))
    workspace_id: int
    score: int = 0
    # points per rule in RULE_ORDER, the explanation shown to users ([] = not computed yet)
    points: list[int] = Field(default_factory=list, sa_column=Column(PointsType, nullable=False))
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
