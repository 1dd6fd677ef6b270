"""Webhook use cases: subscriptions (owners/admins), emitting events as deliveries, delivering them.

`emit` writes one delivery per subscribed webhook (unique per event id, so a retried trigger never
sends twice) and enqueues its delivery after commit; `deliver` (worker) makes one signed attempt and
says whether to retry; the actor retries with backoff.
"""

from __future__ import annotations

import json
import secrets
import socket
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlmodel import Session, col, select

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import InvalidInput, NotFound, PermissionDenied
from snapleads_app.core.settings import get_settings
from snapleads_app.core.tasks import enqueue_after_commit
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.leads import repo as leads_repo
from snapleads_app.domain.leads.models import Lead, LeadPublic
from snapleads_app.domain.webhooks import rules
from snapleads_app.domain.webhooks.models import (
    Webhook,
    WebhookDelivery,
    WebhookDeliveryPublic,
    WebhookIn,
    WebhookPublic,
    WebhookUpdate,
)

DELIVER_JOB = "webhooks.deliver"
MAX_ATTEMPTS = 6
RESPONSE_KEPT = 2000


def _require(ctx: Ctx) -> None:
    if not account_rules.can(ctx.role, "integrations.manage"):
        raise PermissionDenied("Only owners and admins manage webhooks", code="forbidden_for_role")


def _load(session: Session, ctx: Ctx, webhook_id: int) -> Webhook:
    hook = session.exec(
        select(Webhook).where(col(Webhook.id) == webhook_id, Webhook.workspace_id == ctx.workspace_id)
    ).first()
    if hook is None:
        raise NotFound("Webhook not found", code="webhook_not_found")
    return hook


def _check_url(url: str) -> None:
    problem = rules.url_problem(url)
    if problem:
        raise InvalidInput(
            "The webhook URL is not allowed", code="invalid_webhook_url", errors={"url": problem}
        )


def _public(hook: Webhook) -> WebhookPublic:
    return WebhookPublic.model_validate(hook, from_attributes=True)


def exists(*, session: Session, workspace_id: int, webhook_id: int) -> bool:
    return (
        session.exec(
            select(Webhook.id).where(Webhook.id == webhook_id, Webhook.workspace_id == workspace_id)
        ).first()
        is not None
    )


def list_webhooks(*, session: Session, ctx: Ctx) -> list[WebhookPublic]:
    _require(ctx)
    rows = session.exec(
        select(Webhook).where(Webhook.workspace_id == ctx.workspace_id).order_by(col(Webhook.id))
    )
    return [_public(h) for h in rows]


def create_webhook(*, session: Session, ctx: Ctx, data: WebhookIn) -> WebhookPublic:
    _require(ctx)
    _check_url(data.url)
    hook = Webhook(
        workspace_id=ctx.workspace_id, url=data.url, description=data.description, events=list(dict.fromkeys(data.events)),
        enabled=data.enabled, secret=secrets.token_hex(24),
    )  # fmt: skip
    session.add(hook)
    session.flush()
    return _public(hook)


def update_webhook(*, session: Session, ctx: Ctx, webhook_id: int, data: WebhookUpdate) -> WebhookPublic:
    _require(ctx)
    hook = _load(session, ctx, webhook_id)
    given = data.model_dump(exclude_unset=True)
    if given.get("url") is not None:
        _check_url(given["url"])
    for key, value in given.items():
        if value is not None:
            setattr(hook, key, list(dict.fromkeys(value)) if key == "events" else value)
    session.flush()
    return _public(hook)


def rotate_secret(*, session: Session, ctx: Ctx, webhook_id: int) -> WebhookPublic:
    _require(ctx)
    hook = _load(session, ctx, webhook_id)
    hook.secret = secrets.token_hex(24)
    session.flush()
    return _public(hook)


def delete_webhook(*, session: Session, ctx: Ctx, webhook_id: int) -> None:
    _require(ctx)
    session.delete(_load(session, ctx, webhook_id))
    session.flush()


def list_deliveries(
    *, session: Session, ctx: Ctx, webhook_id: int, limit: int = 50
) -> list[WebhookDeliveryPublic]:
    _require(ctx)
    _load(session, ctx, webhook_id)
    rows = session.exec(
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(max(1, min(limit, 100)))
    )
    return [WebhookDeliveryPublic.model_validate(d, from_attributes=True) for d in rows]


def send_test(*, session: Session, ctx: Ctx, webhook_id: int) -> WebhookDeliveryPublic:
    """A `test` event to this webhook, delivered by the worker like any other."""
    _require(ctx)
    hook = _load(session, ctx, webhook_id)
    delivery = _new_delivery(
        session, hook, "test", f"test-{secrets.token_hex(8)}", {"message": "SnapLeads test delivery"}
    )
    return WebhookDeliveryPublic.model_validate(delivery, from_attributes=True)


# ---------------------------------------------------------------- emitting (inside other use cases)


def _new_delivery(
    session: Session, hook: Webhook, event: str, event_id: str, data: dict[str, Any]
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        workspace_id=hook.workspace_id, webhook_id=hook.id or 0, event=event, event_id=event_id[:64],
        payload={"id": event_id, "event": event, "workspace_id": hook.workspace_id,
                 "created_at": clock.now().isoformat(), "data": data},
    )  # fmt: skip
    session.add(delivery)
    session.flush()
    enqueue_after_commit(session, DELIVER_JOB, delivery_id=delivery.id)
    return delivery


