"""Fixed-window rate limits: in memory (embedded default), on Redis (shared), and the fallback between."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from snapleads_app.core import ratelimit, redis_client, settings

# Redis db 15 on the configured server (override with SNAPLEADS_TEST_REDIS_URL). Not the run's reserved db:
# the project conftest FLUSHDBs that one after each test, which would hit a concurrent run. The tests keep
# to their own key namespace / channel / keys and delete what they created.
_REDIS_BASE = (os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
REDIS_TEST_URL = os.environ.get("SNAPLEADS_TEST_REDIS_URL") or f"{_REDIS_BASE}/15"
CLOSED_PORT_URL = "redis://127.0.0.1:6390/0"  # nothing listens there


def _clear_caches() -> None:
    settings.get_settings.cache_clear()
    redis_client.get_redis.cache_clear()


def _redis_up() -> bool:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Runs a test on both paths; the redis one skips without Redis unless the backend is postgres."""
    if request.param == "redis":
        if not _redis_up():
            if os.environ.get("SNAPLEADS_TEST_BACKEND") == "postgres":
                pytest.fail(
                    f"Redis is required when SNAPLEADS_TEST_BACKEND=postgres ({REDIS_TEST_URL} is down)"
                )
            pytest.skip(f"Redis not reachable at {REDIS_TEST_URL}")
        monkeypatch.setenv("REDIS_URL", REDIS_TEST_URL)
    else:
        monkeypatch.setenv("REDIS_URL", "")
    _clear_caches()
    ratelimit.clear_memory()
    yield request.param
    ratelimit.clear_memory()
    _clear_caches()


@pytest.fixture
def key() -> Iterator[str]:
    """A unique key (rl:test:<uuid>), deleted from Redis and memory afterwards."""
    name = f"test:{uuid.uuid4().hex}"
    yield name
    ratelimit.reset(name)


def test_counts_hits_within_the_limit(backend: str, key: str) -> None:
    windows = [ratelimit.hit(key, limit=3, window_seconds=60) for _ in range(5)]

    assert [w.allowed for w in windows] == [True, True, True, False, False]
    assert [w.remaining for w in windows] == [2, 1, 0, 0, 0]
    assert all(w.limit == 3 for w in windows)
    assert all(1 <= w.reset_after <= 60 for w in windows)


def test_amount_counts_several_hits_at_once(backend: str, key: str) -> None:
    assert ratelimit.hit(key, limit=10, window_seconds=60, amount=7).remaining == 3
    window = ratelimit.hit(key, limit=10, window_seconds=60, amount=4)
    assert (window.allowed, window.remaining) == (False, 0)


def test_peek_does_not_count(backend: str, key: str) -> None:
    fresh = ratelimit.peek(key, limit=2)
    assert (fresh.allowed, fresh.remaining) == (True, 2)

    ratelimit.hit(key, limit=2, window_seconds=60)
    for _ in range(3):
        window = ratelimit.peek(key, limit=2)
    assert (window.allowed, window.remaining) == (True, 1)
    assert 1 <= window.reset_after <= 60


def test_reset_forgets_the_key(backend: str, key: str) -> None:
    for _ in range(3):
        ratelimit.hit(key, limit=2, window_seconds=60)
    ratelimit.reset(key)
    window = ratelimit.hit(key, limit=2, window_seconds=60)
    assert (window.allowed, window.remaining) == (True, 1)


def test_keys_are_independent(backend: str, key: str) -> None:
    other = f"{key}:other"
    try:
        ratelimit.hit(key, limit=1, window_seconds=60)
        assert ratelimit.hit(key, limit=1, window_seconds=60).allowed is False
        assert ratelimit.hit(other, limit=1, window_seconds=60).allowed is True
    finally:
        ratelimit.reset(other)


class _FakeClock:
    """Stands in for the `time` module inside ratelimit: the memory path reads time.monotonic()."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_window_expires(backend: str, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if backend == "memory":
        clock = _FakeClock()
        monkeypatch.setattr(ratelimit, "time", clock)
        sleep = clock.sleep
    else:
        sleep = time.sleep  # Redis expires the key itself: really wait
    for _ in range(3):  # on a stalled machine the two hits may straddle a 1 s window: start over
        started = time.monotonic()
        first = ratelimit.hit(key, limit=1, window_seconds=1)
        blocked = ratelimit.hit(key, limit=1, window_seconds=1)
        if backend == "memory" or time.monotonic() - started < 0.5:
            break
        ratelimit.reset(key)
    assert (first.allowed, blocked.allowed) == (True, False)
    assert blocked.reset_after == 1

    sleep(1.1)
    assert ratelimit.peek(key, limit=1).remaining == 1
    again = ratelimit.hit(key, limit=1, window_seconds=1)
    assert (again.allowed, again.remaining) == (True, 0)


@pytest.mark.parametrize("backend", ["redis"], indirect=True)  # memory counters are per process by design
def test_redis_counters_are_shared_between_processes(backend: str, key: str) -> None:
    ratelimit.hit(key, limit=5, window_seconds=60, amount=2)
    # Another process sees the same counter: read it with a separate client.
    other = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        raw: Any = other.get(f"rl:{key}")
        pttl: Any = other.pttl(f"rl:{key}")
        assert int(raw or 0) == 2
        assert 0 < int(pttl) <= 60_000
    finally:
        other.close()


def test_falls_back_to_memory_when_redis_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", CLOSED_PORT_URL)
    _clear_caches()
    ratelimit.clear_memory()
    name = f"test:{uuid.uuid4().hex}"
    try:
        assert redis_client.get_redis() is not None  # configured, just unreachable
        windows = [ratelimit.hit(name, limit=2, window_seconds=60) for _ in range(3)]
        assert [w.allowed for w in windows] == [True, True, False]
        assert [w.remaining for w in windows] == [1, 0, 0]
        assert ratelimit.peek(name, limit=2).remaining == 0  # peek reads the same memory counter
    finally:
        ratelimit.clear_memory()
        _clear_caches()
