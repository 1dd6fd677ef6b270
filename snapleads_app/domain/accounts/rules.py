"""Pure rules of accounts: password policy and what each role may do (SPEC.md roles table)."""

from __future__ import annotations

import re
from typing import Literal

from snapleads_app.domain.accounts.models import Role

Action = Literal[
    "workspace.settings",
    "members.manage",
    "leads.see_all",
    "leads.create",
    "leads.edit_all",
    "leads.edit_assigned",
    "leads.delete",
    "leads.assign",
    "messages.send_all",
    "messages.send_assigned",
    "automations.manage",
    "templates.manage",
    "tags.manage",
    "pipelines.manage",
    "analytics.view",
    "export",
    "integrations.manage",
]

_ALL: tuple[Role, ...] = ("owner", "admin", "manager", "agent", "viewer")
_PERMISSIONS: dict[Action, tuple[Role, ...]] = {
    "workspace.settings": ("owner", "admin"),
    "members.manage": ("owner", "admin"),
    "leads.see_all": ("owner", "admin", "manager", "viewer"),
    "leads.create": ("owner", "admin", "manager", "agent"),
    "leads.edit_all": ("owner", "admin", "manager"),
    "leads.edit_assigned": ("owner", "admin", "manager", "agent"),
    "leads.delete": ("owner", "admin", "manager"),
    "leads.assign": ("owner", "admin", "manager"),
    "messages.send_all": ("owner", "admin", "manager"),
    "messages.send_assigned": ("owner", "admin", "manager", "agent"),
    "automations.manage": ("owner", "admin", "manager"),
    "templates.manage": ("owner", "admin", "manager"),
    "tags.manage": ("owner", "admin", "manager"),
    "pipelines.manage": ("owner", "admin", "manager"),
    "analytics.view": _ALL,
    "export": ("owner", "admin", "manager"),
    "integrations.manage": ("owner", "admin"),
}


def can(role: str, action: Action) -> bool:
    return role in _PERMISSIONS[action]


PASSWORD_MIN_LENGTH = 8


def password_problems(password: str) -> list[str]:
    """Which parts of the policy (≥ 8 chars, upper, lower, digit) the password misses, as codes."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append("password_too_short")
    if not re.search(r"[A-Z]", password):
        problems.append("password_needs_upper")
    if not re.search(r"[a-z]", password):
        problems.append("password_needs_lower")
    if not re.search(r"\d", password):
        problems.append("password_needs_digit")
    return problems


def member_change_problem(*, actor_role: str, target_role: str, new_role: str | None) -> str | None:
    """Why `actor_role` may not change a member from `target_role` to `new_role` (None = remove).

    Owners manage everyone; admins manage everyone but owners and cannot make owners; others nobody.
    Returns an error code, or None when allowed. The last-owner rule needs data and lives in the service.
    """
    if not can(actor_role, "members.manage"):
        return "members_forbidden"
    if actor_role == "admin" and (target_role == "owner" or new_role == "owner"):
        return "admin_cannot_manage_owners"
    return None


def invite_problem(*, actor_role: str, role: str) -> str | None:
    if not can(actor_role, "members.manage"):
        return "members_forbidden"
    if actor_role == "admin" and role == "owner":
        return "admin_cannot_manage_owners"
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()
