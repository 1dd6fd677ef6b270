"""Realtime for the inbox: message and conversation events → one push per channel → open inboxes.

The relay (state/realtime.py, exactly one process applies each event) reads the message once, bumps the
workspace's inbox version (a counter in Redis shared by every process) and sends one push per channel:
the workspace's (`inbox-<wid>`, joined by members who see every conversation) and the assignee's own
(`inbox-<wid>-u<uid>`, joined by agents, who see only theirs; a reassignment also reaches the previous
assignee so it leaves their list). Every process emits it to its own tabs on that channel in one
Socket.IO call: `InboxShared` is a tab-local state that only these pushes write (the server's copy keeps
what `link` may have set), so a broadcast costs O(1) state-manager work whatever the number of tabs.

The page's watcher (components/live.watch) calls `InboxState.live_changed`, which reads what changed
from the database — new messages after the last one shown (merged by id: nothing twice), current
delivery statuses, the conversation list — so a missed or repeated push, or a reconnect (on_load runs
again, re-reads the database and joins again), never leaves a browser wrong. `InboxShared.recent`
carries the new message itself, so the thread shows it from the push before that read returns.
`InboxShared.unread` carries the channel's unread count (counted once by the relay), so the navigation
badge of every tab on every page follows without one event and one count query per tab.

Imported by snapleads_app.py so the relay handlers are registered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import reflex as rx

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.events import DomainEvent
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import MessagePublic
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.realtime import (
    PUSH_HUB,
    VERSIONS,
    Push,
    field_delta,
    publish_pushes,
    relay_handler,
    send_pushes,
)
from snapleads_app.state.session import SessionState

INBOX_EVENTS = ("message.created", "message.status_changed", "conversation.updated")
RECENT = 20


def inbox_token(workspace_id: int, user_id: int | None = None) -> str:
    base = f"inbox-{int(workspace_id)}"
    return base if user_id is None else f"{base}-u{int(user_id)}"


def version_key(workspace_id: int) -> str:
    return f"inbox-{int(workspace_id)}"


def current_version(workspace_id: int) -> int:
    """Blocking: the workspace's inbox version now (every change after it is numbered higher)."""
    return VERSIONS.current(version_key(workspace_id))


class InboxShared(rx.State):
    """The inbox changes a tab receives (its workspace's, or one agent's conversations): written in the
    browser by the relay's pushes; on the server only `link` writes it (the version at join time)."""

    # The workspace's inbox version of the last push (a counter that only grows).
    version: rx.Field[int] = rx.field(0)
    # The latest messages of the channel (newest last, at most RECENT): browsers render one from here as
    # soon as the push arrives, until their own state has caught up from the database.
    recent: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    # The channel's unread conversations as of `version` (the nav badge); -1 = no push yet: the shell
    # shows its own count read from the database when it loaded.
    unread: rx.Field[int] = rx.field(-1)


def change_record(event: DomainEvent) -> dict[str, str]:
    data = event.data or {}
    return {
        "type": event.type,
        "conversation_id": str(data.get("conversation_id") or ""),
        "message_id": str(data.get("message_id") or ""),
        "direction": str(data.get("direction") or ""),
        "change": str(data.get("change") or data.get("message_status") or ""),
        "actor": str(data.get("actor_user_id") or ""),
        "at": event.at,
    }


def channels_for(event: DomainEvent) -> dict[str, int | None]:
    """The channels a change goes to, each with the assignee it is limited to (None: the workspace's)."""
    data = event.data or {}
    channels: dict[str, int | None] = {inbox_token(event.workspace_id): None}
    for key in ("assignee_id", "previous_assignee_id"):
        if data.get(key):
            channels.setdefault(inbox_token(event.workspace_id, int(data[key])), int(data[key]))
    return channels


def _unread_by_channel(workspace_id: int, channels: dict[str, int | None]) -> dict[str, int]:
    with unit_of_work() as session:
        return {
            channel: inbox.unread_in_scope(session=session, workspace_id=workspace_id, assignee_id=assignee)
            for channel, assignee in channels.items()
        }


