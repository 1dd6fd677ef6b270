"""Notifications: per-user preferences, password-reset requests and the new-message batching state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr
from pydantic import Field as PydField
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from snapleads_app.core.clock import now
from snapleads_app.core.models import created_at_field, json_field

# ---------------------------------------------------------------- tables


class NotificationPreference(SQLModel, table=True):
    """Which optional e-mails a user wants (invitations and password resets are always sent).

    No row = every optional e-mail on (the defaults below)."""

    __tablename__ = "notification_preference"  # pyright: ignore[reportAssignmentType]

    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    import_finished: bool = True
    lead_assigned: bool = True
    new_message: bool = True
    updated_at: datetime = Field(default_factory=now, nullable=False)


class PasswordReset(SQLModel, table=True):
    """One forgot-password request. Rows exist for unknown e-mails too (no user, no token): the
    per-e-mail throttle then treats known and unknown addresses alike."""

    __tablename__ = "password_reset"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (Index("ix_password_reset_email_requested", "email_hash", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    email_hash: str = Field(max_length=64)  # sha256 of the normalised e-mail: no address kept
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True, ondelete="CASCADE")
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    requested_at: datetime = created_at_field()
    expires_at: datetime
    used_at: datetime | None = None


class MessageNotification(SQLModel, table=True):
    """Batching state of new-message e-mails for one (user, conversation)."""

    __tablename__ = "message_notification"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        UniqueConstraint("user_id", "conversation_id", name="uq_message_notification_user_conversation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE")
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    conversation_id: int
    last_sent_at: datetime | None = None
    # Messages folded while the window is closed: [{"lead_name": …, "preview": …}], sent with the flush.
    pending: list[dict[str, Any]] = json_field(list)
    pending_count: int = 0
    flush_due_at: datetime | None = None


# ---------------------------------------------------------------- schemas


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PreferencesPublic(BaseModel):
    import_finished: bool = True
    lead_assigned: bool = True
    new_message: bool = True


class PreferencesUpdate(_In):
    import_finished: bool | None = None
    lead_assigned: bool | None = None
    new_message: bool | None = None


class ForgotPasswordIn(_In):
    email: EmailStr


class ResetPasswordIn(_In):
    token: str = PydField(min_length=1, max_length=128)
    password: str = PydField(min_length=1, max_length=256)


class ResetTokenCheck(BaseModel):
    valid: bool
    email: str = ""  # shown on the reset page so the user knows which account (only for a valid token)
