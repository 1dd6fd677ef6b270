"""The score lives only in lead_score: every lead gets its row when it is created (service, import,
restore, undone merge), and every reader (listing, sort, filter, cursor, Kanban, export, automations,
webhooks) takes it from there — a lead whose row is missing reads as 0."""

from __future__ import annotations

import csv
import io

from sqlalchemy import text, update
from sqlmodel import col

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.automations import service as automations
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import BatchImportIn
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead, LeadFilter
from snapleads_app.domain.scoring.models import LeadScore
from tests.factories import make_lead, register_owner


def _missing_rows(workspace_id: int) -> list[int]:
    """Leads of the workspace (trash included) without a lead_score row."""
    with unit_of_work() as session:
        rows = session.execute(
            text(
                "SELECT l.id FROM lead l WHERE l.workspace_id = :ws AND NOT EXISTS "
                "(SELECT 1 FROM lead_score s WHERE s.lead_id = l.id) ORDER BY l.id"
            ),
            {"ws": workspace_id},
        )
        return [r[0] for r in rows]


def _score_rows(workspace_id: int) -> dict[int, tuple[int, int]]:
    with unit_of_work() as session:
        rows = session.execute(
            text("SELECT lead_id, workspace_id, score FROM lead_score WHERE workspace_id = :ws"),
            {"ws": workspace_id},
        )
        return {r[0]: (r[1], r[2]) for r in rows}


def _set_scores(scores: dict[int, int]) -> None:
    with unit_of_work() as session:
        for lead_id, score in scores.items():
            session.execute(update(LeadScore).where(col(LeadScore.lead_id) == lead_id).values(score=score))


def test_created_and_imported_leads_have_their_score_row_before_any_scoring(jobs):
    """`jobs` records the reactions without running them: the rows come from the creating paths."""
    owner = register_owner()
    created = make_lead(owner, email="ana@example.com")
    with unit_of_work() as session:
        job = imports.create_batch_job(
            session=session,
            ctx=owner.ctx,
            data=BatchImportIn.model_validate(
                {"leads": [{"platform": "instagram", "username": f"imported{n}"} for n in range(7)]}
            ),
        )
    runner.run(job.id, chunk_rows=3)  # three batches of the import writer
    rows = _score_rows(owner.workspace_id)
    assert len(rows) == 8 and created.id in rows
    assert set(rows.values()) == {(owner.workspace_id, 0)}
    assert _missing_rows(owner.workspace_id) == []
    with unit_of_work() as session:  # not scored yet: an empty explanation, score 0
        stored = session.get(LeadScore, created.id)
        assert stored is not None and stored.points == [] and stored.rules_version == 0


def test_restore_and_undone_merge_find_a_score_row(jobs):
    owner = register_owner()
    kept = make_lead(owner, email="kept@example.com")
    trashed = make_lead(owner, email="trashed@example.com")
    merged = make_lead(owner, platform="linkedin", email="kept@example.com")
    with unit_of_work() as session:
        leads.delete_lead(session=session, ctx=owner.ctx, lead_id=trashed.id)
        leads.merge_leads(session=session, ctx=owner.ctx, primary_id=kept.id, secondary_id=merged.id)
    # Rows written before this change could be missing: both paths put one back.
    with unit_of_work() as session:
        session.execute(
            text("DELETE FROM lead_score WHERE lead_id IN (:a, :b)"), {"a": trashed.id, "b": merged.id}
        )
    with unit_of_work() as session:
        assert leads.restore_lead(session=session, ctx=owner.ctx, lead_id=trashed.id).score == 0
        audit_id = leads.list_merges(session=session, ctx=owner.ctx, lead_id=kept.id)[0].audit_id
        leads.undo_merge(session=session, ctx=owner.ctx, audit_id=audit_id)
    assert _missing_rows(owner.workspace_id) == []


def test_listing_sort_filter_cursor_and_readers_take_the_score_from_lead_score(jobs):
    owner, other = register_owner(), register_owner(workspace="Other")
    a, b, c, d = (make_lead(owner, full_name=name) for name in ("A", "B", "C", "D"))
    foreign = make_lead(other, full_name="Foreign")
    _set_scores({a.id: 90, b.id: 55, c.id: 90, d.id: 10, foreign.id: 95})
    with unit_of_work() as session:  # a lead whose row is missing reads as 0
        session.execute(text("DELETE FROM lead_score WHERE lead_id = :id"), {"id": d.id})

    def walk(sort: str, **filters) -> list[tuple[int, int]]:
        seen, cursor = [], None
        with unit_of_work() as session:
            while True:
                page = leads.list_leads(
                    session=session,
                    ctx=owner.ctx,
                    filters=LeadFilter(**filters),
                    sort=sort,
                    limit=1,
                    cursor=cursor,
                )
                seen += [(x.id, x.score) for x in page.data]
                if (cursor := page.next_cursor) is None:
                    return seen

    assert walk("-score") == [(c.id, 90), (a.id, 90), (b.id, 55)]  # ties by id, one page per lead
    assert walk("score") == [(b.id, 55), (a.id, 90), (c.id, 90)]
    assert walk("-created", score_min=80) == [(c.id, 90), (a.id, 90)]
    assert walk("-created", score_min=50, score_max=79) == [(b.id, 55)]
    assert walk("-created", score_max=49) == [(d.id, 0)]  # the cold band counts a missing row as 0
    assert walk("-created", score_min=0, score_max=100) == [(d.id, 0), (c.id, 90), (b.id, 55), (a.id, 90)]
    assert walk("-created", score_min=1) == [(c.id, 90), (b.id, 55), (a.id, 90)]
    with unit_of_work() as session:
        assert leads.count_leads(session=session, ctx=owner.ctx, filters=LeadFilter(score_min=80)) == 2
        assert leads.get_lead(session=session, ctx=owner.ctx, lead_id=a.id).score == 90
        cards, _total = leads.kanban_column(session=session, ctx=owner.ctx, stage_id=a.stage_id or 0)
        assert {x.id: x.score for x in cards} == {a.id: 90, b.id: 55, c.id: 90, d.id: 0}
        moved = leads.move_lead(  # the move's response carries the score (RETURNING it, no second read)
            session=session,
            ctx=owner.ctx,
            lead_id=b.id,
            data=leads.MoveIn(stage_id=a.stage_id or 0, before_id=a.id),
        )
        assert moved.score == 55
        exported = "".join(leads.export_csv(session=session, ctx=owner.ctx, filters=LeadFilter()))
        lead = session.get(Lead, b.id)
        assert lead is not None
        snapshot = automations._snapshot(session, lead, with_replied=False)
    table = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert {int(r["id"]): int(r["score"]) for r in table} == {a.id: 90, b.id: 55, c.id: 90, d.id: 0}
    assert (snapshot["score"], snapshot["score_band"]) == (55, "warm")
