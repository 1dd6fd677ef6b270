"""Batch imports (extension/API) through the same pipeline as CSV: counts, policies, idempotency, tenancy."""

from __future__ import annotations

import pytest
from sqlmodel import select

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Conflict, NotFound, PermissionDenied
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import BatchImportIn, ImportJob
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead, LeadFilter
from snapleads_app.domain.tags import service as tags
from tests.factories import add_member, make_lead, register_owner


def _submit(member, leads_, **options):
    with unit_of_work() as session:
        return imports.create_batch_job(
            session=session, ctx=member.ctx, data=BatchImportIn(leads=leads_, **options)
        )


def _job(member, job_id):
    with unit_of_work() as session:
        return imports.get_job(session=session, ctx=member.ctx, job_id=job_id)


def _leads(member):
    with unit_of_work() as session:
        return leads.list_leads(
            session=session, ctx=member.ctx, filters=LeadFilter(), limit=100, include_total=True
        )


BATCH = [
    {"platform": "instagram", "username": "ana", "full_name": "Ana", "followers": "12,5 mil"},
    {"platform": "instagram", "profile_url": "https://instagram.com/ANA/"},  # same as row 1
    {"platform": "instagram", "username": "bia", "email": "nope"},  # invalid e-mail
    {"platform": "linkedin", "profile_url": "https://br.linkedin.com/in/caio-x"},
    {"email": "dora@example.com", "full_name": "Dora"},  # no platform, no profile: e-mail identity
    {"full_name": "Nobody"},  # nothing to identify it
]


def test_batch_job_is_queued_after_commit_and_counts_everything(jobs):
    owner = register_owner()
    job = _submit(owner, BATCH, tags=["Feira 2026"], source="extension")
    assert (job.status, job.total, job.source) == ("queued", 6, "extension")
    assert jobs[-1] == ("imports.run", {"job_id": job.id})
    runner.run(job.id, chunk_rows=2)
    done = _job(owner, job.id)
    assert (done.status, done.progress, done.created, done.updated, done.duplicates, done.errors) == (
        "completed",
        100.0,
        3,
        0,
        1,
        2,
    )
    page = _leads(owner)
    assert page.total == 3
    ana = next(x for x in page.data if x.username == "ana")
    assert ana.followers == 12500 and ana.source == "extension" and len(ana.tag_ids) == 1
    with unit_of_work() as session:
        rejected = "".join(imports.rejected_rows_csv(session=session, ctx=owner.ctx, job_id=job.id))
        assert [t.lead_count for t in tags.list_tags(session=session, ctx=owner.ctx)] == [3]
        row = session.get(ImportJob, job.id)
        assert row is not None and row.payload is None  # personal data not kept after the job
    assert (
        rejected.startswith("\ufeffrow,")
        and "email: invalid e-mail" in rejected
        and "needs a profile" in rejected
    )


def test_rerunning_a_finished_or_partly_done_job_writes_nothing_twice():
    owner = register_owner()
    job = _submit(owner, BATCH)
    runner.run(job.id, chunk_rows=2)
    runner.run(job.id, chunk_rows=2)  # a retried message
    assert _leads(owner).total == 3
    # A worker that died after the first chunk: the resume point is kept with the chunk.
    second = _submit(owner, [{"platform": "instagram", "username": f"u{i}"} for i in range(5)])
    with unit_of_work() as session:
        imports.start_job(session=session, job_id=second.id)
    with unit_of_work() as session:
        imports.apply_chunk(
            session=session,
            job_id=second.id,
            rows=[
                (1, {"platform": "instagram", "username": "u0"}),
                (2, {"platform": "instagram", "username": "u1"}),
            ],
            end_row=2,
        )
    assert _job(owner, second.id).processed == 2
    runner.run(second.id, chunk_rows=2)  # the restarted worker
    done = _job(owner, second.id)
    assert (done.status, done.created, done.duplicates, done.processed) == ("completed", 5, 0, 5)
    assert _leads(owner).total == 8


