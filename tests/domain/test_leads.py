"""Leads services on the real database: CRUD, uniqueness, roles, tenancy, tags, bulk, merge, export."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from snapleads_app.domain.audit import service as audit
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead, LeadFilter, LeadUpdate
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import TagIn
from tests.factories import add_member, make_lead, register_owner


def _tag(member, name, color="#112233"):
    with unit_of_work() as session:
        return tags.create_tag(session=session, ctx=member.ctx, data=TagIn(name=name, color=color))


def _list(member, **filters):
    with unit_of_work() as session:
        return leads.list_leads(
            session=session, ctx=member.ctx, filters=LeadFilter(**filters), limit=100, include_total=True
        )


def test_create_normalises_and_places_the_lead_in_its_status_stage():
    owner = register_owner()
    lead = make_lead(
        owner,
        username=None,
        profile_url="https://www.instagram.com/Ana.Silva/?igshid=x",
        email=" ANA@Example.com ",
        phone="(11) 98765-4321",
        followers=1234,
    )
    assert (lead.username, lead.profile_url) == ("ana.silva", "https://www.instagram.com/ana.silva/")
    assert (lead.email, lead.phone, lead.status) == ("ana@example.com", "+5511987654321", "new")
    assert lead.stage_id is not None and lead.pipeline_id is not None


def test_same_profile_twice_is_a_conflict_enforced_by_the_database_too():
    owner = register_owner()
    first = make_lead(owner, username="ana")
    with pytest.raises(Conflict) as err:
        make_lead(owner, username=None, profile_url="instagram.com/ANA/")
    assert err.value.errors == {"id": str(first.id)}
    make_lead(owner, platform="linkedin", username="ana")  # another platform is another profile
    other_workspace = register_owner()
    make_lead(other_workspace, username="ana")  # another workspace too
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), unit_of_work() as session:  # bypassing the service: the index refuses
        session.add(Lead(workspace_id=owner.workspace_id, platform="instagram", profile_key="ana"))
        session.flush()


def test_invalid_fields_are_reported_per_field_and_nothing_is_written():
    owner = register_owner()
    with pytest.raises(InvalidInput) as err:
        make_lead(owner, email="nope", phone="12", profile_url="https://facebook.com/x")
    assert set(err.value.errors) == {"email", "phone", "profile_url"}
    assert _list(owner).total == 0


def test_partial_update_changes_only_given_fields_and_records_activity():
    owner = register_owner()
    lead = make_lead(owner, company="Acme", headline="CEO")
    with unit_of_work() as session:
        updated = leads.update_lead(
            session=session,
            ctx=owner.ctx,
            lead_id=lead.id,
            data=LeadUpdate(company="Globex", headline=None, status="qualified"),
        )
        activity = leads.list_activities(session=session, ctx=owner.ctx, lead_id=lead.id)
    assert (updated.company, updated.headline, updated.full_name, updated.status) == (
        "Globex",
        None,
        lead.full_name,
        "qualified",
    )
    assert updated.stage_id != lead.stage_id
    assert [a.type for a in activity][:3] == ["status.changed", "lead.updated", "lead.created"]
    assert activity[1].data["changes"]["company"] == ["Acme", "Globex"]


def test_soft_delete_hides_and_restore_brings_back():
    owner = register_owner()
    lead = make_lead(owner)
    with unit_of_work() as session:
        leads.delete_lead(session=session, ctx=owner.ctx, lead_id=lead.id)
    with pytest.raises(NotFound), unit_of_work() as session:
        leads.get_lead(session=session, ctx=owner.ctx, lead_id=lead.id)
    assert _list(owner).total == 0
    with unit_of_work() as session:
        leads.restore_lead(session=session, ctx=owner.ctx, lead_id=lead.id)
    assert _list(owner).total == 1


# --------------------------------------------------------------------------- roles

ROLES = ["owner", "admin", "manager", "agent", "viewer"]
#            action: (owner, admin, manager, agent on an assigned lead, agent on another lead, viewer)
MATRIX = {
    "see": (True, True, True, True, False, True),
    "edit": (True, True, True, True, False, False),
    "delete": (True, True, True, False, False, False),
    "assign": (True, True, True, False, False, False),
    "tag": (True, True, True, True, False, False),
    "move": (True, True, True, True, False, False),
}


def _attempt(action, member, lead_id, tag_id, stage_id, assignee_id):
    with unit_of_work() as session:
        kw = {"session": session, "ctx": member.ctx, "lead_id": lead_id}
        if action == "see":
            leads.get_lead(**kw)
        elif action == "edit":
            leads.update_lead(**kw, data=LeadUpdate(company="X"))
        elif action == "delete":
            leads.delete_lead(**kw)
        elif action == "assign":
            leads.assign_lead(**kw, assignee_id=assignee_id)
        elif action == "tag":
            leads.add_tags(**kw, tag_ids=[tag_id])
        elif action == "move":
            leads.move_lead(**kw, data=leads.MoveIn(stage_id=stage_id))


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("who", ["owner", "admin", "manager", "agent-assigned", "agent-other", "viewer"])
def test_role_matrix(action, who):
    owner = register_owner()
    agent = add_member(owner, "agent")
    actor = {"owner": owner, "agent-assigned": agent, "agent-other": agent}.get(who) or add_member(owner, who)
    lead = make_lead(owner, assignee_id=agent.user_id if who != "agent-other" else None)
    tag = _tag(owner, "hot")
    target_stage = _stage_for(owner, "contacted")
    allowed = MATRIX[action][
        ["owner", "admin", "manager", "agent-assigned", "agent-other", "viewer"].index(who)
    ]
    if allowed:
        _attempt(action, actor, lead.id, tag.id, target_stage, agent.user_id)
    else:
        # Agents get 404 for leads not theirs where their role could act, 403 where the role never can.
        expected = NotFound if who == "agent-other" and MATRIX[action][3] else PermissionDenied
        with pytest.raises(expected):
            _attempt(action, actor, lead.id, tag.id, target_stage, agent.user_id)


def _stage_for(member, status):
    from snapleads_app.domain.pipelines import service as pipelines

    with unit_of_work() as session:
        stage_id = pipelines.stage_for_status(
            session=session, workspace_id=member.workspace_id, status=status
        ).id
    assert stage_id is not None
    return stage_id


def test_viewers_cannot_create_and_agents_create_for_themselves():
    owner = register_owner()
    viewer = add_member(owner, "viewer")
    agent = add_member(owner, "agent")
    with pytest.raises(PermissionDenied):
        make_lead(viewer)
    mine = make_lead(agent)
    assert mine.assignee_id == agent.user_id
    with pytest.raises(PermissionDenied):
        make_lead(agent, assignee_id=owner.user_id)


def test_agents_list_only_their_leads():
    owner = register_owner()
    agent = add_member(owner, "agent")
    mine = make_lead(owner, assignee_id=agent.user_id)
    make_lead(owner)
    assert [lead.id for lead in _list(agent).data] == [mine.id]
    assert _list(owner).total == 2


def test_another_workspace_is_invisible_everywhere():
    acme = register_owner()
    globex = register_owner()
    theirs = make_lead(globex, email="x@globex.com")
    globex_tag = _tag(globex, "vip")
    mine = make_lead(acme, email="x@globex.com")
    for action in MATRIX:
        with pytest.raises(NotFound):
            _attempt(action, acme, theirs.id, globex_tag.id, _stage_for(acme, "contacted"), acme.user_id)
    with pytest.raises(NotFound), unit_of_work() as session:
        leads.add_tags(session=session, ctx=acme.ctx, lead_id=mine.id, tag_ids=[globex_tag.id])
    with pytest.raises(NotFound), unit_of_work() as session:
        leads.move_lead(
            session=session,
            ctx=acme.ctx,
            lead_id=mine.id,
            data=leads.MoveIn(stage_id=_stage_for(globex, "contacted")),
        )
    with pytest.raises(NotFound), unit_of_work() as session:
        leads.assign_lead(session=session, ctx=acme.ctx, lead_id=mine.id, assignee_id=globex.user_id)
    with pytest.raises(NotFound), unit_of_work() as session:
        leads.merge_leads(session=session, ctx=acme.ctx, primary_id=mine.id, secondary_id=theirs.id)
    with unit_of_work() as session:
        assert leads.possible_duplicates(session=session, ctx=acme.ctx, lead_id=mine.id) == []
        result = leads.bulk(
            session=session, ctx=acme.ctx, data=leads.BulkIn(action="delete", lead_ids=[theirs.id])
        )
    assert result.affected == 0
    assert _list(globex).total == 1


# --------------------------------------------------------------------------- filters and pages


def test_filters_search_sort_and_cursor_pages():
    owner = register_owner()
    agent = add_member(owner, "agent")
    hot = _tag(owner, "hot")
    cold = _tag(owner, "cold")
    a = make_lead(owner, full_name="Ana Prado", company="Padaria Pão", tag_ids=[hot.id, cold.id])
    b = make_lead(
        owner,
        platform="linkedin",
        full_name="Bruno",
        status="contacted",
        tag_ids=[hot.id],
        assignee_id=agent.user_id,
    )
    c = make_lead(owner, full_name="Carla_100%", email="carla@example.com")
    assert {x.id for x in _list(owner, platform=["instagram"]).data} == {a.id, c.id}
    assert [x.id for x in _list(owner, status=["contacted"]).data] == [b.id]
    assert {x.id for x in _list(owner, tag_ids=[hot.id]).data} == {a.id, b.id}
    assert [x.id for x in _list(owner, tag_ids=[hot.id, cold.id], tags_mode="all").data] == [a.id]
    assert [x.id for x in _list(owner, search="PÃO").data] == [a.id]
    assert [x.id for x in _list(owner, search="carla@").data] == [c.id]
    assert [x.id for x in _list(owner, search="_100%").data] == [c.id]  # LIKE wildcards are literal
    assert [x.id for x in _list(owner, search="%").data] == [c.id]  # not "everything"
    assert [x.id for x in _list(owner, assignee_id=agent.user_id).data] == [b.id]
    assert {x.id for x in _list(owner, unassigned=True).data} == {a.id, c.id}
    seen, cursor = [], None
    with unit_of_work() as session:
        while True:
            page = leads.list_leads(
                session=session, ctx=owner.ctx, filters=LeadFilter(), sort="name", limit=1, cursor=cursor
            )
            seen += [x.full_name for x in page.data]
            cursor = page.next_cursor
            if cursor is None:
                break
        with pytest.raises(InvalidInput):
            leads.list_leads(
                session=session, ctx=owner.ctx, filters=LeadFilter(), sort="-score", cursor="garbage"
            )
    assert seen == ["Ana Prado", "Bruno", "Carla_100%"]


def _walk(member, sort, **filters):
    """Every id of a filtered listing, one lead per page (cursor to cursor)."""
    seen, cursor = [], None
    with unit_of_work() as session:
        while True:
            page = leads.list_leads(
                session=session,
                ctx=member.ctx,
                filters=LeadFilter(**filters),
                sort=sort,
                limit=1,
                cursor=cursor,
            )
            seen += [x.id for x in page.data]
            cursor = page.next_cursor
            if cursor is None:
                return seen


def test_tag_filter_pages_walk_the_links_written_by_every_path_in_creation_order():
    owner = register_owner()
    other = register_owner()
    hot, cold = _tag(owner, "hot"), _tag(owner, "cold")
    foreign = _tag(other, "hot")
    made = [make_lead(owner, full_name=f"Lead {i}", tag_ids=[hot.id] if i < 2 else []) for i in range(7)]
    make_lead(other, full_name="Elsewhere", tag_ids=[foreign.id])
    with unit_of_work() as session:  # one link per writer: create, add_tags, bulk tag, merge
        leads.add_tags(session=session, ctx=owner.ctx, lead_id=made[2].id, tag_ids=[hot.id, cold.id])
        leads.bulk(
            session=session,
            ctx=owner.ctx,
            data=leads.BulkIn(action="tag", lead_ids=[made[3].id, made[4].id], tag_ids=[hot.id]),
        )
        leads.update_lead(
            session=session, ctx=owner.ctx, lead_id=made[4].id, data=LeadUpdate(status="qualified")
        )
        leads.add_tags(session=session, ctx=owner.ctx, lead_id=made[6].id, tag_ids=[hot.id])
        leads.merge_leads(session=session, ctx=owner.ctx, primary_id=made[5].id, secondary_id=made[6].id)
        leads.delete_lead(session=session, ctx=owner.ctx, lead_id=made[1].id)
        rows = session.exec(select(Lead).where(Lead.workspace_id == owner.workspace_id)).all()
    created = {lead.id: lead.created_at for lead in rows}
    tagged = [made[i].id for i in (0, 2, 3, 4, 5)]  # 1 deleted, 6 merged away
    newest_first = sorted(tagged, key=lambda i: (created[i], i), reverse=True)
    assert _walk(owner, "-created", tag_ids=[hot.id]) == newest_first
    assert _walk(owner, "created", tag_ids=[hot.id]) == newest_first[::-1]
    assert _walk(owner, "-created", tag_ids=[hot.id], status=["qualified"]) == [made[4].id]
    assert _walk(owner, "-created", tag_ids=[hot.id, cold.id], tags_mode="all") == [made[2].id]
    assert _walk(owner, "-created", tag_ids=[cold.id, hot.id], tags_mode="all") == [made[2].id]
    assert _walk(owner, "-created", tag_ids=[foreign.id]) == []  # another workspace's tag: nothing
    assert _list(owner, tag_ids=[hot.id]).total == 5


def test_tag_counts_follow_every_change():
    owner = register_owner()
    hot = _tag(owner, "hot")
    a = make_lead(owner, tag_ids=[hot.id])
    b = make_lead(owner)

    def count():
        with unit_of_work() as session:
            return next(
                t.lead_count for t in tags.list_tags(session=session, ctx=owner.ctx) if t.id == hot.id
            )

    assert count() == 1
    with unit_of_work() as session:
        leads.add_tags(session=session, ctx=owner.ctx, lead_id=b.id, tag_ids=[hot.id])
        leads.add_tags(session=session, ctx=owner.ctx, lead_id=b.id, tag_ids=[hot.id])  # idempotent
    assert count() == 2
    with unit_of_work() as session:
        leads.delete_lead(session=session, ctx=owner.ctx, lead_id=a.id)
    assert count() == 1
    with unit_of_work() as session:
        leads.restore_lead(session=session, ctx=owner.ctx, lead_id=a.id)
        leads.bulk(
            session=session,
            ctx=owner.ctx,
            data=leads.BulkIn(action="untag", filters=LeadFilter(), tag_ids=[hot.id]),
        )
    assert count() == 0


def test_tags_are_unique_per_workspace_case_insensitively():
    owner = register_owner()
    _tag(owner, "Hot")
    with pytest.raises(Conflict):
        _tag(owner, "hot")
    _tag(register_owner(), "hot")


# --------------------------------------------------------------------------- bulk


def test_bulk_over_filter_and_selection():
    owner = register_owner()
    agent = add_member(owner, "agent")
    hot = _tag(owner, "hot")
    ig = [make_lead(owner) for _ in range(3)]
    li = make_lead(owner, platform="linkedin")
    with unit_of_work() as session:
        tagged = leads.bulk(
            session=session,
            ctx=owner.ctx,
            data=leads.BulkIn(action="tag", filters=LeadFilter(platform=["instagram"]), tag_ids=[hot.id]),
        )
        assigned = leads.bulk(
            session=session,
            ctx=owner.ctx,
            data=leads.BulkIn(action="assign", lead_ids=[ig[0].id, li.id], assignee_id=agent.user_id),
        )
        status = leads.bulk(
            session=session,
            ctx=owner.ctx,
            data=leads.BulkIn(action="status", lead_ids=[li.id], status="qualified"),
        )
    assert (tagged.affected, assigned.affected, status.affected) == (3, 2, 1)
    assert {x.id for x in _list(owner, tag_ids=[hot.id]).data} == {x.id for x in ig}
    qualified = _list(owner, status=["qualified"]).data
    assert [x.id for x in qualified] == [li.id] and qualified[0].stage_id == _stage_for(owner, "qualified")
    with unit_of_work() as session:
        with pytest.raises(PermissionDenied):
            leads.bulk(
                session=session, ctx=agent.ctx, data=leads.BulkIn(action="delete", filters=LeadFilter())
            )
        # an agent's bulk tag touches only the agent's leads
        mine = leads.bulk(
            session=session,
            ctx=agent.ctx,
            data=leads.BulkIn(action="untag", filters=LeadFilter(), tag_ids=[hot.id]),
        )
    assert mine.affected == 2


def test_bulk_input_needs_exactly_one_target():
    with pytest.raises(ValueError):
        leads.BulkIn(action="delete")
    with pytest.raises(ValueError):
        leads.BulkIn(action="delete", lead_ids=[1], filters=LeadFilter())
    with pytest.raises(ValueError):
        leads.BulkIn(action="tag", lead_ids=[1])


# --------------------------------------------------------------------------- merge and duplicates


def test_merge_keeps_fields_tags_notes_and_activities_and_is_audited():
    owner = register_owner()
    hot, cold = _tag(owner, "hot"), _tag(owner, "cold")
    primary = make_lead(
        owner, full_name="Ana", email="ana@example.com", notes="met at event", tag_ids=[hot.id]
    )
    secondary = make_lead(
        owner,
        platform="linkedin",
        username="ana-l",
        email="ana@example.com",
        phone="11987654321",
        company="Acme",
        notes="prefers e-mail",
        tag_ids=[hot.id, cold.id],
    )
    with unit_of_work() as session:
        dups = leads.possible_duplicates(session=session, ctx=owner.ctx, lead_id=primary.id)
        merged = leads.merge_leads(
            session=session, ctx=owner.ctx, primary_id=primary.id, secondary_id=secondary.id
        )
        activity_types = [
            a.type for a in leads.list_activities(session=session, ctx=owner.ctx, lead_id=primary.id)
        ]
        entry = audit.list_entries(session=session, ctx=owner.ctx)[0]
        gone = session.get(Lead, secondary.id)
    assert [d.id for d in dups] == [secondary.id]
    assert (merged.full_name, merged.company, merged.phone) == ("Ana", "Acme", "+5511987654321")
    assert merged.notes == "met at event\n\nprefers e-mail"
    assert sorted(merged.tag_ids) == sorted([hot.id, cold.id])
    assert activity_types.count("lead.created") == 2 and "lead.merged" in activity_types
    assert entry.action == "lead.merged" and entry.data["secondary_id"] == secondary.id
    assert gone is not None and gone.deleted_at is not None
    with unit_of_work() as session:
        counts = {t.name: t.lead_count for t in tags.list_tags(session=session, ctx=owner.ctx)}
    assert counts == {"cold": 1, "hot": 1}


def test_a_merge_is_undone_from_its_audit_entry_once_keeping_later_edits():
    owner, other = register_owner(), register_owner()
    hot, cold = _tag(owner, "hot"), _tag(owner, "cold")
    primary = make_lead(
        owner, full_name="Ana", email="ana@example.com", notes="met at event", tag_ids=[hot.id]
    )
    secondary = make_lead(
        owner,
        platform="linkedin",
        username="ana-l",
        company="Acme",
        phone="11987654321",
        notes="prefers e-mail",
        tag_ids=[hot.id, cold.id],
        custom_fields={"origem": "feira"},
    )
    with unit_of_work() as session:
        leads.merge_leads(session=session, ctx=owner.ctx, primary_id=primary.id, secondary_id=secondary.id)
        leads.update_lead(
            session=session, ctx=owner.ctx, lead_id=primary.id, data=LeadUpdate(company="Acme SA")
        )
        merges = leads.list_merges(session=session, ctx=owner.ctx, lead_id=primary.id)
    assert [(m.secondary_id, m.undone) for m in merges] == [(secondary.id, False)]
    with pytest.raises(NotFound), unit_of_work() as session:  # another workspace: 404
        leads.undo_merge(session=session, ctx=other.ctx, audit_id=merges[0].audit_id)
    with unit_of_work() as session:
        back = leads.undo_merge(session=session, ctx=owner.ctx, audit_id=merges[0].audit_id)
        again = leads.get_lead(session=session, ctx=owner.ctx, lead_id=primary.id)
        moved_back = [
            a.type for a in leads.list_activities(session=session, ctx=owner.ctx, lead_id=secondary.id)
        ]
        counts = {t.name: t.lead_count for t in tags.list_tags(session=session, ctx=owner.ctx)}
        undone = leads.list_merges(session=session, ctx=owner.ctx, lead_id=primary.id)
    assert (
        back.id == secondary.id
        and back.company == "Acme"
        and sorted(back.tag_ids) == sorted([hot.id, cold.id])
    )
    assert "_merged_into" not in back.custom_fields and back.custom_fields == {"origem": "feira"}
    assert again.company == "Acme SA"  # edited after the merge: kept
    assert (again.phone, again.notes, again.custom_fields) == (
        None,
        "met at event",
        {},
    )  # the merge's, undone
    assert again.tag_ids == [hot.id]
    assert "lead.created" in moved_back and "lead.restored" in moved_back
    assert counts == {"cold": 1, "hot": 2}
    assert [m.undone for m in undone] == [True]
    with pytest.raises(Conflict), unit_of_work() as session:
        leads.undo_merge(session=session, ctx=owner.ctx, audit_id=merges[0].audit_id)


def test_merge_needs_two_leads_and_delete_rights():
    owner = register_owner()
    manager = add_member(owner, "agent")
    a, b = make_lead(owner, assignee_id=manager.user_id), make_lead(owner, assignee_id=manager.user_id)
    with pytest.raises(InvalidInput), unit_of_work() as session:
        leads.merge_leads(session=session, ctx=owner.ctx, primary_id=a.id, secondary_id=a.id)
    with pytest.raises(PermissionDenied), unit_of_work() as session:
        leads.merge_leads(session=session, ctx=manager.ctx, primary_id=a.id, secondary_id=b.id)


# --------------------------------------------------------------------------- export


def test_export_is_excel_friendly_and_formula_safe():
    owner = register_owner()
    hot = _tag(owner, '=HYPERLINK("x")')
    make_lead(
        owner,
        full_name="=cmd|'/C calc'!A0",
        company="+SUM(1,2)",
        headline="@evil",
        tag_ids=[hot.id],
        notes="-2",
    )
    make_lead(owner, full_name="João Ção", company="-10")
    with unit_of_work() as session:
        text = "".join(leads.export_csv(session=session, ctx=owner.ctx, filters=LeadFilter(), batch=1))
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2
    by_name = {r["full_name"]: r for r in rows}
    evil = by_name["'=cmd|'/C calc'!A0"]
    assert (
        evil["company"] == "'+SUM(1,2)"
        and evil["headline"] == "'@evil"
        and evil["tags"] == '\'=HYPERLINK("x")'
    )
    assert by_name["João Ção"]["company"] == "'-10"


def test_export_needs_the_export_right():
    owner = register_owner()
    agent = add_member(owner, "agent")
    with pytest.raises(PermissionDenied), unit_of_work() as session:
        "".join(leads.export_csv(session=session, ctx=agent.ctx, filters=LeadFilter()))


def test_every_change_leaves_an_activity_with_actor_and_entry_point():
    owner = register_owner()
    lead = make_lead(owner)
    with unit_of_work() as session:
        from snapleads_app.domain.timeline.models import Activity

        rows = session.exec(select(Activity).where(Activity.lead_id == lead.id)).all()
    assert [(a.type, a.actor_user_id, a.via) for a in rows] == [("lead.created", owner.user_id, "api")]


def test_leads_without_a_profile_are_unique_by_email_then_phone():
    owner = register_owner()
    by_email = make_lead(owner, username=None, full_name="No Profile", email="np@example.com")
    with pytest.raises(Conflict):
        make_lead(owner, username=None, full_name="Again", email="NP@example.com")
    make_lead(owner, username=None, full_name="Phone only", phone="11987654321")
    with pytest.raises(Conflict):
        make_lead(owner, username=None, phone="+55 11 98765-4321")
    # giving the lead a profile later makes the profile its identity; the e-mail is free again
    with unit_of_work() as session:
        leads.update_lead(session=session, ctx=owner.ctx, lead_id=by_email.id, data=LeadUpdate(username="np"))
    make_lead(owner, username=None, email="np@example.com")


def test_bulk_delete_returns_ids_and_restore_undoes_it():
    owner = register_owner()
    agent = add_member(owner, "agent")
    made = [make_lead(owner) for _ in range(3)]
    with unit_of_work() as session:
        deleted = leads.bulk(
            session=session, ctx=owner.ctx, data=leads.BulkIn(action="delete", filters=LeadFilter())
        )
    assert sorted(deleted.ids) == sorted(m.id for m in made) and _list(owner).total == 0
    make_lead(owner, username=made[0].username)  # captured again while deleted: that one stays deleted
    with unit_of_work() as session:
        with pytest.raises(PermissionDenied):
            leads.bulk(
                session=session, ctx=agent.ctx, data=leads.BulkIn(action="restore", lead_ids=deleted.ids)
            )
        restored = leads.bulk(
            session=session, ctx=owner.ctx, data=leads.BulkIn(action="restore", lead_ids=deleted.ids)
        )
    assert sorted(restored.ids) == sorted(m.id for m in made[1:])
    assert _list(owner).total == 3
