"""Viewing presence per conversation ("Ana is viewing"): access rules, announcements, expiry without a
sweeper, and the Redis store shared by several processes (two store instances = two processes)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import NotFound
from snapleads_app.core.events import DomainEvent, get_bus
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from snapleads_app.domain.presence import viewing
from snapleads_app.domain.presence.service import MemoryPresence, OnlineUser, PresenceStore, RedisPresence
from tests.factories import add_member, make_lead, register_owner

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis at 127.0.0.1:6379 is not running")
    return client


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[Callable[[float], PresenceStore]]:
    """make(ttl) → a viewing store installed for the test (memory, or Redis under a unique prefix)."""
    client = _redis_or_skip() if request.param == "redis" else None
    prefix = f"test-view-{uuid.uuid4().hex[:8]}:"

    def make(ttl: float = 15.0) -> PresenceStore:
        made: PresenceStore = (
            RedisPresence(client, ttl=ttl, prefix=prefix, track_workspaces=False)
            if client is not None
            else MemoryPresence(ttl=ttl)
        )
        viewing.set_store(made)
        return made

    make()
    yield make
    viewing.set_store(None)
    if client is not None:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def announced() -> Iterator[Callable[[int], list[int]]]:
    """wait(n) → conversation ids of the first `n` `conversation.viewing` events (the bus may be Redis)."""
    seen: list[int] = []
    lock = threading.Lock()

    def on_event(event: DomainEvent) -> None:
        if event.type == viewing.EVENT:
            with lock:
                seen.append(int(event.data["conversation_id"]))

    unsubscribe = get_bus().subscribe(on_event)
    time.sleep(0.05)  # a Redis subscription is live once its listener runs

    def wait(n: int, timeout: float = 3.0) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(seen) < n:
            time.sleep(0.02)
        time.sleep(0.1)  # and nothing more arrives right after
        with lock:
            return list(seen)

    yield wait
    unsubscribe()


def _conversation(owner: Any, **lead: Any) -> int:
    lead_row = make_lead(owner, **lead)
    with unit_of_work() as session:
        got = inbox.receive_inbound(
            session=session, ctx=owner.ctx, data=InboundIn(lead_id=lead_row.id, body="Oi")
        )
    return got.conversation_id


def _start(member: Any, conversation_id: int, name: str, tab: str) -> bool:
    from sqlmodel import select

    from snapleads_app.domain.accounts.models import User

    with unit_of_work() as session:  # the display name comes from the user's row
        user = session.exec(select(User).where(User.id == member.user_id)).one()
        user.full_name = name
        session.add(user)
    with unit_of_work() as session:
        started = viewing.start_viewing(
            session=session, ctx=member.ctx, conversation_id=conversation_id, client_token=tab
        )
    assert started.name == name
    return started.is_new


def test_viewing_is_announced_once_per_tab_and_ends_on_leave(store: Any, announced: Any) -> None:
    owner = register_owner("ana@example.com", workspace="Sol")
    manager = add_member(owner, "manager", "bruno@example.com")
    conv = _conversation(owner, full_name="Carla Dias")

    assert _start(owner, conv, "Ana Lima", "tab-a") is True
    assert _start(owner, conv, "Ana Lima", "tab-a") is False  # same tab again: nothing new
    assert _start(manager, conv, "Bruno Reis", "tab-b") is True
    assert viewing.viewers(conv) == [
        OnlineUser(owner.user_id, "Ana Lima"),
        OnlineUser(manager.user_id, "Bruno Reis"),
    ]
    assert announced(2) == [conv, conv]

    assert viewing.stop_viewing(
        workspace_id=owner.workspace_id, conversation_id=conv, user_id=manager.user_id, client_token="tab-b"
    )
    assert not viewing.stop_viewing(
        workspace_id=owner.workspace_id, conversation_id=conv, user_id=manager.user_id, client_token="tab-b"
    )
    assert viewing.viewers(conv) == [OnlineUser(owner.user_id, "Ana Lima")]
    assert announced(3) == [conv, conv, conv]  # the second leave announced nothing


def test_only_users_who_may_see_the_conversation_can_view_it(store: Any) -> None:
    owner = register_owner("ana@example.com", workspace="Sol")
    agent = add_member(owner, "agent", "agnes@example.com")
    stranger = register_owner("zed@example.com", workspace="Outra")
    unassigned = _conversation(owner, full_name="Sem dono")
    theirs = _conversation(owner, full_name="Do agente", assignee_id=agent.user_id)

    with pytest.raises(NotFound):
        _start(stranger, unassigned, "Zed", "tab-z")  # another workspace's conversation
    with pytest.raises(NotFound):
        _start(agent, unassigned, "Agnes", "tab-g")  # agents see only their own
    assert _start(agent, theirs, "Agnes", "tab-g") is True
    assert viewing.viewers(unassigned) == [] and [u.name for u in viewing.viewers(theirs)] == ["Agnes"]


def test_a_dead_tab_expires_and_the_remaining_viewer_announces_it(store: Any, announced: Any) -> None:
    store(0.6)  # short TTL
    owner = register_owner("ana@example.com", workspace="Sol")
    manager = add_member(owner, "manager", "bruno@example.com")
    conv = _conversation(owner, full_name="Carla Dias")
    _start(owner, conv, "Ana Lima", "tab-a")
    _start(manager, conv, "Bruno Reis", "tab-b")
    both = {owner.user_id, manager.user_id}
    kw = {
        "workspace_id": owner.workspace_id,
        "conversation_id": conv,
        "name": "Ana Lima",
        "client_token": "tab-a",
    }

    assert viewing.renew(user_id=owner.user_id, seen=both, **kw) == both
    assert len(announced(2)) == 2  # a renewal with no change announces nothing
    time.sleep(0.25)
    # Ana keeps beating; Bruno's tab is gone (not expired yet: nothing to announce).
    assert viewing.renew(user_id=owner.user_id, seen=both, **kw) == both
    time.sleep(0.35)
    assert viewing.renew(user_id=owner.user_id, seen=both, **kw) == {owner.user_id}
    assert len(announced(3)) == 3  # Bruno's expiry reached the relay through Ana's heartbeat
    assert [u.name for u in viewing.viewers(conv)] == ["Ana Lima"]


def test_redis_viewers_are_shared_between_processes_without_a_workspace_index() -> None:
    client = _redis_or_skip()
    prefix = f"test-view-{uuid.uuid4().hex[:8]}:"
    first = RedisPresence(client, prefix=prefix, track_workspaces=False)
    second = RedisPresence(redis.Redis.from_url(REDIS_URL), prefix=prefix, track_workspaces=False)
    try:
        first.heartbeat(41, 7, "Ana", "tab-a")
        second.heartbeat(41, 8, "Bruno", "tab-b")
        assert first.online(41) == second.online(41) == [OnlineUser(7, "Ana"), OnlineUser(8, "Bruno")]
        assert client.exists(f"{prefix}workspaces") == 0  # nobody sweeps viewers: no index set to grow
        second.leave(41, 8, "tab-b")
        assert first.online(41) == [OnlineUser(7, "Ana")]
    finally:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
