"""Who has a conversation open ("Ana is viewing"): the presence store's mechanics keyed by conversation.

The same store as workspace presence (one entry per browser tab, renewed by a heartbeat, expiring after
`ttl` seconds; Redis shared by every process when REDIS_URL is set, memory otherwise) under its own key
prefix, with the conversation id in place of the workspace id (conversation ids are global, so two
workspaces never share an entry). Every change publishes `conversation.viewing`; the realtime relay turns
it into the conversation's shared state. Expiries need no sweeper: the tabs still viewing notice on their
next heartbeat that the set of viewers changed (`renew`) and publish.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlmodel import Session

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Unauthenticated
from snapleads_app.core.events import DomainEvent, publish
from snapleads_app.core.redis_client import get_redis
from snapleads_app.domain.accounts.models import User
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.presence.service import (
    DEFAULT_TTL_SECONDS,
    MemoryPresence,
    OnlineUser,
    PresenceStore,
    RedisPresence,
    _FallbackPresence,
)

EVENT = "conversation.viewing"

_store: PresenceStore | None = None
_store_lock = threading.Lock()


def get_store() -> PresenceStore:
    global _store
    with _store_lock:
        if _store is None:
            client = get_redis()
            memory = MemoryPresence(ttl=DEFAULT_TTL_SECONDS)
            _store = (
                _FallbackPresence(
                    RedisPresence(client, prefix="presence:view:", track_workspaces=False), memory
                )
                if client is not None
                else memory
            )
        return _store


def set_store(store: PresenceStore | None) -> None:
    """Replace (or reset with None) the process-wide store — tests and custom wiring."""
    global _store
    with _store_lock:
        _store = store


def _announce(workspace_id: int, conversation_id: int) -> None:
    publish(DomainEvent(type=EVENT, workspace_id=workspace_id, data={"conversation_id": conversation_id}))


@dataclass(frozen=True, slots=True)
class Started:
    name: str  # the viewer's display name (what the others read; pass it to `renew`)
    is_new: bool  # the tab was not viewing it yet (announced)


def start_viewing(*, session: Session, ctx: Ctx, conversation_id: int, client_token: str) -> Started:
    """The actor's tab has `conversation_id` open. NotFound when they may not see it (another workspace's,
    or an agent's unassigned one)."""
    if ctx.user_id is None:
        raise Unauthenticated("Sign in to continue", code="unauthenticated")
    inbox.get_conversation(session=session, ctx=ctx, conversation_id=conversation_id)
    user = session.get(User, ctx.user_id)
    name = user.full_name if user is not None else ""
    is_new = get_store().heartbeat(conversation_id, ctx.user_id, name, client_token)
    if is_new:
        _announce(ctx.workspace_id, conversation_id)
    return Started(name=name, is_new=is_new)


def renew(
    *, workspace_id: int, conversation_id: int, user_id: int, name: str, client_token: str, seen: set[int]
) -> set[int]:
    """Heartbeat of a tab already viewing (access was checked by `start_viewing`). Returns the viewers'
    user ids; announces when they differ from `seen` (what the tab's previous beat found): a viewer
    whose tab died without leaving has expired."""
    store = get_store()
    came_back = store.heartbeat(conversation_id, user_id, name, client_token)  # e.g. after a long pause
    now = {u.user_id for u in store.online(conversation_id)}
    if came_back or (seen and now != seen):
        _announce(workspace_id, conversation_id)
    return now


def stop_viewing(*, workspace_id: int, conversation_id: int, user_id: int, client_token: str) -> bool:
    """The tab closed the conversation (or the page, or itself). True (and announced) when it was viewing."""
    removed = get_store().leave(conversation_id, user_id, client_token)
    if removed:
        _announce(workspace_id, conversation_id)
    return removed


def viewers(conversation_id: int) -> list[OnlineUser]:
    """Users with at least one tab on the conversation, sorted by name (the relay's read)."""
    return get_store().online(conversation_id)
