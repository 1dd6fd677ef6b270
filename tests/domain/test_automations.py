# ruff: noqa: F811 - the fixtures are imported from automation_support and used as arguments
"""Automations end to end through the services and the worker's entry points (jobs run in-process)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import InvalidInput, NotFound, PermissionDenied
from snapleads_app.domain import reactions
from snapleads_app.domain.automations import service as automations
from snapleads_app.domain.automations.models import AutomationIn, AutomationRun, RunFilter
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import BatchImportIn
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadFilter, LeadUpdate
from tests.domain.automation_support import channel, delayed, drain, make_automation, make_tag  # noqa: F401
from tests.factories import add_member, make_lead, register_owner

pytestmark = pytest.mark.usefixtures("channel")


def _lead(member, lead_id):
    with unit_of_work() as session:
        return leads.get_lead(session=session, ctx=member.ctx, lead_id=lead_id)


def _runs(member, **filters):
    with unit_of_work() as session:
        return automations.list_runs(session=session, ctx=member.ctx, filters=RunFilter(**filters))


def _instagram_tag_assign(owner, tag_id, user_id, **extra):
    return make_automation(
        owner,
        name="New Instagram lead",
        trigger="lead_created",
        trigger_filter={"platform": ["instagram"]},
        actions=[
            {"type": "add_tag", "tag_id": tag_id},
            {"type": "assign", "mode": "fixed", "user_id": user_id},
        ],
        **extra,
    )


def test_new_instagram_lead_is_tagged_and_assigned(jobs):
    owner = register_owner()
    agent = add_member(owner, "agent")
    tag_id = make_tag(owner, "Instagram")
    automation = _instagram_tag_assign(owner, tag_id, agent.user_id)
    insta = make_lead(owner, platform="instagram")
    linked = make_lead(owner, platform="linkedin")
    assert drain(jobs) >= 2
    got = _lead(owner, insta.id)
    assert got.tag_ids == [tag_id] and got.assignee_id == agent.user_id
    assert _lead(owner, linked.id).tag_ids == []  # the trigger filter left it alone
    runs = _runs(owner)
    assert [(r.lead_id, r.status, r.step) for r in runs] == [(insta.id, "success", 2)]
    assert [s["type"] for s in runs[0].steps] == ["add_tag", "assign"]
    assert runs[0].automation_name == "New Instagram lead" and runs[0].duration_ms is not None
    with unit_of_work() as session:
        stats = automations.get_automation(session=session, ctx=owner.ctx, automation_id=automation.id).stats
        activity_types = [
            a.type for a in leads.list_activities(session=session, ctx=owner.ctx, lead_id=insta.id)
        ]
    assert (stats.total, stats.success) == (1, 1)
    assert "automation.triggered" in activity_types and "tag.added" in activity_types


def test_conditions_not_met_log_a_skipped_run(jobs):
    owner = register_owner()
    tag_id = make_tag(owner, "Big")
    make_automation(
        owner,
        name="Big accounts",
        trigger="lead_created",
        conditions={"op": "and", "items": [{"field": "followers", "operator": "gte", "value": 10000}]},
        actions=[{"type": "add_tag", "tag_id": tag_id}],
    )
    small = make_lead(owner, followers=50)
    big = make_lead(owner, followers=20000)
    drain(jobs)
    assert {(r.lead_id, r.status) for r in _runs(owner)} == {(small.id, "skipped"), (big.id, "success")}
    assert _lead(owner, small.id).tag_ids == [] and _lead(owner, big.id).tag_ids == [tag_id]


def test_redelivered_trigger_never_doubles_an_action(jobs):
    owner = register_owner()
    a, b = add_member(owner, "agent"), add_member(owner, "manager")
    make_automation(
        owner,
        name="Round robin",
        trigger="lead_created",
        actions=[{"type": "assign", "mode": "round_robin", "user_ids": [a.user_id, b.user_id]}],
    )
    first = make_lead(owner)
    job = next(kw for name, kw in jobs if name == reactions.JOB)
    jobs.clear()
    for _ in range(3):  # the same message delivered three times
        reactions.process(**job)
    second = make_lead(owner)
    drain(jobs)
    with unit_of_work() as session:
        runs = session.exec(select(AutomationRun).where(AutomationRun.lead_id == first.id)).all()
    assert len(runs) == 1
    # the cursor advanced once per lead: the two leads went to the two members in turn
    assert (_lead(owner, first.id).assignee_id, _lead(owner, second.id).assignee_id) == (a.user_id, b.user_id)


def test_loop_guard_stops_automations_retriggering_themselves(jobs):
    owner = register_owner()
    hot, vip = make_tag(owner, "Hot"), make_tag(owner, "VIP")
    # A: any update adds a tag (which is itself an update); B: that tag added → status contacted (update).
    a = make_automation(owner, name="A", trigger="lead_updated", actions=[{"type": "add_tag", "tag_id": hot}])
    b = make_automation(
        owner, name="B", trigger="tag_added", trigger_filter={"tag_id": hot},
        actions=[{"type": "set_status", "status": "contacted"}, {"type": "add_tag", "tag_id": vip}],
    )  # fmt: skip
    lead = make_lead(owner)
    with unit_of_work() as session:
        leads.update_lead(session=session, ctx=owner.ctx, lead_id=lead.id, data=LeadUpdate(company="Acme"))
    ran = drain(jobs)
    assert ran < 10
    runs = _runs(owner)
    assert sorted((r.automation_id, r.status) for r in runs) == [(a.id, "success"), (b.id, "success")]
    got = _lead(owner, lead.id)
    assert set(got.tag_ids) == {hot, vip} and got.status == "contacted"


def test_status_changed_and_tag_added_triggers_with_filters(jobs):
    owner = register_owner()
    note = make_tag(owner, "Qualified!")
    trigger_tag, other_tag = make_tag(owner, "Trigger"), make_tag(owner, "Other")
    make_automation(
        owner, name="On qualified", trigger="status_changed", trigger_filter={"to_status": ["qualified"]},
        actions=[{"type": "add_tag", "tag_id": note}],
    )  # fmt: skip
    on_tag = make_automation(
        owner, name="On tag", trigger="tag_added", trigger_filter={"tag_id": trigger_tag},
        actions=[{"type": "set_status", "status": "contacted"}],
    )  # fmt: skip
    lead = make_lead(owner)
    drain(jobs)
    with unit_of_work() as session:
        leads.set_status(session=session, ctx=owner.ctx, lead_id=lead.id, status="responded")
    drain(jobs)
    assert note not in _lead(owner, lead.id).tag_ids  # filtered: not "qualified"
    with unit_of_work() as session:
        leads.set_status(session=session, ctx=owner.ctx, lead_id=lead.id, status="qualified")
    drain(jobs)
    assert note in _lead(owner, lead.id).tag_ids
    with unit_of_work() as session:
        leads.add_tags(session=session, ctx=owner.ctx, lead_id=lead.id, tag_ids=[other_tag])
    drain(jobs)
    assert _runs(owner, automation_id=on_tag.id) == []
    with unit_of_work() as session:
        leads.add_tags(session=session, ctx=owner.ctx, lead_id=lead.id, tag_ids=[trigger_tag])
    drain(jobs)
    assert [r.status for r in _runs(owner, automation_id=on_tag.id)] == ["success"]
    assert _lead(owner, lead.id).status == "contacted"


def test_wait_then_continue_with_the_version_it_started_with(jobs, delayed):
    owner = register_owner()
    first, second, edited = make_tag(owner, "First"), make_tag(owner, "Second"), make_tag(owner, "Edited")
    automation = make_automation(
        owner, name="Drip", trigger="lead_created",
        actions=[{"type": "add_tag", "tag_id": first}, {"type": "wait", "amount": 2, "unit": "hours"},
                 {"type": "add_tag", "tag_id": second}],
    )  # fmt: skip
    lead = make_lead(owner)
    drain(jobs)
    [run] = _runs(owner)
    assert (run.status, run.step) == ("waiting", 2) and run.resume_at is not None
    assert delayed == [(automations.RESUME_JOB, {"run_id": run.id, "step": 2}, 7_200_000)]
    with unit_of_work() as session:  # edit while the run waits
        automations.update_automation(
            session=session, ctx=owner.ctx, automation_id=automation.id,
            data=AutomationIn(name="Drip v2", trigger="lead_created", actions=[{"type": "add_tag", "tag_id": edited}]),
        )  # fmt: skip
    automations.resume(run_id=run.id, step=2)
    automations.resume(run_id=run.id, step=2)  # redelivered: nothing more
    [done] = _runs(owner)
    assert (done.status, done.version) == ("success", 1)
    assert set(_lead(owner, lead.id).tag_ids) == {first, second}


def test_disabled_automation_starts_nothing_and_cancels_waiting_runs(jobs, delayed):
    owner = register_owner()
    tag_id = make_tag(owner, "T")
    automation = make_automation(
        owner, name="Later", trigger="lead_created",
        actions=[{"type": "wait", "amount": 1, "unit": "minutes"}, {"type": "add_tag", "tag_id": tag_id}],
    )  # fmt: skip
    lead = make_lead(owner)
    drain(jobs)
    with unit_of_work() as session:
        automations.set_enabled(session=session, ctx=owner.ctx, automation_id=automation.id, enabled=False)
    make_lead(owner)
    drain(jobs)
    [run] = _runs(owner)
    automations.resume(run_id=run.id, step=1)
    [run] = _runs(owner)
    assert (run.status, run.error) == ("cancelled", "automation disabled")
    assert _lead(owner, lead.id).tag_ids == []


def test_stop_if_replied_and_send_template_through_the_channel(jobs, delayed, channel):
    owner = register_owner()
    make_automation(
        owner, name="Follow up", trigger="lead_created",
        actions=[{"type": "send_template", "template_id": 3}, {"type": "wait", "amount": 1, "unit": "days"},
                 {"type": "stop_if_replied"}, {"type": "send_template", "template_id": 4}],
    )  # fmt: skip
    quiet, chatty = make_lead(owner), make_lead(owner)
    drain(jobs)
    runs = {r.lead_id: r for r in _runs(owner)}
    automations.resume(run_id=runs[quiet.id].id, step=2)
    channel.replied = True
    automations.resume(run_id=runs[chatty.id].id, step=2)
    runs = {r.lead_id: r for r in _runs(owner)}
    assert runs[quiet.id].status == "success"
    assert (runs[chatty.id].status, runs[chatty.id].error) == ("cancelled", "the lead replied")
    assert sorted(channel.sent) == sorted([(quiet.id, 3, None), (chatty.id, 3, None), (quiet.id, 4, None)])


def test_send_template_without_an_inbox_fails_the_run_clearly(jobs):
    from snapleads_app.domain.automations import ports

    ports.use_messaging(ports.NoInbox())  # the default until the inbox lands
    owner = register_owner()
    tag_id = make_tag(owner, "Before")
    make_automation(
        owner, name="Send", trigger="lead_created",
        actions=[{"type": "add_tag", "tag_id": tag_id}, {"type": "send_template", "template_id": 1}],
    )  # fmt: skip
    lead = make_lead(owner)
    drain(jobs)
    [run] = _runs(owner)
    assert run.status == "failed" and run.error is not None and run.error.startswith("no_channel")
    assert [s["outcome"] for s in run.steps] == ["done", "failed"]
    assert _lead(owner, lead.id).tag_ids == [tag_id]  # the action before the failure stays done


def test_message_received_trigger(jobs, channel):
    owner = register_owner()
    tag_id = make_tag(owner, "Replied")
    make_automation(
        owner, name="Inbound", trigger="message_received", trigger_filter={"channel": ["instagram"]},
        conditions={"op": "and", "items": [{"field": "replied", "operator": "equals", "value": True}]},
        actions=[{"type": "add_tag", "tag_id": tag_id}, {"type": "set_status", "status": "responded"}],
    )  # fmt: skip
    lead = make_lead(owner)
    drain(jobs)
    channel.replied = True
    for _ in range(2):  # the inbox retried its call: one run
        with unit_of_work() as session:
            automations.on_message_received(
                session=session, workspace_id=owner.workspace_id, lead_id=lead.id, conversation_id=1,
                message_id=42, channel="instagram",
            )  # fmt: skip
    drain(jobs)
    assert [r.status for r in _runs(owner)] == ["success"]
    got = _lead(owner, lead.id)
    assert got.tag_ids == [tag_id] and got.status == "responded"


def test_import_batches_trigger_lead_created_and_import_completed(jobs):
    owner = register_owner()
    created_tag, done_tag = make_tag(owner, "Imported"), make_tag(owner, "Import done")
    make_automation(owner, name="On create", trigger="lead_created", trigger_filter={"source": ["extension"]},
                    actions=[{"type": "add_tag", "tag_id": created_tag}])  # fmt: skip
    make_automation(owner, name="On import", trigger="import_completed",
                    actions=[{"type": "add_tag", "tag_id": done_tag}])  # fmt: skip
    rows = [{"platform": "instagram", "username": f"imp{i}"} for i in range(5)]
    with unit_of_work() as session:
        job = imports.create_batch_job(
            session=session,
            ctx=owner.ctx,
            data=BatchImportIn.model_validate({"leads": rows, "source": "extension"}),
        )
    runner.run(job.id, chunk_rows=2)
    batches = [kw for name, kw in jobs if name == reactions.JOB]
    assert [len(kw["lead_ids"]) for kw in batches] == [2, 2, 1, 0]  # one job per batch, then completion
    drain(jobs)
    runs = _runs(owner)
    assert len(runs) == 10 and {r.status for r in runs} == {"success"}


def test_validation_tenancy_and_roles(jobs):
    owner, other = register_owner(), register_owner(workspace="Other")
    foreign_tag = make_tag(other, "Theirs")
    with pytest.raises(InvalidInput) as err, unit_of_work() as session:
        automations.create_automation(
            session=session, ctx=owner.ctx,
            data=AutomationIn(
                name="Bad", trigger="lead_created", trigger_filter={"platform": ["myspace"]},
                conditions={"op": "and", "items": [{"field": "score", "operator": "gt", "value": "x"}]},
                actions=[{"type": "add_tag", "tag_id": foreign_tag}, {"type": "wait", "amount": 0, "unit": "days"}],
            ),
        )  # fmt: skip
    assert set(err.value.errors) == {
        "trigger_filter.platform", "conditions.items.0.value", "actions.0.tag_id", "actions.1.amount",
    }  # fmt: skip
    with unit_of_work() as session:
        assert automations.list_automations(session=session, ctx=owner.ctx) == []
    theirs = make_automation(
        other, name="Theirs", trigger="lead_created", actions=[{"type": "add_tag", "tag_id": foreign_tag}]
    )
    with pytest.raises(NotFound), unit_of_work() as session:
        automations.get_automation(session=session, ctx=owner.ctx, automation_id=theirs.id)
    with pytest.raises(NotFound), unit_of_work() as session:
        automations.delete_automation(session=session, ctx=owner.ctx, automation_id=theirs.id)
    make_lead(other)
    make_lead(owner)
    drain(jobs)
    assert _runs(owner) == [] and len(_runs(other)) == 1
    agent = add_member(owner, "agent")
    with pytest.raises(PermissionDenied), unit_of_work() as session:
        automations.create_automation(
            session=session, ctx=agent.ctx,
            data=AutomationIn(name="x", trigger="lead_created", actions=[{"type": "set_status", "status": "lost"}]),
        )  # fmt: skip
    with unit_of_work() as session:
        automations.delete_automation(session=session, ctx=other.ctx, automation_id=theirs.id)
        assert automations.list_automations(session=session, ctx=other.ctx) == []
    assert _runs(other) == []


# ---------------------------------------------------------------- bulk lead actions


def _bulk(member, **data):
    with unit_of_work() as session:
        return leads.bulk(session=session, ctx=member.ctx, data=leads.BulkIn(**data))


def _bulk_jobs(jobs):
    return [kw for name, kw in jobs if name == reactions.JOB and kw["event"].get("bulk")]


def test_bulk_tag_over_the_filter_triggers_tag_added_in_one_job_per_batch(jobs, monkeypatch):
    monkeypatch.setattr(reactions, "BULK_BATCH", 2)
    owner = register_owner()
    hot, follow = make_tag(owner, "Hot"), make_tag(owner, "Follow-up")
    made = [make_lead(owner, platform="instagram") for _ in range(5)] + [
        make_lead(owner, platform="linkedin")
    ]
    _bulk(owner, action="tag", lead_ids=[made[0].id], tag_ids=[hot])  # already tagged: no new tag_added
    drain(jobs)
    make_automation(
        owner, name="Hot instagram", trigger="tag_added", trigger_filter={"tag_id": hot, "platform": ["instagram"]},
        actions=[{"type": "add_tag", "tag_id": follow}],
    )  # fmt: skip
    jobs.clear()
    result = _bulk(owner, action="tag", filters=LeadFilter(), tag_ids=[hot])
    assert result.affected == 6
    batch = _bulk_jobs(jobs)
    # 5 leads newly tagged (the first one had the tag) in batches of 2: 3 jobs, not 5
    assert [len(kw["lead_ids"]) for kw in batch] == [2, 2, 1]
    assert sorted(i for kw in batch for i in kw["lead_ids"]) == sorted(lead.id for lead in made[1:])
    assert all(kw["triggers"] == ["lead_updated", "tag_added"] and kw["event"]["tags_added"] == [hot]
               for kw in batch)  # fmt: skip
    drain(jobs)
    runs = _runs(owner)
    assert sorted(r.lead_id for r in runs) == sorted(lead.id for lead in made[1:5])  # not linkedin
    assert {r.status for r in runs} == {"success"}
    assert all(follow in _lead(owner, lead.id).tag_ids for lead in made[1:5])
    assert follow not in _lead(owner, made[0].id).tag_ids and follow not in _lead(owner, made[5].id).tag_ids


def test_bulk_status_assign_untag_trigger_their_automations_and_delete_none(jobs):
    owner = register_owner()
    agent = add_member(owner, "agent")
    hot, marker = make_tag(owner, "Hot"), make_tag(owner, "Qualified!")
    made = [make_lead(owner) for _ in range(3)]
    _bulk(owner, action="status", lead_ids=[made[0].id], status="qualified")
    drain(jobs)
    make_automation(
        owner, name="Qualified", trigger="status_changed", trigger_filter={"to_status": ["qualified"]},
        actions=[{"type": "add_tag", "tag_id": marker}],
    )  # fmt: skip
    updated = make_automation(
        owner, name="Any update", trigger="lead_updated",
        conditions={"op": "and", "items": [{"field": "assignee_id", "operator": "equals", "value": agent.user_id}]},
        actions=[{"type": "add_tag", "tag_id": hot}],
    )  # fmt: skip
    jobs.clear()
    _bulk(owner, action="status", lead_ids=[m.id for m in made], status="qualified")
    [job] = _bulk_jobs(jobs)
    assert sorted(job["lead_ids"]) == sorted([made[1].id, made[2].id])  # made[0] was qualified already
    assert job["triggers"] == ["lead_updated", "status_changed"]
    drain(jobs)
    qualified = _runs(owner, status=["success"])
    assert sorted(r.lead_id for r in qualified) == sorted([made[1].id, made[2].id])
    assert marker in _lead(owner, made[1].id).tag_ids and marker not in _lead(owner, made[0].id).tag_ids
    # "Any update" ran too, but its condition (assigned to the agent) was not met: skipped
    assert {r.status for r in _runs(owner, automation_id=updated.id)} == {"skipped"}

    jobs.clear()
    _bulk(owner, action="assign", lead_ids=[made[0].id, made[1].id], assignee_id=agent.user_id)
    [job] = _bulk_jobs(jobs)
    assert job["triggers"] == ["lead_updated"] and job["event"]["fields"] == ["assignee_id"]
    drain(jobs)
    assert hot in _lead(owner, made[0].id).tag_ids and hot not in _lead(owner, made[2].id).tag_ids

    jobs.clear()
    _bulk(owner, action="untag", lead_ids=[m.id for m in made], tag_ids=[marker])
    [job] = _bulk_jobs(jobs)
    assert sorted(job["lead_ids"]) == sorted([made[1].id, made[2].id])  # only the leads that had it
    jobs.clear()
    _bulk(owner, action="delete", lead_ids=[m.id for m in made])
    assert _bulk_jobs(jobs) == []


def test_bulk_actions_of_an_automation_do_not_loop(jobs):
    """A bulk change carries the acting chain like single changes do (the loop guard holds)."""
    owner = register_owner()
    hot = make_tag(owner, "Hot")
    made = [make_lead(owner) for _ in range(2)]
    drain(jobs)
    make_automation(
        owner, name="Re-tag", trigger="lead_updated", actions=[{"type": "remove_tag", "tag_id": hot}]
    )
    jobs.clear()
    _bulk(owner, action="tag", lead_ids=[m.id for m in made], tag_ids=[hot])
    drain(jobs)
    assert all(_lead(owner, m.id).tag_ids == [] for m in made)
    assert len(_runs(owner)) == 2  # the automation's own remove_tag did not start it again
