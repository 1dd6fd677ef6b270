"""Shared states: one instance per workspace token, fanned out by Reflex to every linked browser.

Only the realtime relay (state/realtime.py) writes them, from domain events; browsers link to their
workspace's token in `PresenceState.go_online` after the session is verified.
Tokens must not contain "_" (Reflex uses it as a separator).
"""

from __future__ import annotations

import reflex as rx


def workspace_token(workspace_id: int) -> str:
    return f"ws-{int(workspace_id)}"


class WorkspaceShared(rx.SharedState):
    """What every member of a workspace sees live."""

    # [{"user_id": "7", "name": "Ana Lima", "initials": "AL"}], sorted by name.
    online: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
