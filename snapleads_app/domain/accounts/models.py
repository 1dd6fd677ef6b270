"""Accounts: workspaces, users, memberships, invitations and auth sessions (tables + schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr
from pydantic import Field as PydField
from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import created_at_field, json_field

Role = Literal["owner", "admin", "manager", "agent", "viewer"]
ROLES: tuple[Role, ...] = ("owner", "admin", "manager", "agent", "viewer")
Language = Literal["pt-BR", "en"]
InvitationStatus = Literal["pending", "accepted", "expired", "revoked"]


# ---------------------------------------------------------------- tables


class Workspace(SQLModel, table=True):
    __tablename__ = "workspace"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    plan: str = Field(default="free", max_length=32)
    settings: dict[str, Any] = json_field()
    # IANA zone of the workspace's dates (analytics days, reports); Brazil first.
    time_zone: str = Field(default="America/Sao_Paulo", max_length=64)
    created_at: datetime = created_at_field()


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # pyright: ignore[reportAssignmentType]  (user is reserved in PostgreSQL)
    __table_args__ = (Index("uq_app_user_email_lower", text("lower(email)"), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    full_name: str = Field(max_length=120)
    avatar_url: str | None = Field(default=None, max_length=2048)
    password_hash: str | None = Field(default=None, max_length=128)
    language: str = Field(default="pt-BR", max_length=8)
    is_active: bool = True
    last_login_at: datetime | None = None
    created_at: datetime = created_at_field()


class Membership(SQLModel, table=True):
    __tablename__ = "membership"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", name="uq_membership_workspace_user"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=16)
    created_at: datetime = created_at_field()


class Invitation(SQLModel, table=True):
    __tablename__ = "invitation"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    status: str = Field(default="pending", max_length=16)
    invited_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    expires_at: datetime
    accepted_at: datetime | None = None
    created_at: datetime = created_at_field()


class AuthSession(SQLModel, table=True):
    """One login: the family of its rotated refresh tokens, or a browser's HttpOnly session."""

    __tablename__ = "auth_session"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    kind: str = Field(default="api", max_length=16)  # api | web
    web_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_expires_at: datetime | None = None
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = Field(default=None, max_length=32)
    created_at: datetime = created_at_field()


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="auth_session.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = created_at_field()


# ---------------------------------------------------------------- schemas


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterIn(_In):
    email: EmailStr
    password: str = PydField(min_length=1, max_length=256)
    full_name: str = PydField(min_length=1, max_length=120)
    workspace_name: str = PydField(min_length=1, max_length=120)
    language: Language = "pt-BR"


class LoginIn(_In):
    email: EmailStr
    password: str = PydField(min_length=1, max_length=256)


class RefreshIn(_In):
    refresh_token: str = PydField(min_length=1, max_length=256)


class SwitchWorkspaceIn(_In):
    workspace_id: int = PydField(gt=0)


class InviteIn(_In):
    email: EmailStr
    role: Role


class AcceptInviteIn(_In):
    full_name: str = PydField(default="", max_length=120)
    password: str = PydField(min_length=1, max_length=256)


class ChangeRoleIn(_In):
    role: Role


class LanguageIn(_In):
    language: Language


class ClientInfo(BaseModel):
    ip: str | None = None
    user_agent: str | None = None
    kind: Literal["api", "web"] = "api"


class AuthTokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    session_id: int
    workspace_id: int
    web_ticket: str | None = None


class UserPublic(BaseModel):
    id: int
    email: str
    full_name: str
    avatar_url: str | None = None
    language: str
    last_login_at: datetime | None = None


class WorkspacePublic(BaseModel):
    id: int
    name: str
    plan: str


class WorkspaceMembershipPublic(BaseModel):
    workspace_id: int
    name: str
    role: Role


class MePublic(BaseModel):
    user: UserPublic
    workspace: WorkspacePublic
    role: Role
    workspaces: list[WorkspaceMembershipPublic]


class MemberPublic(BaseModel):
    user_id: int
    email: str
    full_name: str
    role: Role
    joined_at: datetime


class InvitationPublic(BaseModel):
    id: int
    email: str
    role: Role
    status: InvitationStatus
    expires_at: datetime
    created_at: datetime


class InvitationCreated(BaseModel):
    invitation: InvitationPublic
    token: str
    accept_path: str


class InvitationPreview(BaseModel):
    workspace_name: str
    email: str
    role: Role
    status: InvitationStatus
    user_exists: bool
