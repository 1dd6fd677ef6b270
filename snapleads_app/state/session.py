"""Signed-in session: resolves the ctx from the HttpOnly cookie for every handler that touches data.

Feature states subclass `SessionState` and start each handler with `ctx = await self._ctx()` under
`@guarded`: a missing/expired/revoked session raises Unauthenticated and the user lands on /login.
The on_load of every authenticated page is `SessionState.load_shell` (see pages/layout.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Unauthenticated
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.i18n import normalise_language
from snapleads_app.state.base import full_page_load, guarded, run_service, session_token
from snapleads_app.state.i18n import LangState


class SessionState(LangState):
    """Who is signed in, in which workspace (Public data only), and the shell's actions."""

    user_id: rx.Field[int] = rx.field(0)
    user_name: rx.Field[str] = rx.field("")
    user_email: rx.Field[str] = rx.field("")
    workspace_id: rx.Field[int] = rx.field(0)
    workspace_name: rx.Field[str] = rx.field("")
    role: rx.Field[str] = rx.field("")
    workspaces: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    can_manage_members: rx.Field[bool] = rx.field(False)

    async def _ctx(self) -> Ctx:
        """The caller's ctx, re-checked against the database on every call (role changes apply)."""
        token = session_token(self.router.headers.cookie)
        if not token:
            raise Unauthenticated("Sign in to continue", code="unauthenticated")
        return await run_service(accounts.authenticate_web_session, token=token)

    async def _reload(self, ctx: Ctx) -> None:
        """Reload what the page shows after a change (pages that use `_change` override it)."""

    async def _change(self, service: Callable[..., Any], /, **kwargs: Any) -> Ctx:
        """Run the domain `service` as the signed-in user, then `_reload` the page; returns the ctx."""
        ctx = await self._ctx()
        await run_service(service, ctx=ctx, **kwargs)
        await self._reload(ctx)
        return ctx

    @rx.var
    def initials(self) -> str:
        parts = [p for p in self.user_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @rx.event
    @guarded
    async def load_shell(self):
        """on_load of authenticated pages: who am I, then come online in the workspace."""
        ctx = await self._ctx()
        me = await run_service(accounts.me, ctx=ctx)
        self.user_id = me.user.id
        self.user_name = me.user.full_name
        self.user_email = me.user.email
        self.workspace_id = me.workspace.id
        self.workspace_name = me.workspace.name
        self.role = me.role
        self.workspaces = [{"id": str(w.workspace_id), "name": w.name, "role": w.role} for w in me.workspaces]
        self.can_manage_members = rules.can(me.role, "members.manage")
        self.lang = normalise_language(me.user.language)
        from snapleads_app.state.presence import PresenceState
        from snapleads_app.state.realtime_inbox import InboxLiveState

        # Online in the workspace, and linked to the inbox changes the nav's unread badge follows.
        return [PresenceState.go_online, InboxLiveState.link]

    @rx.event
    @guarded
    async def set_language(self, lang: str):
        lang = normalise_language(lang)
        self.lang = lang
        ctx = await self._ctx()
        await run_service(accounts.set_language, ctx=ctx, language=lang)

    @rx.event
    @guarded
    async def switch_workspace(self, workspace_id: str):
        ctx = await self._ctx()
        if int(workspace_id) == ctx.workspace_id:
            return None
        await run_service(accounts.switch_web_workspace, ctx=ctx, workspace_id=int(workspace_id))
        # A full load reconnects the websocket and re-links every shared state to the new workspace.
        return full_page_load("/")
