"""Realtime for the inbox: message and conversation events → shared "inbox version" → open inboxes.

The relay (state/realtime.py, exactly one process applies each event) bumps `InboxShared.version` and
records the change under the workspace's token (`inbox-<wid>`, linked by members who see every
conversation) and under the assignee's own token (`inbox-<wid>-u<uid>`, linked by agents, who see only
theirs; a reassignment also reaches the previous assignee so it leaves their list). The page's watcher
(components/live.watch) calls `InboxState.live_changed`, which reads what changed from the database —
new messages after the last one shown (merged by id: nothing twice), current delivery statuses, the
conversation list — so a missed or repeated event, or a reconnect (on_load runs again), never leaves a
browser wrong.

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
from snapleads_app.state.base import guarded
from snapleads_app.state.realtime import modify_shared, relay_handler
from snapleads_app.state.session import SessionState

INBOX_EVENTS = ("message.created", "message.status_changed", "conversation.updated")
RECENT = 20


def inbox_token(workspace_id: int, user_id: int | None = None) -> str:
    base = f"inbox-{int(workspace_id)}"
    return base if user_id is None else f"{base}-u{int(user_id)}"


class InboxShared(rx.SharedState):
    """The last inbox change of a workspace (or of one agent's conversations); written by the relay."""

    # 0 = nothing observed yet; bumped by one per applied event.
    version: rx.Field[int] = rx.field(0)
    # {"type": "message.created", "conversation_id": "4", "message_id": "9", "actor": "7", ...}
    change: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # The latest messages (newest last, at most RECENT): browsers render one from here as soon as the
    # delta arrives, until their own state has caught up from the database (one hop instead of two).
    recent: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)


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


def tokens_for(event: DomainEvent) -> list[str]:
    data = event.data or {}
    tokens = [inbox_token(event.workspace_id)]
    for key in ("assignee_id", "previous_assignee_id"):
        if data.get(key):
            token = inbox_token(event.workspace_id, int(data[key]))
            if token not in tokens:
                tokens.append(token)
    return tokens


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


async def _bump(app: Any, event: DomainEvent) -> None:
    record = change_record(event)
    entry = None
    if event.type in ("message.created", "message.status_changed") and record["message_id"].isdigit():
        msg = await asyncio.to_thread(_load_message, event.workspace_id, int(record["message_id"]))
        entry = recent_entry(msg, event.at) if msg is not None else None

    def apply(state: InboxShared) -> None:
        state.version = state.version + 1
        state.change = record
        if entry is not None:
            state.recent = merge_recent(list(state.recent), entry)

    for token in tokens_for(event):
        await modify_shared(app, InboxShared, token, apply)


for _type in INBOX_EVENTS:
    relay_handler(_type)(_bump)


class InboxLiveState(SessionState):
    """Links the tab to the inbox changes it may see (a separate event after the page load)."""

    @rx.event
    @guarded
    async def link(self):
        ctx = await self._ctx()
        sees_all = rules.can(ctx.role, "leads.see_all")
        shared = await self.get_state(InboxShared)
        linked = await shared._link_to(inbox_token(ctx.workspace_id, None if sees_all else ctx.user_id))
        if linked.version == 0:
            # "0" means "not linked yet" to the watchers: the first real event must read as a change.
            linked.version = 1
