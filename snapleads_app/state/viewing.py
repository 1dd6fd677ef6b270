"""Viewing presence per conversation: "Ana is viewing" in the thread header of everyone else.

The inbox page watches its open conversation id and calls `ViewingState.view` with it: the domain checks
the user may see it, writes this tab's entry in the viewing store and announces it; the tab joins the
conversation's push channel (`conv-<wid>-<cid>`) with its viewers as of now. A background loop renews the
entry every few seconds while the websocket is connected; closing the thread, leaving the page (`stop`, on
unmount) or losing the connection removes it and announces it again; a tab that died without leaving
expires by TTL and the remaining viewers' next heartbeat announces the change. The relay (one process)
answers every announcement with one push of the current viewers to the channel: every process emits it
to its own tabs in one Socket.IO call (state/realtime.py) — no Reflex shared state, whose per-tab locked
fan-out grew with the square of the tabs on one conversation and held the relay up for everything else.

Imported by snapleads_app.py so the relay handler is registered.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx

from snapleads_app.core.errors import NotFound
from snapleads_app.core.events import DomainEvent
from snapleads_app.domain.presence import viewing
from snapleads_app.state.base import guarded, run_blocking, run_service
from snapleads_app.state.presence import DISCONNECT_GRACE_SECONDS, HEARTBEAT_SECONDS, is_client_connected
from snapleads_app.state.realtime import (
    PUSH_HUB,
    Push,
    field_delta,
    publish_pushes,
    relay_handler,
    send_pushes,
)
from snapleads_app.state.session import SessionState

log = logging.getLogger(__name__)

# Client tokens with a viewing loop in this process (one per tab).
_RUNNING: set[str] = set()


def conversation_token(workspace_id: int, conversation_id: int) -> str:
    return f"conv-{int(workspace_id)}-{int(conversation_id)}"


class ConversationShared(rx.State):
    """Who has the tab's open conversation open too: tab-local, written in the browser by the relay's
    pushes on the conversation's channel (and on the server by `view`/`stop`, the rows as of then)."""

    conversation_id: rx.Field[str] = rx.field("")
    # [{"user_id": "7", "name": "Ana Lima"}], sorted by name (the viewer's own entry included).
    viewers: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)


def viewer_rows(conversation_id: int) -> list[dict[str, str]]:
    """Blocking: the store's viewers as the rows `ConversationShared.viewers` holds."""
    return [{"user_id": str(u.user_id), "name": u.name} for u in viewing.viewers(conversation_id)]


def viewers_push(workspace_id: int, conversation_id: int) -> tuple[Push, bool]:
    """Blocking: the conversation's viewers as one push to its channel, published to every process."""
    push = Push(
        channel=conversation_token(workspace_id, conversation_id),
        delta=field_delta(
            ConversationShared,
            {"conversation_id": str(conversation_id), "viewers": viewer_rows(conversation_id)},
        ),
    )
    return push, publish_pushes([push])


@relay_handler(viewing.EVENT)
async def _on_viewing(app: Any, event: DomainEvent) -> None:
    conversation_id = int((event.data or {}).get("conversation_id") or 0)
    if not conversation_id:
        return
    push, published = await asyncio.to_thread(viewers_push, event.workspace_id, conversation_id)
    await send_pushes(app, [push], published=published)


def _left_inbox(path: str, path_at_view: str) -> bool:
    """Whether the tab's last event came from a page other than the inbox.

    `view` only ever comes from the inbox page, yet an event sent from a page's mount effect right
    after a client-side navigation carries the previous route (Reflex updates its location after the
    children's effects). So a non-inbox path counts only once it differs from the one `view` saw.
    """
    if not path or path.rstrip("/").startswith("/inbox"):
        return False
    return path != path_at_view


