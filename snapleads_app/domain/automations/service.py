"""Automation use cases: define (validate, version, toggle, delete), dispatch, run actions, the log.

Runs execute in the worker: `dispatch` (a trigger for some leads) and `resume` (after a wait). Each
action commits together with the run's step counter, so a redelivered message or a restarted worker
continues where the run stopped and never doubles an action; side effects (messages, webhooks,
delayed resumes) leave after commit.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from snapleads_app.core.events import DomainEvent, publish_after_commit
from snapleads_app.core.settings import get_settings
from snapleads_app.core.tasks import enqueue_later_after_commit
from snapleads_app.domain import reactions
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.accounts.models import Membership
from snapleads_app.domain.automations import rules
from snapleads_app.domain.automations.models import (
    Automation,
    AutomationIn,
    AutomationPublic,
    AutomationRun,
    AutomationRunPublic,
    AutomationStats,
    ImportedLeadBatch,
    RunFilter,
)
from snapleads_app.domain.automations.ports import messaging
from snapleads_app.domain.leads import repo as leads_repo
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.pipelines.models import Pipeline, Stage
from snapleads_app.domain.scoring import rules as scoring_rules
from snapleads_app.domain.tags.models import Tag
from snapleads_app.domain.timeline import service as timeline

log = logging.getLogger(__name__)
RESUME_JOB = "automations.resume"
MAX_CHAIN = 5  # automations triggering automations: deeper chains stop (loop guard)
RUNS_PAGE = 100


# ---------------------------------------------------------------- definitions


def _require_manage(ctx: Ctx) -> None:
    if not account_rules.can(ctx.role, "automations.manage"):
        raise PermissionDenied("Your role cannot manage automations", code="forbidden_for_role")


def _load(session: Session, ctx: Ctx, automation_id: int, *, for_update: bool = False) -> Automation:
    stmt = select(Automation).where(
        col(Automation.id) == automation_id, Automation.workspace_id == ctx.workspace_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    automation = session.exec(stmt).first()
    if automation is None:
        raise NotFound("Automation not found", code="automation_not_found")
    return automation


def _stats(session: Session, automation_ids: list[int]) -> dict[int, AutomationStats]:
    stats = {i: AutomationStats() for i in automation_ids}
    if not automation_ids:
        return stats
    rows = session.exec(
        select(
            AutomationRun.automation_id,
            AutomationRun.status,
            func.count(),
            func.max(AutomationRun.created_at),
        )
        .where(col(AutomationRun.automation_id).in_(automation_ids))
        .group_by(col(AutomationRun.automation_id), col(AutomationRun.status))
    ).all()
    for automation_id, status, count, last in rows:
        item = stats[automation_id]
        item.total += count
        if status in ("success", "failed", "skipped", "waiting", "cancelled"):
            setattr(item, status, getattr(item, status) + count)
        if last is not None and (item.last_run_at is None or last > item.last_run_at):
            item.last_run_at = last
    return stats


def _public(automation: Automation, stats: AutomationStats | None = None) -> AutomationPublic:
    return AutomationPublic.model_validate({**automation.model_dump(), "stats": stats or AutomationStats()})


def validate(*, session: Session, ctx: Ctx, data: AutomationIn) -> None:
    """Every problem of a definition at once, as field errors (nothing is saved when one exists)."""
    errors = {
        **rules.filter_errors(data.trigger, data.trigger_filter),
        **rules.condition_errors(data.conditions),
        **rules.action_errors(data.actions),
    }
    ws = ctx.workspace_id
    for index, action in enumerate(data.actions):
        path, kind = f"actions.{index}", action.get("type")
        if f"{path}.type" in errors or any(k.startswith(path + ".") for k in errors):
            continue
        if kind in ("add_tag", "remove_tag") and not _tag_exists(session, ws, int(action["tag_id"])):
            errors[f"{path}.tag_id"] = "not_found"
        elif kind == "set_stage" and not _stage_exists(session, ws, int(action["stage_id"])):
            errors[f"{path}.stage_id"] = "not_found"
        elif kind == "assign":
            users = [action["user_id"]] if action.get("mode", "fixed") == "fixed" else action["user_ids"]
            if not all(_member(session, ws, int(u)) for u in users):
                errors[f"{path}.user_id"] = "not_a_member"
        elif kind == "webhook":
            from snapleads_app.domain.webhooks import service as webhooks

            if not webhooks.exists(session=session, workspace_id=ws, webhook_id=int(action["webhook_id"])):
                errors[f"{path}.webhook_id"] = "not_found"
    tag_id = data.trigger_filter.get("tag_id")
    if tag_id not in (None, "") and not _tag_exists(session, ws, int(tag_id)):
        errors["trigger_filter.tag_id"] = "not_found"
    if errors:
        raise InvalidInput("The automation is not valid", code="invalid_automation", errors=errors)


def _tag_exists(session: Session, workspace_id: int, tag_id: int) -> bool:
    return (
        session.exec(select(Tag.id).where(Tag.id == tag_id, Tag.workspace_id == workspace_id)).first()
        is not None
    )


def _stage_exists(session: Session, workspace_id: int, stage_id: int) -> bool:
    return (
        session.exec(
            select(Stage.id)
            .join(Pipeline, col(Pipeline.id) == col(Stage.pipeline_id))
            .where(Stage.id == stage_id, Pipeline.workspace_id == workspace_id)
        ).first()
        is not None
    )


def _member(session: Session, workspace_id: int, user_id: int) -> bool:
    return (
        session.exec(
            select(Membership.user_id).where(
                Membership.workspace_id == workspace_id, Membership.user_id == user_id
            )
        ).first()
        is not None
    )


def list_automations(*, session: Session, ctx: Ctx) -> list[AutomationPublic]:
    rows = list(
        session.exec(
            select(Automation).where(Automation.workspace_id == ctx.workspace_id).order_by(col(Automation.id))
        )
    )
    stats = _stats(session, [a.id or 0 for a in rows])
    return [_public(a, stats[a.id or 0]) for a in rows]


def get_automation(*, session: Session, ctx: Ctx, automation_id: int) -> AutomationPublic:
    automation = _load(session, ctx, automation_id)
    return _public(automation, _stats(session, [automation_id])[automation_id])


def create_automation(*, session: Session, ctx: Ctx, data: AutomationIn) -> AutomationPublic:
    _require_manage(ctx)
    validate(session=session, ctx=ctx, data=data)
    automation = Automation(workspace_id=ctx.workspace_id, created_by_id=ctx.user_id, **data.model_dump())
    session.add(automation)
    session.flush()
    return _public(automation)


def update_automation(
    *, session: Session, ctx: Ctx, automation_id: int, data: AutomationIn
) -> AutomationPublic:
    """A new version: runs already started keep the definition they started with."""
    _require_manage(ctx)
    automation = _load(session, ctx, automation_id, for_update=True)
    validate(session=session, ctx=ctx, data=data)
    for key, value in data.model_dump().items():
        setattr(automation, key, value)
    automation.version += 1
    automation.updated_at = clock.now()
    session.flush()
    return get_automation(session=session, ctx=ctx, automation_id=automation_id)


def set_enabled(*, session: Session, ctx: Ctx, automation_id: int, enabled: bool) -> AutomationPublic:
    """Disabled automations start no runs; their waiting runs are cancelled when they wake up."""
    _require_manage(ctx)
    automation = _load(session, ctx, automation_id, for_update=True)
    automation.enabled = enabled
    automation.updated_at = clock.now()
    session.flush()
    return get_automation(session=session, ctx=ctx, automation_id=automation_id)


def delete_automation(*, session: Session, ctx: Ctx, automation_id: int) -> None:
    """Deletes the automation and its run log; pending resumes find nothing and stop."""
    _require_manage(ctx)
    session.delete(_load(session, ctx, automation_id, for_update=True))
    session.flush()


# ---------------------------------------------------------------- run log


def _run_public(run: AutomationRun, automation_name: str = "", lead_name: str = "") -> AutomationRunPublic:
    duration = None
    if run.finished_at is not None:
        duration = int((run.finished_at - run.started_at).total_seconds() * 1000)
    return AutomationRunPublic.model_validate(
        {
            **run.model_dump(),
            "automation_name": automation_name,
            "lead_name": lead_name,
            "duration_ms": duration,
        }
    )


def list_runs(
    *, session: Session, ctx: Ctx, filters: RunFilter, limit: int = 50, before_id: int | None = None
) -> list[AutomationRunPublic]:
    """Newest first; agents see only runs of leads assigned to them."""
    stmt = (
        select(AutomationRun, Automation.name, Lead.full_name, Lead.username)
        .join(Automation, col(Automation.id) == col(AutomationRun.automation_id))
        .join(Lead, col(Lead.id) == col(AutomationRun.lead_id))
        .where(AutomationRun.workspace_id == ctx.workspace_id)
    )
    if ctx.role == "agent":
        stmt = stmt.where(col(Lead.assignee_id) == ctx.user_id)
    if filters.automation_id is not None:
        stmt = stmt.where(AutomationRun.automation_id == filters.automation_id)
    if filters.lead_id is not None:
        stmt = stmt.where(AutomationRun.lead_id == filters.lead_id)
    if filters.status:
        stmt = stmt.where(col(AutomationRun.status).in_(filters.status))
    if before_id is not None:
        stmt = stmt.where(col(AutomationRun.id) < before_id)
    stmt = stmt.order_by(col(AutomationRun.id).desc()).limit(max(1, min(limit, RUNS_PAGE)))
    return [_run_public(run, name, full or user or "") for run, name, full, user in session.exec(stmt)]


def get_run(*, session: Session, ctx: Ctx, run_id: int) -> AutomationRunPublic:
    runs = [r for r in list_runs(session=session, ctx=ctx, filters=RunFilter(), limit=1, before_id=run_id + 1)
            if r.id == run_id]  # fmt: skip
    if not runs:
        raise NotFound("Run not found", code="run_not_found")
    return runs[0]


# ---------------------------------------------------------------- dispatch (worker)


def remember_imported(
    *, session: Session, workspace_id: int, job_id: int | None, lead_ids: list[int]
) -> None:
    """Keep an import batch's lead ids for `import_completed` automations (only if one exists)."""
    if job_id is None or not _enabled_for(session, workspace_id, "import_completed"):
        return
    session.add(ImportedLeadBatch(workspace_id=workspace_id, import_job_id=job_id, lead_ids=list(lead_ids)))


