"""The REST listing's JSON (`list_leads_json`, built by PostgreSQL) says exactly what `list_leads` says:
the same leads, fields, tags, scores, order and cursors, for every filter, sort and role."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import col

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.leads import repo
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadFilter, LeadPage, LeadUpdate
from snapleads_app.domain.scoring.models import LeadScore
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import TagIn
from tests.factories import Member, add_member, make_lead, register_owner


@pytest.fixture
def crm():
    """Two workspaces; the first with 23 leads over platforms, statuses, names (some missing or
    accented), tags, scores, assignees, custom fields and a deleted lead."""
    owner = register_owner()
    agent = add_member(owner, "agent")
    with unit_of_work() as session:
        hot, cold = (
            tags.create_tag(session=session, ctx=owner.ctx, data=TagIn(name=name, color="#112233")).id
            for name in ("hot", "cold")
        )
    platforms = ("instagram", "linkedin", "facebook")
    statuses = ("new", "contacted", "qualified")
    names = ("Ana Silva", "Álvaro Souza", None, "bruno <b>Lima</b>", "Zé Silva", "ana silva")
    made = []
    for i in range(23):
        lead = make_lead(
            owner,
            platform=platforms[i % 3],
            username=f"user{i}",
            full_name=names[i % len(names)],
            email=f"u{i}@example.com" if i % 4 else None,
            company="Silva & Filhos" if i % 5 == 0 else None,
            custom_fields={"plan": "pro", "seats": i} if i % 6 == 0 else {},
        )
        made.append(lead.id)
        with unit_of_work() as session:
            if statuses[i % 3] != "new":
                leads.update_lead(
                    session=session, ctx=owner.ctx, lead_id=lead.id, data=LeadUpdate(status=statuses[i % 3])
                )
            wanted = [t for t, on in ((hot, i % 2 == 0), (cold, i % 3 == 0)) if on]
            if wanted:
                leads.add_tags(session=session, ctx=owner.ctx, lead_id=lead.id, tag_ids=wanted)
            if i % 4 == 1:
                leads.assign_lead(session=session, ctx=owner.ctx, lead_id=lead.id, assignee_id=agent.user_id)
            session.execute(
                update(LeadScore).where(col(LeadScore.lead_id) == lead.id).values(score=(i * 37) % 101)
            )
    with unit_of_work() as session:
        leads.delete_lead(session=session, ctx=owner.ctx, lead_id=made[5])
    other = register_owner()
    make_lead(other, username="user1", full_name="Ana Silva")
    return owner, agent, hot, cold


def _pages(
    member: Member, filters: LeadFilter, sort: str, limit: int
) -> tuple[list[LeadPage], list[LeadPage]]:
    """Every page both ways, each following its own cursor."""
    by_models: list[LeadPage] = []
    by_json: list[LeadPage] = []
    model_cursor = json_cursor = None
    for _ in range(30):
        with unit_of_work() as session:
            a = leads.list_leads(
                session=session, ctx=member.ctx, filters=filters, sort=sort, limit=limit, cursor=model_cursor
            )
            b = LeadPage.model_validate_json(
                leads.list_leads_json(
                    session=session,
                    ctx=member.ctx,
                    filters=filters,
                    sort=sort,
                    limit=limit,
                    cursor=json_cursor,
                )
            )
        by_models.append(a)
        by_json.append(b)
        model_cursor, json_cursor = a.next_cursor, b.next_cursor
        if model_cursor is None or json_cursor is None:
            break
    return by_models, by_json


CASES = [
    ({}, "-created"),
    ({}, "created"),
    ({}, "name"),
    ({}, "-name"),
    ({}, "-score"),
    ({}, "score"),
    ({}, "-updated"),
    ({"platform": ["linkedin"], "status": ["qualified", "contacted"]}, "-created"),
    ({"search": "silva"}, "name"),
    ({"search": "SILVA & filhos"}, "-created"),
    ({"search": "100%_"}, "-created"),
    ({"tags": "hot"}, "-created"),  # one tag: the walked join
    ({"tags": "both", "tags_mode": "any"}, "-created"),
    ({"tags": "both", "tags_mode": "all"}, "-created"),
    ({"tags": "both", "tags_mode": "all"}, "-score"),
    ({"score_min": 40}, "-created"),
    ({"score_min": 20, "score_max": 70}, "name"),
    ({"score_max": 50}, "-score"),
    ({"unassigned": True}, "-created"),
    ({"assignee": True}, "created"),
]


def test_json_pages_equal_model_pages(crm):
    """Every case, page size and role (one seeding for all: the tables are emptied after each test)."""
    owner, agent, hot, cold = crm
    for spec, sort in CASES:
        spec = dict(spec)
        if "tags" in spec:
            spec["tag_ids"] = {"hot": [hot], "both": [hot, cold]}[spec.pop("tags")]
        if spec.pop("assignee", False):
            spec["assignee_id"] = agent.user_id
        filters = LeadFilter(**spec)
        for limit in (1, 4, 100):
            for member in (owner, agent):
                case = (spec, sort, limit, member.role)
                by_models, by_json = _pages(member, filters, sort, limit)
                assert [p.model_dump() for p in by_json] == [p.model_dump() for p in by_models], case
                assert by_models[-1].next_cursor is None, case
                seen = [lead.id for page in by_models for lead in page.data]
                assert len(seen) == len(set(seen)), case


def test_every_lead_once_and_the_agent_sees_only_their_own(crm):
    owner, agent, _, _ = crm
    for member, expected in ((owner, 22), (agent, 5)):  # lead 5, deleted, was the agent's
        _, by_json = _pages(member, LeadFilter(), "name", 5)
        ids = [lead.id for page in by_json for lead in page.data]
        assert len(ids) == len(set(ids)) == expected
        if member is agent:
            assert {lead.assignee_id for page in by_json for lead in page.data} == {agent.user_id}


def test_total_and_the_page_envelope(crm):
    owner, _, _, _ = crm
    with unit_of_work() as session:
        raw = leads.list_leads_json(
            session=session, ctx=owner.ctx, filters=LeadFilter(search="silva"), limit=2, include_total=True
        )
        page = leads.list_leads(
            session=session, ctx=owner.ctx, filters=LeadFilter(search="silva"), limit=2, include_total=True
        )
    parsed = LeadPage.model_validate_json(raw)
    assert parsed.total == page.total and parsed.total is not None and parsed.total > 2
    assert (parsed.limit, parsed.page) == (2, None) and parsed.next_cursor


def test_one_compiled_statement_per_shape(crm):
    """Other values of the same filters reuse the statement; another filter is another statement."""
    owner, *_ = crm
    with unit_of_work() as session:
        if not repo.builds_json(session):
            pytest.skip("the JSON page is PostgreSQL's")
    repo._JSON_PAGES.clear()

    def listing(**spec):
        with unit_of_work() as session:
            leads.list_leads_json(session=session, ctx=owner.ctx, filters=LeadFilter(**spec), limit=3)

    listing(platform=["linkedin"])
    listing(platform=["instagram", "facebook"])
    assert len(repo._JSON_PAGES) == 1
    listing(platform=["linkedin"], search="ana")
    assert len(repo._JSON_PAGES) == 2


def test_a_bad_cursor_is_refused_the_same_way(crm):
    owner, *_ = crm
    from snapleads_app.core.errors import InvalidInput

    for fn in (leads.list_leads, leads.list_leads_json):
        with pytest.raises(InvalidInput), unit_of_work() as session:
            fn(session=session, ctx=owner.ctx, filters=LeadFilter(), sort="name", cursor="bm90IGEgY3Vyc29y")


def test_kanban_columns_as_json_equal_the_models(crm):
    owner, agent, _, _ = crm
    with unit_of_work() as session:
        stage_ids = {
            lead.stage_id
            for lead in leads.list_leads(session=session, ctx=owner.ctx, filters=LeadFilter(), limit=100).data
            if lead.stage_id is not None
        }
    assert len(stage_ids) == 3
    for member in (owner, agent):
        for stage_id in stage_ids:
            after = None
            for _ in range(20):
                with unit_of_work() as session:
                    cards, total = leads.kanban_column(
                        session=session, ctx=member.ctx, stage_id=stage_id, limit=3, after_position=after
                    )
                    raw, raw_total = leads.kanban_column_json(
                        session=session, ctx=member.ctx, stage_id=stage_id, limit=3, after_position=after
                    )
                assert leads._LEAD_LIST.validate_json(raw) == cards
                assert raw_total == total
                if len(cards) < 3:
                    break
                after = cards[-1].position