def recent_entry(msg: MessagePublic, at: str) -> dict[str, str]:
    """`at_ms`: when the change happened; a tab shows only entries newer than its own load (ids can be
    reused after a wipe, e.g. SQLite without AUTOINCREMENT — the DB read is the truth before that)."""
    return {
        "at_ms": str(int(dt.datetime.fromisoformat(at).timestamp() * 1000)),
        "id": str(msg.id),
        "conversation_id": str(msg.conversation_id),
        "body": msg.body,
        "outbound": "1" if msg.direction == "outbound" else "",
        "status": msg.status,
    }


def merge_recent(recent: list[dict[str, str]], entry: dict[str, str]) -> list[dict[str, str]]:
    """`recent` with `entry` added or updated in place (a status change), newest last, capped."""
    kept = [e if e["id"] != entry["id"] else entry for e in recent]
    if all(e["id"] != entry["id"] for e in recent):
        kept.append(entry)
    return kept[-RECENT:]


def _load_message(workspace_id: int, message_id: int) -> MessagePublic | None:
    with unit_of_work() as session:
        return inbox.message_for_relay(session=session, workspace_id=workspace_id, message_id=message_id)


class RecentByChannel:
    """The leader's `recent` list per channel (bounded: the least recently changed channels go first).
    Only a fast path: a new leader starts empty and the database stays the truth."""

    MAX_CHANNELS = 2_000

    def __init__(self) -> None:
        self._lists: dict[str, list[dict[str, str]]] = {}

    def with_entry(self, channel: str, entry: dict[str, str] | None) -> list[dict[str, str]]:
        current = self._lists.pop(channel, [])
        if entry is not None:
            current = merge_recent(current, entry)
        self._lists[channel] = current  # re-inserted: most recent last
        while len(self._lists) > self.MAX_CHANNELS:
            self._lists.pop(next(iter(self._lists)))
        return list(current)


_recent = RecentByChannel()


def prepare_pushes(event: DomainEvent) -> tuple[list[Push], bool]:
    """Blocking (one thread hop for the whole change): read the message, bump the version, build one
    push per channel and publish them to every process. Returns (pushes, published)."""
    record = change_record(event)
    entry = None
    if event.type in ("message.created", "message.status_changed") and record["message_id"].isdigit():
        msg = _load_message(event.workspace_id, int(record["message_id"]))
        entry = recent_entry(msg, event.at) if msg is not None else None
    channels = channels_for(event)
    # Counted after the change committed (the relay gets events after commit), in event order.
    unread = _unread_by_channel(event.workspace_id, channels)
    version = VERSIONS.bump(version_key(event.workspace_id))
    pushes = [
        Push(
            channel=channel,
            delta=field_delta(
                InboxShared,
                {"version": version, "recent": _recent.with_entry(channel, entry), "unread": unread[channel]},
            ),
            change=record,
        )
        for channel in channels
    ]
    return pushes, publish_pushes(pushes)


async def _push(app: Any, event: DomainEvent) -> None:
    pushes, published = await asyncio.to_thread(prepare_pushes, event)
    await send_pushes(app, pushes, published=published)


for _type in INBOX_EVENTS:
    relay_handler(_type)(_push)


def channel_for(ctx: Any) -> str:
    """The channel a member's tabs join: the workspace's, or the agent's own conversations'."""
    sees_all = rules.can(ctx.role, "leads.see_all")
    return inbox_token(ctx.workspace_id, None if sees_all else ctx.user_id)


def last_change(ctx: Any) -> dict[str, str]:
    """What the last push of `ctx`'s channel was about (as this process received it; {} if none)."""
    return PUSH_HUB.last_change(channel_for(ctx))


class InboxLiveState(SessionState):
    """Joins the tab to the inbox pushes it may see (a separate event after the page load)."""

    @rx.event
    @guarded
    async def link(self):
        from snapleads_app.state.inbox import InboxState  # the page imports this module

        ctx = await self._ctx()
        PUSH_HUB.join("inbox", channel_for(ctx), self.router.session.session_id)
        # A change between the page's database read and this join was pushed to nobody here: hand the
        # watcher the version now, newer than the one the load saw, and the page catches up. (Without
        # such a change nothing is written: no useless round trip per opened tab.)
        page = await self.get_state(InboxState)
        current = await asyncio.to_thread(current_version, ctx.workspace_id)
        if current > page._live_seen:
            shared = await self.get_state(InboxShared)
            shared.version = current
            # …with the badge's count as of now, not the last push this tab missed part of.
            shared.unread = await run_service(inbox.unread_total, ctx=ctx)
