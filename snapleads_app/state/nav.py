"""The shell's navigation badges: the number of unread conversations the user can see (agents: only
theirs), kept live.

Every authenticated page links the tab to its inbox token (`SessionState.load_shell` →
`InboxLiveState.link`: the workspace's token for members who see everything, the agent's own token
otherwise), and the shell watches `InboxShared.version`: each inbox change the relay applies re-reads the
count through the inbox service, so the badge is the database's truth, never a client-side sum.
"""

from __future__ import annotations

import reflex as rx

from snapleads_app.domain.inbox import service as inbox
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.session import SessionState


class NavState(SessionState):
    inbox_unread: rx.Field[int] = rx.field(0)

    @rx.var
    def inbox_unread_label(self) -> str:
        return "99+" if self.inbox_unread > 99 else str(self.inbox_unread)

    @rx.event
    @guarded
    async def inbox_changed(self, version: int):
        """The shell's watcher: the inbox changed (or the shell mounted) — recount from the database."""
        ctx = await self._ctx()
        self.inbox_unread = await run_service(inbox.unread_total, ctx=ctx)
