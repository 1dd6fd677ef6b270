"""The shell's navigation badges: the number of unread conversations the user can see (agents: only
theirs), kept live.

Every authenticated page links the tab to its inbox token (`SessionState.load_shell` →
`InboxLiveState.link`: the workspace's token for members who see everything, the agent's own token
otherwise). The relay counts each channel once per inbox change and pushes it (`InboxShared.unread`); this
state reads the count through the inbox service only when the shell mounts or the tab has no pushed count,
so the badge is always a count from the database, never a client-side sum.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.domain.inbox import service as inbox
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.session import SessionState


class NavState(SessionState):
    inbox_unread: rx.Field[int] = rx.field(0)

    @rx.event
    @guarded
    async def inbox_changed(self, no_pushed_count: Any = True):
        """The shell's watcher: mounted, or the tab has no pushed count (yet, or since a reconnect)."""
        ctx = await self._ctx()
        self.inbox_unread = await run_service(inbox.unread_total, ctx=ctx)
