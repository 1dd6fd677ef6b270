"""Realtime relay: domain events (from any process) → pushes → every joined browser tab.

A lifespan task of the Reflex app subscribes to the event bus and hands each event to the handler
registered for its type (`@relay_handler("lead.created")`). When several backend processes share
Redis, a leader lock (SET NX PX, renewed) makes exactly one of them apply each event; the others drop
it. Handlers do their store/DB reads off the event loop and publish pushes. Presence is also swept
periodically so TTL expiries (a crashed process, a lost tab) reach the browsers without anyone publishing.

Later features add handlers here (or in their own module imported by snapleads_app.py):

    @relay_handler("lead.created")
    async def _lead_created(app, event): ...

How the browsers are reached — no feature links an `rx.SharedState` (Reflex applies each change to every
linked tab with one locked read-modify-write per tab, O(N²) with many tabs; `reflex_patches` stays for
safety). Leads, imports, automations, inbox, presence and viewing all push:

Pushes (`Push`, `PUSH_HUB`) cost O(1) state-manager work per change whatever the number of tabs: the
  leader turns the event into one partial delta of a tab-local state that only pushes write, publishes it
  once (Redis pub/sub channel `snapleads:push:<db>`, or in process on the embedded default), and every process
  emits it in one Socket.IO call to the sockets of its own tabs that joined the channel (`PUSH_HUB.join`
  from the tab's own event; a socket that closed or reconnected is dropped: its reconnect re-runs the
  page's on_load, which reads the database and joins again). No state lock, no state load or save.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis
import redis.asyncio as aioredis
import reflex as rx
from reflex.state import StateUpdate
from reflex_base.constants import SocketEvent
from reflex_base.constants.state import FIELD_MARKER

from snapleads_app.core.events import DomainEvent, get_bus
from snapleads_app.core.redis_client import get_redis
from snapleads_app.core.settings import get_settings
from snapleads_app.domain.presence import service as presence
from snapleads_app.state.shared import WorkspaceShared, workspace_token

log = logging.getLogger(__name__)

RelayHandler = Callable[[Any, DomainEvent], Awaitable[None]]
_HANDLERS: dict[str, RelayHandler] = {}

LEADER_KEY = "snapleads:relay:leader"
LEADER_TTL_MS = 10_000
TICK_SECONDS = 3.0  # leader renewal + presence sweep


def relay_handler(event_type: str) -> Callable[[RelayHandler], RelayHandler]:
    """Register the coroutine that applies events of `event_type` to shared states."""

    def register(fn: RelayHandler) -> RelayHandler:
        _HANDLERS[event_type] = fn
        return fn

    return register


def handlers() -> dict[str, RelayHandler]:
    return dict(_HANDLERS)


# ---------------------------------------------------------------- pushes (O(1) fan-out)

PUSH_CHANNEL = "snapleads:push"


def push_channel(client: Any) -> str:
    """Redis pub/sub ignores the database number: name the channel after it, so deployments (or test
    runs) that share a Redis server on different databases never receive each other's pushes."""
    return f"{PUSH_CHANNEL}:{int(client.connection_pool.connection_kwargs.get('db') or 0)}"


VERSION_PREFIX = "snapleads:version:"


