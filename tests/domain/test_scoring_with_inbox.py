"""Scoring reads the real inbox: the bulk SQL path counts replies and messages like the per-lead rules."""

from __future__ import annotations

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.automations import ports
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.scoring import rules as scoring_rules
from snapleads_app.domain.scoring import service as scoring
from snapleads_app.domain.scoring.models import LeadScore
from tests.conftest import BACKEND
from tests.domain.automation_support import drain
from tests.factories import make_lead, register_owner


@pytest.fixture(autouse=True)
def real_inbox():
    ports.use_messaging(None)  # the default: the inbox feature, not a stub
    yield
    ports.use_messaging(None)


def test_the_inbox_is_the_messaging_port() -> None:
    assert isinstance(ports.messaging(), ports.InboxMessaging)
    assert ports.messaging().engagement_sql() is not None


@pytest.mark.skipif(BACKEND != "postgres", reason="the set-based rescore is PostgreSQL's path")
def test_bulk_rescore_counts_replies_like_the_per_lead_rules(jobs) -> None:
    owner = register_owner()
    silent, replied, chatty = (make_lead(owner, email=f"l{n}@example.com") for n in range(3))
    with unit_of_work() as session:
        inbox.receive_inbound(session=session, ctx=owner.ctx, data=InboundIn(lead_id=replied.id, body="oi"))
        for n in range(6):
            inbox.receive_inbound(
                session=session, ctx=owner.ctx, data=InboundIn(lead_id=chatty.id, body=f"msg {n}")
            )
        inbox.receive_inbound(
            session=session,
            ctx=owner.ctx,
            data=InboundIn(lead_id=silent.id, body="we wrote first", direction="outbound"),
        )
    drain(jobs)
    assert scoring.rescore_workspace(owner.workspace_id) >= 3
    with unit_of_work() as session:
        rule_set, _ = scoring.workspace_rules(session, owner.workspace_id)
        points = {}
        for lead in (silent, replied, chatty):
            row, stored = session.get(Lead, lead.id), session.get(LeadScore, lead.id)
            assert row is not None and stored is not None
            expected_score, expected_points = scoring.compute(session, row, rule_set)
            assert scoring_rules.points_dict(stored.points) == expected_points, lead.id
            assert stored.score == expected_score
            points[lead.id] = expected_points
    assert points[silent.id]["replied"] == 0 and points[replied.id]["replied"] > 0
    assert points[chatty.id]["message_count"] > points[replied.id]["message_count"] > 0
