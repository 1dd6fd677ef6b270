"""Translated labels for dynamic values (roles, statuses)."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx

from snapleads_app.domain.accounts.models import ROLES
from snapleads_app.state.i18n import tr

ROLE_COLORS = {"owner": "violet", "admin": "iris", "manager": "cyan", "agent": "grass", "viewer": "gray"}
STATUSES = ("pending", "accepted", "expired", "revoked")


def role_label(role: Any) -> Any:
    return rx.match(role, *[(r, tr(f"role.{r}")) for r in ROLES], role)


def status_label(status: Any) -> Any:
    return rx.match(status, *[(s, tr(f"status.{s}")) for s in STATUSES], status)


def role_badge(role: Any) -> rx.Component:
    return rx.badge(
        role_label(role),
        color_scheme=cast(Any, rx.match(role, *[(r, c) for r, c in ROLE_COLORS.items()], "gray")),
        variant="soft",
        radius="full",
    )
