"""Analytics queries. PostgreSQL reads the kept `lead_daily_count`; SQLite (embedded, small) reads `lead`.

Both paths return the same shapes, so the service and its tests do not care which one ran.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from snapleads_app.domain.accounts.models import Membership, User, Workspace
from snapleads_app.domain.analytics import inbox_rollup_sql, rollup_sql
from snapleads_app.domain.analytics.models import LeadDailyCount, LeadMonthlyCount, LeadTotalCount
from snapleads_app.domain.analytics.rules import HistoryGroup, Range, hour_label
from snapleads_app.domain.imports.models import ImportJob
from snapleads_app.domain.inbox.models import Message
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.pipelines.models import Stage
from snapleads_app.domain.timeline.models import Activity

Dim = str  # "day", "platform", "status", "assignee_id", "pipeline_id", "stage_id"


@dataclass(frozen=True)
class Scope:
    workspace_id: int
    platforms: tuple[str, ...] = ()
    pipeline_id: int | None = None
    assignee_id: int | None = None  # agents: always themselves


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def workspace_zone(session: Session, workspace_id: int) -> str:
    value = session.exec(select(Workspace.time_zone).where(Workspace.id == workspace_id)).first()
    return value or "America/Sao_Paulo"


# ---------------------------------------------------------------- lead counts


def _rollup_filters(r: Any, scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [col(r.workspace_id) == scope.workspace_id]
    if scope.platforms:
        conditions.append(col(r.platform).in_(scope.platforms))
    if scope.pipeline_id is not None:
        conditions.append(col(r.pipeline_id) == scope.pipeline_id)
    if scope.assignee_id is not None:
        conditions.append(col(r.assignee_id) == scope.assignee_id)
    return conditions


def lead_filters(scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [col(Lead.workspace_id) == scope.workspace_id, col(Lead.deleted_at).is_(None)]
    if scope.platforms:
        conditions.append(col(Lead.platform).in_(scope.platforms))
    if scope.pipeline_id is not None:
        conditions.append(col(Lead.pipeline_id) == scope.pipeline_id)
    if scope.assignee_id is not None:
        conditions.append(col(Lead.assignee_id) == scope.assignee_id)
    return conditions


def grouped_counts(
    session: Session, scope: Scope, dims: Sequence[Dim], period: Range | None, tz: ZoneInfo
) -> list[tuple[Any, ...]]:
    """Live leads counted by `dims` (+ the count as last item), created in `period` (None: all time).

    None assignee/pipeline/stage come back as 0 on both backends."""
    if is_postgres(session):
        if period is None:  # "now" numbers: the small total table
            return _sum_rollup(session, LeadTotalCount, scope, dims, None)
        if "day" in dims:
            return _sum_rollup(session, LeadDailyCount, scope, dims, (period.date_from, period.date_to))
        # Whole months from the monthly table, the partial months at both ends from the daily one.
        head, months, tail = split_months(period)
        counts: dict[tuple[Any, ...], int] = defaultdict(int)
        parts: list[tuple[Any, tuple[date, date]]] = [(LeadDailyCount, r) for r in (head, tail) if r]
        if months:
            parts.append((LeadMonthlyCount, months))
        for table, bounds in parts:
            for row in _sum_rollup(session, table, scope, dims, bounds):
                counts[tuple(row[:-1])] += row[-1]
        return [(*key, n) for key, n in counts.items() if n]
    return _grouped_counts_from_leads(session, scope, dims, period, tz)


def _sum_rollup(
    session: Session, r: Any, scope: Scope, dims: Sequence[Dim], bounds: tuple[date, date] | None
) -> list[tuple[Any, ...]]:
    columns = [getattr(r, d) for d in dims]
    stmt = sa_select(*columns, func.sum(r.leads)).where(*_rollup_filters(r, scope))
    if bounds is not None:
        key = r.day if r is LeadDailyCount else r.month
        stmt = stmt.where(col(key) >= bounds[0], col(key) <= bounds[1])
    stmt = stmt.group_by(*columns)
    return [(*row[:-1], int(row[-1] or 0)) for row in session.execute(stmt) if row[-1]]


def split_months(
    period: Range,
) -> tuple[tuple[date, date] | None, tuple[date, date] | None, tuple[date, date] | None]:
    """(head days, whole months as first-of-month bounds, tail days) covering the period exactly."""
    first_full = period.date_from if period.date_from.day == 1 else _next_month(period.date_from)
    end_next = period.date_to + timedelta(days=1)
    last_full_end = end_next.replace(day=1)  # exclusive: whole months end before this
    if first_full >= last_full_end:
        return (period.date_from, period.date_to), None, None
    head = (period.date_from, first_full - timedelta(days=1)) if first_full > period.date_from else None
    months = (first_full, _prev_month(last_full_end))
    tail = (last_full_end, period.date_to) if last_full_end <= period.date_to else None
    return head, months, tail


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _prev_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _lead_column(dim: Dim) -> Any:
    column = getattr(Lead, dim)
    return func.coalesce(column, 0) if dim in ("assignee_id", "pipeline_id", "stage_id") else column


def _grouped_counts_from_leads(
    session: Session, scope: Scope, dims: Sequence[Dim], period: Range | None, tz: ZoneInfo
) -> list[tuple[Any, ...]]:
    conditions = lead_filters(scope)
    if period is not None:
        start, end = period.utc_bounds(tz)
        conditions += [col(Lead.created_at) >= start, col(Lead.created_at) < end]
    other = [d for d in dims if d != "day"]
    columns = [_lead_column(d) for d in other]
    if "day" not in dims:
        stmt = sa_select(*columns, func.count()).where(*conditions).group_by(*columns)
        return [tuple(row) for row in session.execute(stmt)]
    # Local days need the time zone, which SQLite does not know: bucket in Python (small data here).
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for row in session.execute(sa_select(col(Lead.created_at), *columns).where(*conditions)):
        created: datetime = row[0]
        values = dict(zip(other, row[1:], strict=True))
        values["day"] = created.astimezone(tz).date()
        counts[tuple(values[d] for d in dims)] += 1
    return [(*key, n) for key, n in counts.items()]


def hourly_counts(session: Session, scope: Scope, period: Range, tz: ZoneInfo) -> dict[str, int]:
    """Leads created per local hour of the period (short periods only: read from `lead`)."""
    start, end = period.utc_bounds(tz)
    conditions = [*lead_filters(scope), col(Lead.created_at) >= start, col(Lead.created_at) < end]
    if is_postgres(session):
        hour = func.date_trunc("hour", func.timezone(tz.key, Lead.created_at))
        stmt = select(hour, func.count()).where(*conditions).group_by(hour)
        return {hour_label(h): n for h, n in session.exec(stmt)}
    counts: dict[str, int] = defaultdict(int)
    for created in session.exec(select(Lead.created_at).where(*conditions)):
        counts[hour_label(created.astimezone(tz))] += 1
    return dict(counts)


# ---------------------------------------------------------------- funnel


def funnel_counts(
    session: Session, scope: Scope, period: Range, tz: ZoneInfo
) -> tuple[dict[int, int], list[HistoryGroup]]:
    """Cohort leads (created in the period, in `scope.pipeline_id`) per current stage, and grouped by
    how far their history went. PostgreSQL: the kept `furthest` of the daily counts; SQLite: the
    activity history read directly."""
    current: dict[int, int] = defaultdict(int)
    if is_postgres(session):
        groups = []
        for stage_id, furthest, n in grouped_counts(session, scope, ("stage_id", "furthest"), period, tz):
            current[int(stage_id)] += n
            groups.append(HistoryGroup(int(stage_id) or None, int(furthest), False, n))
        return dict(current), groups
    for stage_id, n in grouped_counts(session, scope, ("stage_id",), period, tz):
        current[int(stage_id)] += n
    start, end = period.utc_bounds(tz)
    history = funnel_history(session, scope, scope.pipeline_id or 0, start, end) if current else []
    return dict(current), history


def funnel_history(
    session: Session, scope: Scope, pipeline_id: int, start: datetime, end: datetime
) -> list[HistoryGroup]:
    """Cohort leads (created in [start, end)) with stage/status changes: how far their history went.

    A stage is entered by a `stage.changed` to its id, or (default pipeline) a `status.changed` to its
    status. Activities of a cohort lead all happen after its creation, so the activity scan starts at
    `start` (index on workspace_id, created_at)."""
    a, s = Activity, Stage
    entered = or_(
        and_(col(a.type) == "stage.changed", col(s.id) == a.data["to"].as_integer()),  # type: ignore[index]
        and_(col(a.type) == "status.changed", col(s.status) == a.data["to"].as_string()),  # type: ignore[index]
    )
    terminal = col(s.status) == "lost"
    per_lead = (
        select(
            col(Lead.id).label("lead_id"),
            func.coalesce(Lead.stage_id, 0).label("stage_id"),
            func.max(case((terminal, None), else_=col(s.position))).label("furthest"),
            func.max(case((terminal, 1), else_=0)).label("terminal"),
        )
        .select_from(a)
        .join(Lead, col(Lead.id) == a.lead_id)
        .join(s, and_(col(s.pipeline_id) == pipeline_id, entered))
        .where(
            col(a.workspace_id) == scope.workspace_id,
            col(a.created_at) >= start,
            col(a.type).in_(("stage.changed", "status.changed")),
            *lead_filters(scope),
            col(Lead.pipeline_id) == pipeline_id,
            col(Lead.created_at) >= start,
            col(Lead.created_at) < end,
        )
        .group_by(col(Lead.id), col(Lead.stage_id))
        .subquery()
    )
    stmt = select(per_lead.c.stage_id, per_lead.c.furthest, per_lead.c.terminal, func.count()).group_by(
        per_lead.c.stage_id, per_lead.c.furthest, per_lead.c.terminal
    )
    return [
        HistoryGroup(
            current_stage_id=stage_id or None,
            furthest_position=furthest,
            entered_terminal=bool(term),
            leads=int(n),
        )
        for stage_id, furthest, term, n in session.exec(stmt)
    ]


# ---------------------------------------------------------------- imports, members


def imports_by_source(
    session: Session, workspace_id: int, start: datetime, end: datetime, created_by_id: int | None
) -> list[tuple[str, int, int, int, int, int, int]]:
    j = ImportJob
    stmt = sa_select(
        col(j.source),
        func.count(),
        func.coalesce(func.sum(j.total), 0),
        func.coalesce(func.sum(j.created), 0),
        func.coalesce(func.sum(j.updated), 0),
        func.coalesce(func.sum(j.duplicates), 0),
        func.coalesce(func.sum(j.errors), 0),
    ).where(col(j.workspace_id) == workspace_id, col(j.created_at) >= start, col(j.created_at) < end)
    if created_by_id is not None:
        stmt = stmt.where(col(j.created_by_id) == created_by_id)
    rows = session.execute(stmt.group_by(j.source).order_by(j.source))
    return [(str(r[0]), *(int(v) for v in r[1:])) for r in rows]  # type: ignore[misc]


def template_counts_by_sender(
    session: Session, workspace_id: int, sender_user_id: int
) -> dict[int, tuple[int, int]]:
    """Per template: (messages the user sent with it, of those answered within 7 days), all time
    (index on workspace, sender, template, reply_counted for template messages)."""
    stmt = (
        sa_select(
            col(Message.template_id),
            func.count(),
            func.count().filter(col(Message.reply_counted).is_(True)),
        )
        .where(
            col(Message.workspace_id) == workspace_id,
            col(Message.sender_user_id) == sender_user_id,
            col(Message.template_id).is_not(None),  # only outbound messages carry a template
        )
        .group_by(col(Message.template_id))
    )
    return {int(tid): (int(sent), int(replied)) for tid, sent, replied in session.execute(stmt)}


def members(session: Session, workspace_id: int) -> list[tuple[int, str]]:
    stmt = (
        select(User.id, User.full_name)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(func.lower(User.full_name))
    )
    return [(int(uid or 0), name) for uid, name in session.exec(stmt)]


def rebuild_rollup(session: Session, workspace_id: int) -> None:
    """Recount a workspace's kept daily counts of leads and messages (after a time-zone change).
    PostgreSQL only."""
    if not is_postgres(session):
        return
    for statement in (*rollup_sql.REBUILD_WORKSPACE, *inbox_rollup_sql.REBUILD_WORKSPACE):
        session.execute(text(statement), {"ws": workspace_id})


def recent_activity(session: Session, scope: Scope, limit: int) -> list[tuple[Any, ...]]:
    """The workspace's latest activities on live leads (newest first; index on workspace, created_at)."""
    a = Activity
    stmt = (
        sa_select(
            col(a.id),
            col(a.lead_id),
            func.coalesce(Lead.full_name, Lead.username, Lead.email, Lead.phone, ""),
            col(a.type),
            col(a.data),
            col(User.full_name),
            col(a.created_at),
        )
        .select_from(a)
        .join(Lead, col(Lead.id) == a.lead_id)
        .outerjoin(User, col(User.id) == a.actor_user_id)
        .where(col(a.workspace_id) == scope.workspace_id, col(Lead.deleted_at).is_(None))
        .order_by(col(a.created_at).desc(), col(a.id).desc())
        .limit(limit)
    )
    if scope.assignee_id is not None:
        stmt = stmt.where(col(Lead.assignee_id) == scope.assignee_id)
    return [tuple(row) for row in session.execute(stmt)]
