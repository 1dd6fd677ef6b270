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
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import dramatiq
from dramatiq.middleware import CurrentMessage

from snapleads_app.core import clock
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
)
from snapleads_app.core.mail import MailDeliveryError, OutgoingEmail
from snapleads_app.domain.accounts import service as accounts_service
from snapleads_app.domain.exports import service as exports_service
from snapleads_app.domain.imports import runner as imports_runner
from snapleads_app.domain.imports import service as imports_service
from snapleads_app.domain.inbox import delivery as inbox_delivery
from snapleads_app.domain.notifications import service as notifications
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


# ---------------------------------------------------------------- notifications (e-mail)
# Each actor builds its e-mail from committed rows and sends it inside the unit of work: a failed send
# rolls back what the builder recorded (the batching window), so the retry makes the same decision.
# A temporary SMTP failure (4xx, unreachable) retries with backoff; a permanent one (5xx, refused
# recipient, bad credentials) gives up at once — retrying would only repeat the bounce.

_mail_log = logging.getLogger("workers.notifications")
NOTIFY_RETRIES = 8  # backoff 1 s … 5 min: about 15 minutes of SMTP outage before giving up


def _send_built(build: Callable[..., OutgoingEmail | None], /, **kwargs: Any) -> None:
    with unit_of_work() as session:
        email = build(session=session, **kwargs)
        if email is not None:
            _deliver_or_give_up(email)


def _deliver_or_give_up(email: OutgoingEmail) -> None:
    try:
        notifications.deliver(email)
    except MailDeliveryError as exc:
        if not exc.permanent:
            raise
        _mail_log.warning("mail.bounced", extra={"to": email.to, "subject": email.subject, "error": str(exc)})


@dramatiq.actor(
    actor_name="notifications.invitation", queue_name="default", max_retries=NOTIFY_RETRIES, throws=GIVE_UP
)
def notify_invitation(invitation_id: int, token: str) -> None:
    _send_built(notifications.invitation_email, invitation_id=invitation_id, token=token)


@dramatiq.actor(
    actor_name="notifications.password_reset",
    queue_name="default",
    max_retries=NOTIFY_RETRIES,
    throws=GIVE_UP,
)
def notify_password_reset(reset_id: int, token: str) -> None:
    _send_built(notifications.password_reset_email, reset_id=reset_id, token=token)


@dramatiq.actor(
    actor_name="notifications.import_finished",
    queue_name="default",
    max_retries=NOTIFY_RETRIES,
    throws=GIVE_UP,
)
def notify_import_finished(job_id: int) -> None:
    _send_built(notifications.import_finished_email, job_id=job_id)


@dramatiq.actor(
    actor_name="notifications.lead_assigned", queue_name="default", max_retries=NOTIFY_RETRIES, throws=GIVE_UP
)
def notify_lead_assigned(lead_id: int, assignee_id: int, assigned_by_id: int | None = None) -> None:
    _send_built(
        notifications.lead_assigned_email,
        lead_id=lead_id,
        assignee_id=assignee_id,
        assigned_by_id=assigned_by_id,
    )


def _apply_message_decision(
    decision: notifications.MessageDecision, user_id: int, conversation_id: int
) -> None:
    if decision.email is not None:
        _deliver_or_give_up(decision.email)
    if decision.flush_at is not None:
        delay_ms = max(0, int((decision.flush_at - clock.now()).total_seconds() * 1000)) + 1_000
        flush_messages.send_with_options(
            kwargs={"user_id": user_id, "conversation_id": conversation_id}, delay=delay_ms
        )


@dramatiq.actor(
    actor_name="notifications.new_message", queue_name="default", max_retries=NOTIFY_RETRIES, throws=GIVE_UP
)
def notify_new_message(
    workspace_id: int, user_id: int, conversation_id: int, lead_name: str, preview: str
) -> None:
    """A new message on a conversation assigned to `user_id` (enqueued by the inbox after commit).
    Batched: at most one e-mail per conversation per user per 10 minutes (see the service)."""
    with unit_of_work() as session:
        decision = notifications.new_message(
            session=session,
            workspace_id=workspace_id,
            user_id=user_id,
            conversation_id=conversation_id,
            lead_name=lead_name,
            preview=preview,
        )
        _apply_message_decision(decision, user_id, conversation_id)