class ViewingState(SessionState):
    # What this tab is viewing: (workspace_id, conversation_id, user_id); zeros when nothing.
    _viewing: tuple[int, int, int] = (0, 0, 0)
    # The name the others read (from the database: the page may not have loaded the session yet).
    _viewer_name: str = ""
    # The route the `view` event carried (possibly stale, see `_left_inbox`).
    _path_at_view: str = ""

    async def _show(self, workspace_id: int, conversation_id: int) -> None:
        """Listen to the conversation's viewer pushes, starting from its viewers now (a push sent before
        the join would otherwise be missed); 0 = none."""
        sid = self.router.session.session_id
        shared = await self.get_state(ConversationShared)
        if not conversation_id:
            PUSH_HUB.leave("viewing", sid)
            shared.conversation_id, shared.viewers = "", []
            return
        PUSH_HUB.join("viewing", conversation_token(workspace_id, conversation_id), sid)
        shared.conversation_id = str(conversation_id)
        shared.viewers = await run_blocking(viewer_rows, conversation_id)

    async def _leave(self) -> None:
        wid, cid, uid = self._viewing
        self._viewing = (0, 0, 0)  # the loop stops at its next beat
        await self._show(0, 0)
        if cid:
            await run_blocking(
                viewing.stop_viewing,
                workspace_id=wid,
                conversation_id=cid,
                user_id=uid,
                client_token=self.router.session.client_token,
            )

    @rx.event
    @guarded
    async def view(self, conversation_id: str):
        """The inbox's open conversation changed (watched in the browser); "" = none."""
        conversation_id = str(conversation_id or "")
        if not conversation_id.isdigit():
            await self._leave()
            return None
        ctx = await self._ctx()
        target = (ctx.workspace_id, int(conversation_id), int(ctx.user_id or 0))
        client_token = self.router.session.client_token
        self._path_at_view = self.router.url.path
        if target == self._viewing and client_token in _RUNNING:
            await self._show(target[0], target[1])  # a reconnect has a new socket: join it again
            return None  # already viewing it, renewed by this process's loop
        if target != self._viewing:
            await self._leave()
        # Same target without a loop here: a reconnect to another process (or after a restart).
        try:
            started = await run_service(
                viewing.start_viewing, ctx=ctx, conversation_id=target[1], client_token=client_token
            )
        except NotFound:
            return None  # not (or no longer) visible to this user: nothing to show, nothing to announce
        self._viewing = target
        self._viewer_name = started.name
        await self._show(target[0], target[1])  # only once the service said the user may see it
        return None if client_token in _RUNNING else ViewingState.viewing_loop

    @rx.event
    async def stop(self):
        """The inbox page unmounted (another page of the app)."""
        await self._leave()

    @rx.event(background=True)
    async def viewing_loop(self):
        client_token = self.router.session.client_token
        if client_token in _RUNNING:
            return
        _RUNNING.add(client_token)
        current: tuple[int, int, int] = (0, 0, 0)
        seen: set[int] = set()
        try:
            while True:
                async with self:
                    current = self._viewing
                    name = self._viewer_name
                    # Left the page without its unmount event (logout, a full page load elsewhere).
                    if not current[1] or _left_inbox(self.router.url.path, self._path_at_view):
                        await self._end_loop(current, client_token)
                        return
                wid, cid, uid = current
                seen = await run_blocking(
                    viewing.renew,
                    workspace_id=wid,
                    conversation_id=cid,
                    user_id=uid,
                    name=name,
                    client_token=client_token,
                    seen=seen,
                )
                await asyncio.sleep(HEARTBEAT_SECONDS)
                if not await is_client_connected(client_token):
                    await asyncio.sleep(DISCONNECT_GRACE_SECONDS)
                    if not await is_client_connected(client_token):
                        async with self:
                            await self._end_loop(self._viewing, client_token)
                        return
                async with self:
                    if self._viewing != current:
                        seen = set()  # another conversation: its first beat announces nothing
        except asyncio.CancelledError:
            _RUNNING.discard(client_token)
            raise
        except Exception:
            log.exception("viewing heartbeat loop failed")
            _RUNNING.discard(client_token)  # even if the cleanup below fails, a later `view` restarts
            async with self:
                await self._end_loop(self._viewing, client_token)

    async def _end_loop(self, current: tuple[int, int, int], client_token: str) -> None:
        """Called holding the state lock, so no `view` of this tab runs in between: it either ran
        before (and this removes what the tab views now) or runs after and starts a fresh loop."""
        _RUNNING.discard(client_token)
        self._viewing = (0, 0, 0)
        PUSH_HUB.leave("viewing", self.router.session.session_id)
        if current[1]:
            try:
                await run_blocking(
                    viewing.stop_viewing,
                    workspace_id=current[0],
                    conversation_id=current[1],
                    user_id=current[2],
                    client_token=client_token,
                )
            except Exception:
                log.exception("viewing leave failed")
