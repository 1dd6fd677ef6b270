"""Analytics against a small hand-computed data set (workspace zone America/Sao_Paulo, UTC-3).

"Now" is 2026-06-15 12:00 UTC (09:00 local), so the default period is 2026-05-17..2026-06-15 local
and the previous one 2026-04-17..2026-05-16. Expected numbers are worked out in the comments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from snapleads_app.core import clock
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import InvalidInput, NotFound, PermissionDenied
from snapleads_app.domain.analytics import service as analytics
from snapleads_app.domain.analytics.models import (
    AnalyticsQuery,
    LeadDailyCount,
    LeadMonthlyCount,
    LeadTotalCount,
)
from snapleads_app.domain.analytics.repo import is_postgres
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import BatchImportIn
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.pipelines.models import PipelineIn, StageIn
from tests.factories import Member, add_member, make_lead, register_owner

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def at(instant: datetime) -> None:
    """Move the shared clock so that `clock.now()` is `instant` (plus the test's own run time)."""
    clock.reset()
    clock.advance((instant - datetime.now(UTC)).total_seconds())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def status(member: Member, lead_id: int, *steps: str) -> None:
    for step in steps:
        with unit_of_work() as session:
            leads.set_status(session=session, ctx=member.ctx, lead_id=lead_id, status=step)  # type: ignore[arg-type]


@pytest.fixture
def world() -> dict[str, Member | int]:
    owner = register_owner()
    agent = add_member(owner, "agent")
    manager = add_member(owner, "manager")
    at(utc(2026, 1, 5, 12))
    l7 = make_lead(owner, platform="linkedin")  # old: in no period
    at(utc(2026, 5, 10, 12))
    l5 = make_lead(owner, platform="facebook", assignee_id=manager.user_id)  # previous period
    at(utc(2026, 5, 17, 2, 59))
    make_lead(owner)  # l3: 23:59 local on 05-16 → previous period (a time-zone edge)
    at(utc(2026, 5, 17, 3, 0))
    l4 = make_lead(owner)  # 00:00 local on 05-17 → first day of the period
    at(utc(2026, 6, 1, 2, 30))
    l2 = make_lead(owner, platform="linkedin")  # 23:30 local on 05-31 (UTC says 06-01)
    at(utc(2026, 6, 10, 15))
    l6 = make_lead(owner, platform="tiktok")
    at(NOW.replace(hour=10))
    l1 = make_lead(owner, assignee_id=agent.user_id)  # 07:00 local today
    at(NOW)
    status(owner, l1.id, "contacted", "responded", "qualified", "contacted")  # went back
    status(owner, l2.id, "contacted", "lost")
    status(owner, l4.id, "scheduled")  # skipped the middle stages
    status(owner, l5.id, "closed")
    status(owner, l7.id, "scheduled")
    with unit_of_work() as session:
        leads.delete_lead(session=session, ctx=owner.ctx, lead_id=l6.id)
    # Another workspace, same days: must never show up.
    other = register_owner(workspace="Other")
    at(NOW.replace(hour=11))
    for _ in range(3):
        make_lead(other)
    at(NOW)
    return {"owner": owner, "agent": agent, "manager": manager, "other": other, "l1": l1.id}


def q(**kw: object) -> AnalyticsQuery:
    return AnalyticsQuery.model_validate(kw)


def test_overview_counts_growth_and_breakdowns(world):
    owner = world["owner"]
    with unit_of_work() as session:
        o = analytics.overview(session=session, ctx=owner.ctx, query=q())
    assert (o.period.date_from, o.period.date_to) == (date(2026, 5, 17), date(2026, 6, 15))
    assert (o.period.previous_from, o.period.previous_to) == (date(2026, 4, 17), date(2026, 5, 16))
    assert o.period.time_zone == "America/Sao_Paulo"
    assert o.leads_total == 6  # l1 l2 l3 l4 l5 l7 (l6 deleted)
    assert o.new_leads == 3  # l1 l2 l4
    assert o.new_leads_previous == 2  # l3 (05-16 local) l5
    assert o.growth_pct == 50.0
    assert (o.scheduled, o.closed) == (2, 1)  # l4 l7 / l5
    assert [(r.key, r.count) for r in o.by_platform] == [("instagram", 2), ("linkedin", 1)]
    assert [(r.key, r.count) for r in o.by_status] == [("contacted", 1), ("scheduled", 1), ("lost", 1)]
    assert o.inbox.conversations_started == 0 and o.inbox.response_rate is None


def test_overview_filters_and_empty_range(world):
    owner = world["owner"]
    with unit_of_work() as session:
        insta = analytics.overview(session=session, ctx=owner.ctx, query=q(platform=["instagram"]))
        empty = analytics.overview(
            session=session, ctx=owner.ctx, query=q(date_from="2025-01-01", date_to="2025-01-31")
        )
        by_manager = analytics.overview(
            session=session, ctx=owner.ctx, query=q(assignee_id=world["manager"].user_id)
        )
    assert (insta.leads_total, insta.new_leads, insta.new_leads_previous) == (3, 2, 1)
    assert insta.growth_pct == 100.0
    assert (empty.new_leads, empty.new_leads_previous, empty.growth_pct) == (0, 0, None)
    assert empty.by_platform == [] and empty.leads_total == 6  # the total is "now", whatever the period
    assert (by_manager.leads_total, by_manager.new_leads, by_manager.closed) == (1, 0, 1)


def test_funnel_counts_stages_reached_from_the_history(world):
    owner = world["owner"]
    with unit_of_work() as session:
        f = analytics.funnel(session=session, ctx=owner.ctx, query=q())
    assert f.cohort == 3  # l1 l2 l4
    got = {s.status: (s.current, s.reached, s.conversion_pct) for s in f.stages}
    # l1 reached qualified and came back to contacted; l2 contacted then lost; l4 jumped to scheduled.
    assert got == {
        "new": (0, 3, None),
        "contacted": (1, 3, 100.0),
        "responded": (0, 2, 66.7),
        "qualified": (0, 2, 100.0),
        "scheduled": (1, 1, 50.0),
        "closed": (0, 0, 0.0),
        "lost": (1, 1, 33.3),  # of the cohort
    }
    assert [s.terminal for s in f.stages][-1] is True


def test_funnel_of_a_custom_pipeline_and_empty_period(world):
    owner = world["owner"]
    with unit_of_work() as session:
        custom = pipelines.create_pipeline(
            session=session,
            ctx=owner.ctx,
            data=PipelineIn(
                name="Deals", stages=[StageIn(name="Talk"), StageIn(name="Offer"), StageIn(name="Won")]
            ),
        )
        talk, offer, won = (s.id for s in custom.stages)
    for stage_id in (won, offer):  # l1 reaches "Won", then goes back to "Offer"
        with unit_of_work() as session:
            leads.move_lead(
                session=session, ctx=owner.ctx, lead_id=world["l1"], data=leads.MoveIn(stage_id=stage_id)
            )
    with unit_of_work() as session:
        f = analytics.funnel(session=session, ctx=owner.ctx, query=q(pipeline_id=custom.id))
        empty = analytics.funnel(
            session=session, ctx=owner.ctx, query=q(date_from="2025-01-01", date_to="2025-01-02")
        )
    assert f.cohort == 1
    assert [(s.name, s.current, s.reached) for s in f.stages] == [
        ("Talk", 0, 1),
        ("Offer", 1, 1),
        ("Won", 0, 1),
    ]
    assert empty.cohort == 0 and all(s.reached == 0 for s in empty.stages)
    assert talk


def test_timeline_days_weeks_months_hours_in_local_time(world):
    owner = world["owner"]
    with unit_of_work() as session:
        days = analytics.timeline(session=session, ctx=owner.ctx, query=q(), granularity="day")
        weeks = analytics.timeline(session=session, ctx=owner.ctx, query=q(), granularity="week")
        months = analytics.timeline(session=session, ctx=owner.ctx, query=q(), granularity="month")
        hours = analytics.timeline(
            session=session,
            ctx=owner.ctx,
            query=q(date_from="2026-06-15", date_to="2026-06-15"),
            granularity="hour",
        )
    assert len(days.points) == 30
    assert {p.bucket: p.leads for p in days.points if p.leads} == {
        "2026-05-17": 1,
        "2026-05-31": 1,  # 02:30 UTC on 06-01 is still 05-31 in São Paulo
        "2026-06-15": 1,
    }
    # 2026-05-17 is a Sunday: its week starts Monday 05-11; 05-31 (Sunday) is in the week of 05-25.
    assert [(p.bucket, p.leads) for p in weeks.points] == [
        ("2026-05-11", 1),
        ("2026-05-18", 0),
        ("2026-05-25", 1),
        ("2026-06-01", 0),
        ("2026-06-08", 0),
        ("2026-06-15", 1),
    ]
    assert [(p.bucket, p.leads) for p in months.points] == [("2026-05-01", 2), ("2026-06-01", 1)]
    assert len(hours.points) == 24
    assert {p.bucket: p.leads for p in hours.points if p.leads} == {"2026-06-15T07:00": 1}
    assert all(p.messages_sent == 0 for p in days.points)  # no messages here


def test_by_user_and_imports(world):
    owner, agent, manager = world["owner"], world["agent"], world["manager"]
    with unit_of_work() as session:
        job = imports.create_batch_job(
            session=session,
            ctx=owner.ctx,
            data=BatchImportIn.model_validate(
                {
                    "leads": [{"platform": "instagram", "username": f"imp{i}"} for i in range(3)]
                    + [{"platform": "instagram", "username": "imp0"}]
                }
            ),
        )
    runner.run(job.id)
    with unit_of_work() as session:
        u = analytics.by_user(session=session, ctx=owner.ctx, query=q())
        stats = analytics.imports(session=session, ctx=owner.ctx, query=q())
    rows = {r.user_id: r for r in u.rows}
    assert rows[agent.user_id].leads_assigned == 1 and rows[agent.user_id].new_leads == 1
    assert rows[agent.user_id].by_status["contacted"] == 1
    assert (rows[manager.user_id].leads_assigned, rows[manager.user_id].closed) == (1, 1)
    assert rows[owner.user_id].leads_assigned == 0
    # unassigned: l2 l3 l4 l7 + the 3 imported today (new in the period: l2 l4 + 3)
    assert (rows[None].leads_assigned, rows[None].new_leads) == (7, 5)
    assert u.rows[-1].user_id is None
    assert [(r.source, r.jobs, r.rows, r.created, r.duplicates) for r in stats.rows] == [("api", 1, 4, 3, 1)]


def test_agents_see_their_own_numbers(world):
    agent = world["agent"]
    with unit_of_work() as session:
        o = analytics.overview(session=session, ctx=agent.ctx, query=q(assignee_id=world["manager"].user_id))
        u = analytics.by_user(session=session, ctx=agent.ctx, query=q())
        f = analytics.funnel(session=session, ctx=agent.ctx, query=q())
    assert (o.leads_total, o.new_leads, o.new_leads_previous) == (1, 1, 0)  # only l1, whatever asked
    assert [r.user_id for r in u.rows] == [agent.user_id]
    assert f.cohort == 1
    with unit_of_work() as session, pytest.raises(PermissionDenied):
        analytics.export_csv(session=session, ctx=agent.ctx, table="overview", query=q())


def test_tenancy_and_bad_input(world):
    other = world["other"]
    with unit_of_work() as session:
        o = analytics.overview(session=session, ctx=other.ctx, query=q())
        owner_pipeline = pipelines.list_pipelines(session=session, ctx=world["owner"].ctx)[0].id
    assert (o.leads_total, o.new_leads) == (3, 3)
    with unit_of_work() as session, pytest.raises(NotFound):
        analytics.funnel(session=session, ctx=other.ctx, query=q(pipeline_id=owner_pipeline))
    with unit_of_work() as session, pytest.raises(InvalidInput):
        analytics.overview(
            session=session, ctx=other.ctx, query=q(date_from="2026-06-10", date_to="2026-06-01")
        )
    with unit_of_work() as session, pytest.raises(InvalidInput):
        analytics.timeline(session=session, ctx=other.ctx, query=q(), granularity="hour")


def test_csv_export_and_time_zone_change(world):
    owner = world["owner"]
    with unit_of_work() as session:
        text = analytics.export_csv(session=session, ctx=owner.ctx, table="funnel", query=q())
    assert text.startswith("\ufeffstage,status,current,reached,conversion_pct")
    assert "Responded,responded,0,2,66.7" in text
    with unit_of_work() as session:
        analytics.set_time_zone(session=session, ctx=owner.ctx, time_zone="UTC")
    with unit_of_work() as session:
        o = analytics.overview(session=session, ctx=owner.ctx, query=q())
        days = analytics.timeline(session=session, ctx=owner.ctx, query=q())
    assert o.new_leads == 4  # in UTC l3 (05-17 02:59) is inside the period
    assert {p.bucket for p in days.points if p.leads} == {"2026-05-17", "2026-06-01", "2026-06-15"}
    with unit_of_work() as session, pytest.raises(InvalidInput):
        analytics.set_time_zone(session=session, ctx=owner.ctx, time_zone="Mars/Olympus")


def test_kept_daily_counts_equal_a_real_count(world):
    """PostgreSQL: the triggers kept lead_daily_count exact through creates, status changes, deletes."""
    with unit_of_work() as session:
        if not is_postgres(session):
            pytest.skip("the kept counts exist on PostgreSQL only")
        ws = world["owner"].workspace_id
        leads.bulk(
            session=session,
            ctx=world["owner"].ctx,
            data=leads.BulkIn(action="status", filters=None, lead_ids=[world["l1"]], status="closed"),
        )
    with unit_of_work() as session:
        kept = session.exec(
            select(func.sum(LeadDailyCount.leads)).where(LeadDailyCount.workspace_id == ws)
        ).one()
        by_status = dict(
            session.exec(
                select(LeadDailyCount.status, func.sum(LeadDailyCount.leads))
                .where(LeadDailyCount.workspace_id == ws)
                .group_by(col(LeadDailyCount.status))
            ).all()
        )
        real = dict(
            session.exec(
                select(Lead.status, func.count())
                .where(Lead.workspace_id == ws, col(Lead.deleted_at).is_(None))
                .group_by(col(Lead.status))
            ).all()
        )
        now_by_status = dict(
            session.exec(
                select(LeadTotalCount.status, func.sum(LeadTotalCount.leads))
                .where(LeadTotalCount.workspace_id == ws)
                .group_by(col(LeadTotalCount.status))
            ).all()
        )
        monthly = session.exec(
            select(func.sum(LeadMonthlyCount.leads)).where(LeadMonthlyCount.workspace_id == ws)
        ).one()
    assert kept == 6 and monthly == 6
    assert {k: v for k, v in by_status.items() if v} == real
    assert {k: v for k, v in now_by_status.items() if v} == real


def test_long_periods_add_whole_months_and_edge_days(world):
    """2026-01-03..2026-06-15: PostgreSQL reads January's 3rd–31st and June's days from the daily
    counts and February–May from the monthly ones; both backends give the same numbers."""
    owner = world["owner"]
    with unit_of_work() as session:
        o = analytics.overview(
            session=session, ctx=owner.ctx, query=q(date_from="2026-01-03", date_to="2026-06-15")
        )
        f = analytics.funnel(
            session=session, ctx=owner.ctx, query=q(date_from="2026-01-03", date_to="2026-06-15")
        )
        months = analytics.timeline(
            session=session,
            ctx=owner.ctx,
            query=q(date_from="2026-01-03", date_to="2026-06-15"),
            granularity="month",
        )
    assert o.new_leads == 6  # every live lead: l7 (01-05), l5, l3, l4, l2, l1
    assert {r.key: r.count for r in o.by_platform} == {"instagram": 3, "linkedin": 2, "facebook": 1}
    assert f.cohort == 6
    assert [(p.bucket, p.leads) for p in months.points] == [
        ("2026-01-01", 1),
        ("2026-02-01", 0),
        ("2026-03-01", 0),
        ("2026-04-01", 0),
        ("2026-05-01", 4),  # l5, l3 (05-16 local), l4, l2 (05-31 local)
        ("2026-06-01", 1),
    ]


def test_split_months():
    from snapleads_app.domain.analytics.repo import split_months
    from snapleads_app.domain.analytics.rules import Range

    d = date
    assert split_months(Range(d(2026, 1, 3), d(2026, 6, 15))) == (
        (d(2026, 1, 3), d(2026, 1, 31)),
        (d(2026, 2, 1), d(2026, 5, 1)),
        (d(2026, 6, 1), d(2026, 6, 15)),
    )
    assert split_months(Range(d(2026, 2, 1), d(2026, 3, 31))) == (None, (d(2026, 2, 1), d(2026, 3, 1)), None)
    assert split_months(Range(d(2026, 5, 17), d(2026, 6, 15))) == (
        (d(2026, 5, 17), d(2026, 6, 15)),
        None,
        None,
    )
    assert split_months(Range(d(2025, 12, 15), d(2026, 1, 31))) == (
        (d(2025, 12, 15), d(2025, 12, 31)),
        (d(2026, 1, 1), d(2026, 1, 1)),
        None,
    )