def imported_lead_ids(*, session: Session, job_id: int) -> list[int]:
    rows = session.exec(select(ImportedLeadBatch.lead_ids).where(ImportedLeadBatch.import_job_id == job_id))
    return [int(i) for ids in rows for i in ids]


def _enabled_for(session: Session, workspace_id: int, trigger: str) -> list[Automation]:
    return list(
        session.exec(
            select(Automation)
            .where(
                Automation.workspace_id == workspace_id,
                Automation.trigger == trigger,
                col(Automation.enabled),
            )
            .order_by(col(Automation.id))
        )
    )


def on_message_received(
    *, session: Session, workspace_id: int, lead_id: int, conversation_id: int, message_id: int,
    channel: str | None = None,
) -> None:  # fmt: skip
    """Called by the inbox after it stored an inbound message: scores and automations follow after commit."""
    reactions.after_message_received(
        session,
        workspace_id=workspace_id,
        lead_id=lead_id,
        event={"conversation_id": conversation_id, "message_id": message_id, "channel": channel},
    )


def _snapshot(session: Session, lead: Lead, *, with_replied: bool) -> dict[str, Any]:
    data = lead.model_dump()
    lead_id = lead.id or 0
    data["tags"] = leads_repo.tag_ids_by_lead(session, [lead_id]).get(lead_id, [])
    data["score"] = leads_repo.scores_by_lead(session, [lead_id]).get(lead_id, 0)  # lead_score's, not lead's
    data["score_band"] = scoring_rules.band(data["score"])
    if with_replied:
        data["replied"] = messaging().lead_replied_since(
            session=session, workspace_id=lead.workspace_id, lead_id=lead_id, since=None
        )
    return data


