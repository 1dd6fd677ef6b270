"""Column helpers shared by every domain model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Column, Field

from snapleads_app.core.clock import now

# JSONB on PostgreSQL (indexable), JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def json_field(default_factory: Any = dict) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSONType, nullable=False))


def created_at_field() -> Any:
    return Field(default_factory=now, nullable=False)


# 64-bit ids on PostgreSQL; on SQLite only INTEGER PRIMARY KEY auto-increments (it is 64-bit there too).
BigId = BigInteger().with_variant(Integer(), "sqlite")
