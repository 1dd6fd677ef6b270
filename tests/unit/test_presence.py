"""Presence store: memory and Redis behave the same; entries expire by TTL."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from snapleads_app.domain.presence.service import MemoryPresence, OnlineUser, PresenceStore, RedisPresence

REDIS_URL = "redis://127.0.0.1:6379/15"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis at 127.0.0.1:6379 is not running")
    return client


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[PresenceStore]:
    if request.param == "memory":
        yield MemoryPresence(ttl=15)
        return
    client = _redis_or_skip()
    prefix = f"test-presence-{uuid.uuid4().hex[:8]}:"
    yield RedisPresence(client, ttl=15, prefix=prefix)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_heartbeat_reports_new_tabs_only(store: PresenceStore) -> None:
    assert store.heartbeat(1, 10, "Bruno", "tab-a") is True
    assert store.heartbeat(1, 10, "Bruno", "tab-a") is False  # renewal, nothing to announce
    assert store.heartbeat(1, 10, "Bruno", "tab-b") is True  # a second tab of the same user


def test_online_lists_users_once_sorted_by_name(store: PresenceStore) -> None:
    store.heartbeat(1, 10, "bruno", "tab-a")
    store.heartbeat(1, 10, "bruno", "tab-b")
    store.heartbeat(1, 11, "Ana", "tab-c")
    store.heartbeat(2, 12, "Other workspace", "tab-d")
    assert store.online(1) == [OnlineUser(11, "Ana"), OnlineUser(10, "bruno")]
    assert store.online(2) == [OnlineUser(12, "Other workspace")]
    assert store.online(3) == []
    assert set(store.active_workspaces()) >= {1, 2}


def test_user_stays_online_until_every_tab_left(store: PresenceStore) -> None:
    store.heartbeat(1, 10, "Bruno", "tab-a")
    store.heartbeat(1, 10, "Bruno", "tab-b")
    assert store.leave(1, 10, "tab-a") is True
    assert [u.user_id for u in store.online(1)] == [10]
    assert store.leave(1, 10, "tab-b") is True
    assert store.online(1) == []
    assert store.leave(1, 10, "tab-b") is False
    assert 1 not in store.active_workspaces()


def test_memory_entries_expire_after_ttl() -> None:
    clock = FakeClock()
    store = MemoryPresence(ttl=15, clock=clock)
    store.heartbeat(1, 10, "Bruno", "tab-a")
    clock.now += 10
    store.heartbeat(1, 11, "Ana", "tab-b")
    clock.now += 6  # Bruno's entry is 16 s old, Ana's 6 s
    assert [u.name for u in store.online(1)] == ["Ana"]
    assert store.heartbeat(1, 10, "Bruno", "tab-a") is True  # expired, so it is new again
    clock.now += 16
    assert store.online(1) == []
    assert store.active_workspaces() == []


def test_redis_entries_expire_after_ttl() -> None:
    client = _redis_or_skip()
    prefix = f"test-presence-{uuid.uuid4().hex[:8]}:"
    store = RedisPresence(client, ttl=0.4, prefix=prefix)
    try:
        store.heartbeat(7, 10, "Bruno", "tab-a")
        assert [u.user_id for u in store.online(7)] == [10]
        time.sleep(0.2)
        store.heartbeat(7, 11, "Ana", "tab-b")
        time.sleep(0.3)  # Bruno 0.5 s old (expired), Ana 0.3 s
        assert [u.name for u in store.online(7)] == ["Ana"]
        time.sleep(0.2)
        assert store.online(7) == []
        assert store.active_workspaces() == []
        # The keys themselves expire too (nothing is left behind by closed tabs).
        assert client.exists(f"{prefix}ws:7") == 0
        assert 0 < int(client.pttl(f"{prefix}ws:7:names")) <= 1600  # pyright: ignore[reportArgumentType]
    finally:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_redis_is_shared_between_store_instances() -> None:
    """Two backend processes = two store objects on the same Redis."""
    client = _redis_or_skip()
    prefix = f"test-presence-{uuid.uuid4().hex[:8]}:"
    first, second = RedisPresence(client, prefix=prefix), RedisPresence(client, prefix=prefix)
    try:
        first.heartbeat(3, 10, "Bruno", "tab-a")
        second.heartbeat(3, 11, "Ana", "tab-b")
        assert [u.user_id for u in first.online(3)] == [11, 10]
        assert second.leave(3, 10, "tab-a") is True
        assert [u.user_id for u in first.online(3)] == [11]
    finally:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