def _subscribed(session: Session, workspace_id: int, event: str) -> list[Webhook]:
    hooks = session.exec(select(Webhook).where(Webhook.workspace_id == workspace_id, col(Webhook.enabled)))
    return [h for h in hooks if event in h.events]


def _already(session: Session, webhook_id: int, event_id: str) -> bool:
    return (
        session.exec(
            select(WebhookDelivery.id).where(
                WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.event_id == event_id[:64]
            )
        ).first()
        is not None
    )


def emit(*, session: Session, workspace_id: int, event: str, data: dict[str, Any], event_id: str) -> int:
    """One delivery per enabled webhook subscribed to `event`; a repeated `event_id` adds nothing."""
    count = 0
    for hook in _subscribed(session, workspace_id, event):
        if not _already(session, hook.id or 0, event_id):
            _new_delivery(session, hook, event, event_id, data)
            count += 1
    return count


def emit_for_leads(
    *,
    session: Session,
    workspace_id: int,
    event: str,
    lead_ids: list[int],
    event_key: str,
    extra: dict[str, Any],
) -> int:
    hooks = _subscribed(session, workspace_id, event)
    if not hooks:
        return 0
    count = 0
    leads = session.exec(select(Lead).where(Lead.workspace_id == workspace_id, col(Lead.id).in_(lead_ids)))
    scores = leads_repo.scores_by_lead(session, lead_ids)
    for lead in leads:
        public = {**lead.model_dump(), "tag_ids": [], "score": scores.get(lead.id or 0, 0)}
        data: dict[str, Any] = {"lead": LeadPublic.model_validate(public).model_dump(mode="json")}
        if event == "message.received":
            data.update({k: extra.get(k) for k in ("conversation_id", "message_id", "channel")})
        elif extra.get("fields"):
            data["fields"] = extra["fields"]
        event_id = f"{event_key[:40]}-{lead.id}"
        for hook in hooks:
            if not _already(session, hook.id or 0, event_id):
                _new_delivery(session, hook, event, event_id, data)
                count += 1
    return count


def send_to(
    *, session: Session, workspace_id: int, webhook_id: int, event: str, data: dict[str, Any], event_id: str
) -> None:
    """An automation's "call a webhook" action: this webhook, whatever its subscriptions."""
    hook = session.exec(
        select(Webhook).where(col(Webhook.id) == webhook_id, Webhook.workspace_id == workspace_id)
    ).first()
    if hook is None:
        raise NotFound("Webhook not found", code="webhook_not_found")
    if not hook.enabled:
        raise InvalidInput("The webhook is disabled", code="webhook_disabled")
    if not _already(session, webhook_id, event_id):
        _new_delivery(session, hook, event, event_id, data)


# ---------------------------------------------------------------- delivering (worker)


def _target_problem(url: str) -> str | None:
    problem = rules.url_problem(url)
    if problem:
        return problem
    if get_settings().webhooks_allow_private:
        return None
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except OSError:
        return "host_not_found"
    if not infos or not all(rules.is_public_address(str(info[4][0])) for info in infos):
        return "private_address_refused"
    return None


def deliver(*, session: Session, delivery_id: int) -> int | None:
    """One attempt, recorded in the log. Returns the seconds to wait before the next attempt when one is
    due (the caller commits this attempt, then retries), else None (delivered, given up, nothing to do)."""
    delivery = session.exec(
        select(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id).with_for_update()
    ).first()
    if delivery is None or delivery.status in ("success", "failed"):
        return None
    hook = session.get(Webhook, delivery.webhook_id)
    if hook is None:
        return None
    delivery.attempts += 1
    now = clock.now()
    body = json.dumps(delivery.payload, separators=(",", ":"), default=str).encode()
    timestamp = str(int(time.time()))
    problem = _target_problem(hook.url)
    started = time.monotonic()
    error: str | None = None
    if problem:
        error = problem
        delivery.attempts = MAX_ATTEMPTS  # a refused target never becomes allowed by retrying
    else:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "SnapLeads-Webhooks/1",
            rules.SIGNATURE_HEADER: rules.signature(hook.secret, timestamp, body),
            rules.TIMESTAMP_HEADER: timestamp,
            rules.EVENT_HEADER: delivery.event,
            rules.DELIVERY_HEADER: str(delivery.id),
        }
        try:
            with httpx.Client(
                timeout=get_settings().webhook_timeout_seconds, follow_redirects=False
            ) as client:
                response = client.post(hook.url, content=body, headers=headers)
            delivery.response_status = response.status_code
            delivery.response_body = response.text[:RESPONSE_KEPT]
            if not 200 <= response.status_code < 300:
                error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    hook.last_delivery_at = now
    if error is None:
        delivery.status, delivery.error, delivery.delivered_at = "success", None, now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.error, delivery.next_attempt_at = "failed", error, None
    else:
        wait = rules.backoff_seconds(delivery.attempts)
        delivery.status, delivery.error = "retrying", error
        delivery.next_attempt_at = clock.now() + timedelta(seconds=wait)
    hook.last_status = delivery.status
    session.flush()
    return rules.backoff_seconds(delivery.attempts) if delivery.status == "retrying" else None
