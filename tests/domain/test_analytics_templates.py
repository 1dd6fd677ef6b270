"""Template performance on /analytics: sent, replies within 7 days, reply rate per template; agents see
their own sends, the others the workspace (hand-computed):

- Intro: the agent sends it to lead A, who replies (1/1); the owner sends it to B, no reply (0/1);
- Follow-up: the owner sends it to C, who replies (1/1);
- Unused: never sent.
"""

from __future__ import annotations

from typing import Any

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import PermissionDenied
from snapleads_app.domain.analytics import service as analytics
from snapleads_app.domain.analytics.models import AnalyticsQuery
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from snapleads_app.domain.templates import service as templates
from snapleads_app.domain.templates.models import TemplateIn
from tests.factories import Member, add_member, make_lead, register_owner


def _call(fn: Any, member: Member, **kwargs: Any) -> Any:
    with unit_of_work() as session:
        return fn(session=session, ctx=member.ctx, **kwargs)


def _reply(member: Member, lead_id: int) -> None:
    _call(inbox.receive_inbound, member, data=InboundIn(lead_id=lead_id, body="Oi!"))


@pytest.fixture
def world() -> dict[str, Any]:
    owner = register_owner()
    agent = add_member(owner, "agent")
    intro, follow, unused = (
        _call(templates.create_template, owner, data=TemplateIn(name=name, body="Oi {{first_name|você}}"))
        for name in ("Intro", "Follow-up", "Unused")
    )
    a = make_lead(owner, assignee_id=agent.user_id)
    b, c = make_lead(owner), make_lead(owner)
    _call(inbox.send_template_to_lead, agent, lead_id=a.id, template_id=intro.id)
    _reply(owner, a.id)
    _call(inbox.send_template_to_lead, owner, lead_id=b.id, template_id=intro.id)
    _call(inbox.send_template_to_lead, owner, lead_id=c.id, template_id=follow.id)
    _reply(owner, c.id)
    other = register_owner(workspace="Other")
    _call(templates.create_template, other, data=TemplateIn(name="Theirs", body="Olá"))
    return {"owner": owner, "agent": agent, "ids": (intro.id, follow.id, unused.id)}


def test_workspace_numbers_most_sent_first(world):
    stats = _call(analytics.template_stats, world["owner"])
    rows = [(r.name, r.sent, r.replies, r.reply_rate) for r in stats.rows]
    assert not stats.own_only
    assert rows == [("Intro", 2, 1, 0.5), ("Follow-up", 1, 1, 1.0), ("Unused", 0, 0, None)]
    assert [r.template_id for r in stats.rows] == list(world["ids"])  # never another workspace's


def test_agents_see_their_own_sends(world):
    stats = _call(analytics.template_stats, world["agent"])
    rows = {r.name: (r.sent, r.replies, r.reply_rate) for r in stats.rows}
    assert stats.own_only
    assert rows == {"Intro": (1, 1, 1.0), "Follow-up": (0, 0, None), "Unused": (0, 0, None)}
    assert stats.rows[0].name == "Intro"


def test_csv_of_the_table_and_its_permission(world):
    text = _call(analytics.export_csv, world["owner"], table="templates", query=AnalyticsQuery())
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "template_id,name,sent,replies_7d,reply_rate"
    assert lines[1:] == [
        f"{world['ids'][0]},Intro,2,1,0.5",
        f"{world['ids'][1]},Follow-up,1,1,1.0",
        f"{world['ids'][2]},Unused,0,0,",
    ]
    with pytest.raises(PermissionDenied):
        _call(analytics.export_csv, world["agent"], table="templates", query=AnalyticsQuery())
