"""Inbox: one conversation per lead and channel, its messages (direction, status lifecycle), schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import Column, ForeignKey, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import BigId, created_at_field
from snapleads_app.domain.leads.models import LeadFields, Platform

Channel = Literal["manual", "email", "stub"]
CHANNELS: tuple[Channel, ...] = ("manual", "email", "stub")
ConversationStatus = Literal["open", "archived"]
Direction = Literal["inbound", "outbound"]
SenderType = Literal["agent", "lead", "system"]
MessageType = Literal["text", "template"]
MessageStatus = Literal["pending", "sent", "delivered", "read", "failed"]
PREVIEW_CHARS = 160


class Conversation(SQLModel, table=True):
    __tablename__ = "conversation"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        UniqueConstraint("workspace_id", "lead_id", "channel", name="uq_conversation_lead_channel"),
        # The inbox list: newest activity first, per status (keyset on last_message_at, id).
        Index("ix_conversation_ws_status_last", "workspace_id", "status", "last_message_at", "id"),
        Index("ix_conversation_ws_assignee_last", "workspace_id", "assignee_id", "last_message_at", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    lead_id: int = Field(sa_column=Column(BigId, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False))
    channel: str = Field(default="manual", max_length=16)
    status: str = Field(default="open", max_length=16)
    unread_count: int = 0
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    last_message_at: datetime = created_at_field()
    last_message_preview: str = Field(default="", max_length=PREVIEW_CHARS)
    last_message_direction: str = Field(default="", max_length=16)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class Message(SQLModel, table=True):
    __tablename__ = "message"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        # History pages: newest first by id inside a conversation.
        Index("ix_message_conversation_id", "conversation_id", "id"),
        # Inbound dedup: one message per external id and conversation.
        Index(
            "uq_message_conversation_external",
            "conversation_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
            sqlite_where=text("external_id IS NOT NULL"),
        ),
        # Template reply stats: outbound template messages still waiting for a reply.
        Index(
            "ix_message_template_waiting",
            "conversation_id",
            "created_at",
            postgresql_where=text("template_id IS NOT NULL AND reply_counted = false"),
        ),
        # Search over message text on PostgreSQL (trigram), LIKE scan on SQLite.
        Index(
            "ix_message_body_trgm", "body", postgresql_using="gin", postgresql_ops={"body": "gin_trgm_ops"}
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True))
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    conversation_id: int = Field(
        sa_column=Column(BigId, ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False)
    )
    direction: str = Field(max_length=16)
    sender_type: str = Field(max_length=16)
    type: str = Field(default="text", max_length=16)
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16)
    error: str | None = Field(default=None, max_length=500)
    sender_user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    template_id: int | None = Field(default=None, foreign_key="message_template.id", ondelete="SET NULL")
    reply_counted: bool = False
    external_id: str | None = Field(default=None, max_length=255)
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    created_at: datetime = created_at_field()


# ---------------------------------------------------------------- schemas


class LeadBrief(BaseModel):
    id: int
    name: str
    platform: str
    username: str | None
    avatar_url: str | None


class ConversationPublic(BaseModel):
    id: int
    lead_id: int
    lead: LeadBrief
    channel: str
    status: str
    unread_count: int
    assignee_id: int | None
    last_message_at: datetime
    last_message_preview: str
    last_message_direction: str
    created_at: datetime


class MessagePublic(BaseModel):
    id: int
    conversation_id: int
    direction: str
    sender_type: str
    type: str
    body: str
    status: str
    error: str | None
    sender_user_id: int | None
    template_id: int | None
    external_id: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    created_at: datetime


class ConversationFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    status: ConversationStatus | None = "open"
    unread: bool = False
    platform: list[Platform] | None = None
    channel: Channel | None = None
    assignee_id: int | None = PydField(default=None, gt=0)
    unassigned: bool = False
    lead_id: int | None = PydField(default=None, gt=0)
    search: str | None = PydField(default=None, max_length=100)


class ConversationPage(BaseModel):
    data: list[ConversationPublic]
    limit: int
    next_cursor: str | None = None


class MessagePage(BaseModel):
    """Messages oldest → newest; `next_cursor` fetches the page before the first one."""

    data: list[MessagePublic]
    limit: int
    next_cursor: str | None = None


class ConversationDetail(BaseModel):
    conversation: ConversationPublic
    messages: MessagePage


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = PydField(default="", max_length=5000)
    template_id: int | None = PydField(default=None, gt=0)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: int | None = PydField(default=None, gt=0)
    round_robin: bool = False


class InboundLead(LeadFields):
    platform: Platform = "other"


class InboundIn(BaseModel):
    """A message captured by the extension (DM thread) or posted by a channel."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    lead_id: int | None = PydField(default=None, gt=0)
    lead: InboundLead | None = None
    channel: Channel = "manual"
    direction: Direction = "inbound"
    external_id: str | None = PydField(default=None, max_length=255)
    body: str = PydField(min_length=1, max_length=20000)
    sent_at: datetime | None = None


class InboundResult(BaseModel):
    message: MessagePublic
    conversation_id: int
    lead_id: int
    created: bool  # False: this external id was already recorded (deduplicated)


class StatusIn(BaseModel):
    """A channel's delivery report for an outbound message."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["sent", "delivered", "read", "failed"]
    error: str | None = PydField(default=None, max_length=500)
