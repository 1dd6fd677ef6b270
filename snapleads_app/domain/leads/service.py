"""Lead use cases. Every entry point (UI, REST, extension, workers) goes through these functions.

Authorisation comes from `ctx` (workspace scope, role, assignment); every change writes an activity
and publishes a realtime event after commit.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, TypeAdapter, model_validator
from pydantic import Field as PydField
from sqlalchemy import delete, insert, or_, update
from sqlmodel import Session, col, select

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from snapleads_app.core.events import DomainEvent, publish_after_commit
from snapleads_app.core.tasks import enqueue_after_commit
from snapleads_app.domain import reactions
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.accounts.models import Membership
from snapleads_app.domain.audit import service as audit
from snapleads_app.domain.audit.models import AuditEntry
from snapleads_app.domain.leads import normalise, repo, rules
from snapleads_app.domain.leads.models import (
    Lead,
    LeadCreate,
    LeadFilter,
    LeadPage,
    LeadPublic,
    LeadUpdate,
    Status,
)
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.scoring import repo as scoring_repo
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import LeadTag
from snapleads_app.domain.timeline import service as timeline
from snapleads_app.domain.timeline.models import Activity, ActivityPublic

MAX_PAGE = 100
_LEAD_LIST = TypeAdapter(list[LeadPublic])
_NORMALISED_TEXT = (
    "full_name",
    "avatar_url",
    "bio",
    "location",
    "company",
    "headline",
    "notes",
    "source_url",
)


# ---------------------------------------------------------------- helpers


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet")
    return value


def _public(lead: Lead | Any, tag_ids: list[int], score: int) -> LeadPublic:
    """From an ORM lead or from a row of `repo.PUBLIC_COLUMNS` (listings skip the ORM: 3× cheaper);
    the score comes from lead_score (scoring's table), read for these rows only."""
    values = lead.model_dump() if isinstance(lead, Lead) else lead._mapping
    return LeadPublic.model_validate({**values, "tag_ids": tag_ids, "score": score})


def _publics(session: Session, leads: list[Lead] | list[Any]) -> list[LeadPublic]:
    ids = [_id(lead.id) for lead in leads]
    tag_map = repo.tag_ids_by_lead(session, ids)
    if leads and not isinstance(leads[0], Lead) and "score" in leads[0]._mapping:  # `repo.with_scores` rows
        scores = {_id(row.id): row._mapping["score"] for row in cast(list[Any], leads)}
    else:
        scores = repo.scores_by_lead(session, ids)
    return [_public(lead, tag_map.get(_id(lead.id), []), scores.get(_id(lead.id), 0)) for lead in leads]


def _one_public(session: Session, lead: Lead) -> LeadPublic:
    return _publics(session, [lead])[0]


def _event(session: Session, ctx: Ctx, type_: str, lead: Lead | Any | None = None, **data: Any) -> None:
    payload = {"via": ctx.via, "actor_user_id": ctx.user_id, **data}
    if lead is not None:
        payload.update(id=lead.id, stage_id=lead.stage_id, status=lead.status, assignee_id=lead.assignee_id)
    publish_after_commit(session, DomainEvent(type=type_, workspace_id=ctx.workspace_id, data=payload))
    reactions.after_lead_event(session, ctx, type_, lead, data)  # scores, webhooks, automations


def _load(session: Session, ctx: Ctx, lead_id: int, *, for_update: bool = False) -> Lead:
    """A live lead the actor may see — anything else (other workspace, deleted, not assigned) is 404."""
    stmt = select(Lead).where(col(Lead.id) == lead_id, *repo.visibility(ctx))
    if for_update:
        stmt = stmt.with_for_update()
    lead = session.exec(stmt).first()
    if lead is None:
        raise NotFound("Lead not found", code="lead_not_found")
    return lead


def _load_for_edit(session: Session, ctx: Ctx, lead_id: int) -> Lead:
    lead = _load(session, ctx, lead_id, for_update=True)
    if not rules.may_edit(ctx.role, ctx.user_id, lead.assignee_id):
        raise PermissionDenied("Your role cannot edit this lead", code="forbidden_for_role")
    return lead


def _require(ctx: Ctx, action: account_rules.Action, message: str) -> None:
    if not account_rules.can(ctx.role, action):
        raise PermissionDenied(message, code="forbidden_for_role")


def _check_assignee(session: Session, ctx: Ctx, assignee_id: int | None) -> None:
    if assignee_id is None:
        return
    member = session.exec(
        select(Membership).where(
            Membership.workspace_id == ctx.workspace_id, Membership.user_id == assignee_id
        )
    ).first()
    if member is None:
        raise NotFound("Assignee is not a member of this workspace", code="assignee_not_found")


def normalised_fields(platform: str, data: dict[str, Any]) -> dict[str, Any]:
    fields, errors = normalise.normalise_fields(platform, data)
    if errors:
        raise InvalidInput("Some fields are invalid", code="invalid_lead", errors=errors)
    return fields


def _refresh_search_text(lead: Lead) -> None:
    lead.search_text = normalise.search_text(lead.full_name, lead.username, lead.company, lead.email)


def _duplicate(
    session: Session, workspace_id: int, platform: str, profile_key: str | None, exclude_id: int | None = None
) -> Lead | None:
    if profile_key is None:
        return None
    stmt = select(Lead).where(
        *repo.live(workspace_id), Lead.platform == platform, Lead.profile_key == profile_key
    )
    if exclude_id is not None:
        stmt = stmt.where(col(Lead.id) != exclude_id)
    return session.exec(stmt).first()


def _place_in_status_stage(session: Session, lead: Lead) -> None:
    stage = pipelines.stage_for_status(session=session, workspace_id=lead.workspace_id, status=lead.status)
    lead.pipeline_id = stage.pipeline_id
    lead.stage_id = stage.id
    lead.position = repo.position_at_end(session, _id(stage.id))
    repo.shift_stage_counts(session, {stage.id: 1})


# ---------------------------------------------------------------- create / read / update / delete


def create_lead(*, session: Session, ctx: Ctx, data: LeadCreate) -> LeadPublic:
    _require(ctx, "leads.create", "Your role cannot create leads")
    if ctx.role == "agent" and data.assignee_id not in (None, ctx.user_id):
        raise PermissionDenied("Agents can only create leads for themselves", code="forbidden_for_role")
    assignee_id = ctx.user_id if ctx.role == "agent" else data.assignee_id
    _check_assignee(session, ctx, assignee_id)
    tag_ids = tags.resolve_ids(session=session, ctx=ctx, tag_ids=data.tag_ids)
    fields = normalised_fields(data.platform, data.model_dump(exclude_unset=True))
    if not any(fields.get(f) for f in ("profile_key", "email", "phone", "full_name")):
        raise InvalidInput(
            "A lead needs a profile, username, e-mail, phone or name",
            code="lead_identity_missing",
            errors={"profile_url": "required"},
        )
    fields["profile_key"] = normalise.identity_key(
        fields.get("profile_key"), fields.get("email"), fields.get("phone")
    )
    existing = _duplicate(session, ctx.workspace_id, data.platform, fields["profile_key"])
    if existing is not None:
        raise Conflict("This profile is already a lead", code="lead_exists", errors={"id": str(existing.id)})
    lead = Lead(
        workspace_id=ctx.workspace_id,
        platform=data.platform,
        status=data.status,
        source=data.source,
        assignee_id=assignee_id,
        created_by_id=ctx.user_id,
        **fields,
    )
    _refresh_search_text(lead)
    _place_in_status_stage(session, lead)
    session.add(lead)
    session.flush()
    lead_id = _id(lead.id)
    scoring_repo.create_rows(session, [lead_id], lead.created_at)  # every lead has its score row
    if tag_ids:
        repo.add_tags(session, lead_id, tag_ids)
        tags.adjust_counts(session=session, deltas=dict.fromkeys(tag_ids, 1))
    timeline.record(
        session=session,
        ctx=ctx,
        lead_id=lead_id,
        type="lead.created",
        data={"source": data.source, "platform": data.platform},
    )
    _event(session, ctx, "lead.created", lead)
    return _public(lead, tag_ids, 0)


def get_lead(*, session: Session, ctx: Ctx, lead_id: int) -> LeadPublic:
    return _one_public(session, _load(session, ctx, lead_id))


def list_activities(
    *, session: Session, ctx: Ctx, lead_id: int, limit: int = 50, before_id: int | None = None
) -> list[ActivityPublic]:
    _load(session, ctx, lead_id)
    return timeline.for_lead(
        session=session, workspace_id=ctx.workspace_id, lead_id=lead_id, limit=limit, before_id=before_id
    )


def update_lead(*, session: Session, ctx: Ctx, lead_id: int, data: LeadUpdate) -> LeadPublic:
    lead = _load_for_edit(session, ctx, lead_id)
    # Read what the answer needs before any write: from the stage counters' UPDATE on, this transaction
    # holds rows every status change of the workspace needs (stage and analytics counters) until commit.
    tag_ids = repo.tag_ids_by_lead(session, [lead_id])[lead_id]
    score = repo.scores_by_lead(session, [lead_id]).get(lead_id, 0)
    given = data.model_dump(exclude_unset=True)
    status = given.pop("status", None)
    if "profile_url" in given and "username" not in given:
        given["username"] = None  # the URL decides the username
    fields = normalised_fields(lead.platform, given)
    # The identity follows the data: a new profile, or a changed e-mail/phone of a profile-less lead.
    current_profile = None if normalise.is_derived_key(lead.profile_key) else lead.profile_key
    fields["profile_key"] = normalise.identity_key(
        fields.get("profile_key", current_profile),
        fields.get("email", lead.email),
        fields.get("phone", lead.phone),
    )
    if "profile_key" in fields and fields["profile_key"] != lead.profile_key:
        existing = _duplicate(
            session, ctx.workspace_id, lead.platform, fields["profile_key"], exclude_id=lead_id
        )
        if existing is not None:
            raise Conflict(
                "Another lead has this profile", code="lead_exists", errors={"id": str(existing.id)}
            )
    changes = {
        k: [getattr(lead, k), v] for k, v in fields.items() if getattr(lead, k) != v and k != "profile_key"
    }
    for key, value in fields.items():
        setattr(lead, key, value)
    if changes:
        _refresh_search_text(lead)
        lead.updated_at = clock.now()
        timeline.record(
            session=session,
            ctx=ctx,
            lead_id=lead_id,
            type="lead.updated",
            data={"fields": sorted(changes), "changes": _printable(changes)},
        )
    if status is not None and status != lead.status:
        _change_status(session, ctx, lead, status)
    if changes or status is not None:
        session.flush()
        _event(session, ctx, "lead.updated", lead, fields=sorted(changes))
    return _public(lead, tag_ids, score)


def _printable(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {
        k: [str(v)[:200] if v is not None else None for v in pair]
        for k, pair in changes.items()
        if k not in ("custom_fields", "bio", "notes")
    }


def delete_lead(*, session: Session, ctx: Ctx, lead_id: int) -> None:
    """Soft delete: the UI offers undo (`restore_lead`); the row is purged later."""
    _require(ctx, "leads.delete", "Your role cannot delete leads")
    lead = _load(session, ctx, lead_id, for_update=True)
    # Counters before the lead's own write (its flush fires the analytics trigger): see `repo.lock_stages`.
    repo.shift_stage_counts(session, {lead.stage_id: -1})
    tag_ids = repo.tag_ids_by_lead(session, [lead_id])[lead_id]
    tags.adjust_counts(session=session, deltas=dict.fromkeys(tag_ids, -1))
    lead.deleted_at = clock.now()
    timeline.record(session=session, ctx=ctx, lead_id=lead_id, type="lead.deleted")
    _event(session, ctx, "lead.deleted", lead)


def restore_lead(*, session: Session, ctx: Ctx, lead_id: int) -> LeadPublic:
    _require(ctx, "leads.delete", "Your role cannot restore leads")
    lead = session.exec(
        select(Lead)
        .where(
            col(Lead.id) == lead_id, Lead.workspace_id == ctx.workspace_id, col(Lead.deleted_at).is_not(None)
        )
        .with_for_update()
    ).first()
    if lead is None:
        raise NotFound("Deleted lead not found", code="lead_not_found")
    if _duplicate(session, ctx.workspace_id, lead.platform, lead.profile_key) is not None:
        raise Conflict("The profile was captured again since the delete", code="lead_exists")
    repo.shift_stage_counts(session, {lead.stage_id: 1})  # before the lead's write: see `repo.lock_stages`
    tag_ids = repo.tag_ids_by_lead(session, [lead_id])[lead_id]
    tags.adjust_counts(session=session, deltas=dict.fromkeys(tag_ids, 1))
    lead.deleted_at = None
    timeline.record(session=session, ctx=ctx, lead_id=lead_id, type="lead.restored")
    session.flush()
    scoring_repo.create_rows(session, [lead_id], clock.now())  # kept in the trash; older rows may lack it
    _event(session, ctx, "lead.created", lead, restored=True)
    return _public(lead, tag_ids, repo.scores_by_lead(session, [lead_id]).get(lead_id, 0))


# ---------------------------------------------------------------- assignment, status, stage, tags


def assign_lead(*, session: Session, ctx: Ctx, lead_id: int, assignee_id: int | None) -> LeadPublic:
    _require(ctx, "leads.assign", "Your role cannot assign leads")
    lead = _load(session, ctx, lead_id, for_update=True)
    _check_assignee(session, ctx, assignee_id)
    if lead.assignee_id != assignee_id:
        timeline.record(
            session=session,
            ctx=ctx,
            lead_id=lead_id,
            type="lead.assigned",
            data={"from": lead.assignee_id, "to": assignee_id},
        )
        lead.assignee_id = assignee_id
        lead.updated_at = clock.now()
        session.flush()
        _event(session, ctx, "lead.updated", lead, fields=["assignee_id"])
        if assignee_id is not None:
            enqueue_after_commit(
                session,
                "notifications.lead_assigned",
                lead_id=lead_id,
                assignee_id=assignee_id,
                assigned_by_id=ctx.user_id,
            )
    return _one_public(session, lead)


def _change_status(session: Session, ctx: Ctx, lead: Lead, status: str) -> None:
    # Every read happens before the lead changes, and the stage counters are locked before the lead's
    # UPDATE is flushed: a flush in between (autoflush) would fire the analytics trigger twice, locking
    # count rows before and after the stage rows — two opposite status flips then deadlock.
    # In the default pipeline the stage is the status; in another pipeline the stage stays.
    stage = pipelines.stage_for_status(session=session, workspace_id=lead.workspace_id, status=status)
    moves = lead.pipeline_id in (None, stage.pipeline_id) and lead.stage_id != stage.id
    if moves:
        position = repo.position_at_end(session, _id(stage.id))
        repo.shift_stage_counts(session, {lead.stage_id: -1, stage.id: 1})
    timeline.record(
        session=session,
        ctx=ctx,
        lead_id=_id(lead.id),
        type="status.changed",
        data={"from": lead.status, "to": status},
    )
    lead.status = status
    lead.updated_at = clock.now()
    if moves:
        lead.pipeline_id = stage.pipeline_id
        lead.stage_id = stage.id
        lead.position = position


def set_status(*, session: Session, ctx: Ctx, lead_id: int, status: Status) -> LeadPublic:
    return update_lead(session=session, ctx=ctx, lead_id=lead_id, data=LeadUpdate(status=status))


class MoveIn(BaseModel):
    """Drop a card into `stage_id`, between `after_id` (the card above) and `before_id` (the card below)."""

    model_config = ConfigDict(extra="forbid")
    stage_id: int = PydField(gt=0)
    after_id: int | None = PydField(default=None, gt=0)
    before_id: int | None = PydField(default=None, gt=0)


def move_lead(*, session: Session, ctx: Ctx, lead_id: int, data: MoveIn) -> LeadPublic:
    """Kanban move: a position between the neighbours (no renumbering of the column).
    Statements: lock, stage, both neighbours in one read, the card's tags, the activities in one insert,
    the stage counters, then one UPDATE … RETURNING of the card — nothing read after the counters."""
    lead = _load_for_edit(session, ctx, lead_id)
    stage = pipelines.get_stage(session=session, ctx=ctx, stage_id=data.stage_id)
    stage_id = _id(stage.id)
    wanted = [i for i in (data.after_id, data.before_id) if i]
    found = repo.positions_in_stage(session, stage_id, wanted)
    above = found.get(data.after_id) if data.after_id else None
    below = found.get(data.before_id) if data.before_id else None
    if (data.after_id and above is None) or (data.before_id and below is None):
        raise Conflict("The board changed; reload the column", code="stale_neighbours")
    if above is not None and below is None:
        below = repo.next_position_after(session, stage_id, above, lead_id)
    if below is not None and above is None and data.after_id is None and data.before_id is not None:
        above = repo.previous_position_before(session, stage_id, below, lead_id)
    position = _between(above, below, session, stage_id)
    if position is None:  # the gap is exhausted: respace the column once, then retry
        repo.respace_stage(session, stage_id)
        session.expire_all()
        return move_lead(session=session, ctx=ctx, lead_id=lead_id, data=data)
    previous_stage = lead.stage_id
    tag_ids = repo.tag_ids_by_lead(session, [lead_id])[lead_id]  # read before the counters are locked
    changes: dict[str, Any] = {"position": position, "updated_at": clock.now()}
    if previous_stage != stage_id:
        timeline.record(
            session=session,
            ctx=ctx,
            lead_id=lead_id,
            type="stage.changed",
            data={"from": previous_stage, "to": stage_id, "pipeline_id": stage.pipeline_id},
        )
        changes.update(stage_id=stage_id, pipeline_id=stage.pipeline_id)
        if stage.status is not None and stage.status != lead.status:
            timeline.record(
                session=session,
                ctx=ctx,
                lead_id=lead_id,
                type="status.changed",
                data={"from": lead.status, "to": stage.status},
            )
            changes["status"] = stage.status
        repo.shift_stage_counts(session, {previous_stage: -1, stage_id: 1})  # flushes both activities
    row = session.execute(
        update(Lead)
        .where(col(Lead.id) == lead_id)
        .values(**changes)
        .returning(*repo.PUBLIC_COLUMNS, repo.score_column())  # the score too: no second read
        .execution_options(synchronize_session=False)
    ).one()
    session.expire(lead)  # the row above is the truth; the loaded object is stale
    _event(
        session,
        ctx,
        "lead.updated",
        row,
        fields=["stage_id", "position"],
        position=position,
        from_stage_id=previous_stage,
    )
    return _public(row, tag_ids, row.score)


def _between(above: float | None, below: float | None, session: Session, stage_id: int) -> float | None:
    if above is None and below is None:
        return repo.position_at_end(session, stage_id)
    if above is None:
        return below - repo.POSITION_GAP  # type: ignore[operator]
    if below is None:
        return above + repo.POSITION_GAP
    if below - above < repo.MIN_POSITION_GAP:
        return None
    return (above + below) / 2


def add_tags(*, session: Session, ctx: Ctx, lead_id: int, tag_ids: list[int]) -> LeadPublic:
    lead = _load_for_edit(session, ctx, lead_id)
    wanted = tags.resolve_ids(session=session, ctx=ctx, tag_ids=tag_ids)
    added = repo.add_tags(session, lead_id, wanted)
    if added:
        tags.adjust_counts(session=session, deltas=dict.fromkeys(added, 1))
        for tag_id in added:
            timeline.record(
                session=session, ctx=ctx, lead_id=lead_id, type="tag.added", data={"tag_id": tag_id}
            )
        _event(session, ctx, "lead.updated", lead, fields=["tag_ids"], tags_added=added)
    return _one_public(session, lead)


def remove_tags(*, session: Session, ctx: Ctx, lead_id: int, tag_ids: list[int]) -> LeadPublic:
    lead = _load_for_edit(session, ctx, lead_id)
    wanted = tags.resolve_ids(session=session, ctx=ctx, tag_ids=tag_ids)
    removed = repo.remove_tags(session, lead_id, wanted)
    if removed:
        tags.adjust_counts(session=session, deltas=dict.fromkeys(removed, -1))
        for tag_id in removed:
            timeline.record(
                session=session, ctx=ctx, lead_id=lead_id, type="tag.removed", data={"tag_id": tag_id}
            )
        _event(session, ctx, "lead.updated", lead, fields=["tag_ids"], tags_removed=removed)
    return _one_public(session, lead)


# ---------------------------------------------------------------- listing


def list_leads(
    *,
    session: Session,
    ctx: Ctx,
    filters: LeadFilter,
    sort: str = "-created",
    limit: int = 50,
    cursor: str | None = None,
    include_total: bool = False,
) -> LeadPage:
    limit = max(1, min(limit, MAX_PAGE))
    walked_tag = repo.tag_to_walk(filters, sort)
    conditions = repo.filter_conditions(ctx, filters, walked_tag=walked_tag)
    rows, next_cursor = repo.page(
        session, conditions, sort=sort, limit=limit, cursor=cursor, walked_tag=walked_tag
    )
    total = repo.count(session, repo.filter_conditions(ctx, filters)) if include_total else None
    return LeadPage(data=_publics(session, rows), limit=limit, next_cursor=next_cursor, total=total)


def list_leads_json(
    *,
    session: Session,
    ctx: Ctx,
    filters: LeadFilter,
    sort: str = "-created",
    limit: int = 50,
    cursor: str | None = None,
    include_total: bool = False,
) -> bytes:
    """`list_leads` as the JSON of its LeadPage (the REST listing). On PostgreSQL the database builds the
    page's JSON: the same rows and fields, without reading 50 rows into Python, building 50 models and
    serialising them — two thirds of the request's Python time."""
    if not repo.builds_json(session):
        return (
            list_leads(
                session=session,
                ctx=ctx,
                filters=filters,
                sort=sort,
                limit=limit,
                cursor=cursor,
                include_total=include_total,
            )
            .model_dump_json()
            .encode()
        )
    limit = max(1, min(limit, MAX_PAGE))
    walked_tag = repo.tag_to_walk(filters, sort)
    params = repo.filter_params(ctx, filters, walked_tag=walked_tag)
    data, next_cursor = repo.page_json(
        session, params, sort=sort, limit=limit, cursor=cursor, walked_tag=walked_tag
    )
    total = repo.count(session, repo.filter_conditions(ctx, filters)) if include_total else None
    rest = json.dumps({"limit": limit, "next_cursor": next_cursor, "page": None, "total": total})
    return f'{{"data":{data},{rest[1:]}'.encode()


def kanban_column(
    *,
    session: Session,
    ctx: Ctx,
    stage_id: int,
    limit: int = 50,
    after_position: float | None = None,
    filters: LeadFilter | None = None,
) -> tuple[list[LeadPublic], int]:
    """One column of the board, in card order, lazily paged by position; with the column's count."""
    stage = pipelines.get_stage(session=session, ctx=ctx, stage_id=stage_id)
    conditions = repo.filter_conditions(ctx, filters or LeadFilter())
    conditions.append(col(Lead.stage_id) == stage_id)
    stmt = select(*repo.PUBLIC_COLUMNS).where(*conditions)
    if after_position is not None:
        stmt = stmt.where(col(Lead.position) > after_position)
    limit = max(1, min(limit, MAX_PAGE))
    rows = list(
        session.exec(repo.with_scores(stmt, col(Lead.position), col(Lead.id), descending=False, limit=limit))
    )
    return _publics(session, rows), _column_total(session, ctx, stage, filters, lambda: conditions)


def kanban_column_json(
    *, session: Session, ctx: Ctx, stage_id: int, limit: int = 50, after_position: float | None = None
) -> tuple[str, int]:
    """`kanban_column` (unfiltered) as the JSON array of its cards, and the column's count; on PostgreSQL
    the database builds the JSON (see `list_leads_json`)."""
    if not repo.builds_json(session):
        cards, total = kanban_column(
            session=session, ctx=ctx, stage_id=stage_id, limit=limit, after_position=after_position
        )
        return _LEAD_LIST.dump_json(cards).decode(), total
    stage = pipelines.get_stage(session=session, ctx=ctx, stage_id=stage_id)
    params = repo.filter_params(ctx, LeadFilter(stage_id=stage_id))
    data, _ = repo.page_json(
        session, params, sort="position", limit=max(1, min(limit, MAX_PAGE)), after=after_position
    )
    return data, _column_total(session, ctx, stage, None, lambda: repo.conditions_for(params))


def _column_total(
    session: Session,
    ctx: Ctx,
    stage: Any,
    filters: LeadFilter | None,
    conditions: Callable[[], list[Any]],
) -> int:
    # The kept counter when the whole column is shown; a filtered or agent's view counts its own rows.
    unfiltered = (filters is None or filters == LeadFilter()) and account_rules.can(ctx.role, "leads.see_all")
    return stage.lead_count if unfiltered else repo.count(session, conditions())


def possible_duplicates(*, session: Session, ctx: Ctx, lead_id: int) -> list[LeadPublic]:
    """Other leads with the same e-mail or phone (usually the same person on another platform)."""
    lead = _load(session, ctx, lead_id)
    matches = []
    if lead.email:
        matches.append(col(Lead.email) == lead.email)
    if lead.phone:
        matches.append(col(Lead.phone) == lead.phone)
    if not matches:
        return []
    rows = session.exec(
        select(Lead).where(*repo.visibility(ctx), col(Lead.id) != lead_id, or_(*matches)).limit(20)
    ).all()
    return _publics(session, list(rows))


# ---------------------------------------------------------------- bulk actions


class BulkIn(BaseModel):
    """A bulk action over explicit ids, or over every lead matching `filters`."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["tag", "untag", "assign", "status", "delete", "restore"]
    lead_ids: list[int] | None = PydField(default=None, max_length=1000)
    filters: LeadFilter | None = None
    tag_ids: list[int] = PydField(default_factory=list, max_length=20)
    assignee_id: int | None = PydField(default=None, gt=0)
    status: Status | None = None

    @model_validator(mode="after")
    def _one_target(self) -> BulkIn:
        if (self.lead_ids is None) == (self.filters is None):
            raise ValueError("give either lead_ids or filters")
        if self.action in ("tag", "untag") and not self.tag_ids:
            raise ValueError("tag_ids is required for tag/untag")
        if self.action == "status" and self.status is None:
            raise ValueError("status is required for the status action")
        if self.action == "restore" and self.lead_ids is None:
            raise ValueError("restore takes the lead_ids a delete returned")
        return self


class BulkResult(BaseModel):
    action: str
    affected: int
    ids: list[int] = []  # the affected leads (first 10,000), e.g. to undo a delete with "restore"


BULK_IDS_RETURNED = 10_000


def bulk(*, session: Session, ctx: Ctx, data: BulkIn) -> BulkResult:
    """Set-based: one UPDATE/INSERT per action whatever the selection size, activities included."""
    if data.action in ("delete", "restore"):
        _require(ctx, "leads.delete", "Your role cannot delete leads")
    if data.action == "restore":
        return _bulk_restore(session, ctx, data.lead_ids or [])
    if data.action == "assign":
        _require(ctx, "leads.assign", "Your role cannot assign leads")
    elif not account_rules.can(ctx.role, "leads.edit_assigned"):
        raise PermissionDenied("Your role cannot edit leads", code="forbidden_for_role")
    conditions = repo.filter_conditions(ctx, data.filters) if data.filters else repo.visibility(ctx)
    if data.lead_ids is not None:
        conditions.append(col(Lead.id).in_(data.lead_ids))
    if not account_rules.can(ctx.role, "leads.edit_all"):
        conditions.append(col(Lead.assignee_id) == ctx.user_id)  # agents: only their own leads
    ids = [_id(row) for row in session.exec(select(Lead.id).where(*conditions))]
    if not ids:
        return BulkResult(action=data.action, affected=0)
    now = clock.now()
    activity_type, activity_data, changed = _apply_bulk(session, ctx, data, ids, now)
    if activity_type:
        session.execute(
            insert(Activity),
            [
                {
                    "workspace_id": ctx.workspace_id,
                    "lead_id": i,
                    "actor_user_id": ctx.user_id,
                    "via": ctx.via,
                    "type": activity_type,
                    "data": activity_data,
                    "created_at": now,
                }
                for i in ids
            ],
        )
    publish_after_commit(
        session,
        DomainEvent(
            type="lead.bulk",
            workspace_id=ctx.workspace_id,
            data={"action": data.action, "count": len(ids), "ids": ids[:1000], "via": ctx.via},
        ),
    )
    for changed_ids, triggers, event in changed:  # automations, scores, webhooks: one job per batch
        reactions.after_leads_bulk(session, ctx, lead_ids=changed_ids, triggers=triggers, event=event)
    return BulkResult(action=data.action, affected=len(ids), ids=ids[:BULK_IDS_RETURNED])


def _bulk_restore(session: Session, ctx: Ctx, lead_ids: list[int]) -> BulkResult:
    """Undo of a bulk delete: each lead comes back unless its profile was captured again meanwhile."""
    restored = []
    for lead_id in lead_ids:
        try:
            restore_lead(session=session, ctx=ctx, lead_id=lead_id)
            restored.append(lead_id)
        except (NotFound, Conflict):
            continue
    return BulkResult(action="restore", affected=len(restored), ids=restored)


BulkReaction = tuple[list[int], list[str], dict[str, Any]]  # (changed lead ids, triggers, event)


def _apply_bulk(
    session: Session, ctx: Ctx, data: BulkIn, ids: list[int], now: Any
) -> tuple[str, dict[str, Any], list[BulkReaction]]:
    """Apply the action set-based; also say which leads really changed (for the automations)."""
    in_ids = col(Lead.id).in_(ids)
    if data.action == "delete":
        tags.adjust_counts(
            session=session, deltas={t: -n for t, n in repo.tag_counts_for(session, ids).items()}
        )
        repo.shift_stage_counts(session, {s: -n for s, n in repo.stage_counts_of(session, ids).items()})
        session.execute(update(Lead).where(in_ids).values(deleted_at=now))
        return "lead.deleted", {"bulk": True}, []
    if data.action == "assign":
        _check_assignee(session, ctx, data.assignee_id)
        moved = _ids_where(session, in_ids, col(Lead.assignee_id).is_distinct_from(data.assignee_id))
        session.execute(update(Lead).where(in_ids).values(assignee_id=data.assignee_id, updated_at=now))
        event = {"fields": ["assignee_id"], "assignee_id": data.assignee_id}
        return "lead.assigned", {"to": data.assignee_id, "bulk": True}, [(moved, ["lead_updated"], event)]
    if data.action == "status":
        stage = pipelines.stage_for_status(
            session=session, workspace_id=ctx.workspace_id, status=data.status or ""
        )
        moved = _ids_where(session, in_ids, col(Lead.status) != data.status)
        leaving = repo.stage_counts_of(session, ids, pipeline_id=stage.pipeline_id)
        leaving.pop(stage.id, None)  # already there: no move
        # Stage counters before the leads' UPDATEs (their trigger locks count rows): see `repo.lock_stages`.
        repo.shift_stage_counts(
            session, {**{s: -n for s, n in leaving.items()}, stage.id: sum(leaving.values())}
        )
        session.execute(update(Lead).where(in_ids).values(status=data.status, updated_at=now))
        session.execute(
            update(Lead)
            .where(in_ids, col(Lead.pipeline_id) == stage.pipeline_id)
            .values(stage_id=stage.id, position=repo.position_at_end(session, _id(stage.id)))
        )
        event = {"fields": ["status"], "status": data.status}
        reaction = (moved, ["lead_updated", "status_changed"], event)
        return "status.changed", {"to": data.status, "bulk": True}, [reaction]
    tag_ids = tags.resolve_ids(session=session, ctx=ctx, tag_ids=data.tag_ids)
    deltas: dict[int, int] = {}
    added: dict[int, list[int]] = {}  # lead id -> tags it newly got
    untagged: set[int] = set()
    for tag_id in tag_ids:
        tagged = set(
            session.exec(
                select(LeadTag.lead_id).where(LeadTag.tag_id == tag_id, col(LeadTag.lead_id).in_(ids))
            )
        )
        if data.action == "tag":
            new = [i for i in ids if i not in tagged]
            repo.link_leads_to_tag(session, tag_id, new)
            deltas[tag_id] = len(new)
            for lead_id in new:
                added.setdefault(lead_id, []).append(tag_id)
        else:
            session.execute(
                delete(LeadTag).where(col(LeadTag.tag_id) == tag_id, col(LeadTag.lead_id).in_(ids))
            )
            deltas[tag_id] = -len(tagged)
            untagged |= tagged
    tags.adjust_counts(session=session, deltas=deltas)
    session.execute(update(Lead).where(in_ids).values(updated_at=now))
    if data.action == "untag":
        event = {"fields": ["tag_ids"], "tags_removed": tag_ids}
        reactions_ = [(sorted(untagged), ["lead_updated"], event)]
        return "tag.removed", {"tag_ids": tag_ids, "bulk": True}, reactions_
    groups: dict[tuple[int, ...], list[int]] = {}  # leads that got the same tags share their jobs
    for lead_id, got in added.items():
        groups.setdefault(tuple(got), []).append(lead_id)
    reactions_ = [
        (lead_ids, ["lead_updated", "tag_added"], {"fields": ["tag_ids"], "tags_added": list(got)})
        for got, lead_ids in groups.items()
    ]
    return "tag.added", {"tag_ids": tag_ids, "bulk": True}, reactions_


def _ids_where(session: Session, *conditions: Any) -> list[int]:
    return [_id(row) for row in session.exec(select(Lead.id).where(*conditions))]


# ---------------------------------------------------------------- merge


def merge_leads(*, session: Session, ctx: Ctx, primary_id: int, secondary_id: int) -> LeadPublic:
    """Join `secondary` into `primary`: empty fields filled, tags and activities moved; secondary deleted.

    The audit entry keeps what is needed to undo it (the secondary's values and the moved rows).
    """
    _require(ctx, "leads.delete", "Your role cannot merge leads")
    if primary_id == secondary_id:
        raise InvalidInput("Choose two different leads", code="merge_same_lead")
    primary = _load(session, ctx, primary_id, for_update=True)
    secondary = _load(session, ctx, secondary_id, for_update=True)
    primary_data, secondary_data = primary.model_dump(), secondary.model_dump()
    taken = rules.merged_values(primary_data, secondary_data)
    for field, value in taken.items():
        setattr(primary, field, value)
    primary.custom_fields = rules.merged_custom_fields(primary.custom_fields, secondary.custom_fields)
    primary.notes = rules.merged_notes(primary.notes, secondary.notes)
    primary.followers = max(filter(None, [primary.followers, secondary.followers]), default=None)
    _refresh_search_text(primary)
    primary.updated_at = clock.now()
    secondary_tags = repo.tag_ids_by_lead(session, [secondary_id])[secondary_id]
    added = repo.add_tags(session, primary_id, secondary_tags)
    # The secondary's tags leave with it; those new on the primary count again.
    tags.adjust_counts(session=session, deltas={t: (1 if t in added else 0) - 1 for t in secondary_tags})
    moved_activities = session.exec(select(Activity.id).where(Activity.lead_id == secondary_id)).all()
    session.execute(update(Activity).where(col(Activity.lead_id) == secondary_id).values(lead_id=primary_id))
    secondary.deleted_at = clock.now()
    repo.shift_stage_counts(session, {secondary.stage_id: -1})
    secondary.custom_fields = {**secondary.custom_fields, "_merged_into": primary_id}
    timeline.record(
        session=session,
        ctx=ctx,
        lead_id=primary_id,
        type="lead.merged",
        data={"merged_lead_id": secondary_id, "fields": sorted(taken)},
    )
    audit.record(
        session=session,
        ctx=ctx,
        action="lead.merged",
        entity_type="lead",
        entity_id=primary_id,
        data={
            "secondary_id": secondary_id,
            "fields_taken": sorted(taken),
            "primary_before": {k: _jsonable(primary_data[k]) for k in (*taken, *_MERGE_BLENDED)},
            "tags_added": added,
            "activities_moved": list(moved_activities),
        },
    )
    session.flush()
    _event(session, ctx, "lead.updated", primary, fields=sorted(taken))
    _event(session, ctx, "lead.deleted", secondary, merged_into=primary_id)
    return _one_public(session, primary)


# Fields a merge blends rather than takes: their before-values go to the audit entry too (undo).
_MERGE_BLENDED = ("custom_fields", "notes", "followers")


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class MergePublic(BaseModel):
    audit_id: int
    secondary_id: int
    merged_at: datetime
    undone: bool


def list_merges(*, session: Session, ctx: Ctx, lead_id: int) -> list[MergePublic]:
    """The merges into a lead (newest first), with the audit id `undo_merge` takes."""
    _load(session, ctx, lead_id)
    entries = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.workspace_id == ctx.workspace_id,
            AuditEntry.action == "lead.merged",
            AuditEntry.entity_id == str(lead_id),
        )
        .order_by(col(AuditEntry.id).desc())
    ).all()
    undone = set(
        session.exec(
            select(AuditEntry.entity_id).where(
                AuditEntry.workspace_id == ctx.workspace_id,
                AuditEntry.action == "lead.merge_undone",
                col(AuditEntry.entity_id).in_([str(e.id) for e in entries]),
            )
        ).all()
    )
    return [
        MergePublic(
            audit_id=_id(e.id),
            secondary_id=int(e.data["secondary_id"]),
            merged_at=e.created_at,
            undone=str(e.id) in undone,
        )
        for e in entries
    ]


def undo_merge(*, session: Session, ctx: Ctx, audit_id: int) -> LeadPublic:
    """Undo a merge from its audit entry: the secondary lead comes back with its tags and activities,
    the primary gets back the values it had — for each field the merge changed and nobody edited since.
    Returns the restored secondary. Once per merge; 404 for another workspace's entry."""
    _require(ctx, "leads.delete", "Your role cannot undo merges")
    entry = session.exec(
        select(AuditEntry).where(
            col(AuditEntry.id) == audit_id,
            AuditEntry.workspace_id == ctx.workspace_id,
            AuditEntry.action == "lead.merged",
        )
    ).first()
    if entry is None:
        raise NotFound("Merge not found", code="merge_not_found")
    if audit.exists(
        session=session,
        workspace_id=ctx.workspace_id,
        action="lead.merge_undone",
        entity_type="audit",
        entity_id=str(audit_id),
    ):
        raise Conflict("This merge was already undone", code="merge_already_undone")
    data = entry.data
    primary_id, secondary_id = int(entry.entity_id or 0), int(data["secondary_id"])
    primary = _load(session, ctx, primary_id, for_update=True)
    secondary = session.exec(
        select(Lead)
        .where(col(Lead.id) == secondary_id, Lead.workspace_id == ctx.workspace_id)
        .with_for_update()
    ).first()
    if secondary is None or secondary.deleted_at is None:
        raise Conflict("The merged lead is no longer in the trash", code="merge_not_undoable")
    if _duplicate(session, ctx.workspace_id, secondary.platform, secondary.profile_key) is not None:
        raise Conflict("The profile was captured again since the merge", code="lead_exists")
    # The primary: what the merge wrote is replaced by what was there, unless edited since.
    restored = []
    secondary_custom = {k: v for k, v in secondary.custom_fields.items() if k != "_merged_into"}
    for field, before in (data.get("primary_before") or {}).items():
        if field == "custom_fields":
            merged: Any = rules.merged_custom_fields(before or {}, secondary_custom)
        elif field == "notes":
            merged = rules.merged_notes(before, secondary.notes)
        elif field == "followers":
            merged = max(filter(None, [before, secondary.followers]), default=None)
        else:
            merged = getattr(secondary, field, None)
        if getattr(primary, field) == merged:  # still what the merge wrote: nobody edited it since
            setattr(primary, field, before)
            restored.append(field)
    _refresh_search_text(primary)
    primary.updated_at = clock.now()
    # Tags: those the merge added to the primary leave it; the secondary's own count again.
    gone = repo.remove_tags(session, primary_id, [int(t) for t in data.get("tags_added") or []])
    secondary_tags = repo.tag_ids_by_lead(session, [secondary_id])[secondary_id]
    deltas = {t: -1 for t in gone}
    for tag_id in secondary_tags:
        deltas[tag_id] = deltas.get(tag_id, 0) + 1
    tags.adjust_counts(session=session, deltas=deltas)
    moved = [int(i) for i in data.get("activities_moved") or []]
    if moved:
        session.execute(
            update(Activity)
            .where(col(Activity.id).in_(moved), col(Activity.lead_id) == primary_id)
            .values(lead_id=secondary_id)
        )
    secondary.deleted_at = None
    secondary.custom_fields = secondary_custom
    repo.shift_stage_counts(session, {secondary.stage_id: 1})
    scoring_repo.create_rows(
        session, [secondary_id], clock.now()
    )  # kept in the trash; older rows may lack it
    timeline.record(
        session=session,
        ctx=ctx,
        lead_id=primary_id,
        type="lead.merge_undone",
        data={"merged_lead_id": secondary_id, "fields": sorted(restored)},
    )
    timeline.record(session=session, ctx=ctx, lead_id=secondary_id, type="lead.restored")
    audit.record(
        session=session,
        ctx=ctx,
        action="lead.merge_undone",
        entity_type="audit",
        entity_id=str(audit_id),
        data={"primary_id": primary_id, "secondary_id": secondary_id, "fields_restored": sorted(restored)},
    )
    session.flush()
    _event(session, ctx, "lead.updated", primary, fields=sorted(restored))
    _event(session, ctx, "lead.created", secondary, restored=True)
    return _one_public(session, secondary)


# ---------------------------------------------------------------- export

EXPORT_COLUMNS = (
    "id",
    "platform",
    "username",
    "full_name",
    "profile_url",
    "email",
    "phone",
    "website",
    "company",
    "headline",
    "location",
    "followers",
    "following",
    "posts",
    "verified",
    "score",
    "status",
    "assignee_id",
    "source",
    "created_at",
)


def export_csv(
    *, session: Session, ctx: Ctx, filters: LeadFilter, sort: str = "-created", batch: int = 1000
) -> Iterator[str]:
    """CSV text chunks (UTF-8 BOM first, for Excel) of every lead matching the filter; formula-safe cells."""
    _require(ctx, "export", "Your role cannot export")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*EXPORT_COLUMNS, "tags"])
    yield "\ufeff" + buffer.getvalue()
    cursor: str | None = None
    tag_names = {t.id: t.name for t in tags.list_tags(session=session, ctx=ctx)}
    conditions = repo.filter_conditions(ctx, filters)
    while True:
        rows, cursor = repo.page(session, conditions, sort=sort, limit=batch, cursor=cursor)
        tag_map = repo.tag_ids_by_lead(session, [_id(r.id) for r in rows])
        buffer.seek(0)
        buffer.truncate()
        for lead in rows:  # rows of `repo.page`: their score included
            names = ", ".join(tag_names.get(t, "") for t in tag_map.get(_id(lead.id), []))
            writer.writerow(
                [rules.csv_cell(getattr(lead, c)) for c in EXPORT_COLUMNS] + [rules.csv_cell(names)]
            )
        yield buffer.getvalue()
        if cursor is None:
            return


def count_leads(*, session: Session, ctx: Ctx, filters: LeadFilter) -> int:
    return repo.count(session, repo.filter_conditions(ctx, filters))
