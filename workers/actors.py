"""Dramatiq actors. Each one takes ids/small JSON, opens a unit of work and calls a domain service.

Run separate worker processes (REDIS_URL set) with:

    dramatiq workers.actors --queues default bulk      (or: python -m workers)

Rules (ARCHITECTURE.md, service layer 5-6): the actor name is the job name the domain enqueues; every
actor sets its own `max_retries`; a retried message must not duplicate work (services are idempotent);
domain errors that retrying cannot fix give up at once (`throws=GIVE_UP`), `RateLimited` retries after
its `retry_after`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import dramatiq

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
)
from snapleads_app.domain.accounts import service as accounts_service
from snapleads_app.domain.exports import service as exports_service
from snapleads_app.domain.imports import runner as imports_runner
from snapleads_app.domain.imports import service as imports_service
from workers.broker import setup_broker

# Must run before any actor is declared: `dramatiq.actor` and the dramatiq CLI use the global broker.
broker = setup_broker()

#: Domain errors a retry cannot fix: the message fails at once instead of burning its retry budget.
GIVE_UP: tuple[type[Exception], ...] = (InvalidInput, NotFound, PermissionDenied, Conflict, Unauthenticated)

P = ParamSpec("P")
R = TypeVar("R")


def domain_job(fn: Callable[P, R]) -> Callable[P, R]:
    """Map `RateLimited` to a Dramatiq retry after `retry_after` seconds (no error log)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except RateLimited as exc:
            raise dramatiq.Retry(str(exc), delay=exc.retry_after * 1000) from exc

    return wrapper


@dramatiq.actor(actor_name="accounts.after_signup", queue_name="default", max_retries=5, throws=GIVE_UP)
@domain_job
def after_signup(user_id: int, workspace_id: int) -> None:
    """After registration: the workspace's 'workspace.created' audit entry (once; a retry does nothing)."""
    with unit_of_work() as session:
        accounts_service.record_signup(session=session, user_id=user_id, workspace_id=workspace_id)


@dramatiq.actor(
    actor_name="imports.run", queue_name="bulk", max_retries=5, time_limit=2 * 60 * 60 * 1000, throws=GIVE_UP
)
@domain_job
def run_import(job_id: int) -> None:
    """Process an import job chunk by chunk; a retry (or a restarted worker) resumes after the last
    committed chunk, so it never duplicates or loses a row."""
    imports_runner.run(job_id)


@dramatiq.actor(actor_name="imports.purge_uploads", queue_name="default", max_retries=0)
def purge_uploads() -> None:
    """Maintenance (cron or by hand): delete upload files no import job took over within a day. Uploads
    also sweep them hourly on their own, so this is only needed where nobody uploads for a long time."""
    imports_service.purge_abandoned_uploads()


@dramatiq.actor(
    actor_name="exports.run", queue_name="bulk", max_retries=3, time_limit=60 * 60 * 1000, throws=GIVE_UP
)
@domain_job
def run_export(job_id: int) -> None:
    """Write a big lead export to its file; a retry writes it again from the start."""
    exports_service.run(job_id)
