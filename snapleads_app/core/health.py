"""Health of the parts the app depends on. Redis is optional (embedded default): absent is fine."""

from __future__ import annotations

import time
from typing import Any

import redis
from sqlalchemy import text

from snapleads_app.core import parked_jobs
from snapleads_app.core.db import get_engine
from snapleads_app.core.redis_client import get_redis
from snapleads_app.core.tasks import queue_status


def _timed(fn: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = fn() or {}
        return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2), **detail}
    except Exception as exc:  # report, never raise: this is the health check
        return {"ok": False, "error": type(exc).__name__}


def _db() -> dict[str, Any]:
    engine = get_engine()
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"backend": engine.dialect.name}


def _redis() -> dict[str, Any]:
    client = get_redis()
    if client is None:
        return {"backend": "memory"}
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ConnectionError("redis unreachable") from exc
    return {"backend": "redis"}


def check() -> dict[str, Any]:
    report = {"db": _timed(_db), "redis": _timed(_redis), "queue": queue_status()}
    if report["db"]["ok"]:
        try:  # jobs waiting in the database for the broker to come back (Redis outage)
            report["queue"] = {**report["queue"], "parked": parked_jobs.count()}
        except Exception as exc:  # noqa: BLE001 - the health check reports, never raises
            report["queue"] = {**report["queue"], "parked_error": type(exc).__name__}
    # Redis down degrades (in-memory fallbacks) but the database is required.
    status = "ok" if report["db"]["ok"] else "down"
    if status == "ok" and not (report["redis"]["ok"] and report["queue"].get("ok", False)):
        status = "degraded"
    return {"status": status, **report}
