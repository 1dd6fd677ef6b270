"""Delivery of one outbound message through its conversation's channel (run by the `inbox.deliver`
actor). Idempotent: only a `pending` message is sent, so a retried or duplicated job does nothing.

A transient failure (SMTP 4xx, server unreachable or timing out, an adapter crash) leaves the message
`pending` and raises `DeliveryDeferred`: the actor retries it after `retry_delay_ms(attempt)`. Only the
last attempt (`final_attempt=True`) records it `failed` with the reason. A permanent failure (5xx,
refused recipient, no address) is recorded `failed` at once.

The network call happens between two short transactions — never while holding a row lock.
"""

from __future__ import annotations

import logging

from sqlmodel import col, select

from snapleads_app.core.context import Ctx
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.accounts.models import User, Workspace
from snapleads_app.domain.inbox import channels, service
from snapleads_app.domain.inbox.channels import ChannelAdapter, Delivery, Outgoing
from snapleads_app.domain.inbox.models import Conversation, Message
from snapleads_app.domain.leads.models import Lead

log = logging.getLogger(__name__)

#: Backoff before each retry of a transient failure: ≈ 43 minutes in all (greylisting asks for minutes).
RETRY_DELAYS_MS: tuple[int, ...] = (5_000, 30_000, 120_000, 600_000, 1_800_000)


class DeliveryDeferred(Exception):
    """A transient failure on a non-final attempt: the message stays pending, the job is retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def retry_delay_ms(attempt: int) -> int:
    """Delay before retrying after failed attempt number `attempt` (0 = the first run)."""
    delays = RETRY_DELAYS_MS
    return delays[min(max(attempt, 0), len(delays) - 1)]


def _prepare(message_id: int) -> tuple[Outgoing, ChannelAdapter] | None:
    with unit_of_work() as session:
        msg = session.get(Message, message_id)
        if msg is None or msg.status != "pending" or msg.direction != "outbound":
            return None
        conv = session.get(Conversation, msg.conversation_id)
        lead = session.get(Lead, conv.lead_id) if conv else None
        workspace = session.get(Workspace, msg.workspace_id)
        if conv is None or lead is None or workspace is None:
            return None
        sender = session.get(User, msg.sender_user_id) if msg.sender_user_id else None
        outgoing = Outgoing(
            message_id=message_id,
            workspace_id=msg.workspace_id,
            body=msg.body,
            lead_name=service.lead_name(lead),
            lead_email=lead.email,
            workspace_name=workspace.name,
            sender_name=sender.full_name if sender else workspace.name,
        )
        return outgoing, channels.adapter_for(conv.channel, workspace.settings or {})


def _record(message_id: int, workspace_id: int, delivery: Delivery) -> None:
    with unit_of_work() as session:
        msg = session.exec(select(Message).where(col(Message.id) == message_id).with_for_update()).first()
        if msg is None or msg.status != "pending":
            return
        conv = session.get(Conversation, msg.conversation_id)
        if conv is None:
            return
        service.apply_status(
            session=session,
            ctx=Ctx.system(workspace_id),
            msg=msg,
            conv=conv,
            status=delivery.status,
            error=delivery.error,
            external_id=delivery.external_id,
        )


def deliver(message_id: int, *, final_attempt: bool = True) -> str | None:
    """Send a pending message; returns the status it reached (None when there was nothing to do).
    Raises `DeliveryDeferred` on a transient failure unless this is the final attempt."""
    prepared = _prepare(message_id)
    if prepared is None:
        return None
    outgoing, adapter = prepared
    try:
        delivery = adapter.deliver(outgoing)
    except Exception as exc:  # an adapter bug must still leave a visible, retryable failure
        log.exception("inbox: channel adapter crashed for message %s", message_id)
        delivery = Delivery(status="failed", error=f"Channel error: {type(exc).__name__}", permanent=False)
    if delivery.status == "failed" and not delivery.permanent and not final_attempt:
        log.info("inbox: transient delivery failure for message %s: %s", message_id, delivery.error)
        raise DeliveryDeferred(delivery.error or "temporary failure")
    _record(message_id, outgoing.workspace_id, delivery)
    return delivery.status
