"""Pipelines, stages and Kanban moves (gap ordering, no column renumbering, concurrent moves)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import select

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Conflict, NotFound, PermissionDenied
from snapleads_app.domain.leads import repo
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.pipelines.models import STATUSES, PipelineIn, StageIn, StageOrderIn, StageUpdate
from tests.conftest import BACKEND
from tests.factories import add_member, make_lead, register_owner


def _pipelines(member):
    with unit_of_work() as session:
        return pipelines.list_pipelines(session=session, ctx=member.ctx)


def _column(member, stage_id):
    with unit_of_work() as session:
        cards, total = leads.kanban_column(session=session, ctx=member.ctx, stage_id=stage_id, limit=100)
    return [c.id for c in cards], total


def _move(member, lead_id, stage_id, after_id=None, before_id=None):
    with unit_of_work() as session:
        return leads.move_lead(
            session=session,
            ctx=member.ctx,
            lead_id=lead_id,
            data=leads.MoveIn(stage_id=stage_id, after_id=after_id, before_id=before_id),
        )


def test_default_pipeline_has_the_status_stages_once():
    owner = register_owner()
    first, second = _pipelines(owner), _pipelines(owner)
    assert len(first) == len(second) == 1
    default = first[0]
    assert default.is_default and [s.status for s in default.stages] == list(STATUSES)


def test_moves_use_gaps_and_never_renumber_the_column():
    owner = register_owner()
    new_stage = _pipelines(owner)[0].stages[0].id
    a, b, c = (make_lead(owner) for _ in range(3))
    assert _column(owner, new_stage) == ([a.id, b.id, c.id], 3)
    with unit_of_work() as session:
        before = {lead.id: lead.position for lead in session.exec(select(Lead))}
    moved = _move(owner, c.id, new_stage, after_id=a.id, before_id=b.id)  # c between a and b
    assert _column(owner, new_stage)[0] == [a.id, c.id, b.id]
    assert before[a.id] < moved.position < before[b.id]
    with unit_of_work() as session:
        after = {lead.id: lead.position for lead in session.exec(select(Lead))}
    assert after[a.id] == before[a.id] and after[b.id] == before[b.id]  # neighbours untouched
    _move(owner, a.id, new_stage, before_id=c.id)  # to the top... of itself, then b to the top
    _move(owner, b.id, new_stage, before_id=a.id)
    assert _column(owner, new_stage)[0] == [b.id, a.id, c.id]


def test_moving_to_a_default_stage_sets_the_status_and_records_it():
    owner = register_owner()
    stages = {s.status: s.id for s in _pipelines(owner)[0].stages}
    lead = make_lead(owner)
    moved = _move(owner, lead.id, stages["qualified"])
    assert (moved.status, moved.stage_id) == ("qualified", stages["qualified"])
    with unit_of_work() as session:
        types = [a.type for a in leads.list_activities(session=session, ctx=owner.ctx, lead_id=lead.id)]
    assert types[:2] == ["status.changed", "stage.changed"]
    assert _column(owner, stages["qualified"]) == ([lead.id], 1)
    assert _column(owner, stages["new"]) == ([], 0)


def test_exhausted_gaps_respace_the_column_once():
    owner = register_owner()
    stage = _pipelines(owner)[0].stages[0].id
    a, b, c = (make_lead(owner) for _ in range(3))
    with unit_of_work() as session:  # squeeze a and b together
        for lead_id, position in ((a.id, 1.0), (b.id, 1.0 + 1e-9)):
            row = session.get(Lead, lead_id)
            assert row is not None
            row.position = position
    _move(owner, c.id, stage, after_id=a.id, before_id=b.id)
    order, _ = _column(owner, stage)
    assert order == [a.id, c.id, b.id]
    with unit_of_work() as session:
        positions = sorted(session.exec(select(Lead.position)).all())
    assert all(later - earlier >= 1 for earlier, later in zip(positions, positions[1:], strict=False))


def test_stale_neighbours_are_a_conflict():
    owner = register_owner()
    stage = _pipelines(owner)[0].stages[1].id
    a = make_lead(owner)
    ghost = make_lead(owner)
    with pytest.raises(Conflict):
        _move(owner, a.id, stage, after_id=ghost.id)  # ghost is in another column


@pytest.mark.skipif(BACKEND != "postgres", reason="row locks need PostgreSQL; SQLite serialises writers")
def test_concurrent_moves_of_the_same_card_leave_one_consistent_position():
    owner = register_owner()
    stages = _pipelines(owner)[0].stages
    card = make_lead(owner)
    others = [make_lead(owner) for _ in range(2)]
    errors: list[Exception] = []

    def move(stage_id: int) -> None:
        try:
            for _ in range(5):
                _move(owner, card.id, stage_id)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=move, args=(stages[i].id,)) for i in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with unit_of_work() as session:
        row = session.get(Lead, card.id)
        assert row is not None
        columns = {s.id: _column(owner, s.id)[0] for s in stages}
    holding = [sid for sid, ids in columns.items() if card.id in ids]
    assert holding == [row.stage_id]  # exactly one column, the one the row says
    assert row.status == next(s.status for s in stages if s.id == row.stage_id)
    assert sum(len(ids) for ids in columns.values()) == 1 + len(others)


def test_custom_pipelines_stages_and_their_rules():
    owner = register_owner()
    agent = add_member(owner, "agent")
    with unit_of_work() as session:
        created = pipelines.create_pipeline(
            session=session,
            ctx=owner.ctx,
            data=PipelineIn(
                name="Partners", stages=[StageIn(name="Lead"), StageIn(name="Call"), StageIn(name="Deal")]
            ),
        )
        with pytest.raises(PermissionDenied):
            pipelines.create_pipeline(
                session=session, ctx=agent.ctx, data=PipelineIn(name="X", stages=[StageIn(name="A")])
            )
    lead, call, deal = (s.id for s in created.stages)
    card = make_lead(owner)
    moved = _move(owner, card.id, call)
    assert (moved.pipeline_id, moved.stage_id, moved.status) == (created.id, call, "new")  # status unchanged
    with unit_of_work() as session:
        reordered = pipelines.reorder_stages(
            session=session,
            ctx=owner.ctx,
            pipeline_id=created.id,
            data=StageOrderIn(stage_ids=[deal, lead, call]),
        )
        assert [s.name for s in reordered.stages] == ["Deal", "Lead", "Call"]
        with pytest.raises(Conflict):
            pipelines.reorder_stages(
                session=session,
                ctx=owner.ctx,
                pipeline_id=created.id,
                data=StageOrderIn(stage_ids=[deal, lead]),
            )
        renamed = pipelines.update_stage(
            session=session, ctx=owner.ctx, stage_id=call, data=StageUpdate(name="Discovery call")
        )
        assert renamed.name == "Discovery call"
        with pytest.raises(Conflict):
            pipelines.delete_stage(session=session, ctx=owner.ctx, stage_id=call)  # not empty
        pipelines.delete_stage(session=session, ctx=owner.ctx, stage_id=deal)
        default = pipelines.list_pipelines(session=session, ctx=owner.ctx)[0]
        with pytest.raises(Conflict):
            pipelines.delete_pipeline(session=session, ctx=owner.ctx, pipeline_id=default.id)
        with pytest.raises(Conflict):
            pipelines.add_stage(
                session=session, ctx=owner.ctx, pipeline_id=default.id, data=StageIn(name="X")
            )
        pipelines.delete_pipeline(session=session, ctx=owner.ctx, pipeline_id=created.id)
    with unit_of_work() as session:
        back = leads.get_lead(session=session, ctx=owner.ctx, lead_id=card.id)
    new_stage = next(s.id for s in default.stages if s.status == "new")
    assert (back.pipeline_id, back.stage_id) == (default.id, new_stage)


def test_stages_of_another_workspace_are_not_found():
    acme, globex = register_owner(), register_owner()
    theirs = _pipelines(globex)[0]
    with unit_of_work() as session:
        with pytest.raises(NotFound):
            pipelines.get_pipeline(session=session, ctx=acme.ctx, pipeline_id=theirs.id)
        with pytest.raises(NotFound):
            pipelines.update_stage(
                session=session, ctx=acme.ctx, stage_id=theirs.stages[0].id, data=StageUpdate(name="x")
            )
        with pytest.raises(NotFound):
            leads.kanban_column(session=session, ctx=acme.ctx, stage_id=theirs.stages[0].id)


def test_column_pages_lazily_by_position():
    owner = register_owner()
    stage = _pipelines(owner)[0].stages[0].id
    ids = [make_lead(owner).id for _ in range(5)]
    with unit_of_work() as session:
        first, total = leads.kanban_column(session=session, ctx=owner.ctx, stage_id=stage, limit=2)
        rest, _ = leads.kanban_column(
            session=session, ctx=owner.ctx, stage_id=stage, limit=10, after_position=first[-1].position
        )
    assert total == 5 and [c.id for c in first + rest] == ids
    assert repo.POSITION_GAP == 1024.0


@pytest.mark.skipif(
    BACKEND != "postgres", reason="two transactions at once: PostgreSQL (SQLite serialises writers)"
)
def test_two_first_uses_of_the_default_pipeline_at_once_share_one():
    """Two import batches of a new workspace create its default pipeline at the same moment: the second
    waits on the unique index, then uses the first one's instead of failing (seen in bench/load_bench.py)."""
    from snapleads_app.domain.accounts.models import Workspace

    with unit_of_work() as session:
        workspace = Workspace(name="Fresh")
        session.add(workspace)
        session.flush()
        assert workspace.id is not None
        workspace_id: int = workspace.id
    first_flushed = threading.Event()
    found: dict[str, int | None] = {}

    def first() -> None:
        with unit_of_work() as session:
            found["first"] = pipelines.ensure_default_pipeline(session=session, workspace_id=workspace_id).id
            first_flushed.set()
            time.sleep(0.5)  # the second one is waiting on the unique index meanwhile

    def second() -> None:
        first_flushed.wait(5)
        with unit_of_work() as session:
            found["second"] = pipelines.ensure_default_pipeline(session=session, workspace_id=workspace_id).id

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert found["first"] is not None and found["first"] == found["second"]
    with unit_of_work() as session:
        assert (
            len(pipelines.stage_for_status(session=session, workspace_id=workspace_id, status="new").name) > 0
        )
