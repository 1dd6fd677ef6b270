"""Presence of this browser tab: join the workspace's pushes, heartbeat, leave.

A tab comes online when the shell loads (`go_online`): the heartbeat is written to the presence store
and a `presence` event is published (the relay refreshes `WorkspaceShared.online`). A background task
renews the heartbeat every few seconds while the tab's websocket is connected; when it disconnects
(tab closed, network lost) the task removes the entry and publishes again. If the process dies, the
entries expire by TTL and the relay's sweep notices.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from snapleads_app.core.errors import Unauthenticated
from snapleads_app.core.events import DomainEvent, publish
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.presence import service as presence
from snapleads_app.state.base import LOGIN_ROUTE, api_url, full_page_load, guarded, run_blocking, run_service
from snapleads_app.state.realtime import PUSH_HUB, online_rows
from snapleads_app.state.session import SessionState
from snapleads_app.state.shared import WorkspaceShared, workspace_token

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
DISCONNECT_GRACE_SECONDS = 2.0  # a page reload reconnects within this window

# Client tokens with a heartbeat loop in this process (one loop per tab).
_RUNNING: set[str] = set()


def _announce(workspace_id: int, user_id: int, online: bool) -> None:
    publish(
        DomainEvent(type="presence", workspace_id=workspace_id, data={"user_id": user_id, "online": online})
    )


def beat(workspace_id: int, user_id: int, name: str, client_token: str) -> None:
    """Blocking: renew the entry; announce only when the tab was not online (no event per beat)."""
    if presence.heartbeat(workspace_id, user_id, name, client_token):
        _announce(workspace_id, user_id, True)


def depart(workspace_id: int, user_id: int, client_token: str) -> None:
    """Blocking: remove the tab's entry and announce it."""
    if presence.leave(workspace_id, user_id, client_token):
        _announce(workspace_id, user_id, False)


async def is_client_connected(client_token: str) -> bool:
    """Whether the tab's websocket is connected to any backend instance."""
    from reflex.utils.prerequisites import get_and_validate_app

    try:
        from reflex_base.registry import RegistrationContext

        app = RegistrationContext.get().app
    except Exception:  # noqa: BLE001 - outside a registration context
        app = get_and_validate_app().app
    namespace = app.event_namespace
    if namespace is None:
        return False
    return await namespace._token_manager.is_token_connected(client_token)


class PresenceState(SessionState):
    # What this tab announced last: (workspace_id, user_id); (0, 0) when offline.
    _online_as: tuple[int, int] = (0, 0)

    @rx.event
    @guarded
    async def go_online(self):
        ctx = await self._ctx()
        PUSH_HUB.join("workspace", workspace_token(ctx.workspace_id), self.router.session.session_id)
        client_token = self.router.session.client_token
        previous = self._online_as
        if previous[0] and previous != (ctx.workspace_id, ctx.user_id):
            await run_blocking(depart, previous[0], previous[1], client_token)
        self._online_as = (ctx.workspace_id, int(ctx.user_id or 0))
        await run_blocking(beat, ctx.workspace_id, int(ctx.user_id or 0), self.user_name, client_token)
        shared = await self.get_state(WorkspaceShared)
        shared.online = await run_blocking(online_rows, ctx.workspace_id)  # later changes are pushed
        if client_token not in _RUNNING:
            return PresenceState.heartbeat_loop
        return None

    @rx.event
    async def logout(self):
        """Revoke the session, go offline at once, then let the REST side expire the cookie."""
        try:
            ctx = await self._ctx()
            await run_service(accounts.logout, ctx=ctx)
        except Unauthenticated:
            pass  # already signed out; still clear the cookie
        wid, uid = self._online_as
        self._online_as = (0, 0)  # the heartbeat loop stops at its next beat
        if wid:
            await run_blocking(depart, wid, uid, self.router.session.client_token)
        return full_page_load(api_url(f"/api/v1/auth/web/clear?next={LOGIN_ROUTE}"))

    @rx.event(background=True)
    async def heartbeat_loop(self):
        client_token = self.router.session.client_token
        if client_token in _RUNNING:
            return
        _RUNNING.add(client_token)
        announced: tuple[int, int] = (0, 0)
        try:
            while True:
                async with self:
                    current = self._online_as
                    name = self.user_name
                if current != announced and announced[0]:
                    await run_blocking(depart, announced[0], announced[1], client_token)
                announced = current
                if not current[0]:
                    break
                await run_blocking(beat, current[0], current[1], name, client_token)
                await asyncio.sleep(HEARTBEAT_SECONDS)
                if not await is_client_connected(client_token):
                    await asyncio.sleep(DISCONNECT_GRACE_SECONDS)
                    if not await is_client_connected(client_token):
                        break
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("presence heartbeat loop failed")
        finally:
            _RUNNING.discard(client_token)
            if announced[0]:
                try:
                    await run_blocking(depart, announced[0], announced[1], client_token)
                except Exception:
                    log.exception("presence leave failed")
