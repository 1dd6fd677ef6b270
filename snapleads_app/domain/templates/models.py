"""Message templates: a body with `{{variables}}`, platform, category and kept send/reply counters."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import created_at_field

TemplatePlatform = Literal[
    "any", "instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "email"
]
Category = Literal["outreach", "follow_up", "meeting", "closing", "other"]


class MessageTemplate(SQLModel, table=True):
    __tablename__ = "message_template"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (Index("uq_message_template_ws_name", "workspace_id", text("lower(name)"), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    body: str = Field(sa_column=Column(Text, nullable=False))
    platform: str = Field(default="any", max_length=16)
    category: str = Field(default="outreach", max_length=24)
    # Kept by the inbox: messages sent with this template / of those, answered by the lead within 7 days.
    sent_count: int = 0
    replied_count: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = PydField(min_length=1, max_length=120)
    body: str = PydField(min_length=1, max_length=5000)
    platform: TemplatePlatform = "any"
    category: Category = "outreach"


class TemplateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str | None = PydField(default=None, min_length=1, max_length=120)
    body: str | None = PydField(default=None, min_length=1, max_length=5000)
    platform: TemplatePlatform | None = None
    category: Category | None = None


class TemplatePublic(BaseModel):
    id: int
    name: str
    body: str
    platform: str
    category: str
    variables: list[str]
    sent_count: int
    replied_count: int
    reply_rate: float  # 0..1
    created_at: datetime
    updated_at: datetime


class PreviewIn(BaseModel):
    """Render a saved template (`template_id`) or a draft (`body`) for a lead."""

    model_config = ConfigDict(extra="forbid")
    lead_id: int = PydField(gt=0)
    template_id: int | None = PydField(default=None, gt=0)
    body: str | None = PydField(default=None, max_length=5000)


class PreviewPublic(BaseModel):
    text: str
    missing: list[str]
    variables: list[str]