def dispatch(
    *, workspace_id: int, lead_ids: list[int], triggers: list[str], event: dict[str, Any], event_key: str,
    chain: list[int],
) -> int:  # fmt: skip
    """Start the runs of every enabled automation whose trigger and filter match, per lead; returns how
    many runs started (0 on a redelivery: runs are unique per automation, lead and event)."""
    if len(chain) >= MAX_CHAIN or not lead_ids:
        return 0
    with unit_of_work() as session:
        candidates = [a for t in triggers for a in _enabled_for(session, workspace_id, t)]
        for automation in candidates:
            session.expunge(automation)
    candidates = [a for a in candidates if (a.id or 0) not in chain]  # loop guard
    if not candidates:
        return 0
    started: list[int] = []
    for lead_id in lead_ids:
        with unit_of_work() as session:
            started += _start_for_lead(session, candidates, workspace_id, lead_id, event, event_key, chain)
    for run_id in started:
        advance(run_id)
    return len(started)


def _start_for_lead(
    session: Session, candidates: list[Automation], workspace_id: int, lead_id: int, event: dict[str, Any],
    event_key: str, chain: list[int],
) -> list[int]:  # fmt: skip
    lead = session.exec(select(Lead).where(col(Lead.id) == lead_id, *leads_repo.live(workspace_id))).first()
    if lead is None:
        return []
    done = set(
        session.exec(
            select(AutomationRun.automation_id).where(
                AutomationRun.lead_id == lead_id, AutomationRun.event_key == event_key
            )
        )
    )
    snapshot: dict[str, Any] | None = None
    lead_event = {**event, "platform": lead.platform, "source": lead.source, "status": lead.status}
    started: list[int] = []
    for automation in candidates:
        automation_id = automation.id or 0
        if automation_id in done or not rules.trigger_matches(automation.trigger_filter, lead_event):
            continue
        if snapshot is None or (rules.needs_replied(automation.conditions) and "replied" not in snapshot):
            snapshot = _snapshot(session, lead, with_replied=rules.needs_replied(automation.conditions))
        matched = rules.evaluate(automation.conditions, snapshot)
        now = clock.now()
        run = AutomationRun(
            workspace_id=workspace_id, automation_id=automation_id, lead_id=lead_id, event_key=event_key,
            trigger=automation.trigger, status="running" if matched else "skipped", version=automation.version,
            definition={"actions": automation.actions, "name": automation.name}, chain=[*chain, automation_id],
            started_at=now, finished_at=None if matched else now, created_at=now,
        )  # fmt: skip
        session.add(run)
        session.flush()
        if matched:
            timeline.record(
                session=session, ctx=Ctx.system(workspace_id), lead_id=lead_id, type="automation.triggered",
                data={"automation_id": automation_id, "name": automation.name, "run_id": run.id},
            )  # fmt: skip
            started.append(run.id or 0)
            _publish_run(session, run)  # the run log shows it running at once
        else:
            _announce(session, run)
    return started


