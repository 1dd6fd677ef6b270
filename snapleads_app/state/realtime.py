"""Realtime relay: domain events (from any process) → shared Reflex states → every linked browser.

A lifespan task of the Reflex app subscribes to the event bus and hands each event to the handler
registered for its type (`@relay_handler("lead.created")`). When several backend processes share
Redis, a leader lock (SET NX PX, renewed) makes exactly one of them apply each event; the others drop
it. Handlers do their store/DB reads off the event loop and write the shared state through
`app.modify_state`. Presence is also swept periodically so TTL expiries (a crashed process, a lost
tab) reach the browsers without anyone publishing.

Later features add handlers here (or in their own module imported by snapleads_app.py):

    @relay_handler("lead.created")
    async def _lead_created(app, event): ...
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis
import reflex as rx

from snapleads_app.core.events import DomainEvent, get_bus
from snapleads_app.core.redis_client import get_redis
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


async def modify_shared(app: Any, cls: type[rx.State], token: str, apply: Callable[[Any], None]) -> None:
    """Apply `apply(state)` to the shared state `cls` linked under `token` (fans out to its browsers)."""
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=cls)) as root:
        state = await root.get_state(cls)
        apply(state)


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

    def apply(state: WorkspaceShared) -> None:
        if state.online != rows:
            state.online = rows

    await modify_shared(app, WorkspaceShared, workspace_token(workspace_id), apply)
    if rows:
        _presence_cache.online[workspace_id] = rows
    else:
        _presence_cache.online.pop(workspace_id, None)
    return True


@relay_handler("presence")
async def _on_presence(app: Any, event: DomainEvent) -> None:
    await refresh_presence(app, event.workspace_id, force=True)


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
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await ticker
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
