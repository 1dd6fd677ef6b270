"""The kept per-stage lead counts equal a real count after every kind of change (Kanban reads them)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import BatchImportIn
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead, LeadFilter, LeadUpdate
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.pipelines.models import PipelineIn, Stage, StageIn
from tests.factories import add_member, make_lead, register_owner


def _assert_counts_true(workspace_id: int) -> None:
    with unit_of_work() as session:
        kept = {
            s.id: s.lead_count for s in session.exec(select(Stage).where(Stage.workspace_id == workspace_id))
        }
        real = dict(
            session.exec(
                select(Lead.stage_id, func.count())
                .where(Lead.workspace_id == workspace_id, Lead.deleted_at == None)  # noqa: E711
                .group_by(col(Lead.stage_id))
            ).all()
        )
    assert kept == {stage_id: real.get(stage_id, 0) for stage_id in kept}


def test_stage_counts_follow_every_change():
    owner = register_owner()
    agent = add_member(owner, "agent")
    a, b, c, d = (make_lead(owner) for _ in range(4))
    _assert_counts_true(owner.workspace_id)
    with unit_of_work() as session:
        stages = {s.status: s.id for s in pipelines.list_pipelines(session=session, ctx=owner.ctx)[0].stages}
        leads.update_lead(session=session, ctx=owner.ctx, lead_id=a.id, data=LeadUpdate(status="qualified"))
        leads.move_lead(
            session=session, ctx=owner.ctx, lead_id=b.id, data=leads.MoveIn(stage_id=stages["closed"])
        )
        leads.move_lead(
            session=session, ctx=owner.ctx, lead_id=b.id, data=leads.MoveIn(stage_id=stages["closed"])
        )
        leads.delete_lead(session=session, ctx=owner.ctx, lead_id=c.id)
    _assert_counts_true(owner.workspace_id)
    with unit_of_work() as session:
        leads.restore_lead(session=session, ctx=owner.ctx, lead_id=c.id)
        leads.merge_leads(session=session, ctx=owner.ctx, primary_id=a.id, secondary_id=d.id)
        leads.bulk(
            session=session,
            ctx=owner.ctx,
            data=leads.BulkIn(action="status", filters=LeadFilter(), status="contacted"),
        )
        leads.assign_lead(session=session, ctx=owner.ctx, lead_id=c.id, assignee_id=agent.user_id)
    _assert_counts_true(owner.workspace_id)
    with unit_of_work() as session:
        deleted = leads.bulk(
            session=session, ctx=owner.ctx, data=leads.BulkIn(action="delete", lead_ids=[a.id, b.id])
        )
    _assert_counts_true(owner.workspace_id)
    with unit_of_work() as session:
        leads.bulk(session=session, ctx=owner.ctx, data=leads.BulkIn(action="restore", lead_ids=deleted.ids))
        job = imports.create_batch_job(
            session=session,
            ctx=owner.ctx,
            data=BatchImportIn.model_validate(
                {
                    "leads": [{"platform": "instagram", "username": f"imp{i}"} for i in range(5)]
                    + [{"platform": "instagram", "username": "imp0"}]
                }
            ),
        )
    runner.run(job.id)
    _assert_counts_true(owner.workspace_id)
    with unit_of_work() as session:
        custom = pipelines.create_pipeline(
            session=session,
            ctx=owner.ctx,
            data=PipelineIn(name="Partners", stages=[StageIn(name="One"), StageIn(name="Two")]),
        )
        leads.move_lead(
            session=session, ctx=owner.ctx, lead_id=c.id, data=leads.MoveIn(stage_id=custom.stages[1].id)
        )
        leads.update_lead(
            session=session, ctx=owner.ctx, lead_id=c.id, data=LeadUpdate(status="lost")
        )  # stays
    _assert_counts_true(owner.workspace_id)
    with unit_of_work() as session:
        pipelines.delete_pipeline(session=session, ctx=owner.ctx, pipeline_id=custom.id)
    _assert_counts_true(owner.workspace_id)
    with unit_of_work() as session:
        column, total = leads.kanban_column(session=session, ctx=owner.ctx, stage_id=stages["new"], limit=2)
        agent_column, agent_total = leads.kanban_column(
            session=session, ctx=agent.ctx, stage_id=stages["lost"]
        )
    assert total == 5 and len(column) == 2  # the counter, not the page
    assert (agent_total, [x.id for x in agent_column]) == (1, [c.id])  # an agent's count is their own leads
