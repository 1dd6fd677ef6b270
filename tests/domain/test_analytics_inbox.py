"""Inbox metrics of the analytics against a small hand-computed set (zone America/Sao_Paulo, UTC-3).

Period 2026-06-01 … 06-15 (local). Conversations:
- A (lead assigned to the agent): out 06-10 12:00Z, the lead replies 12:30Z → 1,800 s;
- B (unassigned): out 06-11 09:00Z, no reply;
- C (unassigned, LinkedIn): the lead writes first 06-12 10:00Z, out 11:00Z, reply 13:00Z → 7,200 s;
- D: created 06-01 02:30Z = 05-31 23:30 local → before the period (a time-zone edge);
- another workspace's conversation on the same day never counts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from snapleads_app.core import clock
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.analytics import service as analytics
from snapleads_app.domain.analytics.models import AnalyticsQuery
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from tests.factories import Member, add_member, make_lead, register_owner

PERIOD = {"date_from": date(2026, 6, 1), "date_to": date(2026, 6, 15)}


def at(*args: int) -> None:
    clock.reset()
    clock.advance((datetime(*args, tzinfo=UTC) - datetime.now(UTC)).total_seconds())


def message(member: Member, lead_id: int, direction: str, when: tuple[int, ...]) -> None:
    at(*when)
    with unit_of_work() as session:
        inbox.receive_inbound(
            session=session,
            ctx=member.ctx,
            data=InboundIn(lead_id=lead_id, body=f"{direction} {when}", direction=direction),  # type: ignore[arg-type]
        )


@pytest.fixture
def world() -> dict[str, Member]:
    owner = register_owner()
    agent = add_member(owner, "agent")
    at(2026, 5, 20, 12)
    a = make_lead(owner, assignee_id=agent.user_id)
    b, c = make_lead(owner), make_lead(owner, platform="linkedin")
    d = make_lead(owner)
    message(owner, d.id, "inbound", (2026, 6, 1, 2, 30))
    message(owner, a.id, "outbound", (2026, 6, 10, 12, 0))
    message(owner, a.id, "inbound", (2026, 6, 10, 12, 30))
    message(owner, b.id, "outbound", (2026, 6, 11, 9, 0))
    message(owner, c.id, "inbound", (2026, 6, 12, 10, 0))
    message(owner, c.id, "outbound", (2026, 6, 12, 11, 0))
    message(owner, c.id, "inbound", (2026, 6, 12, 13, 0))
    other = register_owner(workspace="Other")
    other_lead = make_lead(other)
    message(other, other_lead.id, "outbound", (2026, 6, 10, 12, 0))
    message(other, other_lead.id, "inbound", (2026, 6, 10, 12, 5))
    at(2026, 6, 15, 18)
    return {"owner": owner, "agent": agent}


def _query(**extra: object) -> AnalyticsQuery:
    return AnalyticsQuery.model_validate({**PERIOD, **extra})


def test_overview_counts_conversations_messages_and_replies(world):
    with unit_of_work() as session:
        result = analytics.overview(session=session, ctx=world["owner"].ctx, query=_query()).inbox
    assert (result.conversations_started, result.messages_sent, result.messages_received) == (3, 3, 3)
    assert result.response_rate == pytest.approx(2 / 3)
    assert result.median_first_reply_seconds == pytest.approx(
        4500, abs=5
    )  # median of 1,800 and 7,200 (the clock runs on)


def test_filters_and_the_agent_scope(world):
    with unit_of_work() as session:
        linkedin = analytics.overview(
            session=session, ctx=world["owner"].ctx, query=_query(platform=["linkedin"])
        ).inbox
        agent = analytics.overview(session=session, ctx=world["agent"].ctx, query=_query()).inbox
    assert (linkedin.conversations_started, linkedin.messages_sent, linkedin.messages_received) == (1, 1, 2)
    assert linkedin.median_first_reply_seconds == pytest.approx(7200, abs=5)
    assert (agent.conversations_started, agent.messages_sent, agent.messages_received) == (1, 1, 1)
    assert agent.response_rate == 1.0
    assert agent.median_first_reply_seconds == pytest.approx(1800, abs=5)


def test_timeline_buckets_in_local_days_and_empty_periods(world):
    with unit_of_work() as session:
        days = analytics.timeline(session=session, ctx=world["owner"].ctx, query=_query(), granularity="day")
        empty = analytics.overview(
            session=session,
            ctx=world["owner"].ctx,
            query=AnalyticsQuery(date_from=date(2026, 7, 1), date_to=date(2026, 7, 5)),
        ).inbox
    by_day = {p.bucket: (p.conversations, p.messages_sent, p.messages_received) for p in days.points}
    assert "2026-05-31" not in by_day  # before the period: no bucket
    assert by_day["2026-06-01"] == (0, 0, 0)  # D's message was 05-31 local
    assert by_day["2026-06-10"] == (1, 1, 1)
    assert by_day["2026-06-11"] == (1, 1, 0)
    assert by_day["2026-06-12"] == (1, 1, 2)
    assert sum(v[1] for v in by_day.values()) == 3
    assert (empty.conversations_started, empty.messages_sent, empty.response_rate) == (0, 0, None)
    assert empty.median_first_reply_seconds is None


def test_per_rep_inbox_columns(world):
    owner, agent = world["owner"], world["agent"]
    with unit_of_work() as session:
        rows = {r.user_id: r for r in analytics.by_user(session=session, ctx=owner.ctx, query=_query()).rows}
    assert (rows[agent.user_id].conversations, rows[agent.user_id].replies) == (1, 1)
    assert rows[agent.user_id].response_rate == 1.0
    assert rows[owner.user_id].messages_sent == 3  # the owner recorded every outbound message
    assert (rows[None].conversations, rows[None].replies, rows[None].response_rate) == (2, 2, 0.5)