def _publish_run(session: Session, run: AutomationRun) -> None:
    """The realtime event of the run log (every status change, "running" included)."""
    publish_after_commit(
        session,
        DomainEvent(
            type="automation.run", workspace_id=run.workspace_id,
            data={"run_id": run.id, "automation_id": run.automation_id, "lead_id": run.lead_id, "status": run.status},
        ),
    )  # fmt: skip


def _announce(session: Session, run: AutomationRun) -> None:
    """Realtime (run log) and the `automation.run` webhook when a run ends, fails, waits or is skipped."""
    _publish_run(session, run)
    if run.status == "skipped":
        return
    from snapleads_app.domain.webhooks import service as webhooks

    webhooks.emit(
        session=session, workspace_id=run.workspace_id, event="automation.run",
        data={"run_id": run.id, "automation_id": run.automation_id, "lead_id": run.lead_id, "status": run.status,
              "error": run.error, "steps": run.steps},
        event_id=f"run-{run.id}-{run.status}-{run.step}",
    )  # fmt: skip


def resume(*, run_id: int, step: int) -> None:
    """A wait is over (delayed message): continue the run from `step` unless it moved on meanwhile."""
    with unit_of_work() as session:
        run = session.exec(
            select(AutomationRun).where(col(AutomationRun.id) == run_id).with_for_update()
        ).first()
        if run is None or run.status != "waiting" or run.step != step:
            return  # deleted, already resumed (redelivery) or cancelled
        automation = session.get(Automation, run.automation_id)
        if automation is None or not automation.enabled:
            _finish(session, run, "cancelled", error="automation disabled")
            return
        run.status = "running"
        run.resume_at = None
    advance(run_id)


def advance(run_id: int) -> None:
    """Execute the run's actions from its step, one transaction per action, until it ends or waits."""
    while True:
        try:
            with unit_of_work() as session:
                if not _step(session, run_id):
                    return
        except DomainError as exc:
            with unit_of_work() as session:
                run = session.get(AutomationRun, run_id)
                if run is not None and run.status == "running":
                    run.steps = [*run.steps, _step_record(run, "failed", str(exc.detail))]
                    _finish(session, run, "failed", error=f"{exc.code}: {exc.detail}"[:1000])
            return


def _step_record(run: AutomationRun, outcome: str, detail: str = "") -> dict[str, Any]:
    actions = run.definition.get("actions") or []
    action = actions[run.step] if run.step < len(actions) else {}
    return {"index": run.step, "type": action.get("type"), "outcome": outcome, "detail": detail,
            "at": clock.now().isoformat()}  # fmt: skip


def _finish(session: Session, run: AutomationRun, status: str, error: str | None = None) -> None:
    run.status = status
    run.error = error
    run.finished_at = clock.now()
    session.flush()
    _announce(session, run)


