"""What every member of a workspace sees live, pushed by the relay to the tabs joined to the workspace's
channel (`ws-<wid>`; see "pushes" in state/realtime.py): one Socket.IO emit per process and change, no
per-tab state write. Tabs join in `PresenceState.go_online` after the session is verified, which also
sets the current value (a tab's server copy holds what it had at join time).
"""

from __future__ import annotations

import reflex as rx


def workspace_token(workspace_id: int) -> str:
    return f"ws-{int(workspace_id)}"


class WorkspaceShared(rx.State):
    """What every member of a workspace sees live."""

    # [{"user_id": "7", "name": "Ana Lima", "initials": "AL"}], sorted by name.
    online: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
