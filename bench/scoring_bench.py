"""Bulk rescore: every lead of a 1 M-lead workspace rescored after the scoring rules change.

    .venv/bin/python bench/scoring_bench.py [--rows 1000000] [--keep] [--db snapleads_bench_scoring]

Seeds its own database with the leads benchmark's generator (`bench/leads_bench.py` `seed`: 1 M leads,
the production indexes, a lead_score row per lead; `--keep` reuses it when it holds the same seed), resets
every lead_score row to "never computed" (a pseudo-random seeded score, no explanation), then times
`scoring.service.rescore_workspace` — the path the `scoring.rescore_all` actor runs — three times:
1. first scoring (every lead_score row rewritten, a history row for every score that moves);
2. after a rules change (followers bands and e-mail points edited through `update_rules`);
3. again with nothing to change (reads and computes only).
The score lives in lead_score only: the wide `lead` row is read, never written. For reference it also
times the bare `UPDATE lead_score SET score = …` of the same expression (no explanation, no history).
Prints figures with the 1-min load average seen around each run and writes bench/results/scoring_latest.txt
(`--out`). Target: ≤ 60 s per rescore. A benchmark, not a test: it never fails on a missed target.
"""

from __future__ import annotations

import argparse
import os
import platform as pyplatform
import sys
import time
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import leads_bench as lb  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "scoring_latest.txt"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="snapleads_bench_scoring")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = lb.sa_url(args.db)
    os.environ.setdefault("ENVIRONMENT", "development")
    os.environ.pop("REDIS_URL", None)

    state = lb.database_state(args.db)
    wanted = {"seed_version": lb.SEED_VERSION, "rows": args.rows, "rows2": 0}
    if args.keep and state and all(state.get(k) == v for k, v in wanted.items()):
        lb.log(f"reusing {args.db}; migrating to head")
        lb.migrate(args.db)
        info = state
    else:
        info = lb.seed(args.db, args.rows, 0)

    import psycopg

    from snapleads_app.core import tasks
    from snapleads_app.core.context import Ctx
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.scoring import repo, rules, service

    tasks.install_sender(lambda job, kwargs: None)  # the rescore is called directly below
    workspace_id = info["workspaces"][0]["workspace_id"]

    def one(conn: Any, sql: str, args: Any = None) -> Any:
        row = conn.execute(sql, args).fetchone()
        return row[0] if row and len(row) == 1 else row

    with psycopg.connect(lb.dsn(args.db), autocommit=True) as conn:
        # Every lead keeps its row (the app's invariant); each run starts from "never computed".
        conn.execute("TRUNCATE lead_score_history")
        conn.execute("UPDATE lead_score SET score = (lead_id * 37) % 60, points = '{}', rules_version = 0")
        conn.execute("DELETE FROM scoring_config")
        conn.execute("VACUUM ANALYZE lead")
        conn.execute("VACUUM ANALYZE lead_score")
        leads = one(
            conn, "SELECT count(*) FROM lead WHERE workspace_id = %s AND deleted_at IS NULL", (workspace_id,)
        )
    lines = [f"scoring bench — {time.strftime('%Y-%m-%d %H:%M')} — {pyplatform.node()}, {os.cpu_count()} cores",
             f"workspace {workspace_id}: {leads:,} live leads (db {args.db})", ""]  # fmt: skip

    def timed(label: str) -> float:
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        processed = service.rescore_workspace(workspace_id)
        seconds = time.perf_counter() - start
        load_after = os.getloadavg()[0]
        with psycopg.connect(lb.dsn(args.db)) as conn:
            history = one(conn, "SELECT count(*) FROM lead_score_history")
            scored = one(conn, "SELECT count(*) FROM lead_score")
            bands = one(
                conn,
                "SELECT sum((s.score >= 80)::int), sum((s.score >= 50 AND s.score < 80)::int), "
                "sum((s.score < 50)::int) FROM lead_score s JOIN lead l ON l.id = s.lead_id "
                "WHERE l.workspace_id = %s AND l.deleted_at IS NULL", (workspace_id,),
            )  # fmt: skip
        line = (f"{label}: {seconds:.1f} s for {processed:,} leads ({processed / seconds:,.0f} leads/s); "
                f"lead_score rows {scored:,}, history rows {history:,}; bands hot/warm/cold {bands}; "
                f"1-min load {load_before:.1f} before, {load_after:.1f} after")  # fmt: skip
        lb.log(line)
        lines.append(line)
        return seconds

    first = timed("1. first scoring (seeded random scores → computed: nearly all change)")
    owner = Ctx(user_id=info["workspaces"][0]["owner_id"], workspace_id=workspace_id, role="owner")
    with unit_of_work() as session:
        service.update_rules(session=session, ctx=owner, custom={
            "followers": {"bands": [[5_000, 20], [500, 10], [50, 3]]}, "has_email": {"points": 25},
        })  # fmt: skip
    second = timed("2. rescore after a rules change")
    third = timed("3. rescore with nothing to change")

    # Reference: the bare UPDATE of the same expression, no explanation or history.
    with unit_of_work() as session:
        rule_set, _ = service.workspace_rules(session, workspace_id)
    params = {"ws": workspace_id, "now": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())}
    points = repo.points_sql(rule_set, params, engagement=False)
    total = " + ".join(f"({points[name]})" for name in rules.RULE_ORDER)
    with psycopg.connect(lb.dsn(args.db)) as conn:
        start = time.perf_counter()
        cast(Any, conn).execute(
            f"UPDATE lead_score s SET score = least(100, {total}) + 1 FROM lead l "  # noqa: S608
            "WHERE l.id = s.lead_id AND l.workspace_id = %(ws)s AND l.deleted_at IS NULL",
            params,
        )
        bare = time.perf_counter() - start
        conn.rollback()
    lines.append(f"reference: one bare UPDATE lead_score SET score of the same expression: {bare:.1f} s")  # noqa: S608
    lines += ["", f"target ≤ 60 s per bulk rescore: first {first:.1f} s, after rules change {second:.1f} s, "
              f"unchanged {third:.1f} s — {'met' if max(first, second) <= 60 else 'NOT met'}"]  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
