"""Relay pieces that need no server: the leader lock (real Redis) and the handler registry."""

from __future__ import annotations

import uuid

import pytest
import redis

from snapleads_app.state.realtime import LeaderLock, handlers, relay_handler


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis at 127.0.0.1:6379 is not running")
    return client


def test_exactly_one_process_leads_and_leadership_moves_on_release() -> None:
    client = _redis_or_skip()
    key = f"test-relay-leader-{uuid.uuid4().hex[:8]}"
    first, second = LeaderLock(client, key=key, ttl_ms=5_000), LeaderLock(client, key=key, ttl_ms=5_000)
    try:
        assert first.acquire_or_renew() is True
        assert second.acquire_or_renew() is False
        assert first.acquire_or_renew() is True  # renewal keeps it
        first.release()
        assert second.acquire_or_renew() is True
        assert first.acquire_or_renew() is False
    finally:
        client.delete(key)
        client.close()


def test_lock_expires_when_the_leader_dies() -> None:
    import time

    client = _redis_or_skip()
    key = f"test-relay-leader-{uuid.uuid4().hex[:8]}"
    first, second = LeaderLock(client, key=key, ttl_ms=200), LeaderLock(client, key=key, ttl_ms=200)
    try:
        assert first.acquire_or_renew() is True
        time.sleep(0.3)  # no renewal: the leader is gone
        assert second.acquire_or_renew() is True
    finally:
        client.delete(key)
        client.close()


def test_without_redis_this_process_is_the_leader() -> None:
    lock = LeaderLock(None)
    assert lock.is_leader is True and lock.acquire_or_renew() is True and lock.stale is False


def test_features_register_relay_handlers_by_event_type() -> None:
    assert "presence" in handlers()

    @relay_handler("test.event")
    async def _handler(app: object, event: object) -> None:
        return None

    assert handlers()["test.event"] is _handler
