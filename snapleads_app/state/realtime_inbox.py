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

from typing import Any

import reflex as rx

from snapleads_app.core.events import DomainEvent
from snapleads_app.domain.accounts import rules
from snapleads_app.state.base import guarded
from snapleads_app.state.realtime import modify_shared, relay_handler
from snapleads_app.state.session import SessionState

INBOX_EVENTS = ("message.created", "message.status_changed", "conversation.updated")


def inbox_token(workspace_id: int, user_id: int | None = None) -> str:
    base = f"inbox-{int(workspace_id)}"
    return base if user_id is None else f"{base}-u{int(user_id)}"


class InboxShared(rx.SharedState):
    """The last inbox change of a workspace (or of one agent's conversations); written by the relay."""

    # 0 = nothing observed yet; bumped by one per applied event.
    version: rx.Field[int] = rx.field(0)
    # {"type": "message.created", "conversation_id": "4", "message_id": "9", "actor": "7", ...}
    change: rx.Field[dict[str, str]] = rx.field(default_factory=dict)


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


async def _bump(app: Any, event: DomainEvent) -> None:
    record = change_record(event)

    def apply(state: InboxShared) -> None:
        state.version = state.version + 1
        state.change = record

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
