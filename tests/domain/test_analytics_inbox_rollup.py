"""PostgreSQL: the kept conversation metrics stay exact after every write path.

After each step two checks run against a real recount:
- the kept `conversation_metric` / `message_daily_count` rows equal what a rebuild from the inbox
  tables gives (the rebuild runs in a savepoint that is rolled back);
- the metrics the service reads from them (overview, per rep, timeline) equal the same metrics
  computed directly from the inbox tables (the path SQLite takes).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from snapleads_app.core import clock
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.analytics import inbox_metrics, inbox_rollup_sql, rules
from snapleads_app.domain.analytics import service as analytics
from snapleads_app.domain.analytics.models import AnalyticsQuery
from snapleads_app.domain.analytics.repo import Scope, is_postgres, workspace_zone
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import AssignIn, InboundIn, SendIn, StatusIn
from snapleads_app.domain.leads import service as leads
from tests.factories import Member, add_member, make_lead, register_owner

PERIOD = rules.Range(date(2026, 6, 1), date(2026, 6, 30))


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    with unit_of_work() as session:
        if not is_postgres(session):
            pytest.skip("the kept conversation metrics exist on PostgreSQL only")


def at(*args: int) -> None:
    clock.reset()
    clock.advance((datetime(*args, tzinfo=UTC) - datetime.now(UTC)).total_seconds())


def inbound(member: Member, lead_id: int, when: tuple[int, ...]) -> int:
    at(*when)
    with unit_of_work() as session:
        result = inbox.receive_inbound(
            session=session, ctx=member.ctx, data=InboundIn(lead_id=lead_id, body=f"in {when}")
        )
        return result.conversation_id


def outbound(member: Member, conversation_id: int, when: tuple[int, ...]) -> int:
    at(*when)
    with unit_of_work() as session:
        msg = inbox.send_message(
            session=session, ctx=member.ctx, conversation_id=conversation_id, data=SendIn(body=f"out {when}")
        )
        return msg.id


def _kept(session: Session, ws: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    metric = session.execute(
        text(
            "SELECT conversation_id, created_at, platform, pipeline_id, assignee_id, live, first_out_at, "
            "first_reply_at FROM conversation_metric WHERE workspace_id = :ws ORDER BY 1"
        ),
        {"ws": ws},
    ).all()
    daily = session.execute(
        text(
            "SELECT day, platform, pipeline_id, assignee_id, sender_id, direction, messages "
            "FROM message_daily_count WHERE workspace_id = :ws AND messages <> 0 ORDER BY 1, 2, 3, 4, 5, 6"
        ),
        {"ws": ws},
    ).all()
    return [tuple(r) for r in metric], [tuple(r) for r in daily]


def assert_exact(member: Member) -> None:
    ws = member.workspace_id
    with unit_of_work() as session:
        kept = _kept(session, ws)
        savepoint = session.begin_nested()
        for statement in inbox_rollup_sql.REBUILD_ALL:
            session.execute(text(statement))
        recount = _kept(session, ws)
        savepoint.rollback()
        assert kept == recount
        scope, tz = Scope(workspace_id=ws), rules.zone(workspace_zone(session, ws))
        pg = inbox_metrics._pg_overview(session, scope, PERIOD, tz)
        direct = inbox_metrics._sqlite_counts(session, scope, PERIOD, tz, lambda _a, _s: 0).get(
            0, inbox_metrics._Counts()
        )
        assert (pg.started, pg.sent, pg.received, pg.contacted, pg.replied) == (
            direct.started,
            direct.sent,
            direct.received,
            direct.contacted,
            direct.replied,
        )
        pg_users = {k: v for k, v in inbox_metrics._pg_per_user(session, scope, PERIOD, tz).items()}
        direct_users = inbox_metrics._sqlite_per_user(session, scope, PERIOD, tz)

        def brief(groups: dict[int, inbox_metrics._Counts]) -> dict[int, tuple[int, ...]]:
            return {
                k: (c.started, c.sent, c.received, c.contacted, c.replied)
                for k, c in groups.items()
                if c.started or c.sent or c.received or c.contacted
            }

        assert brief(pg_users) == brief(direct_users)

        # Hourly timelines read `message` (unfiltered: less the deleted leads' messages; filtered: joined).
        fortnight = rules.Range(date(2026, 6, 1), date(2026, 6, 14))
        start, end = fortnight.utc_bounds(tz)
        for hourly_scope in (scope, Scope(workspace_id=ws, platforms=("instagram",))):
            kept_hours: dict[tuple[str, str], int] = {}
            for label, key, n in inbox_metrics._pg_timeline(session, hourly_scope, fortnight, tz, True, str):
                kept_hours[(label, key)] = kept_hours.get((label, key), 0) + n
            direct_hours: dict[tuple[str, str], int] = {}
            for at in inbox_metrics._sqlite_started(session, hourly_scope, start, end):
                k = (rules.hour_label(at.astimezone(tz)), "conversations")
                direct_hours[k] = direct_hours.get(k, 0) + 1
            for _, _, direction, at in inbox_metrics._sqlite_messages(session, hourly_scope, start, end):
                k = (rules.hour_label(at.astimezone(tz)), inbox_metrics._KEY[direction])
                direct_hours[k] = direct_hours.get(k, 0) + 1
            assert {k: v for k, v in kept_hours.items() if v} == direct_hours


@pytest.fixture
def world() -> dict[str, Any]:
    owner = register_owner()
    agent = add_member(owner, "agent")
    at(2026, 5, 20, 12)
    a = make_lead(owner, assignee_id=agent.user_id)
    b = make_lead(owner, platform="linkedin")
    conv_a = inbound(owner, a.id, (2026, 6, 2, 10))
    outbound(owner, conv_a, (2026, 6, 2, 11))
    inbound(owner, a.id, (2026, 6, 2, 12))
    conv_b = inbound(owner, b.id, (2026, 6, 3, 2, 30))  # 06-02 23:30 local
    other = register_owner(workspace="Other")
    other_lead = make_lead(other)
    inbound(other, other_lead.id, (2026, 6, 2, 10))
    return {
        "owner": owner,
        "agent": agent,
        "a": a,
        "b": b,
        "conv_a": conv_a,
        "conv_b": conv_b,
        "other": other,
    }


def test_inbox_service_and_inbound_api_writes(world):
    owner = world["owner"]
    assert_exact(owner)
    with unit_of_work() as session:
        kept = _kept(session, owner.workspace_id)[0]
    first_out = {row[0]: (row[6], row[7]) for row in kept}
    a_out, a_reply = first_out[world["conv_a"]]
    assert (a_reply - a_out).total_seconds() == pytest.approx(3600, abs=5)
    assert first_out[world["conv_b"]] == (None, None)  # the lead wrote first; we never answered
    outbound(owner, world["conv_b"], (2026, 6, 4, 9))
    inbound(owner, world["b"].id, (2026, 6, 4, 10))
    assert_exact(owner)
    assert_exact(world["other"])


def test_worker_status_updates_and_reassignment(world):
    owner, agent = world["owner"], world["agent"]
    msg_id = outbound(owner, world["conv_b"], (2026, 6, 5, 9))
    at(2026, 6, 5, 9, 1)
    with unit_of_work() as session:
        inbox.report_status(
            session=session, ctx=owner.ctx, message_id=msg_id, data=StatusIn(status="delivered")
        )
    assert_exact(owner)
    with unit_of_work() as session:
        inbox.assign(
            session=session,
            ctx=owner.ctx,
            conversation_id=world["conv_b"],
            data=AssignIn(assignee_id=agent.user_id),
        )
    assert_exact(owner)
    with unit_of_work() as session:
        mine = analytics.overview(
            session=session,
            ctx=agent.ctx,
            query=AnalyticsQuery(date_from=PERIOD.date_from, date_to=PERIOD.date_to),
        ).inbox
    assert (mine.conversations_started, mine.messages_received) == (2, 3)  # a's and now b's


def test_lead_deletes_restores_moves_merges_and_purges(world):
    owner = world["owner"]
    with unit_of_work() as session:
        leads.delete_lead(session=session, ctx=owner.ctx, lead_id=world["b"].id)
    assert_exact(owner)
    with unit_of_work() as session:
        gone = analytics.overview(
            session=session,
            ctx=owner.ctx,
            query=AnalyticsQuery(date_from=PERIOD.date_from, date_to=PERIOD.date_to),
        ).inbox
    assert (gone.conversations_started, gone.messages_received) == (1, 2)
    with unit_of_work() as session:
        leads.restore_lead(session=session, ctx=owner.ctx, lead_id=world["b"].id)
    assert_exact(owner)
    with unit_of_work() as session:  # any other path that moves a lead: platform, bulk SQL
        session.execute(text("UPDATE lead SET platform = 'tiktok' WHERE id = :id"), {"id": world["b"].id})
    assert_exact(owner)
    with unit_of_work() as session:
        leads.merge_leads(
            session=session, ctx=owner.ctx, primary_id=world["a"].id, secondary_id=world["b"].id
        )
    assert_exact(owner)
    with unit_of_work() as session:  # a conversation moved to another lead (merge that keeps threads)
        session.execute(
            text("UPDATE conversation SET lead_id = :a, channel = 'moved' WHERE id = :c"),
            {"a": world["a"].id, "c": world["conv_b"]},
        )
    assert_exact(owner)
    with unit_of_work() as session:  # a purge: the lead, its conversations and messages cascade
        session.execute(text("DELETE FROM lead WHERE id = :id"), {"id": world["a"].id})
    assert_exact(owner)
    with unit_of_work() as session:
        kept = _kept(session, owner.workspace_id)
    assert kept == ([], [])


def test_message_deletes_and_back_dated_messages(world):
    owner = world["owner"]
    with unit_of_work() as session:  # our first message goes: the next outbound becomes the first
        first = session.execute(
            text("SELECT first_out_at FROM conversation_metric WHERE conversation_id = :c"),
            {"c": world["conv_a"]},
        ).scalar_one()
    outbound(owner, world["conv_a"], (2026, 6, 6, 9))
    with unit_of_work() as session:
        session.execute(
            text("DELETE FROM message WHERE conversation_id = :c AND created_at = :t"),
            {"c": world["conv_a"], "t": first},
        )
    assert_exact(owner)
    with unit_of_work() as session:  # an import of older history, in one statement
        session.execute(
            text(
                "INSERT INTO message (workspace_id, conversation_id, direction, sender_type, type, body, status, "
                "reply_counted, created_at) VALUES "
                "(:ws, :c, 'outbound', 'agent', 'text', 'old', 'sent', false, '2026-06-01 12:00+00'), "
                "(:ws, :c, 'inbound', 'lead', 'text', 'old reply', 'read', false, '2026-06-01 12:10+00')"
            ),
            {"ws": owner.workspace_id, "c": world["conv_a"]},
        )
    assert_exact(owner)
    with unit_of_work() as session:
        o = analytics.overview(
            session=session,
            ctx=owner.ctx,
            query=AnalyticsQuery(date_from=PERIOD.date_from, date_to=PERIOD.date_to),
        ).inbox
    assert o.median_first_reply_seconds == pytest.approx(600)  # a's first reply is now the imported one


def test_time_zone_change_recounts_the_days(world):
    owner = world["owner"]
    q = AnalyticsQuery(date_from=date(2026, 6, 2), date_to=date(2026, 6, 2))
    with unit_of_work() as session:
        before = analytics.overview(session=session, ctx=owner.ctx, query=q).inbox
        analytics.set_time_zone(session=session, ctx=owner.ctx, time_zone="UTC")
    with unit_of_work() as session:
        after = analytics.overview(session=session, ctx=owner.ctx, query=q).inbox
    # b's message at 06-03 02:30Z is 06-02 local in São Paulo, 06-03 in UTC.
    assert (before.messages_received, after.messages_received) == (3, 2)
    assert (before.conversations_started, after.conversations_started) == (2, 1)
    assert_exact(owner)