def field_delta(cls: type[rx.State], values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A partial state delta for `cls` as the frontend expects it ({full name: {field marker: value}})."""
    return {cls.get_full_name(): {name + FIELD_MARKER: value for name, value in values.items()}}


@dataclasses.dataclass(frozen=True)
class Push:
    """One change for every tab joined to `channel`: `delta` goes to the browsers as is; `change` stays
    on the server (`PUSH_HUB.last_change`), for handlers that want to know what the last push was."""

    channel: str
    delta: dict[str, dict[str, Any]]
    change: dict[str, str] = dataclasses.field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"channel": self.channel, "delta": self.delta, "change": self.change})

    @classmethod
    def from_json(cls, raw: str | bytes) -> Push:
        data = json.loads(raw)
        return cls(channel=str(data["channel"]), delta=data["delta"], change=data.get("change") or {})


class PushHub:
    """This process's tabs per channel (Socket.IO sids: a socket that closes or reconnects gets a new
    sid, so a page left by logout or a full reload never keeps receiving) and delivery to them."""

    def __init__(self) -> None:
        self._members: dict[str, set[str]] = {}  # channel -> sids
        self._joined: dict[tuple[str, str], str] = {}  # (group, sid) -> channel
        self._last: dict[str, dict[str, str]] = {}  # channel -> change of its last push
        self._lock = threading.Lock()

    def join(self, group: str, channel: str, sid: str) -> None:
        """The tab on socket `sid` listens to `channel` (and no longer to its previous one of `group`)."""
        if not sid:
            return
        with self._lock:
            previous = self._joined.get((group, sid))
            if previous is not None and previous != channel:
                self._discard(previous, sid)
            self._joined[(group, sid)] = channel
            self._members.setdefault(channel, set()).add(sid)

    def leave(self, group: str, sid: str) -> None:
        """The tab on socket `sid` no longer listens to its channel of `group`."""
        with self._lock:
            channel = self._joined.pop((group, sid), None)
            if channel is not None:
                self._discard(channel, sid)

    def _discard(self, channel: str, sid: str) -> None:
        members = self._members.get(channel)
        if members is not None:
            members.discard(sid)
            if not members:
                self._members.pop(channel, None)

    def members(self, channel: str) -> list[str]:
        with self._lock:
            return sorted(self._members.get(channel, ()))

    def last_change(self, channel: str) -> dict[str, str]:
        return dict(self._last.get(channel, {}))

    def prune(self, connected: Callable[[str], bool]) -> None:
        """Forget sids whose socket is gone (`connected(sid)` False)."""
        with self._lock:
            for (group, sid), channel in list(self._joined.items()):
                if not connected(sid):
                    del self._joined[(group, sid)]
                    self._discard(channel, sid)

    async def deliver(self, app: Any, push: Push) -> int:
        """Emit `push` to this process's sockets joined to its channel, in one Socket.IO call."""
        self._last[push.channel] = dict(push.change)
        namespace = getattr(app, "event_namespace", None)
        if namespace is None:
            return 0
        live = namespace.sid_to_token
        self.prune(lambda sid: sid in live)
        sids = self.members(push.channel)
        if sids:
            started = time.perf_counter()
            await namespace.emit(str(SocketEvent.EVENT), StateUpdate(delta=push.delta), to=sids)
            log.info(
                "push %s delivered to %d sockets in %.1f ms",
                push.channel,
                len(sids),
                (time.perf_counter() - started) * 1000,
            )
        return len(sids)

    def clear(self) -> None:
        with self._lock:
            self._members.clear()
            self._joined.clear()
            self._last.clear()


PUSH_HUB = PushHub()


class Versions:
    """Per-key change counters for pushes: Redis INCR shared by every process, or memory without Redis.
    A counter starts at the current time in ms, so it keeps growing across a Redis flush or a restart
    (a tab never sees a new change numbered below one it has seen)."""

    def __init__(self) -> None:
        self._memory: dict[str, int] = {}
        self._lock = threading.Lock()

    def _start(self) -> int:
        return int(time.time() * 1000)

    def bump(self, key: str) -> int:
        """Blocking: the next value of `key`."""
        client = get_redis()
        if client is not None:
            try:
                pipe = client.pipeline(transaction=True)
                pipe.set(VERSION_PREFIX + key, self._start(), nx=True)
                pipe.incr(VERSION_PREFIX + key)
                return int(pipe.execute()[1])
            except redis.RedisError:
                log.warning("relay: redis unavailable, counting %s in memory", key)
        with self._lock:
            # Consecutive from the first change on (pages read a gap as "missed a change": full reload).
            value = (self._memory.get(key) or self._start()) + 1
            self._memory[key] = value
            return value

    def current(self, key: str) -> int:
        """Blocking: the last value of `key` (0 before its first change)."""
        client = get_redis()
        if client is not None:
            try:
                raw = client.get(VERSION_PREFIX + key)
                return int(raw) if raw is not None else 0  # pyright: ignore[reportArgumentType]
            except redis.RedisError:
                log.warning("relay: redis unavailable, reading %s from memory", key)
        with self._lock:
            return self._memory.get(key, 0)


