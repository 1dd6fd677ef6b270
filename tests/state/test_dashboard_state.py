"""Dashboard state: numbers and dates in the UI language, load, filters and role scope (handlers called directly)."""

from __future__ import annotations

import datetime as dt

from snapleads_app.state.dashboard import fmt_bucket, fmt_day, fmt_int, fmt_pct, fmt_when


def test_numbers_follow_the_language():
    assert fmt_int(1234567, "pt-BR") == "1.234.567"
    assert fmt_int(1234567, "en") == "1,234,567"
    assert fmt_pct(66.66, "pt-BR") == "66,7%"
    assert fmt_pct(1234.5, "pt-BR") == "1.234,5%"
    assert fmt_pct(66.66, "en") == "66.7%"
    assert fmt_pct(None, "en") == "—"


def test_dates_and_buckets_follow_the_language():
    day = dt.date(2026, 6, 15)
    assert fmt_day(day, "pt-BR") == "15/06" and fmt_day(day, "pt-BR", year=True) == "15/06/2026"
    assert fmt_day(day, "en") == "06/15" and fmt_day(day, "en", year=True) == "06/15/2026"
    assert fmt_bucket("2026-06-01", "month", "pt-BR") == "06/2026"
    assert fmt_bucket("2026-06-15T07:00", "hour", "en") == "07:00"
    now = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
    assert fmt_when(now - dt.timedelta(minutes=5), now, "pt-BR") == "há 5 min"
    assert fmt_when(now - dt.timedelta(hours=3), now, "en") == "3 h ago"
    assert fmt_when(now - dt.timedelta(days=3), now, "pt-BR") == "12/06/2026"


# ---------------------------------------------------------------- handlers


def _go(handler, state, *args):
    import asyncio

    from tests.state.conftest import run

    return asyncio.run(run(handler, state, *args))


def test_dashboard_load_filters_and_role_scope(make_state):
    from snapleads_app.state.dashboard import DashboardState
    from tests.factories import add_member, make_lead, register_owner
    from tests.state.test_session_state import web_cookie

    owner = register_owner("dora@example.com", workspace="Dora")
    agent = add_member(owner, "agent", "alan@example.com")
    make_lead(owner, platform="linkedin")
    make_lead(owner, platform="instagram", assignee_id=agent.user_id)
    make_lead(owner, platform="instagram")

    state = make_state(DashboardState, token=web_cookie(owner.email), path="/")
    state.lang = "en"
    events = _go(DashboardState.load, state)
    assert "link" in " ".join(str(e) for e in events)  # leads + imports live links
    kpis = {k.key: k.value for k in state.kpis}
    assert kpis["total"] == "3" and kpis["new"] == "3" and kpis["conversations"] == "0"
    assert state.sees_all and state.can_export
    assert {s.key: s.count for s in state.platforms} == {"instagram": 2, "linkedin": 1}
    assert state.funnel[0].reached == "3" and len(state.chart) == 30
    assert {r.name for r in state.reps} >= {"Agent", "Unassigned"}

    _go(DashboardState.set_platform, state, "instagram")
    assert {k.key: k.value for k in state.kpis}["total"] == "2"
    assert "platform=instagram" in state.export_query
    _go(DashboardState.set_preset, state, "365")
    assert state.granularity == "week" and state.date_from

    mine = make_state(DashboardState, token=web_cookie(agent.email), path="/", client_token="tab-2")
    mine.lang = "pt-BR"
    _go(DashboardState.load, mine)
    assert {k.key: k.value for k in mine.kpis}["total"] == "1"  # an agent's own leads
    assert not mine.sees_all and not mine.can_export
    assert [r.name for r in mine.reps] == ["Agent"]


def test_analytics_page_shows_template_performance_and_rates_as_percentages(make_state):
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.inbox import service as inbox
    from snapleads_app.domain.inbox.models import InboundIn
    from snapleads_app.domain.templates import service as templates
    from snapleads_app.domain.templates.models import TemplateIn
    from snapleads_app.state.dashboard import DashboardState, fmt_rate
    from tests.factories import make_lead, register_owner
    from tests.state.test_session_state import web_cookie

    assert fmt_rate(2 / 3, "pt-BR") == "66,7%" and fmt_rate(None, "en") == "—"
    owner = register_owner("tess@example.com", workspace="Tess")
    a, b = make_lead(owner), make_lead(owner)
    with unit_of_work() as session:
        tpl = templates.create_template(
            session=session, ctx=owner.ctx, data=TemplateIn(name="Intro", body="Oi")
        )
        for lead in (a, b):
            inbox.send_template_to_lead(session=session, ctx=owner.ctx, lead_id=lead.id, template_id=tpl.id)
    with unit_of_work() as session:
        inbox.receive_inbound(session=session, ctx=owner.ctx, data=InboundIn(lead_id=a.id, body="Oi!"))

    state = make_state(DashboardState, token=web_cookie(owner.email), path="/analytics")
    state.lang = "pt-BR"
    _go(DashboardState.load, state)
    assert [(r.name, r.sent, r.replies, r.reply_rate) for r in state.template_rows] == [
        ("Intro", "2", "1", "50,0%")
    ]
    assert not state.templates_own
    assert {k.key: k.value for k in state.kpis}["response_rate"] == "50,0%"  # 1 of 2 conversations replied
