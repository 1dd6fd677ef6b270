"""Schemas of the extension endpoints (no tables: the extension's own state lives in the browser)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField

from snapleads_app.domain.accounts.models import WorkspaceMembershipPublic
from snapleads_app.domain.tags.models import TagPublic

Platform = Literal["instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other"]
LOOKUP_MAX = 500


class ExtensionContext(BaseModel):
    """Everything the popup shows after login, in one round trip."""

    user_email: str
    user_name: str
    workspace_id: int
    workspace_name: str
    role: str
    can_import: bool
    tags: list[TagPublic]
    workspaces: list[WorkspaceMembershipPublic]  # to switch where captured leads go


class ProfileRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str | None = PydField(default=None, max_length=200)
    profile_url: str | None = PydField(default=None, max_length=2048)


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Platform
    profiles: list[ProfileRef] = PydField(min_length=1, max_length=LOOKUP_MAX)


class LookupOut(BaseModel):
    """`keys[i]` is the CRM's uniqueness key of profile i (None when it names no profile);
    `existing` lists the indexes of the profiles the workspace already has."""

    keys: list[str | None]
    existing: list[int]