VERSIONS = Versions()


def publish_pushes(pushes: list[Push]) -> bool:
    """Blocking: send `pushes` to every process (one Redis round trip). False without Redis (or when it
    fails): the caller delivers them in this process."""
    client = get_redis()
    if client is None or not pushes:
        return False
    try:
        pipe = client.pipeline(transaction=False)
        for push in pushes:
            pipe.publish(push_channel(client), push.to_json())
        pipe.execute()
    except redis.RedisError:
        log.warning("relay: redis publish of %d pushes failed; delivering in this process", len(pushes))
        return False
    return True


async def send_pushes(app: Any, pushes: list[Push], *, published: bool) -> None:
    """Deliver what `publish_pushes` could not send through Redis in this process."""
    if published:
        return
    for push in pushes:
        await PUSH_HUB.deliver(app, push)


async def _push_listener(app: Any, url: str) -> None:
    """Every process: Redis pushes → this process's sockets. Reconnects after a Redis outage."""
    while True:
        client = aioredis.Redis.from_url(url, health_check_interval=30)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(push_channel(client))
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        await PUSH_HUB.deliver(app, Push.from_json(message["data"]))
                    except Exception:
                        log.exception("relay: push delivery failed")
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - redis down: retry
            log.warning("relay: push listener lost redis; retrying in 1 s")
            await asyncio.sleep(1.0)
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()


async def record_load_version(state: Any, live_cls: type[rx.State], key: str) -> int:
    """Before a page's load reads the database: the version of `key` every change up to now is in. The
    page keeps it as `_live_seen`; its live state's `link` (`join_and_catch_up`) compares with it."""
    current = await asyncio.to_thread(VERSIONS.current, key)
    live = await state.get_state(live_cls)
    live._loaded_version = current
    return current


async def join_and_catch_up(
    state: Any, *, group: str, channel: str, key: str, loaded: int, live_cls: type[rx.State]
) -> None:
    """A page's link handler, after the service resolved `channel` for the caller: the tab on this
    socket joins it (and leaves its previous channel of `group`). A change between the page's database
    read (at version `loaded` of `key`) and this join was pushed to nobody here: hand the watcher the
    version now, newer than the one the load saw, and the page catches up. Without such a change
    nothing is written (no useless round trip per opened tab)."""
    PUSH_HUB.join(group, channel, state.router.session.session_id)
    current = await asyncio.to_thread(VERSIONS.current, key)
    if current > loaded:
        live = await state.get_state(live_cls)
        live.version = current


# ---------------------------------------------------------------- leader election


_RENEW_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0
"""
_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class LeaderLock:
    """Exactly one holder among the processes sharing Redis; always the leader without Redis."""

    def __init__(
        self, client: redis.Redis | None, key: str = LEADER_KEY, ttl_ms: int = LEADER_TTL_MS
    ) -> None:
        self.client = client
        self.key = key
        self.ttl_ms = ttl_ms
        self.owner = uuid.uuid4().hex
        self.is_leader = client is None
        self._checked_at = 0.0

    def acquire_or_renew(self) -> bool:
        """Blocking (call in a thread)."""
        if self.client is None:
            self.is_leader = True
            return True
        try:
            self.is_leader = bool(self.client.eval(_RENEW_SCRIPT, 1, self.key, self.owner, self.ttl_ms))
        except redis.RedisError:
            log.warning("relay: redis unavailable, cannot hold the leader lock")
            self.is_leader = False
        self._checked_at = time.monotonic()
        return self.is_leader

    def release(self) -> None:
        if self.client is None:
            return
        with contextlib.suppress(redis.RedisError):
            self.client.eval(_RELEASE_SCRIPT, 1, self.key, self.owner)
        self.is_leader = False

    @property
    def stale(self) -> bool:
        """The last successful check is older than the lock's TTL: do not trust it."""
        return self.client is not None and (time.monotonic() - self._checked_at) * 1000 > self.ttl_ms * 0.8


