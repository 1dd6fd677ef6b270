"""Lead queries (no commits, no rules): filters, keyset pagination, Kanban positions, counters."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, insert, literal, tuple_, update
from sqlmodel import Session, col, select

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import InvalidInput
from snapleads_app.domain.leads.models import Lead, LeadFilter
from snapleads_app.domain.pipelines.models import Pipeline, Stage
from snapleads_app.domain.tags.models import LeadTag

POSITION_GAP = 1024.0
MIN_POSITION_GAP = 1e-6


def live(workspace_id: int) -> list[ColumnElement[bool]]:
    return [col(Lead.workspace_id) == workspace_id, col(Lead.deleted_at).is_(None)]


def visibility(ctx: Ctx) -> list[ColumnElement[bool]]:
    """Rows the actor may see: the workspace's live leads; for agents only those assigned to them."""
    conditions = live(ctx.workspace_id)
    if ctx.role == "agent":
        conditions.append(col(Lead.assignee_id) == ctx.user_id)
    return conditions


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_conditions(ctx: Ctx, f: LeadFilter) -> list[ColumnElement[bool]]:
    conditions = visibility(ctx)
    if f.platform:
        conditions.append(col(Lead.platform).in_(f.platform))
    if f.status:
        conditions.append(col(Lead.status).in_(f.status))
    if f.stage_id is not None:
        conditions.append(col(Lead.stage_id) == f.stage_id)
    if f.pipeline_id is not None:
        conditions.append(col(Lead.pipeline_id) == f.pipeline_id)
    if f.unassigned:
        conditions.append(col(Lead.assignee_id).is_(None))
    elif f.assignee_id is not None:
        conditions.append(col(Lead.assignee_id) == f.assignee_id)
    if f.score_min is not None:
        conditions.append(col(Lead.score) >= f.score_min)
    if f.score_max is not None:
        conditions.append(col(Lead.score) <= f.score_max)
    if f.created_from is not None:
        conditions.append(col(Lead.created_at) >= f.created_from)
    if f.created_to is not None:
        conditions.append(col(Lead.created_at) < f.created_to)
    if f.search:
        term = f.search.strip().lower()
        if term:
            conditions.append(col(Lead.search_text).like(f"%{_escape_like(term)}%", escape="\\"))
    if f.tag_ids:
        tagged = LeadTag.lead_id == Lead.id  # type: ignore[comparison-overlap]
        if f.tags_mode == "all":
            for tag_id in f.tag_ids:
                conditions.append(exists().where(tagged, LeadTag.tag_id == tag_id))  # type: ignore[arg-type]
        else:
            conditions.append(exists().where(tagged, col(LeadTag.tag_id).in_(f.tag_ids)))  # type: ignore[arg-type]
    return conditions


# sort key → (column expression, descending)
def _sort_column(sort: str) -> tuple[Any, bool]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    column = {
        "created": col(Lead.created_at),
        "updated": col(Lead.updated_at),
        "score": col(Lead.score),
        "name": func.coalesce(func.lower(Lead.full_name), ""),
    }[key]
    return column, descending


