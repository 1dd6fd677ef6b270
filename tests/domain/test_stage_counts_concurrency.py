"""Concurrent status changes in opposite directions never deadlock on the kept stage counters.

Found by bench/load_bench.py: `PATCH /leads/{id}` answered 500 (DeadlockDetected) when two requests
moved leads A→B and B→A at once — each locked the two `stage` rows in the opposite order. PostgreSQL
only (SQLite serialises writers).
"""

from __future__ import annotations

import threading

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadUpdate
from tests.conftest import BACKEND
from tests.domain.test_stage_counts import _assert_counts_true
from tests.factories import make_lead, register_owner

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="row-lock ordering is a PostgreSQL matter")

ROUNDS = 40
THREADS = 6


def test_opposite_status_flips_in_parallel_never_deadlock():
    owner = register_owner()
    lead_ids = [make_lead(owner).id for _ in range(THREADS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def flip(index: int) -> None:
        # Even threads go new→contacted→new, odd ones contacted→new→contacted: opposite stage orders.
        order = ("contacted", "new") if index % 2 == 0 else ("new", "contacted")
        start.wait()
        try:
            for round_ in range(ROUNDS):
                with unit_of_work() as session:
                    leads.update_lead(
                        session=session,
                        ctx=owner.ctx,
                        lead_id=lead_ids[index],
                        data=LeadUpdate.model_validate({"status": order[round_ % 2]}),
                    )
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=flip, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, [type(e).__name__ + ": " + str(e)[:200] for e in errors[:3]]
    _assert_counts_true(owner.workspace_id)


def test_imports_deletes_and_status_changes_in_parallel_never_deadlock():
    """Every writer locks the stage counters before its leads' write fires the analytics trigger (which
    locks the count rows): an import batch learns its stage delta only from its INSERT, a delete or a
    bulk status change used to write the leads first. Under bench/load_bench.py the worker's import
    batches deadlocked against PATCH status changes 46 times in a minute."""
    from snapleads_app.domain.imports import runner
    from snapleads_app.domain.imports import service as imports
    from snapleads_app.domain.imports.models import BatchImportIn

    owner = register_owner()
    flipped = [make_lead(owner).id for _ in range(4)]
    doomed = [make_lead(owner).id for _ in range(2)]
    errors: list[BaseException] = []
    start = threading.Barrier(4 + 2 + 2)

    def guarded(body):
        def run(*args):
            start.wait()
            try:
                body(*args)
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        return run

    @guarded
    def flip(index: int) -> None:
        order = ("contacted", "new") if index % 2 == 0 else ("new", "qualified")
        for round_ in range(ROUNDS // 2):
            with unit_of_work() as session:
                leads.update_lead(
                    session=session,
                    ctx=owner.ctx,
                    lead_id=flipped[index],
                    data=LeadUpdate.model_validate({"status": order[round_ % 2]}),
                )

    @guarded
    def import_batches(index: int) -> None:
        for round_ in range(8):
            with unit_of_work() as session:
                job = imports.create_batch_job(
                    session=session,
                    ctx=owner.ctx,
                    data=BatchImportIn.model_validate(
                        {
                            "leads": [
                                {"platform": "instagram", "username": f"b{index}r{round_}n{i}"}
                                for i in range(20)
                            ]
                        }
                    ),
                )
            runner.run(job.id)

    @guarded
    def delete_and_restore(index: int) -> None:
        for _ in range(ROUNDS // 4):
            with unit_of_work() as session:
                leads.delete_lead(session=session, ctx=owner.ctx, lead_id=doomed[index])
            with unit_of_work() as session:
                leads.restore_lead(session=session, ctx=owner.ctx, lead_id=doomed[index])

    threads = [threading.Thread(target=flip, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=import_batches, args=(i,)) for i in range(2)]
    threads += [threading.Thread(target=delete_and_restore, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, [type(e).__name__ + ": " + str(e)[:300] for e in errors[:3]]
    _assert_counts_true(owner.workspace_id)
