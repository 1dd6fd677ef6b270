"""The shared Redis client, or None on the embedded default (callers fall back to memory)."""

from __future__ import annotations

from functools import lru_cache

import redis

from snapleads_app.core.settings import get_settings


@lru_cache
def get_redis() -> redis.Redis | None:
    url = get_settings().redis_url
    if not url:
        return None
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)
