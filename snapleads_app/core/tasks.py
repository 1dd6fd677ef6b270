"""Task queue port. The domain names jobs; the workers package installs the sender (Dramatiq).

Jobs are enqueued with `enqueue_after_commit`, so a worker never looks for a row that is not committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from snapleads_app.core.db import on_commit

log = logging.getLogger(__name__)

Sender = Callable[[str, dict[str, Any]], None]
_sender: Sender | None = None


def install_sender(sender: Sender | None) -> None:
    global _sender
    _sender = sender


def enqueue(job: str, **kwargs: Any) -> None:
    if _sender is None:
        raise RuntimeError(f"no task queue installed; cannot enqueue {job!r}")
    _sender(job, kwargs)


def enqueue_after_commit(session: Session, job: str, **kwargs: Any) -> None:
    on_commit(session, lambda: enqueue(job, **kwargs))