# ---------------------------------------------------------------- presence


class _PresenceCache:
    """What this leader last wrote per workspace: skips state writes when nothing changed."""

    def __init__(self) -> None:
        self.online: dict[int, list[dict[str, str]]] = {}


def _initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def online_rows(workspace_id: int) -> list[dict[str, str]]:
    """Blocking: the presence store's view as the rows `WorkspaceShared.online` holds."""
    return [
        {"user_id": str(u.user_id), "name": u.name, "initials": _initials(u.name)}
        for u in presence.online(workspace_id)
    ]


_presence_cache = _PresenceCache()


async def refresh_presence(app: Any, workspace_id: int, *, force: bool = False) -> bool:
    """Write the workspace's online list into its shared state if it changed. True when written."""
    rows = await asyncio.to_thread(online_rows, workspace_id)
    if not force and _presence_cache.online.get(workspace_id) == rows:
        return False

    push = Push(channel=workspace_token(workspace_id), delta=field_delta(WorkspaceShared, {"online": rows}))
    await send_pushes(app, [push], published=await asyncio.to_thread(publish_pushes, [push]))
    if rows:
        _presence_cache.online[workspace_id] = rows
    else:
        _presence_cache.online.pop(workspace_id, None)
    return True


@relay_handler("presence")
async def _on_presence(app: Any, event: DomainEvent) -> None:
    # A tab that just came online got the list when it joined (go_online): push only real changes.
    await refresh_presence(app, event.workspace_id)


async def _sweep_presence(app: Any) -> None:
    workspaces = set(await asyncio.to_thread(presence.active_workspaces)) | set(_presence_cache.online)
    for workspace_id in sorted(workspaces):
        await refresh_presence(app, workspace_id)


# ---------------------------------------------------------------- the lifespan task


async def dispatch(app: Any, event: DomainEvent) -> None:
    handler = _HANDLERS.get(event.type)
    if handler is None:
        return
    try:
        await handler(app, event)
    except Exception:
        log.exception("relay: handler for %s failed", event.type)


async def relay(app: Any) -> None:
    """Lifespan task: subscribe to the bus and apply events while this process is the leader."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[DomainEvent] = asyncio.Queue(maxsize=10_000)

    def on_event(event: DomainEvent) -> None:  # called from the bus's thread
        def put() -> None:
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("relay: queue full, dropping %s", event.type)

        with contextlib.suppress(RuntimeError):  # loop closed during shutdown
            loop.call_soon_threadsafe(put)

    bus = await asyncio.to_thread(get_bus)
    leader = LeaderLock(get_redis())
    unsubscribe = bus.subscribe(on_event)
    ticker = asyncio.create_task(_tick(app, leader), name="snapleads-relay-tick")
    redis_url = get_settings().redis_url
    listener = (
        asyncio.create_task(_push_listener(app, redis_url), name="snapleads-push-listener")
        if redis_url
        else None
    )
    try:
        await asyncio.to_thread(leader.acquire_or_renew)
        while True:
            event = await queue.get()
            if leader.stale:
                await asyncio.to_thread(leader.acquire_or_renew)
            if leader.is_leader:
                await dispatch(app, event)
    finally:
        unsubscribe()
        for task in (ticker, listener):
            if task is None:
                continue
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await asyncio.to_thread(leader.release)


async def _tick(app: Any, leader: LeaderLock) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            was_leader = leader.is_leader
            if await asyncio.to_thread(leader.acquire_or_renew):
                if not was_leader:
                    _presence_cache.online.clear()  # new leader: do not trust another's writes
                await _sweep_presence(app)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("relay: tick failed")
