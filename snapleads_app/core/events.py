"""Domain event bus: in-process on the embedded default, Redis pub/sub when REDIS_URL is set.

Services publish with `publish_after_commit`, so an event never announces a row that was rolled back.
Subscribers (the Reflex realtime relay, listeners) receive every event of every process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import redis
from sqlmodel import Session

from snapleads_app.core import clock
from snapleads_app.core.db import on_commit
from snapleads_app.core.redis_client import get_redis

log = logging.getLogger(__name__)
CHANNEL = "snapleads:events"

Handler = Callable[["DomainEvent"], None]


@dataclass(frozen=True, slots=True)
class DomainEvent:
    type: str  # e.g. "lead.created", "presence"
    workspace_id: int
    data: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    at: str = field(default_factory=lambda: clock.now().isoformat())

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_json(cls, raw: str | bytes) -> DomainEvent:
        return cls(**json.loads(raw))


class InProcessBus:
    """Delivers to this process's subscribers, synchronously, in publish order."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._lock = threading.Lock()

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        with self._lock:
            self._handlers.append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._handlers:
                    self._handlers.remove(handler)

        return unsubscribe

    def publish(self, event: DomainEvent) -> None:
        self._dispatch(event)

    def _dispatch(self, event: DomainEvent) -> None:
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log.exception("event handler failed for %s", event.type)

    def close(self) -> None:
        with self._lock:
            self._handlers.clear()


class RedisBus(InProcessBus):
    """Publishes to a Redis channel; a listener thread feeds this process's subscribers.

    If Redis is down at publish time the event is still delivered in this process, so a single-process
    deployment keeps working; other processes miss it (and resync on their next load).
    """

    def __init__(self, client: redis.Redis) -> None:
        super().__init__()
        self._client = client
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        unsubscribe = super().subscribe(handler)
        self._ensure_listener()
        return unsubscribe

    def publish(self, event: DomainEvent) -> None:
        try:
            self._client.publish(CHANNEL, event.to_json())
        except redis.RedisError:
            log.warning("redis publish failed; delivering %s in process only", event.type)
            self._dispatch(event)

    def _ensure_listener(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._listen, name="event-bus-listener", daemon=True)
            self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(CHANNEL)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        self._dispatch(DomainEvent.from_json(message["data"]))
            except redis.RedisError:
                log.warning("event listener lost redis; retrying in 1 s")
                self._stop.wait(1.0)
            finally:
                with contextlib.suppress(redis.RedisError):
                    pubsub.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
        super().close()


_bus: InProcessBus | None = None
_bus_lock = threading.Lock()


def get_bus() -> InProcessBus:
    global _bus
    with _bus_lock:
        if _bus is None:
            client = get_redis()
            _bus = RedisBus(client) if client is not None else InProcessBus()
        return _bus


def reset_bus() -> None:
    """Close and forget the bus (tests switch settings between runs)."""
    global _bus
    with _bus_lock:
        if _bus is not None:
            _bus.close()
        _bus = None


def publish(event: DomainEvent) -> None:
    """Publish now: for events that do not announce database rows (e.g. presence)."""
    get_bus().publish(event)


def publish_after_commit(session: Session, event: DomainEvent) -> None:
    on_commit(session, lambda: get_bus().publish(event))
