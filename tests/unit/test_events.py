"""Domain event bus: in-process order and isolation, after-commit publishing, Redis fan-out, fallback."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import text

from snapleads_app.core import db, events, redis_client, settings
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.events import DomainEvent, InProcessBus, RedisBus

# Redis db 15 on the configured server (override with SNAPLEADS_TEST_REDIS_URL). Not the run's reserved db:
# the project conftest FLUSHDBs that one after each test, which would hit a concurrent run. The tests keep
# to their own key namespace / channel / keys and delete what they created.
_REDIS_BASE = (os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
REDIS_TEST_URL = os.environ.get("SNAPLEADS_TEST_REDIS_URL") or f"{_REDIS_BASE}/15"
CLOSED_PORT_URL = "redis://127.0.0.1:6390/0"  # nothing listens there


def _clear_caches() -> None:
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    redis_client.get_redis.cache_clear()
    events.reset_bus()


def _require_redis() -> None:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("SNAPLEADS_TEST_BACKEND") == "postgres":
            pytest.fail(
                f"Redis is required when SNAPLEADS_TEST_BACKEND=postgres but {REDIS_TEST_URL} is down"
            )
        pytest.skip(f"Redis not reachable at {REDIS_TEST_URL}")
    finally:
        client.close()


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """SQLite file, no Redis: `get_bus()` is the in-process bus."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'events.db'}")
    monkeypatch.setenv("REDIS_URL", "")
    _clear_caches()
    yield
    _clear_caches()


@pytest.fixture
def channel(monkeypatch: pytest.MonkeyPatch) -> str:
    """A private pub/sub channel: channels are global to the Redis server (not per db number), so the
    tests must not publish on the real one that a running app listens to."""
    name = f"snapleads:test-events:{uuid.uuid4().hex}"
    monkeypatch.setattr(events, "CHANNEL", name)
    return name


def _event(n: int = 0, type_: str = "lead.created") -> DomainEvent:
    return DomainEvent(type=type_, workspace_id=1, data={"n": n})


def test_in_process_bus_delivers_in_publish_order_and_isolates_failing_handlers() -> None:
    bus = InProcessBus()
    received: list[tuple[str, int]] = []

    def first(event: DomainEvent) -> None:
        received.append(("first", event.data["n"]))

    def broken(event: DomainEvent) -> None:
        raise RuntimeError("handler bug")

    def last(event: DomainEvent) -> None:
        received.append(("last", event.data["n"]))

    bus.subscribe(first)
    bus.subscribe(broken)
    bus.subscribe(last)
    for n in range(3):
        bus.publish(_event(n))

    assert received == [("first", 0), ("last", 0), ("first", 1), ("last", 1), ("first", 2), ("last", 2)]


def test_unsubscribe_stops_delivery() -> None:
    bus = InProcessBus()
    received: list[DomainEvent] = []
    unsubscribe = bus.subscribe(received.append)
    bus.publish(_event(1))
    unsubscribe()
    unsubscribe()  # idempotent
    bus.publish(_event(2))
    assert [e.data["n"] for e in received] == [1]


def test_event_json_round_trip() -> None:
    event = _event(5, "tag.added")
    assert DomainEvent.from_json(event.to_json()) == event


def test_get_bus_is_in_process_without_redis(embedded: None) -> None:
    bus = events.get_bus()
    assert type(bus) is InProcessBus
    assert events.get_bus() is bus


def test_publish_after_commit_publishes_only_after_the_commit(embedded: None) -> None:
    received: list[DomainEvent] = []
    events.get_bus().subscribe(received.append)

    with unit_of_work() as session:
        session.connection().execute(text("CREATE TABLE t (x INTEGER)"))
        events.publish_after_commit(session, _event(1))
        assert received == []  # not before the commit

    assert [e.data["n"] for e in received] == [1]


def test_publish_after_commit_never_publishes_on_rollback(embedded: None) -> None:
    received: list[DomainEvent] = []
    events.get_bus().subscribe(received.append)

    with pytest.raises(RuntimeError, match="abort"), unit_of_work() as session:
        events.publish_after_commit(session, _event(1))
        raise RuntimeError("abort")
    with unit_of_work() as session:  # the dropped event does not ride on a later commit
        session.connection().execute(text("SELECT 1"))

    assert received == []


def _close_all(*buses: InProcessBus) -> None:
    """Close buses concurrently: a RedisBus listener notices the stop only after its 1 s poll."""
    threads = [threading.Thread(target=bus.close) for bus in buses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)


def _wait_subscribers(channel: str, count: int, timeout: float = 5.0) -> None:
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            numsub = dict(client.pubsub_numsub(channel))  # type: ignore[arg-type]
            if int(numsub.get(channel.encode(), 0)) >= count:
                return
            time.sleep(0.01)
        raise AssertionError(f"{count} subscribers never joined {channel}")
    finally:
        client.close()


def test_redis_bus_delivers_to_the_bus_of_another_process(channel: str) -> None:
    _require_redis()
    # Two buses with their own clients stand for two processes (e.g. a worker and the Reflex backend).
    publisher = RedisBus(redis.Redis.from_url(REDIS_TEST_URL))
    receiver = RedisBus(redis.Redis.from_url(REDIS_TEST_URL))
    received: dict[str, list[DomainEvent]] = {"publisher": [], "receiver": []}
    arrived = {name: threading.Event() for name in received}

    def handler(name: str) -> Callable[[DomainEvent], None]:
        def on_event(event: DomainEvent) -> None:
            received[name].append(event)
            arrived[name].set()

        return on_event

    try:
        receiver.subscribe(handler("receiver"))
        publisher.subscribe(handler("publisher"))
        _wait_subscribers(channel, 2)
        sent = _event(42, "message.received")
        publisher.publish(sent)
        assert arrived["receiver"].wait(5), "the other process's bus never received the event"
        assert arrived["publisher"].wait(5), "the publishing process's own subscribers missed the event"
        time.sleep(0.05)  # a duplicate delivery would show up by now
        assert received == {"publisher": [sent], "receiver": [sent]}  # exactly once each, via Redis
    finally:
        _close_all(publisher, receiver)


def test_get_bus_is_redis_when_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _require_redis()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'events.db'}")
    monkeypatch.setenv("REDIS_URL", REDIS_TEST_URL)
    _clear_caches()
    try:
        assert isinstance(events.get_bus(), RedisBus)
    finally:
        _clear_caches()


def test_redis_bus_falls_back_to_in_process_delivery_when_redis_is_down(channel: str) -> None:
    client = redis.Redis.from_url(CLOSED_PORT_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    bus = RedisBus(client)
    received: list[DomainEvent] = []
    try:
        bus.subscribe(received.append)
        sent = _event(3)
        bus.publish(sent)  # must not raise
        assert received == [sent]  # delivered synchronously in this process
    finally:
        bus.close()
