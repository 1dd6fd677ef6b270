"""What happens after leads change, in one place: scoring, webhooks and automations, run by a worker.

The leads service calls `after_lead_event` from its event helper and `after_leads_bulk` after a bulk
action, the import service calls `after_leads_imported` per batch and `after_import_completed` once, the
inbox calls `automations.service.on_message_received`. Each enqueues ONE job after commit (one per lead
event, one per import batch, one per `BULK_BATCH` leads of a bulk action); the worker (`process`)
recomputes scores, fans out webhooks and runs automations.

Loop guard: while an automation executes its actions, `acting_automations` holds the chain of
automations that caused the change; events raised then carry the chain, and the worker never runs an
automation that is already in it.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from snapleads_app.core.context import Ctx
from snapleads_app.core.tasks import enqueue_after_commit

JOB = "reactions.process"
BULK_BATCH = 500  # leads per job after a bulk action
_SIGNALS = "snapleads_reaction_signals"
_acting: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar("acting_automations", default=())


@contextmanager
def acting_automations(chain: tuple[int, ...]) -> Iterator[None]:
    token = _acting.set(chain)
    try:
        yield
    finally:
        _acting.reset(token)


@event.listens_for(Session, "before_flush")
def _collect_signals(session: Session, _context: Any, _instances: Any) -> None:
    """Status/stage changes are recorded as timeline activities in the same flush as the lead: note
    them so `after_lead_event` knows a status changed without the leads service saying so."""
    from snapleads_app.domain.timeline.models import Activity

    for obj in session.new:
        if isinstance(obj, Activity) and obj.type in ("status.changed", "stage.changed"):
            session.info.setdefault(_SIGNALS, set()).add(obj.lead_id)


def new_event_key() -> str:
    return uuid.uuid4().hex


def after_lead_event(session: Session, ctx: Ctx, type_: str, lead: Any, data: dict[str, Any]) -> None:
    """Called by the leads service for every lead event it publishes (inside the transaction)."""
    if lead is None or type_ not in ("lead.created", "lead.updated"):
        return
    lead_id = int(lead.id)
    triggers: list[str] = []
    if type_ == "lead.created":
        if not data.get("restored"):  # an undone delete is not a new lead: rescore only
            triggers.append("lead_created")
    else:
        triggers.append("lead_updated")
        signals: set[int] = session.info.get(_SIGNALS, set())
        if lead_id in signals:
            signals.discard(lead_id)
            triggers.append("status_changed")
        if data.get("tags_added"):
            triggers.append("tag_added")
    enqueue_after_commit(
        session,
        JOB,
        workspace_id=ctx.workspace_id,
        lead_ids=[lead_id],
        triggers=triggers,
        event={
            "type": type_,
            "lead_id": lead_id,
            "platform": lead.platform,
            "source": lead.source,
            "status": lead.status,
            "tags_added": list(data.get("tags_added") or []),
            "fields": list(data.get("fields") or []),
        },
        event_key=new_event_key(),
        chain=list(_acting.get()),
    )


def after_leads_bulk(
    session: Session, ctx: Ctx, *, lead_ids: list[int], triggers: list[str], event: dict[str, Any]
) -> None:
    """Called by the leads service after a bulk action, with the leads it really changed: one job per
    `BULK_BATCH` of them (never one per lead). `event` says what changed (`fields`, `tags_added`,
    `status`); the worker reads each lead's own platform/source/status for the trigger filters."""
    if not lead_ids or not triggers:
        return
    chain = list(_acting.get())
    payload = {"type": "lead.updated", "bulk": True, "tags_added": [], "fields": [], **event}
    for start in range(0, len(lead_ids), BULK_BATCH):
        enqueue_after_commit(
            session,
            JOB,
            workspace_id=ctx.workspace_id,
            lead_ids=list(lead_ids[start : start + BULK_BATCH]),
            triggers=list(triggers),
            event=payload,
            event_key=new_event_key(),
            chain=chain,
        )


def after_leads_imported(
    session: Session, *, workspace_id: int, job_id: int | None, lead_ids: list[int]
) -> None:
    """Called by the import service once per committed batch of created leads."""
    if not lead_ids:
        return
    from snapleads_app.domain.automations import service as automations

    automations.remember_imported(
        session=session, workspace_id=workspace_id, job_id=job_id, lead_ids=lead_ids
    )
    enqueue_after_commit(
        session,
        JOB,
        workspace_id=workspace_id,
        lead_ids=list(lead_ids),
        triggers=["lead_created"],
        event={"type": "lead.created", "import_job_id": job_id, "batch": True},
        event_key=new_event_key(),
        chain=[],
    )


def after_import_completed(session: Session, *, workspace_id: int, job_id: int, job: dict[str, Any]) -> None:
    """Called by the import service when a job completes."""
    enqueue_after_commit(
        session,
        JOB,
        workspace_id=workspace_id,
        lead_ids=[],
        triggers=["import_completed"],
        event={"type": "import.completed", "import_job_id": job_id, "job": job},
        event_key=f"import-{job_id}",
        chain=[],
    )


def after_message_received(
    session: Session, *, workspace_id: int, lead_id: int, event: dict[str, Any]
) -> None:
    enqueue_after_commit(
        session,
        JOB,
        workspace_id=workspace_id,
        lead_ids=[lead_id],
        triggers=["message_received"],
        event={"type": "message.received", **event},
        event_key=f"message-{event.get('message_id')}",
        chain=list(_acting.get()),
    )


def process(
    *,
    workspace_id: int,
    lead_ids: list[int],
    triggers: list[str],
    event: dict[str, Any],
    event_key: str,
    chain: list[int],
) -> None:
    """The worker side (idempotent: scores converge, webhook deliveries and runs are unique per event)."""
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.automations import service as automations
    from snapleads_app.domain.scoring import service as scoring
    from snapleads_app.domain.webhooks import service as webhooks

    if event.get("type") == "import.completed":
        with unit_of_work() as session:
            webhooks.emit(session=session, workspace_id=workspace_id, event="import.completed",
                          data=event.get("job") or {}, event_id=event_key)  # fmt: skip
            lead_ids = automations.imported_lead_ids(session=session, job_id=int(event["import_job_id"]))
    elif lead_ids:
        reason = "message" if event.get("type") == "message.received" else "lead.changed"
        with unit_of_work() as session:
            scoring.recompute_leads(
                session=session, workspace_id=workspace_id, lead_ids=lead_ids, reason=reason
            )
        hook_event = str(event.get("type"))
        if hook_event in ("lead.created", "lead.updated", "message.received"):
            with unit_of_work() as session:
                webhooks.emit_for_leads(session=session, workspace_id=workspace_id, event=hook_event,
                                        lead_ids=lead_ids, event_key=event_key, extra=event)  # fmt: skip
    automations.dispatch(
        workspace_id=workspace_id, lead_ids=lead_ids, triggers=triggers, event=event, event_key=event_key,
        chain=chain,
    )  # fmt: skip