@pytest.mark.parametrize(
    ("policy", "expected_company", "expected_headline", "updated"),
    [
        ("skip", "Old Co", None, 0),
        ("fill", "Old Co", "CEO", 1),
        ("overwrite", "New Co", "CEO", 1),
    ],
)
def test_duplicate_policies(policy, expected_company, expected_headline, updated):
    owner = register_owner()
    existing = make_lead(owner, username="ana", company="Old Co")
    job = _submit(
        owner,
        [{"platform": "instagram", "username": "ana", "company": "New Co", "headline": "CEO"}],
        duplicate_policy=policy,
    )
    runner.run(job.id)
    done = _job(owner, job.id)
    assert (done.updated, done.duplicates) == (updated, 1 - updated)
    with unit_of_work() as session:
        lead = leads.get_lead(session=session, ctx=owner.ctx, lead_id=existing.id)
    assert (lead.company, lead.headline) == (expected_company, expected_headline)


def test_round_robin_and_fixed_assignment():
    owner = register_owner()
    a1, a2 = add_member(owner, "agent"), add_member(owner, "agent")
    job = _submit(
        owner,
        [{"platform": "instagram", "username": f"rr{i}"} for i in range(5)],
        assignee_policy="round_robin",
    )
    runner.run(job.id, chunk_rows=2)
    counts = {}
    for lead in _leads(owner).data:
        counts[lead.assignee_id] = counts.get(lead.assignee_id, 0) + 1
    assert sorted(counts.values()) == [2, 3] and set(counts) == {a1.user_id, a2.user_id}
    fixed = _submit(
        owner, [{"platform": "tiktok", "username": "fx"}], assignee_policy="fixed", assignee_id=a1.user_id
    )
    runner.run(fixed.id)
    assert next(x for x in _leads(owner).data if x.platform == "tiktok").assignee_id == a1.user_id


def test_roles_and_tenancy():
    owner = register_owner()
    viewer, agent = add_member(owner, "viewer"), add_member(owner, "agent")
    with pytest.raises(PermissionDenied):
        _submit(viewer, BATCH)
    with pytest.raises(PermissionDenied):
        _submit(agent, BATCH, assignee_policy="round_robin")
    mine = _submit(agent, [{"platform": "instagram", "username": "agent-lead"}])
    runner.run(mine.id)
    assert [x.assignee_id for x in _leads(agent).data] == [agent.user_id]  # agents' imports are theirs
    other = register_owner()
    theirs = _submit(other, [{"platform": "instagram", "username": "ana"}])
    runner.run(theirs.id)
    with pytest.raises(NotFound):
        _job(owner, theirs.id)
    with pytest.raises(NotFound), unit_of_work() as session:
        imports.cancel_job(session=session, ctx=owner.ctx, job_id=theirs.id)
    with unit_of_work() as session:
        assert [j.id for j in imports.list_jobs(session=session, ctx=other.ctx)] == [theirs.id]
        ws = {lead.workspace_id for lead in session.exec(select(Lead))}
    assert ws == {owner.workspace_id, other.workspace_id}
    assert _leads(owner).total == 1  # the other workspace's "ana" did not collide with anything here


def test_cancel_keeps_written_rows_and_says_so():
    owner = register_owner()
    job = _submit(owner, [{"platform": "instagram", "username": f"c{i}"} for i in range(6)])
    with unit_of_work() as session:
        imports.start_job(session=session, job_id=job.id)
    with unit_of_work() as session:
        imports.apply_chunk(
            session=session,
            job_id=job.id,
            rows=[
                (1, {"platform": "instagram", "username": "c0"}),
                (2, {"platform": "instagram", "username": "c1"}),
            ],
            end_row=2,
        )
    with unit_of_work() as session:
        imports.cancel_job(session=session, ctx=owner.ctx, job_id=job.id)
    runner.run(job.id, chunk_rows=2)
    done = _job(owner, job.id)
    assert (done.status, done.created, done.processed) == ("cancelled", 2, 2)
    assert _leads(owner).total == 2
    with pytest.raises(Conflict), unit_of_work() as session:
        imports.cancel_job(session=session, ctx=owner.ctx, job_id=job.id)


def test_a_queued_job_cancelled_before_it_starts_writes_nothing():
    owner = register_owner()
    job = _submit(owner, BATCH)
    with unit_of_work() as session:
        assert imports.cancel_job(session=session, ctx=owner.ctx, job_id=job.id).status == "cancelled"
    runner.run(job.id)
    assert _leads(owner).total == 0
