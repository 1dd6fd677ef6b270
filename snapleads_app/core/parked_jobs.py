"""Jobs that could not reach the broker (Redis down) wait in the database until it answers again.

`core.tasks.enqueue` parks a job here when the sender raises `BrokerUnavailable`; a relay thread (started
by the Redis broker of a process at its first send or health check) re-sends parked jobs oldest first once
the broker is back, then deletes them. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several processes drain the table without
sending a job twice at the same time; a job re-sent after a crash between send and delete runs twice,
which actors tolerate (they are idempotent, ARCHITECTURE.md rule 6).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Field, SQLModel, select

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.models import created_at_field, json_field

log = logging.getLogger(__name__)

RELAY_INTERVAL_SECONDS = 2.0
FLUSH_BATCH = 100


class BrokerUnavailable(RuntimeError):
    """The sender could not reach the broker; the job is parked instead of lost."""


class ParkedJob(SQLModel, table=True):
    __tablename__ = "parked_job"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=120, nullable=False)
    kwargs: dict[str, Any] = json_field()
    error: str = Field(default="", max_length=300, nullable=False)
    created_at: datetime = created_at_field()


def park(job: str, kwargs: dict[str, Any], error: str) -> None:
    """Store `job` for a later send (its own transaction: the caller's work is already committed)."""
    with unit_of_work() as session:
        session.add(ParkedJob(job=job, kwargs=kwargs, error=error[:300]))
    log.warning("broker unavailable: job %s parked in the database (%s)", job, error[:120])


def count() -> int:
    with unit_of_work() as session:
        return int(session.exec(select(func.count()).select_from(ParkedJob)).one())


def flush(send: Callable[[str, dict[str, Any]], None], *, limit: int = FLUSH_BATCH) -> int:
    """Send up to `limit` parked jobs, oldest first; stop at the first `BrokerUnavailable`.

    Returns how many were sent (and deleted).
    """
    sent = 0
    with unit_of_work() as session:
        rows = session.exec(
            select(ParkedJob).order_by(ParkedJob.id).limit(limit).with_for_update(skip_locked=True)  # type: ignore[arg-type]
        ).all()
        for row in rows:
            try:
                send(row.job, dict(row.kwargs))
            except BrokerUnavailable:
                break
            session.delete(row)
            sent += 1
    if sent:
        log.info("parked jobs re-sent: %d", sent)
    return sent


class Relay:
    """A daemon thread that flushes parked jobs every `interval` seconds until stopped."""

    def __init__(self, send: Callable[[str, dict[str, Any]], None], interval: float = RELAY_INTERVAL_SECONDS):
        self._send = send
        self._interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="parked-job-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while not self._stop.is_set() and flush(self._send) == FLUSH_BATCH:
                    pass
            except Exception:  # the database may be down too: try again next round
                log.warning("parked-job relay: flush failed", exc_info=True)
            self._wake.wait(self._interval)
            self._wake.clear()
