"""Column helpers shared by every domain model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Column, Field

from snapleads_app.core.clock import now

# JSONB on PostgreSQL (indexable), JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def json_field(default_factory: Any = dict) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSONType, nullable=False))


def created_at_field() -> Any:
    return Field(default_factory=now, nullable=False)
