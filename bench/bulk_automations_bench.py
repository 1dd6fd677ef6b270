"""Bulk lead actions with automations: how long `leads.bulk` takes over "all matching the filter" and how
many `reactions.process` jobs it enqueues (one per `reactions.BULK_BATCH` changed leads), then how long
the worker side takes for one batch job (scores, webhooks, automation runs with one action each).

    .venv/bin/python bench/bulk_automations_bench.py                # 50,000 leads
    .venv/bin/python bench/bulk_automations_bench.py --leads 200000

Creates PostgreSQL database `autoui_bulk_bench` (127.0.0.1:5432, user postgres), migrates it, seeds the
leads with one INSERT … SELECT, and drops it at the end. No Redis: jobs are recorded, not sent. Prints
figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DB = "autoui_bulk_bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--db", default=DB)
    parser.add_argument("--no-worker", action="store_true", help="skip the worker-side timing")
    args = parser.parse_args()

    from leads_bench import create_accounts, drop_database, recreate_database, sa_url

    os.environ["DATABASE_URL"] = sa_url(args.db)
    os.environ["REDIS_URL"] = ""
    recreate_database(args.db)
    try:
        run(args.leads, create_accounts, worker=not args.no_worker)
    finally:
        from snapleads_app.core.db import get_engine

        get_engine().dispose()
        drop_database(args.db)


def run(n: int, create_accounts: Any, *, worker: bool) -> None:
    from sqlalchemy import text

    from snapleads_app.core import tasks
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain import reactions
    from snapleads_app.domain.automations import service as automations
    from snapleads_app.domain.automations.models import AutomationIn
    from snapleads_app.domain.leads import service as leads
    from snapleads_app.domain.leads.models import LeadFilter

    [seed] = create_accounts(1)
    ws, stage_new = seed.workspace_id, seed.stage_ids["new"]
    with unit_of_work() as session:
        session.execute(
            text(
                "INSERT INTO lead (workspace_id, platform, profile_key, username, full_name, verified, score, "
                "status, pipeline_id, stage_id, position, source, custom_fields, search_text, created_at, "
                "updated_at) SELECT :w, 'instagram', 'bench' || g, 'bench' || g, 'Bench ' || g, false, 0, 'new', "
                ":p, :s, g * 1024, 'manual', '{}', 'bench ' || g, now(), now() "
                "FROM generate_series(1, :n) AS g"
            ),
            {"w": ws, "p": seed.pipeline_id, "s": stage_new, "n": n},
        )
        session.execute(text("UPDATE stage SET lead_count = :n WHERE id = :s"), {"n": n, "s": stage_new})
        session.execute(text("ANALYZE lead"))
    from snapleads_app.core.context import Ctx

    owner = Ctx(workspace_id=ws, user_id=seed.owner_id, role="owner", via="ui")
    hot, follow = seed.tag_ids[0], seed.tag_ids[1]
    with unit_of_work() as session:
        automations.create_automation(session=session, ctx=owner, data=AutomationIn(
            name="Hot → follow-up", trigger="tag_added", trigger_filter={"tag_id": hot},
            actions=[{"type": "add_tag", "tag_id": follow}]))  # fmt: skip
    sent: list[dict[str, Any]] = []
    tag_jobs: list[dict[str, Any]] = []
    tasks.install_sender(lambda job, kwargs: sent.append(kwargs) if job == reactions.JOB else None)

    batch = getattr(reactions, "BULK_BATCH", None)  # None: a checkout from before bulk → automations
    lines = [f"{n:,} leads, PostgreSQL, BULK_BATCH = {batch}"]
    for action, extra in (
        ("tag", {"tag_ids": [hot]}),
        ("status", {"status": "qualified"}),
        ("assign", {"assignee_id": seed.member_ids[1]}),
        ("untag", {"tag_ids": [hot]}),
    ):
        sent.clear()
        started = time.perf_counter()
        with unit_of_work() as session:
            result = leads.bulk(
                session=session,
                ctx=owner,
                data=leads.BulkIn.model_validate({"action": action, "filters": LeadFilter(), **extra}),
            )
        seconds = time.perf_counter() - started
        changed = sum(len(kw["lead_ids"]) for kw in sent)
        lines.append(f"bulk {action:<6} {result.affected:>8,} leads in {seconds:6.2f} s; "
                     f"{len(sent):>4} jobs for {changed:,} changed leads")  # fmt: skip
        if action == "tag":
            tag_jobs = list(sent)
    tag_jobs = tag_jobs if batch else []

    if not worker or not tag_jobs:
        print("\n".join(lines))
        return
    first = tag_jobs[0]
    started = time.perf_counter()
    reactions.process(**first)
    seconds = time.perf_counter() - started
    lines.append(
        f"worker: one tag_added batch job of {len(first['lead_ids'])} leads (score, webhooks, "
        f"{len(first['lead_ids'])} runs with one add_tag) in {seconds:.2f} s = "
        f"{len(first['lead_ids']) / seconds:,.0f} leads/s"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