@dramatiq.actor(
    actor_name="notifications.flush_messages",
    queue_name="default",
    max_retries=NOTIFY_RETRIES,
    throws=GIVE_UP,
)
def flush_messages(user_id: int, conversation_id: int) -> None:
    """The end of a conversation's 10-minute window: one e-mail with what was folded into it."""
    with unit_of_work() as session:
        decision = notifications.flush_messages(
            session=session, user_id=user_id, conversation_id=conversation_id
        )
        _apply_message_decision(decision, user_id, conversation_id)


# ---------------------------------------------------------------- automations, scoring, webhooks (issue 7)
# ruff: noqa: E402 - this block is appended on its own so parallel branches merge without conflicts
from snapleads_app.domain import reactions
from snapleads_app.domain.automations import service as automations_service
from snapleads_app.domain.scoring import service as scoring_service
from snapleads_app.domain.webhooks import service as webhooks_service


@dramatiq.actor(actor_name=reactions.JOB, queue_name="default", max_retries=5, throws=GIVE_UP)
@domain_job
def process_reactions(
    workspace_id: int,
    lead_ids: list[int],
    triggers: list[str],
    event: dict[str, object],
    event_key: str,
    chain: list[int],
) -> None:
    """After a lead event / import batch / message: scores, webhook deliveries, automation runs."""
    reactions.process(
        workspace_id=workspace_id, lead_ids=lead_ids, triggers=triggers, event=dict(event),
        event_key=event_key, chain=chain,
    )  # fmt: skip


@dramatiq.actor(
    actor_name=automations_service.RESUME_JOB, queue_name="default", max_retries=5, throws=GIVE_UP
)
@domain_job
def resume_automation_run(run_id: int, step: int) -> None:
    """A wait is over: the run continues (a redelivered message finds the run moved on and stops)."""
    automations_service.resume(run_id=run_id, step=step)


@dramatiq.actor(
    actor_name=scoring_service.RESCORE_JOB, queue_name="bulk", max_retries=3, time_limit=30 * 60 * 1000,
    throws=GIVE_UP,
)  # fmt: skip
@domain_job
def rescore_all(workspace_id: int) -> None:
    scoring_service.rescore_workspace(workspace_id)


@dramatiq.actor(
    actor_name=webhooks_service.DELIVER_JOB, queue_name="default", max_retries=webhooks_service.MAX_ATTEMPTS,
    throws=GIVE_UP,
)  # fmt: skip
def deliver_webhook(delivery_id: int) -> None:
    """One signed attempt; a failure is logged on the delivery, then retried with backoff."""
    with unit_of_work() as session:
        retry_after = webhooks_service.deliver(session=session, delivery_id=delivery_id)
    if retry_after is not None:
        raise dramatiq.Retry("webhook delivery failed", delay=retry_after * 1000)


# ---------------------------------------------------------------- inbox


DELIVERY_RETRIES = len(inbox_delivery.RETRY_DELAYS_MS)


@dramatiq.actor(
    actor_name="inbox.deliver", queue_name="default", max_retries=DELIVERY_RETRIES, throws=GIVE_UP
)
@domain_job
def deliver_message(message_id: int) -> None:
    """Send one pending outbound message through its conversation's channel; the message ends `sent`,
    `delivered` or `failed` with the reason (retried from the UI). A transient failure (SMTP 4xx,
    unreachable) is retried here with backoff and recorded `failed` only after the last attempt; a
    permanent one fails at once. A repeated job finds the message no longer pending and does nothing."""
    current = CurrentMessage.get_current_message()
    attempt = int(current.options.get("retries", 0)) if current is not None else DELIVERY_RETRIES
    try:
        inbox_delivery.deliver(message_id, final_attempt=attempt >= DELIVERY_RETRIES)
    except inbox_delivery.DeliveryDeferred as exc:
        raise dramatiq.Retry(exc.reason, delay=inbox_delivery.retry_delay_ms(attempt)) from exc


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
