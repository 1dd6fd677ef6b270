"""Task queue port. The domain names jobs; the workers package installs the sender (Dramatiq).

Jobs are enqueued with `enqueue_after_commit`, so a worker never looks for a row that is not committed.
When the broker is unreachable (Redis down) the sender raises `BrokerUnavailable` and the job is parked
in the database (`core.parked_jobs`) and re-sent when the broker answers again: never lost, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from snapleads_app.core import parked_jobs
from snapleads_app.core.db import on_commit
from snapleads_app.core.parked_jobs import BrokerUnavailable

__all__ = [
    "BrokerUnavailable",
    "enqueue",
    "enqueue_after_commit",
    "install_sender",
    "jobs_dropped",
    "queue_status",
]

log = logging.getLogger(__name__)

Sender = Callable[[str, dict[str, Any]], None]
StatusProvider = Callable[[], dict[str, Any]]
_sender: Sender | None = None
_status_provider: StatusProvider | None = None


def install_sender(sender: Sender | None, status_provider: StatusProvider | None = None) -> None:
    """Installed by the workers package (Dramatiq); the health check reads `queue_status`."""
    global _sender, _status_provider
    _sender = sender
    _status_provider = status_provider


@contextmanager
def jobs_dropped() -> Iterator[None]:
    """Enqueued jobs go nowhere inside the block (offline scripts), then the previous sender is back —
    in a process that runs a worker (the embedded app, browser tests) jobs must keep flowing."""
    global _sender
    previous = _sender
    _sender = lambda job, kwargs: None  # noqa: E731 - a one-line no-op sender
    try:
        yield
    finally:
        _sender = previous


def queue_status() -> dict[str, Any]:
    if _status_provider is None:
        return {"ok": _sender is not None, "broker": "none" if _sender is None else "unknown"}
    try:
        return _status_provider()
    except Exception as exc:  # health must answer even when the broker is down
        return {"ok": False, "error": type(exc).__name__}


def enqueue(job: str, **kwargs: Any) -> None:
    if _sender is None:
        raise RuntimeError(f"no task queue installed; cannot enqueue {job!r}")
    try:
        _sender(job, kwargs)
    except BrokerUnavailable as exc:
        parked_jobs.park(job, kwargs, str(exc))


def enqueue_after_commit(session: Session, job: str, **kwargs: Any) -> None:
    on_commit(session, lambda: enqueue(job, **kwargs))


# Delayed jobs (e.g. an automation's "wait 2 days"): the broker keeps them until due, across restarts.
DelayedSender = Callable[[str, dict[str, Any], int], None]
_delayed_sender: DelayedSender | None = None


def install_delayed_sender(sender: DelayedSender | None) -> None:
    global _delayed_sender
    _delayed_sender = sender


def enqueue_later_after_commit(session: Session, job: str, *, delay_ms: int, **kwargs: Any) -> None:
    def send() -> None:
        if _delayed_sender is None:
            raise RuntimeError(f"no delayed task queue installed; cannot enqueue {job!r}")
        _delayed_sender(job, kwargs, max(0, int(delay_ms)))

    on_commit(session, send)
