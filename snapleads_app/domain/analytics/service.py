"""Analytics use cases: overview, funnel, timeline, per rep, imports, template performance, CSV of each table.

Authorisation: every role may view analytics; agents see their own numbers (leads assigned to them,
their imports), the others the workspace. CSV needs the export permission. Another workspace's
pipeline is 404. Dates are local to the workspace's time zone.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import InvalidInput, PermissionDenied
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.accounts.models import Workspace
from snapleads_app.domain.analytics import inbox_metrics, repo, rules
from snapleads_app.domain.analytics.models import (
    AnalyticsQuery,
    ByUser,
    CountRow,
    Funnel,
    FunnelStage,
    Granularity,
    ImportSourceRow,
    ImportsStats,
    Overview,
    Period,
    RecentActivity,
    TemplateRow,
    TemplateStats,
    Timeline,
    TimelinePoint,
    UserRow,
)
from snapleads_app.domain.leads.rules import csv_cell
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.pipelines.models import STATUSES
from snapleads_app.domain.templates import service as templates

Table = Literal["overview", "funnel", "timeline", "by-user", "imports", "templates"]


def _require_view(ctx: Ctx) -> None:
    if not account_rules.can(ctx.role, "analytics.view"):
        raise PermissionDenied("Your role cannot view analytics", code="forbidden_for_role")


def _own_numbers_only(ctx: Ctx) -> bool:
    return not account_rules.can(ctx.role, "leads.see_all")


def _scope(session: Session, ctx: Ctx, query: AnalyticsQuery) -> repo.Scope:
    if query.pipeline_id is not None:
        pipelines.get_pipeline(session=session, ctx=ctx, pipeline_id=query.pipeline_id)  # 404 if not ours
    assignee = ctx.user_id if _own_numbers_only(ctx) else query.assignee_id
    return repo.Scope(
        workspace_id=ctx.workspace_id,
        platforms=tuple(query.platform or ()),
        pipeline_id=query.pipeline_id,
        assignee_id=assignee,
    )


def _context(session: Session, ctx: Ctx, query: AnalyticsQuery) -> tuple[repo.Scope, ZoneInfo, rules.Range]:
    _require_view(ctx)
    tz = rules.zone(repo.workspace_zone(session, ctx.workspace_id))
    period = rules.resolve_range(query.date_from, query.date_to, clock.now().astimezone(tz).date())
    return _scope(session, ctx, query), tz, period


def _period(period: rules.Range, tz: ZoneInfo) -> Period:
    previous = period.previous()
    return Period(
        date_from=period.date_from,
        date_to=period.date_to,
        previous_from=previous.date_from,
        previous_to=previous.date_to,
        time_zone=tz.key,
    )


def _rows(counts: dict[str, int], order: tuple[str, ...] = ()) -> list[CountRow]:
    known = [k for k in order if k in counts]
    rest = sorted((k for k in counts if k not in order), key=lambda k: (-counts[k], k))
    return [CountRow(key=k, count=counts[k]) for k in [*known, *rest]]


# ---------------------------------------------------------------- overview


def overview(*, session: Session, ctx: Ctx, query: AnalyticsQuery) -> Overview:
    scope, tz, period = _context(session, ctx, query)
    now_by_status: dict[str, int] = defaultdict(int)
    for status, n in repo.grouped_counts(session, scope, ("status",), None, tz):
        now_by_status[status] += n
    by_platform: dict[str, int] = defaultdict(int)
    by_status: dict[str, int] = defaultdict(int)
    for platform, status, n in repo.grouped_counts(session, scope, ("platform", "status"), period, tz):
        by_platform[platform] += n
        by_status[status] += n
    new_leads = sum(by_platform.values())
    previous = sum(row[-1] for row in repo.grouped_counts(session, scope, (), period.previous(), tz))
    return Overview(
        period=_period(period, tz),
        leads_total=sum(now_by_status.values()),
        new_leads=new_leads,
        new_leads_previous=previous,
        growth_pct=rules.growth_pct(new_leads, previous),
        scheduled=now_by_status.get("scheduled", 0),
        closed=now_by_status.get("closed", 0),
        by_platform=_rows(by_platform),
        by_status=_rows(by_status, STATUSES),
        inbox=inbox_metrics.overview(session=session, scope=scope, period=period, tz=tz),
    )


# ---------------------------------------------------------------- funnel


def funnel(*, session: Session, ctx: Ctx, query: AnalyticsQuery) -> Funnel:
    """Leads created in the period (the cohort) through the stages of one pipeline (default: the
    workspace's default pipeline), counting every stage a lead reached by its activity history."""
    scope, tz, period = _context(session, ctx, query)
    if scope.pipeline_id is None:
        default = pipelines.ensure_default_pipeline(session=session, workspace_id=ctx.workspace_id)
        scope = repo.Scope(
            workspace_id=scope.workspace_id,
            platforms=scope.platforms,
            pipeline_id=default.id,
            assignee_id=scope.assignee_id,
        )
    pipeline_id = scope.pipeline_id or 0
    pipeline = pipelines.get_pipeline(session=session, ctx=ctx, pipeline_id=pipeline_id)
    current, history = repo.funnel_counts(session, scope, period, tz)
    cohort = sum(current.values())
    infos = [rules.StageInfo(s.id, s.position, s.status == "lost") for s in pipeline.stages]
    reached = rules.funnel_reached(infos, current, cohort, history)
    stages: list[FunnelStage] = []
    previous_reached: int | None = None
    for stage in sorted(pipeline.stages, key=lambda s: s.position):
        terminal = stage.status == "lost"
        n = reached.get(stage.id, 0)
        conversion = None
        if terminal:
            conversion = rules.rate(n, cohort)
        elif previous_reached is not None:
            conversion = rules.rate(n, previous_reached)
        stages.append(
            FunnelStage(
                stage_id=stage.id,
                name=stage.name,
                status=stage.status,
                color=stage.color,
                position=stage.position,
                current=current.get(stage.id, 0),
                reached=n,
                conversion_pct=conversion,
                terminal=terminal,
            )
        )
        if not terminal:
            previous_reached = n
    return Funnel(
        period=_period(period, tz),
        pipeline_id=pipeline.id,
        pipeline_name=pipeline.name,
        cohort=cohort,
        stages=stages,
    )


# ---------------------------------------------------------------- timeline


def timeline(
    *, session: Session, ctx: Ctx, query: AnalyticsQuery, granularity: Granularity = "day"
) -> Timeline:
    scope, tz, period = _context(session, ctx, query)
    if granularity == "hour" and period.days > rules.MAX_HOUR_DAYS:
        raise InvalidInput(
            "Hourly points need a period of 14 days or less",
            code="range_too_long_for_hours",
            errors={"granularity": "too_many_points"},
        )

    def label_of_day(day: date) -> str:
        return rules.bucket_of(_as_date(day), granularity).isoformat()

    inbox = inbox_metrics.timeline(
        session=session,
        scope=scope,
        period=period,
        tz=tz,
        hourly=granularity == "hour",
        label_of_day=label_of_day,
    )
    if granularity == "hour":
        counts = repo.hourly_counts(session, scope, period, tz)
        labels = rules.hour_buckets(period, tz)
    else:
        per_bucket: dict[str, int] = defaultdict(int)
        for day, n in repo.grouped_counts(session, scope, ("day",), period, tz):
            per_bucket[rules.bucket_of(_as_date(day), granularity).isoformat()] += n
        counts = dict(per_bucket)
        labels = [d.isoformat() for d in rules.day_buckets(period, granularity)]
    points = [
        TimelinePoint(
            bucket=label,
            leads=counts.get(label, 0),
            conversations=inbox.get(label, {}).get("conversations", 0),
            messages_sent=inbox.get(label, {}).get("messages_sent", 0),
            messages_received=inbox.get(label, {}).get("messages_received", 0),
        )
        for label in labels
    ]
    return Timeline(
        period=_period(period, tz),
        granularity=granularity,
        points=points,
    )


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


# ---------------------------------------------------------------- per rep


def by_user(*, session: Session, ctx: Ctx, query: AnalyticsQuery) -> ByUser:
    scope, tz, period = _context(session, ctx, query)
    status_now: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for assignee, status, n in repo.grouped_counts(session, scope, ("assignee_id", "status"), None, tz):
        status_now[int(assignee)][status] += n
    new_in_period = {int(a): n for a, n in repo.grouped_counts(session, scope, ("assignee_id",), period, tz)}
    inbox = inbox_metrics.per_user(session=session, scope=scope, period=period, tz=tz)
    people = repo.members(session, ctx.workspace_id)
    if scope.assignee_id is not None:
        people = [(uid, name) for uid, name in people if uid == scope.assignee_id]
    elif 0 in status_now or 0 in new_in_period:
        people.append((0, ""))  # unassigned leads, last
    rows = []
    for user_id, name in people:
        statuses = status_now.get(user_id, {})
        extra = inbox.get(user_id, {})
        rows.append(
            UserRow(
                user_id=user_id or None,
                name=name,
                leads_assigned=sum(statuses.values()),
                new_leads=new_in_period.get(user_id, 0),
                by_status={s: statuses.get(s, 0) for s in STATUSES},
                closed=statuses.get("closed", 0),
                conversations=int(extra.get("conversations", 0)),
                messages_sent=int(extra.get("messages_sent", 0)),
                replies=int(extra.get("replies", 0)),
                response_rate=extra.get("response_rate"),
            )
        )
    return ByUser(period=_period(period, tz), rows=rows)


# ---------------------------------------------------------------- imports


def imports(*, session: Session, ctx: Ctx, query: AnalyticsQuery) -> ImportsStats:
    """Import jobs and rows per source (CSV, extension, API) started in the period."""
    scope, tz, period = _context(session, ctx, query)
    start, end = period.utc_bounds(tz)
    mine = ctx.user_id if _own_numbers_only(ctx) else None
    rows = [
        ImportSourceRow(
            source=source,
            jobs=jobs,
            rows=total,
            created=created,
            updated=updated,
            duplicates=dups,
            errors=errs,
        )
        for source, jobs, total, created, updated, dups, errs in repo.imports_by_source(
            session, scope.workspace_id, start, end, mine
        )
    ]
    return ImportsStats(period=_period(period, tz), rows=rows)


# ---------------------------------------------------------------- templates


def template_stats(*, session: Session, ctx: Ctx) -> TemplateStats:
    """Per template of the workspace: messages sent with it, replies within 7 days, reply rate — since
    it was created (the templates' kept counters). Agents see their own sends only (counted from their
    messages). Most sent first."""
    _require_view(ctx)
    own = _own_numbers_only(ctx)
    mine = repo.template_counts_by_sender(session, ctx.workspace_id, ctx.user_id or 0) if own else {}
    rows = []
    for template in templates.list_templates(session=session, ctx=ctx):
        sent, replies = (
            mine.get(template.id, (0, 0)) if own else (template.sent_count, template.replied_count)
        )
        rows.append(
            TemplateRow(
                template_id=template.id,
                name=template.name,
                sent=sent,
                replies=replies,
                reply_rate=round(replies / sent, 4) if sent else None,
            )
        )
    rows.sort(key=lambda r: -r.sent)  # stable: ties keep the name order
    return TemplateStats(own_only=own, rows=rows)


# ---------------------------------------------------------------- recent activity


def recent_activity(*, session: Session, ctx: Ctx, limit: int = 10) -> list[RecentActivity]:
    """The latest changes on the leads the actor may see (agents: their own leads)."""
    _require_view(ctx)
    scope = repo.Scope(
        workspace_id=ctx.workspace_id, assignee_id=ctx.user_id if _own_numbers_only(ctx) else None
    )
    return [
        RecentActivity(
            id=row[0],
            lead_id=row[1],
            lead_name=row[2],
            type=row[3],
            data=row[4] or {},
            actor_name=row[5],
            created_at=row[6],
        )
        for row in repo.recent_activity(session, scope, max(1, min(limit, 50)))
    ]


# ---------------------------------------------------------------- time zone


def get_time_zone(*, session: Session, ctx: Ctx) -> str:
    """The workspace's IANA time zone (any member may read it)."""
    return repo.workspace_zone(session, ctx.workspace_id)


def set_time_zone(*, session: Session, ctx: Ctx, time_zone: str) -> str:
    """Change the workspace's zone; the kept daily counts are recounted in the new zone."""
    if not account_rules.can(ctx.role, "workspace.settings"):
        raise PermissionDenied("Your role cannot change the workspace", code="forbidden_for_role")
    if not rules.valid_time_zone(time_zone):
        raise InvalidInput("Unknown time zone", code="invalid_time_zone", errors={"time_zone": "unknown"})
    workspace = session.get(Workspace, ctx.workspace_id)
    if workspace is None:  # pragma: no cover - ctx comes from a membership
        raise InvalidInput("Unknown workspace", code="workspace_not_found")
    if workspace.time_zone != time_zone:
        workspace.time_zone = time_zone
        session.flush()
        repo.rebuild_rollup(session, ctx.workspace_id)
    return time_zone


# ---------------------------------------------------------------- CSV


def export_csv(
    *, session: Session, ctx: Ctx, table: Table, query: AnalyticsQuery, granularity: Granularity = "day"
) -> str:
    """One analytics table as CSV text (UTF-8 BOM for Excel; formula-safe cells)."""
    if not account_rules.can(ctx.role, "export"):
        raise PermissionDenied("Your role cannot export", code="forbidden_for_role")
    header, body = _table(session, ctx, table, query, granularity)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in body:
        writer.writerow([csv_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def _table(
    session: Session, ctx: Ctx, table: Table, query: AnalyticsQuery, granularity: Granularity
) -> tuple[list[str], list[list[object]]]:
    if table == "overview":
        o = overview(session=session, ctx=ctx, query=query)
        body: list[list[object]] = [
            ["leads_total", o.leads_total],
            ["new_leads", o.new_leads],
            ["new_leads_previous", o.new_leads_previous],
            ["growth_pct", o.growth_pct],
            ["scheduled", o.scheduled],
            ["closed", o.closed],
        ]
        body += [[f"platform:{r.key}", r.count] for r in o.by_platform]
        body += [[f"status:{r.key}", r.count] for r in o.by_status]
        return ["metric", "value"], body
    if table == "funnel":
        f = funnel(session=session, ctx=ctx, query=query)
        return (
            ["stage", "status", "current", "reached", "conversion_pct"],
            [[s.name, s.status, s.current, s.reached, s.conversion_pct] for s in f.stages],
        )
    if table == "timeline":
        t = timeline(session=session, ctx=ctx, query=query, granularity=granularity)
        return (
            ["bucket", "leads", "conversations", "messages_sent", "messages_received"],
            [[p.bucket, p.leads, p.conversations, p.messages_sent, p.messages_received] for p in t.points],
        )
    if table == "by-user":
        u = by_user(session=session, ctx=ctx, query=query)
        return (
            [
                "user_id",
                "name",
                "leads_assigned",
                "new_leads",
                *STATUSES,
                "conversations",
                "messages_sent",
                "replies",
                "response_rate",
            ],
            [
                [
                    r.user_id,
                    r.name,
                    r.leads_assigned,
                    r.new_leads,
                    *(r.by_status[s] for s in STATUSES),
                    r.conversations,
                    r.messages_sent,
                    r.replies,
                    r.response_rate,
                ]
                for r in u.rows
            ],
        )
    if table == "templates":
        s = template_stats(session=session, ctx=ctx)
        return (
            ["template_id", "name", "sent", "replies_7d", "reply_rate"],
            [[r.template_id, r.name, r.sent, r.replies, r.reply_rate] for r in s.rows],
        )
    i = imports(session=session, ctx=ctx, query=query)
    return (
        ["source", "jobs", "rows", "created", "updated", "duplicates", "errors"],
        [[r.source, r.jobs, r.rows, r.created, r.updated, r.duplicates, r.errors] for r in i.rows],
    )
