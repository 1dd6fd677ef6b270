"""Presence store: who is online in each workspace.

One entry per browser tab (`client_token`) so a user with two tabs stays online until both leave.
Each entry lives `ttl` seconds unless renewed by a heartbeat, so a crashed process or a lost
connection expires on its own. Redis (shared by every process) when REDIS_URL is set, memory otherwise.

Redis layout (prefix `presence:` by default):
  <prefix>ws:<wid>         ZSET  "<user_id>:<client_token>" -> expiry (epoch ms)
  <prefix>ws:<wid>:names   HASH  user_id -> display name
  <prefix>workspaces       SET   workspace ids that may have entries (swept by the relay)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

import redis

from snapleads_app.core.redis_client import get_redis

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class OnlineUser:
    user_id: int
    name: str


class PresenceStore(Protocol):
    def heartbeat(self, workspace_id: int, user_id: int, name: str, client_token: str) -> bool: ...
    def leave(self, workspace_id: int, user_id: int, client_token: str) -> bool: ...
    def online(self, workspace_id: int) -> list[OnlineUser]: ...
    def active_workspaces(self) -> list[int]: ...


def _sorted(users: dict[int, str]) -> list[OnlineUser]:
    return sorted(
        (OnlineUser(uid, name) for uid, name in users.items()), key=lambda u: (u.name.lower(), u.user_id)
    )


class MemoryPresence:
    """In-process store (embedded default, one backend process)."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        # workspace -> (user_id, client_token) -> (expires_at, name)
        self._entries: dict[int, dict[tuple[int, str], tuple[float, str]]] = {}

    def _purge(self, workspace_id: int, now: float) -> dict[tuple[int, str], tuple[float, str]]:
        entries = self._entries.get(workspace_id, {})
        for key in [k for k, (exp, _) in entries.items() if exp <= now]:
            del entries[key]
        if not entries:
            self._entries.pop(workspace_id, None)
        return entries

    def heartbeat(self, workspace_id: int, user_id: int, name: str, client_token: str) -> bool:
        """Renew this tab's entry; True when it was not online before (a change worth announcing)."""
        now = self._clock()
        with self._lock:
            entries = self._purge(workspace_id, now)
            is_new = (user_id, client_token) not in entries
            self._entries.setdefault(workspace_id, entries)[(user_id, client_token)] = (now + self.ttl, name)
            return is_new

    def leave(self, workspace_id: int, user_id: int, client_token: str) -> bool:
        with self._lock:
            entries = self._entries.get(workspace_id, {})
            removed = entries.pop((user_id, client_token), None) is not None
            self._purge(workspace_id, self._clock())
            return removed

    def online(self, workspace_id: int) -> list[OnlineUser]:
        with self._lock:
            entries = self._purge(workspace_id, self._clock())
            return _sorted({uid: name for (uid, _), (_, name) in entries.items()})

    def active_workspaces(self) -> list[int]:
        now = self._clock()
        with self._lock:
            for wid in list(self._entries):
                self._purge(wid, now)
            return sorted(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RedisPresence:
    """Shared store for several backend processes (wall-clock expiry in a sorted set)."""

    def __init__(
        self,
        client: redis.Redis,
        ttl: float = DEFAULT_TTL_SECONDS,
        prefix: str = "presence:",
        *,
        track_workspaces: bool = True,
    ) -> None:
        self.client = client
        self.ttl = ttl
        self.prefix = prefix
        # False for stores nobody sweeps (e.g. conversation viewers): no ever-growing index set.
        self.track_workspaces = track_workspaces

    def _zkey(self, workspace_id: int) -> str:
        return f"{self.prefix}ws:{workspace_id}"

    def _names_key(self, workspace_id: int) -> str:
        return f"{self.prefix}ws:{workspace_id}:names"

    @property
    def _workspaces_key(self) -> str:
        return f"{self.prefix}workspaces"

    def _key_ttl_ms(self) -> int:
        return int(self.ttl * 4 * 1000)

    def heartbeat(self, workspace_id: int, user_id: int, name: str, client_token: str) -> bool:
        now_ms = int(time.time() * 1000)
        zkey, names = self._zkey(workspace_id), self._names_key(workspace_id)
        member = f"{user_id}:{client_token}"
        pipe = self.client.pipeline()
        pipe.zremrangebyscore(zkey, "-inf", now_ms)
        pipe.zadd(zkey, {member: now_ms + int(self.ttl * 1000)})
        pipe.hset(names, str(user_id), name)
        pipe.pexpire(zkey, self._key_ttl_ms())
        pipe.pexpire(names, self._key_ttl_ms())
        if self.track_workspaces:
            pipe.sadd(self._workspaces_key, str(workspace_id))
        _, added, *_ = pipe.execute()
        return bool(added)

    def leave(self, workspace_id: int, user_id: int, client_token: str) -> bool:
        return bool(self.client.zrem(self._zkey(workspace_id), f"{user_id}:{client_token}"))

    def online(self, workspace_id: int) -> list[OnlineUser]:
        now_ms = int(time.time() * 1000)
        zkey, names_key = self._zkey(workspace_id), self._names_key(workspace_id)
        pipe = self.client.pipeline()
        pipe.zremrangebyscore(zkey, "-inf", now_ms)
        pipe.zrange(zkey, 0, -1)
        pipe.hgetall(names_key)
        _, members, names = pipe.execute()
        decoded = {_s(k): _s(v) for k, v in names.items()}
        users: dict[int, str] = {}
        for raw in members:
            uid_text = _s(raw).split(":", 1)[0]
            if uid_text.isdigit():
                users[int(uid_text)] = decoded.get(uid_text, "")
        return _sorted(users)

    def active_workspaces(self) -> list[int]:
        active = []
        for raw in cast(set, self.client.smembers(self._workspaces_key)):
            wid_text = _s(raw)
            if not wid_text.isdigit():
                continue
            if self.client.zcard(self._zkey(int(wid_text))):
                active.append(int(wid_text))
            else:
                self.client.srem(self._workspaces_key, wid_text)
        return sorted(active)


def _s(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class _FallbackPresence:
    """Redis when it answers; memory when it does not (presence degrades, requests never fail)."""

    def __init__(self, primary: RedisPresence, fallback: MemoryPresence) -> None:
        self.primary = primary
        self.fallback = fallback

    def _call(self, name: str, *args: object):  # noqa: ANN202 - thin delegation
        try:
            return getattr(self.primary, name)(*args)
        except redis.RedisError:
            log.warning("presence: redis unavailable, using memory for %s", name)
            return getattr(self.fallback, name)(*args)

    def heartbeat(self, workspace_id: int, user_id: int, name: str, client_token: str) -> bool:
        return self._call("heartbeat", workspace_id, user_id, name, client_token)

    def leave(self, workspace_id: int, user_id: int, client_token: str) -> bool:
        return self._call("leave", workspace_id, user_id, client_token)

    def online(self, workspace_id: int) -> list[OnlineUser]:
        return self._call("online", workspace_id)

    def active_workspaces(self) -> list[int]:
        return self._call("active_workspaces")


_store: PresenceStore | None = None
_store_lock = threading.Lock()


def get_store() -> PresenceStore:
    global _store
    with _store_lock:
        if _store is None:
            client = get_redis()
            memory = MemoryPresence()
            _store = _FallbackPresence(RedisPresence(client), memory) if client is not None else memory
        return _store


def set_store(store: PresenceStore | None) -> None:
    """Replace (or reset with None) the process-wide store — tests and custom wiring."""
    global _store
    with _store_lock:
        _store = store


def heartbeat(workspace_id: int, user_id: int, name: str, client_token: str) -> bool:
    """Mark a browser tab online (renews its TTL). True when the tab was not online before."""
    return get_store().heartbeat(workspace_id, user_id, name, client_token)


def leave(workspace_id: int, user_id: int, client_token: str) -> bool:
    """Mark a browser tab offline. True when it was online."""
    return get_store().leave(workspace_id, user_id, client_token)


def online(workspace_id: int) -> list[OnlineUser]:
    """Users with at least one live tab in the workspace, sorted by name."""
    return get_store().online(workspace_id)


def active_workspaces() -> list[int]:
    """Workspaces that currently have someone online (the relay sweeps them for expiries)."""
    return get_store().active_workspaces()
