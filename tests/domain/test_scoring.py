# ruff: noqa: F811 - the fixtures are imported from automation_support and used as arguments
"""Scoring through the services: recompute after a change, explanation, history, rules, bulk rescore."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from snapleads_app.core import clock
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import InvalidInput, NotFound, PermissionDenied
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead, LeadFilter, LeadUpdate
from snapleads_app.domain.scoring import rules
from snapleads_app.domain.scoring import service as scoring
from snapleads_app.domain.scoring.models import LeadScore
from tests.domain.automation_support import channel, drain  # noqa: F401 - channel is a fixture
from tests.factories import add_member, make_lead, register_owner


def _explain(member, lead_id):
    with unit_of_work() as session:
        return scoring.explanation(session=session, ctx=member.ctx, lead_id=lead_id)


def test_lead_change_recomputes_score_with_explanation_and_history(jobs):
    owner = register_owner()
    lead = make_lead(owner, email="ana@example.com", followers=12000, headline="Founder")
    drain(jobs)
    first = _explain(owner, lead.id)
    lines = {line.rule: line.points for line in first.lines}
    assert lines["has_email"] == 15 and lines["followers"] == 15 and lines["job_title"] == 10
    assert first.score == min(100, sum(lines.values())) and first.band == rules.band(first.score)
    with unit_of_work() as session:
        assert leads.get_lead(session=session, ctx=owner.ctx, lead_id=lead.id).score == first.score
        leads.update_lead(
            session=session, ctx=owner.ctx, lead_id=lead.id, data=LeadUpdate(phone="+5511987654321")
        )
    drain(jobs)
    second = _explain(owner, lead.id)
    assert second.score == first.score + 10
    with unit_of_work() as session:
        history = scoring.history(session=session, ctx=owner.ctx, lead_id=lead.id)
    assert [(h.old_score, h.new_score) for h in history] == [(first.score, second.score), (0, first.score)]


def test_message_stats_from_the_inbox_port_count(jobs, channel):
    owner = register_owner()
    lead = make_lead(owner)
    drain(jobs)
    before = _explain(owner, lead.id).score
    channel.replied, channel.inbound = True, 2
    from snapleads_app.domain.automations import service as automations

    with unit_of_work() as session:
        automations.on_message_received(
            session=session, workspace_id=owner.workspace_id, lead_id=lead.id, conversation_id=1, message_id=9
        )
    drain(jobs)
    after = _explain(owner, lead.id)
    assert after.score == before + 15 + 4
    assert {line.rule: line.points for line in after.lines}["replied"] == 15


def test_rules_update_validates_permissions_and_rescores(jobs):
    owner = register_owner()
    manager = add_member(owner, "manager")
    lead = make_lead(owner, email="x@example.com")
    drain(jobs)
    base = _explain(owner, lead.id).score
    with pytest.raises(PermissionDenied), unit_of_work() as session:
        scoring.update_rules(session=session, ctx=manager.ctx, custom={"has_email": {"points": 40}})
    with pytest.raises(InvalidInput) as err, unit_of_work() as session:
        scoring.update_rules(session=session, ctx=owner.ctx, custom={"has_email": {"points": 400}})
    assert "has_email.points" in err.value.errors
    with unit_of_work() as session:
        preview = scoring.preview(
            session=session, ctx=owner.ctx, lead_id=lead.id, custom={"has_email": {"points": 40}}
        )
    assert preview.score == base + 25 and _explain(owner, lead.id).score == base  # a preview saves nothing
    jobs.clear()
    with unit_of_work() as session:
        saved = scoring.update_rules(session=session, ctx=owner.ctx, custom={"has_email": {"points": 40}})
    assert saved.version == 1 and saved.rules["has_email"]["points"] == 40
    assert jobs == [(scoring.RESCORE_JOB, {"workspace_id": owner.workspace_id})]
    assert scoring.rescore_workspace(owner.workspace_id) >= 1
    assert _explain(owner, lead.id).score == base + 25


def test_bulk_rescore_matches_the_per_lead_rules(jobs, channel):
    """The set-based SQL path (PostgreSQL) and the Python rules give the same points, lead by lead."""
    owner = register_owner()
    samples = [
        {},
        {"email": "a@example.com", "phone": "+5511912345678", "verified": True},
        {"followers": 99, "headline": "Diretor comercial", "company": "Acme", "bio": "hi"},
        {"followers": 1000, "headline": "intern", "website": "https://x.io", "location": "Recife"},
        {"followers": 250000, "headline": "CEO", "avatar_url": "https://x.io/a.png", "full_name": "Zed"},
    ]
    created = [make_lead(owner, **fields) for fields in samples]
    drain(jobs)
    clock.advance(timedelta(days=30).total_seconds())  # recency decays
    with unit_of_work() as session:
        scoring.update_rules(session=session, ctx=owner.ctx, custom={"followers": {"bands": [[500, 12]]}})
    scoring.rescore_workspace(owner.workspace_id)
    with unit_of_work() as session:
        rule_set, _ = scoring.workspace_rules(session, owner.workspace_id)
        for lead in created:
            row = session.get(Lead, lead.id)
            stored = session.get(LeadScore, lead.id)
            assert row is not None and stored is not None
            expected_score, expected_points = scoring.compute(session, row, rule_set)
            assert rules.points_dict(stored.points) == expected_points, lead.id
            assert stored.score == expected_score
            assert leads.get_lead(session=session, ctx=owner.ctx, lead_id=lead.id).score == expected_score


def test_band_filter_and_tenancy(jobs):
    owner, other = register_owner(), register_owner(workspace="Other")
    hot = make_lead(owner, email="h@example.com", phone="+5511912345678", followers=50000, headline="CEO",
                    full_name="Hot Lead", bio="b", company="c", verified=True)  # fmt: skip
    make_lead(owner)
    drain(jobs)
    low, high = rules.band_range(_explain(owner, hot.id).band)
    with unit_of_work() as session:
        page = leads.list_leads(
            session=session, ctx=owner.ctx, filters=LeadFilter(score_min=low, score_max=high)
        )
    assert [lead.id for lead in page.data] == [hot.id]
    with pytest.raises(NotFound), unit_of_work() as session:
        scoring.explanation(session=session, ctx=other.ctx, lead_id=hot.id)
    with unit_of_work() as session:
        assert session.exec(select(LeadScore).where(LeadScore.workspace_id == other.workspace_id)).all() == []
