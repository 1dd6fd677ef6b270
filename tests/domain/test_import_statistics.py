"""An import that fills a workspace keeps the existing-leads lookup on the unique index.

The lookup's plan follows `lead`'s statistics; while an import fills a workspace they are stale, and
PostgreSQL hashed every lead of the workspace per batch (the import slowed down as it grew: 248 rows/s
at 880 k leads). The skip policy does no lookup; fill/overwrite refresh the statistics once the table
changed by a fifth since the last ANALYZE. PostgreSQL only (the planner is the subject).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from snapleads_app.core.db import get_engine, unit_of_work
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import BatchImportIn
from tests.conftest import BACKEND
from tests.factories import make_lead, register_owner

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="planner statistics are PostgreSQL's")


@pytest.fixture
def no_autovacuum() -> Iterator[None]:
    """Only the import may analyse `lead` during the test (autovacuum would make it pass or fail by luck)."""
    with get_engine().begin() as conn:
        conn.execute(text("ALTER TABLE lead SET (autovacuum_enabled = false)"))
    yield
    with get_engine().begin() as conn:
        conn.execute(text("ALTER TABLE lead RESET (autovacuum_enabled)"))


def _analyze_count() -> int:
    with get_engine().connect() as conn:
        return conn.execute(
            text("SELECT analyze_count FROM pg_stat_user_tables WHERE relid = 'lead'::regclass")
        ).scalar_one()


def _wait_for_counters(at_least: int) -> None:
    """PostgreSQL's activity counters reach pg_stat a moment after the commits (each backend flushes
    them when idle): wait until the inserts show, as they long have during a real import."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with get_engine().connect() as conn:
            mods = conn.execute(
                text("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relid = 'lead'::regclass")
            ).scalar_one()
        if mods >= at_least:
            return
        time.sleep(0.2)
    raise AssertionError(f"lead's counters never showed {at_least} changes")


def _import(member, rows, policy):
    with unit_of_work() as session:
        job = imports.create_batch_job(
            session=session, ctx=member.ctx, data=BatchImportIn(leads=rows, duplicate_policy=policy)
        )
    runner.run(job.id)
    with unit_of_work() as session:
        return imports.get_job(session=session, ctx=member.ctx, job_id=job.id)


def test_fill_policy_refreshes_stale_statistics_and_skip_needs_no_lookup(no_autovacuum: None) -> None:
    owner = register_owner()
    make_lead(owner, username="known", company="Old Co")
    with get_engine().begin() as conn:
        conn.execute(text("ANALYZE lead"))
    analysed = _analyze_count()

    # 12,000 new leads in two batches with the skip policy: counted right (the known lead and the
    # first batch's rows are duplicates), and no ANALYZE (no lookup to plan).
    first = [{"platform": "instagram", "username": f"bulk{i}"} for i in range(6_000)]
    second = [{"platform": "instagram", "username": f"bulk{i}"} for i in range(5_000, 12_000)]
    assert _import(owner, first, "skip").created == 6_000
    skipped = _import(owner, [*second, {"platform": "instagram", "username": "known"}], "skip")
    assert (skipped.created, skipped.duplicates) == (6_000, 1_001)
    assert _analyze_count() == analysed
    _wait_for_counters(12_000)

    # Now `lead` changed by far more than a fifth since its statistics: a fill import refreshes them
    # before it looks the existing leads up — and still finds and fills the known one.
    filled = _import(owner, [{"platform": "instagram", "username": "known", "headline": "CEO"}], "fill")
    assert (filled.updated, filled.duplicates) == (1, 0)
    assert _analyze_count() == analysed + 1

    # Fresh statistics: the next fill import does not analyse again.
    _import(owner, [{"platform": "instagram", "username": "bulk1", "headline": "CTO"}], "fill")
    assert _analyze_count() == analysed + 1
