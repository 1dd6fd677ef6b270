"""Relay pieces that need no server: the leader lock (real Redis), the handler registry and pushes."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
import redis

from snapleads_app.state.realtime import (
    LeaderLock,
    Push,
    PushHub,
    Versions,
    field_delta,
    handlers,
    publish_pushes,
    relay_handler,
)


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


# ---------------------------------------------------------------- pushes


class RecordingNamespace:
    """Stand-in for Reflex's Socket.IO event namespace: the sids it knows, and what was emitted."""

    def __init__(self, sids: list[str]) -> None:
        self.sid_to_token = {sid: f"token-{sid}" for sid in sids}
        self.emitted: list[tuple[str, Any, list[str]]] = []

    async def emit(self, event: str, data: Any, to: list[str]) -> None:
        self.emitted.append((event, data, list(to)))


class _App:
    def __init__(self, namespace: RecordingNamespace) -> None:
        self.event_namespace = namespace


def test_a_push_is_one_emit_to_the_live_sockets_of_the_channel() -> None:
    hub = PushHub()
    namespace = RecordingNamespace(["s1", "s2", "s3", "s4"])
    hub.join("inbox", "inbox-1", "s1")
    hub.join("inbox", "inbox-1", "s2")
    hub.join("inbox", "inbox-1", "s3")
    hub.join("inbox", "inbox-2", "s4")  # another workspace
    hub.join("inbox", "inbox-1", "")  # no socket (a handler called outside a websocket): ignored
    del namespace.sid_to_token["s3"]  # closed (or reconnected with a new sid)
    push = Push(channel="inbox-1", delta={"state.x": {"version_rx_state_": 5}}, change={"actor": "7"})

    sent = asyncio.run(hub.deliver(_App(namespace), push))

    assert sent == 2
    assert len(namespace.emitted) == 1
    event, update, sids = namespace.emitted[0]
    assert event == "event" and sorted(sids) == ["s1", "s2"]
    assert update.delta == {"state.x": {"version_rx_state_": 5}}
    assert hub.members("inbox-1") == ["s1", "s2"]  # the closed socket is forgotten
    assert hub.last_change("inbox-1") == {"actor": "7"} and hub.last_change("inbox-2") == {}


def test_a_tab_listens_to_one_channel_per_group() -> None:
    hub = PushHub()
    hub.join("inbox", "inbox-1", "s1")
    hub.join("inbox", "inbox-1-u7", "s1")  # its role changed: it now sees only its own conversations
    hub.join("leads", "leads-1", "s1")
    assert hub.members("inbox-1") == [] and hub.members("inbox-1-u7") == ["s1"]
    assert hub.members("leads-1") == ["s1"]


def test_push_round_trips_as_json() -> None:
    push = Push(channel="inbox-3", delta={"a.b": {"recent_rx_state_": [{"id": "9"}]}}, change={"type": "x"})
    assert Push.from_json(push.to_json()) == push


def test_field_delta_uses_the_frontend_names() -> None:
    from snapleads_app.state.realtime_inbox import InboxShared

    delta = field_delta(InboxShared, {"version": 3})
    assert delta == {InboxShared.get_full_name(): {"version_rx_state_": 3}}


def test_versions_only_grow_and_are_shared_through_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    from snapleads_app.state import realtime

    client = _redis_or_skip()
    key = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(realtime, "get_redis", lambda: client)
    one, other = Versions(), Versions()  # two processes
    try:
        assert one.current(key) == 0
        first = one.bump(key)
        assert first >= int(time.time() * 1000) - 60_000  # starts at the clock, not at 1
        assert other.bump(key) == first + 1 and one.current(key) == first + 1
        client.delete(realtime.VERSION_PREFIX + key)  # Redis lost it (flush, failover)
        time.sleep(0.01)
        assert one.bump(key) > first + 1  # still above anything a tab has seen
    finally:
        client.delete(realtime.VERSION_PREFIX + key)
        client.close()


def test_without_redis_versions_count_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from snapleads_app.state import realtime

    monkeypatch.setattr(realtime, "get_redis", lambda: None)
    versions = Versions()
    first = versions.bump("k")
    assert versions.bump("k") == first + 1 and versions.current("k") == first + 1
    assert publish_pushes([Push(channel="c", delta={})]) is False  # the caller delivers in process


def test_pushes_published_over_redis_reach_a_subscriber(monkeypatch: pytest.MonkeyPatch) -> None:
    from snapleads_app.state import realtime

    client = _redis_or_skip()
    monkeypatch.setattr(realtime, "get_redis", lambda: client)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    assert realtime.push_channel(client) == "snapleads:push:15"
    pubsub.subscribe(realtime.push_channel(client))
    try:
        pushes = [Push(channel=f"inbox-{i}", delta={"s": {"version_rx_state_": i}}) for i in range(3)]
        assert publish_pushes(pushes) is True
        got = []
        deadline = time.monotonic() + 5
        while len(got) < 3 and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.5)
            if message and message["type"] == "message":
                got.append(Push.from_json(message["data"]))
        assert got == pushes  # once each, in order
    finally:
        pubsub.close()
        client.close()