def encode_cursor(sort: str, value: Any, lead_id: int) -> str:
    raw = json.dumps(
        {"s": sort, "v": value.isoformat() if isinstance(value, datetime) else value, "i": lead_id}
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["s"] != sort:
            raise ValueError("cursor of another sort")
        value = data["v"]
        if sort.lstrip("-") in ("created", "updated"):
            value = datetime.fromisoformat(value)
        return value, int(data["i"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            "The cursor is not valid for this listing", code="invalid_cursor", errors={"cursor": "invalid"}
        ) from exc


def page(
    session: Session, conditions: list[ColumnElement[bool]], *, sort: str, limit: int, cursor: str | None
) -> tuple[list[Lead], str | None]:
    column, descending = _sort_column(sort)
    stmt = select(Lead).where(*conditions)
    if cursor:
        value, last_id = decode_cursor(cursor, sort)
        # A row comparison is an index condition; the equivalent OR form makes PostgreSQL filter
        # every row before the cursor (measured: 247 ms → 1 ms for a page 500,000 rows deep).
        key, bound = tuple_(column, col(Lead.id)), tuple_(literal(value), literal(last_id))
        stmt = stmt.where(key < bound if descending else key > bound)
    order = (column.desc(), col(Lead.id).desc()) if descending else (column.asc(), col(Lead.id).asc())
    rows = list(session.exec(stmt.order_by(*order).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        key = sort.lstrip("-")
        value = {
            "created": last.created_at,
            "updated": last.updated_at,
            "score": last.score,
            "name": (last.full_name or "").lower(),
        }[key]
        next_cursor = encode_cursor(sort, value, _id(last.id))
    return rows, next_cursor


def count(session: Session, conditions: list[ColumnElement[bool]]) -> int:
    return session.exec(select(func.count()).select_from(Lead).where(*conditions)).one()


def tag_ids_by_lead(session: Session, lead_ids: list[int]) -> dict[int, list[int]]:
    if not lead_ids:
        return {}
    result: dict[int, list[int]] = {i: [] for i in lead_ids}
    rows = session.exec(
        select(LeadTag.lead_id, LeadTag.tag_id)
        .where(col(LeadTag.lead_id).in_(lead_ids))
        .order_by(col(LeadTag.tag_id))
    )
    for lead_id, tag_id in rows:
        result[lead_id].append(tag_id)
    return result


def add_tags(session: Session, lead_id: int, tag_ids: list[int]) -> list[int]:
    """Attach tags; returns the ids that were not attached before."""
    current = set(tag_ids_by_lead(session, [lead_id])[lead_id])
    new = [t for t in tag_ids if t not in current]
    if new:
        session.execute(insert(LeadTag), [{"lead_id": lead_id, "tag_id": t} for t in new])
    return new


def remove_tags(session: Session, lead_id: int, tag_ids: list[int]) -> list[int]:
    current = set(tag_ids_by_lead(session, [lead_id])[lead_id])
    gone = [t for t in tag_ids if t in current]
    if gone:
        session.execute(delete(LeadTag).where(col(LeadTag.lead_id) == lead_id, col(LeadTag.tag_id).in_(gone)))
    return gone


def tag_counts_for(session: Session, lead_ids_query: Any) -> dict[int, int]:
    """How many of the given leads carry each tag (to keep tag counters right in bulk changes)."""
    rows = session.exec(
        select(LeadTag.tag_id, func.count())
        .where(col(LeadTag.lead_id).in_(lead_ids_query))
        .group_by(col(LeadTag.tag_id))
    )
    return {tag_id: n for tag_id, n in rows}


def position_at_end(session: Session, stage_id: int) -> float:
    last = session.exec(
        select(Lead.position)
        .where(col(Lead.stage_id) == stage_id, col(Lead.deleted_at).is_(None))
        .order_by(col(Lead.position).desc())
        .limit(1)
    ).first()
    return (last if last is not None else 0.0) + POSITION_GAP


def neighbour_position(session: Session, stage_id: int, lead_id: int) -> float | None:
    row = session.exec(
        select(Lead.position).where(
            col(Lead.id) == lead_id, col(Lead.stage_id) == stage_id, col(Lead.deleted_at).is_(None)
        )
    ).first()
    return row


def next_position_after(session: Session, stage_id: int, position: float, exclude_id: int) -> float | None:
    return session.exec(
        select(Lead.position)
        .where(
            col(Lead.stage_id) == stage_id,
            col(Lead.deleted_at).is_(None),
            col(Lead.position) > position,
            col(Lead.id) != exclude_id,
        )
        .order_by(col(Lead.position))
        .limit(1)
    ).first()


def previous_position_before(
    session: Session, stage_id: int, position: float, exclude_id: int
) -> float | None:
    return session.exec(
        select(Lead.position)
        .where(
            col(Lead.stage_id) == stage_id,
            col(Lead.deleted_at).is_(None),
            col(Lead.position) < position,
            col(Lead.id) != exclude_id,
        )
        .order_by(col(Lead.position).desc())
        .limit(1)
    ).first()


def respace_stage(session: Session, stage_id: int) -> None:
    """Renumber one column with even gaps — only when repeated moves exhausted a gap (rare)."""
    ids = session.exec(
        select(Lead.id)
        .where(col(Lead.stage_id) == stage_id, col(Lead.deleted_at).is_(None))
        .order_by(col(Lead.position), col(Lead.id))
    ).all()
    for index, lead_id in enumerate(ids, start=1):
        session.execute(update(Lead).where(col(Lead.id) == lead_id).values(position=index * POSITION_GAP))


def shift_stage_counts(session: Session, deltas: dict[int | None, int]) -> None:
    """Keep `stage.lead_count` right: every change that moves a live lead in or out of a stage calls this.

    Rows are updated in stage-id order: two moves in opposite directions (A→B, B→A) at once would
    otherwise lock the same two rows in opposite orders and deadlock (seen under load).
    """
    for stage_id, delta in sorted((k, v) for k, v in deltas.items() if k is not None):
        if delta:
            session.execute(
                update(Stage).where(col(Stage.id) == stage_id).values(lead_count=Stage.lead_count + delta)
            )


def stage_counts_of(
    session: Session, ids: list[int], *, pipeline_id: int | None = None
) -> dict[int | None, int]:
    """How many of the given live leads sit in each stage (optionally only those of one pipeline)."""
    stmt = select(Lead.stage_id, func.count()).where(col(Lead.id).in_(ids), col(Lead.deleted_at).is_(None))
    if pipeline_id is not None:
        stmt = stmt.where(col(Lead.pipeline_id) == pipeline_id)
    return {stage_id: n for stage_id, n in session.exec(stmt.group_by(col(Lead.stage_id)))}


def count_in_stage(*, session: Session, stage_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Lead)
        .where(col(Lead.stage_id) == stage_id, col(Lead.deleted_at).is_(None))
    ).one()


def return_to_default_pipeline(*, session: Session, workspace_id: int, pipeline_id: int) -> None:
    """Leads of a pipeline being deleted go to the default pipeline's stage of their status."""
    default = session.exec(
        select(Pipeline).where(Pipeline.workspace_id == workspace_id, col(Pipeline.is_default).is_(True))
    ).one()
    stages = session.exec(select(Stage).where(Stage.pipeline_id == default.id)).all()
    for stage in stages:
        moving = session.exec(
            select(func.count())
            .select_from(Lead)
            .where(
                col(Lead.workspace_id) == workspace_id,
                col(Lead.pipeline_id) == pipeline_id,
                col(Lead.status) == stage.status,
                col(Lead.deleted_at).is_(None),
            )
        ).one()
        shift_stage_counts(session, {stage.id: moving})
        session.execute(
            update(Lead)
            .where(
                col(Lead.workspace_id) == workspace_id,
                col(Lead.pipeline_id) == pipeline_id,
                col(Lead.status) == stage.status,
            )
            .values(pipeline_id=default.id, stage_id=stage.id)
        )


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet")
    return value