def _step(session: Session, run_id: int) -> bool:
    """Execute one action; True when the caller should continue with the next one."""
    run = session.exec(select(AutomationRun).where(col(AutomationRun.id) == run_id).with_for_update()).first()
    if run is None or run.status != "running":
        return False
    actions = run.definition.get("actions") or []
    if run.step >= len(actions):
        _finish(session, run, "success")
        return False
    action = actions[run.step]
    kind = action.get("type")
    if kind == "wait":
        seconds = rules.wait_seconds(action) * get_settings().automation_minute_seconds // 60
        run.steps = [*run.steps, _step_record(run, "waiting", f"{seconds}s")]
        run.step += 1
        run.status = "waiting"
        run.resume_at = clock.now() + timedelta(seconds=seconds)
        enqueue_later_after_commit(session, RESUME_JOB, delay_ms=seconds * 1000, run_id=run_id, step=run.step)
        session.flush()
        _announce(session, run)
        return False
    lead = session.exec(
        select(Lead).where(col(Lead.id) == run.lead_id, *leads_repo.live(run.workspace_id))
    ).first()
    if lead is None:
        _finish(session, run, "cancelled", error="lead deleted")
        return False
    if kind == "stop_if_replied":
        replied = messaging().lead_replied_since(
            session=session, workspace_id=run.workspace_id, lead_id=run.lead_id, since=run.started_at
        )
        run.steps = [*run.steps, _step_record(run, "stopped" if replied else "continued")]
        run.step += 1
        if replied:
            _finish(session, run, "cancelled", error="the lead replied")
            return False
        return True
    ctx = Ctx.system(run.workspace_id)
    with reactions.acting_automations(tuple(run.chain)):
        detail = _execute(session, ctx, run, lead, action)
    run.steps = [*run.steps, _step_record(run, "done", detail)]
    run.step += 1
    session.flush()
    return True


def _execute(session: Session, ctx: Ctx, run: AutomationRun, lead: Lead, action: dict[str, Any]) -> str:
    kind = action.get("type")
    lead_id = lead.id or 0
    if kind == "add_tag":
        leads.add_tags(session=session, ctx=ctx, lead_id=lead_id, tag_ids=[int(action["tag_id"])])
        return f"tag {action['tag_id']}"
    if kind == "remove_tag":
        leads.remove_tags(session=session, ctx=ctx, lead_id=lead_id, tag_ids=[int(action["tag_id"])])
        return f"tag {action['tag_id']}"
    if kind == "set_status":
        leads.set_status(session=session, ctx=ctx, lead_id=lead_id, status=action["status"])
        return str(action["status"])
    if kind == "set_stage":
        leads.move_lead(
            session=session, ctx=ctx, lead_id=lead_id, data=leads.MoveIn(stage_id=int(action["stage_id"]))
        )
        return f"stage {action['stage_id']}"
    if kind == "assign":
        user_id = _assignee_for(session, run, action)
        leads.assign_lead(session=session, ctx=ctx, lead_id=lead_id, assignee_id=user_id)
        return f"user {user_id}"
    if kind == "send_template":
        messaging().send_template_to_lead(
            session=session, ctx=ctx, lead_id=lead_id, template_id=int(action["template_id"]),
            channel=action.get("channel"),
        )  # fmt: skip
        return f"template {action['template_id']}"
    if kind == "webhook":
        from snapleads_app.domain.webhooks import service as webhooks

        webhooks.send_to(
            session=session, workspace_id=run.workspace_id, webhook_id=int(action["webhook_id"]),
            event="automation.action",
            data={"automation_id": run.automation_id, "run_id": run.id, "lead": leads.get_lead(
                session=session, ctx=ctx, lead_id=lead_id).model_dump(mode="json")},
            event_id=f"run-{run.id}-step-{run.step}",
        )  # fmt: skip
        return f"webhook {action['webhook_id']}"
    raise InvalidInput(f"Unknown action {kind!r}", code="unknown_action")


def _assignee_for(session: Session, run: AutomationRun, action: dict[str, Any]) -> int:
    if action.get("mode", "fixed") == "fixed":
        return int(action["user_id"])
    users = [int(u) for u in action.get("user_ids") or []]
    members = [u for u in users if _member(session, run.workspace_id, u)]
    if not members:
        raise InvalidInput("No member left in the round-robin", code="round_robin_empty")
    automation = session.exec(
        select(Automation).where(col(Automation.id) == run.automation_id).with_for_update()
    ).first()
    cursor = automation.round_robin_cursor if automation else 0
    if automation is not None:
        automation.round_robin_cursor = cursor + 1
    return members[cursor % len(members)]
