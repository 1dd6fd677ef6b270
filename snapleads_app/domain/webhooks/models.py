"""Webhooks: per-event subscriptions of a workspace and the log of every delivery attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import BigId, created_at_field, json_field

WebhookEvent = Literal[
    "lead.created", "lead.updated", "message.received", "import.completed", "automation.run"
]
EVENTS: tuple[str, ...] = (
    "lead.created",
    "lead.updated",
    "message.received",
    "import.completed",
    "automation.run",
)


class Webhook(SQLModel, table=True):
    __tablename__ = "webhook"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE", index=True)
    url: str = Field(max_length=2048)
    description: str = Field(default="", max_length=200)
    events: list[str] = json_field(list)
    secret: str = Field(max_length=128)  # signs the body (HMAC-SHA256); the receiver holds a copy
    enabled: bool = True
    last_delivery_at: datetime | None = None
    last_status: str | None = Field(default=None, max_length=16)
    created_at: datetime = created_at_field()


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_webhook_delivery_event"),
        Index("ix_webhook_delivery_hook_created", "webhook_id", "created_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    webhook_id: int = Field(foreign_key="webhook.id", ondelete="CASCADE")
    event: str = Field(max_length=40)
    event_id: str = Field(max_length=64)
    payload: dict[str, Any] = json_field()
    status: str = Field(default="pending", max_length=16)  # pending, retrying, success, failed
    attempts: int = 0
    response_status: int | None = None
    response_body: str | None = Field(default=None, sa_column=Column(Text))
    error: str | None = Field(default=None, max_length=500)
    duration_ms: int | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    created_at: datetime = created_at_field()


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    url: str = PydField(min_length=8, max_length=2048)
    description: str = PydField(default="", max_length=200)
    events: list[WebhookEvent] = PydField(min_length=1)
    enabled: bool = True


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    url: str | None = PydField(default=None, min_length=8, max_length=2048)
    description: str | None = PydField(default=None, max_length=200)
    events: list[WebhookEvent] | None = None
    enabled: bool | None = None


class WebhookPublic(BaseModel):
    id: int
    url: str
    description: str
    events: list[str]
    secret: str
    enabled: bool
    last_delivery_at: datetime | None
    last_status: str | None
    created_at: datetime


class WebhookDeliveryPublic(BaseModel):
    id: int
    webhook_id: int
    event: str
    status: str
    attempts: int
    response_status: int | None
    error: str | None
    duration_ms: int | None
    delivered_at: datetime | None
    created_at: datetime
