"""Fixed-window counters: Redis when configured (shared by every process), memory otherwise.

If Redis is unreachable the limiter degrades to the in-memory counters instead of failing requests.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from dataclasses import dataclass

import redis

from snapleads_app.core.redis_client import get_redis

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Window:
    limit: int
    remaining: int
    reset_after: int  # seconds until the window resets
    allowed: bool


class _MemoryCounters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def incr(self, key: str, window_seconds: int, amount: int) -> tuple[int, float]:
        now = time.monotonic()
        with self._lock:
            count, expires = self._counts.get(key, (0, now + window_seconds))
            if expires <= now:
                count, expires = 0, now + window_seconds
            count += amount
            self._counts[key] = (count, expires)
            if len(self._counts) > 100_000:  # bound memory: drop expired keys
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            return count, expires - now

    def peek(self, key: str) -> tuple[int, float]:
        now = time.monotonic()
        with self._lock:
            count, expires = self._counts.get(key, (0, now))
            if expires <= now:
                return 0, 0.0
            return count, expires - now

    def delete(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


_memory = _MemoryCounters()


def _window(limit: int, count: int, ttl: float) -> Window:
    return Window(
        limit=limit,
        remaining=max(0, limit - count),
        reset_after=max(1, math.ceil(ttl)),
        allowed=count <= limit,
    )


def hit(key: str, *, limit: int, window_seconds: int, amount: int = 1) -> Window:
    """Count one hit on `key` and say whether it is still within `limit` per window."""
    client = get_redis()
    full_key = f"rl:{key}"
    if client is not None:
        try:
            pipe = client.pipeline()
            pipe.incrby(full_key, amount)
            pipe.expire(full_key, window_seconds, nx=True)
            pipe.pttl(full_key)
            count, _, pttl = pipe.execute()
            return _window(limit, int(count), max(pttl, 0) / 1000)
        except redis.RedisError:
            log.warning("redis unavailable, rate limit falls back to memory", exc_info=False)
    count, ttl = _memory.incr(full_key, window_seconds, amount)
    return _window(limit, count, ttl)


def peek(key: str, *, limit: int) -> Window:
    """The state of `key` without counting a hit."""
    client = get_redis()
    full_key = f"rl:{key}"
    if client is not None:
        try:
            pipe = client.pipeline()
            pipe.get(full_key)
            pipe.pttl(full_key)
            raw, pttl = pipe.execute()
            count = int(raw or 0)
            return _window(limit, count, max(pttl, 0) / 1000)
        except redis.RedisError:
            log.warning("redis unavailable, rate limit falls back to memory", exc_info=False)
    count, ttl = _memory.peek(full_key)
    return _window(limit, count, ttl)


def reset(key: str) -> None:
    client = get_redis()
    if client is not None:
        with contextlib.suppress(redis.RedisError):
            client.delete(f"rl:{key}")
    _memory.delete(f"rl:{key}")


def clear_memory() -> None:
    """Forget every in-memory counter (tests)."""
    _memory.clear()
