"""Analytics at scale: server time of each analytics endpoint on 1 M leads (+100 k in a second workspace).

    .venv/bin/python bench/analytics_bench.py [--keep] [-n 50]

Reuses bench/leads_bench.py's seed (in its own database `snapleads_bench_analytics`) (1 M leads over a year, growing
towards today, a team of 5, the default pipeline) — `--keep` reuses it as leads_bench does. On top:
1. `alembic upgrade head` (the analytics migration fills `lead_daily_count`); the seed COPYs leads with
   triggers off (session_replication_role = replica), so the kept counts are rebuilt once if they do
   not match `lead` (the time is printed).
2. Activity history for the funnel, once per database: every lead past "new" gets the status.changed
   entries of its path (new → contacted → … → its status; "lost" leads stop 1–3 stages in first),
   1 in 20 of them went one stage further and came back; ≈ 1.6 M rows, timestamps after creation.
3. Starts the REST API under uvicorn (bench/support/leads_server.py, rate limits off), sends each
   request sequentially (warm-up first) and prints server time (`Server-Timing`) p50/p95 and the
   time inside the database driver.

A benchmark, not a test: it prints figures and never fails on a missed target (exit 0).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import leads_bench as lb  # noqa: E402 - the shared seed and helpers

RESULTS = ROOT / "bench" / "results" / "analytics_latest.txt"
TARGET_MS = 300.0

ACTIVITY_SQL = """
WITH path AS (
  SELECT l.id, l.workspace_id, l.created_at, l.status,
         CASE l.status WHEN 'lost' THEN 1 + (l.id % 3)
              ELSE array_position(ARRAY['new','contacted','responded','qualified','scheduled','closed'], l.status) - 1
         END AS steps
  FROM lead l WHERE l.status <> 'new'
)
INSERT INTO activity (workspace_id, lead_id, actor_user_id, via, type, data, created_at)
SELECT p.workspace_id, p.id, NULL::int, 'ui', 'status.changed',
       jsonb_build_object('from', s.names[g.i], 'to', s.names[g.i + 1]),
       p.created_at + g.i * interval '7 minutes'
FROM path p
CROSS JOIN (SELECT ARRAY['new','contacted','responded','qualified','scheduled','closed'] AS names) s
CROSS JOIN LATERAL generate_series(1, p.steps) AS g(i)
UNION ALL
SELECT p.workspace_id, p.id, NULL::int, 'ui', 'status.changed',
       jsonb_build_object('from', 'x', 'to', 'lost'), p.created_at + interval '1 hour'
FROM path p WHERE p.status = 'lost'
UNION ALL  -- 1 in 20 went one stage further and came back
SELECT p.workspace_id, p.id, NULL::int, 'ui', 'status.changed',
       jsonb_build_object('from', p.status, 'to', s.names[p.steps + 2]), p.created_at + interval '30 minutes'
FROM path p CROSS JOIN (SELECT ARRAY['new','contacted','responded','qualified','scheduled','closed'] AS names) s
WHERE p.status NOT IN ('lost', 'closed') AND p.id % 20 = 0
"""


@dataclass
class Endpoint:
    name: str
    path: str
    params: list[tuple[str, Any]] = field(default_factory=list)
    app: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    db_n: int = 0
    summary: str = ""


def prepare(db: str, rows: int, rows2: int, keep: bool) -> dict[str, Any]:
    import psycopg

    state = lb.database_state(db)
    wanted = {"seed_version": lb.SEED_VERSION, "rows": rows, "rows2": rows2}
    if keep and state and all(state.get(k) == v for k, v in wanted.items()):
        lb.log(f"reusing {db} (seeded {state['seeded_at']}); migrating to head")
        t = time.perf_counter()
        lb.migrate(db)
        lb.log(f"alembic upgrade head: {time.perf_counter() - t:.1f} s")
        info = state
    else:
        info = lb.seed(db, rows, rows2)
    from snapleads_app.domain.analytics import rollup_sql

    with psycopg.connect(lb.dsn(db), autocommit=True) as conn:
        kept, real = conn.execute(
            "SELECT (SELECT coalesce(sum(leads), 0) FROM lead_daily_count), "
            "(SELECT count(*) FROM lead WHERE deleted_at IS NULL)"
        ).fetchone()  # type: ignore[misc]
        if kept != real:
            t = time.perf_counter()
            with conn.transaction():
                for statement in rollup_sql.REBUILD_ALL:
                    conn.execute(statement)  # type: ignore[arg-type]
            conn.execute("VACUUM (ANALYZE) lead_daily_count")
            lb.log(f"lead_daily_count rebuilt ({real:,} leads) in {time.perf_counter() - t:.1f} s")
        # What autovacuum does soon after the migration's fill: statistics for the planner.
        conn.execute("VACUUM (ANALYZE) lead_daily_count")
        conn.execute("VACUUM (ANALYZE) lead_total_count")
        conn.execute("VACUUM (ANALYZE) lead_progress")
        n_rollup = conn.execute("SELECT count(*) FROM lead_daily_count").fetchone()[0]  # type: ignore[index]
        lb.log(f"lead_daily_count: {n_rollup:,} rows for {real:,} live leads")
        has = conn.execute("SELECT to_regclass('analytics_bench_meta')").fetchone()[0]  # type: ignore[index]
        if has is None:
            t = time.perf_counter()
            with conn.transaction():
                conn.execute(ACTIVITY_SQL)  # type: ignore[arg-type]
                conn.execute("CREATE TABLE analytics_bench_meta (id int PRIMARY KEY)")
            conn.execute("VACUUM (ANALYZE) activity")
            lb.log(f"activity history seeded in {time.perf_counter() - t:.1f} s")
        n_act = conn.execute("SELECT count(*) FROM activity").fetchone()[0]  # type: ignore[index]
        lb.log(f"activity: {n_act:,} rows")
        info["activity_rows"] = n_act
        info["rollup_rows"] = n_rollup
    return info


_TRIGGERS = ("lead_rollup_insert", "lead_rollup_update", "lead_rollup_delete")


def trigger_cost(db: str, rounds: int = 7) -> list[tuple[str, float, float]]:
    """What the analytics triggers add to writes: the same statements with the triggers enabled and
    disabled, each in a transaction that is rolled back (median ms of `rounds`)."""
    import psycopg

    cols = [c for c in lb.LEAD_COLUMNS if c != "id"]
    copied = ", ".join("profile_key || '-t' || id::text" if c == "profile_key" else c for c in cols)
    statements = {
        "INSERT … SELECT 1,000 leads (an import batch)": (
            f"INSERT INTO lead ({', '.join(cols)}) SELECT {copied} FROM lead "  # noqa: S608 - our column names
            "WHERE workspace_id = 1 AND deleted_at IS NULL ORDER BY id LIMIT 1000"
        ),
        "UPDATE 1 lead: status + stage (a card move)": (
            "UPDATE lead SET status = 'qualified', stage_id = (SELECT id FROM stage WHERE workspace_id = 1 "
            "AND status = 'qualified') WHERE id = (SELECT min(id) FROM lead WHERE workspace_id = 1 AND status = 'new')"
        ),
        "UPDATE 1 lead: notes only (no counted column)": (  # the score is no longer a lead column
            "UPDATE lead SET notes = coalesce(notes, '') || '.' WHERE id = (SELECT min(id) FROM lead WHERE workspace_id = 1)"
        ),
        "UPDATE 1,000 leads: status (a bulk action)": (
            "UPDATE lead SET status = 'contacted' WHERE id IN (SELECT id FROM lead WHERE workspace_id = 1 "
            "AND status = 'new' ORDER BY id LIMIT 1000)"
        ),
    }
    out = []
    with psycopg.connect(lb.dsn(db)) as conn:
        for name, sql in statements.items():
            times: dict[bool, list[float]] = {True: [], False: []}
            for i in range(rounds * 2):
                enabled = i % 2 == 0
                with conn.transaction(force_rollback=True):
                    if not enabled:
                        for trigger in _TRIGGERS:
                            conn.execute(f"ALTER TABLE lead DISABLE TRIGGER {trigger}")  # type: ignore[arg-type]
                    t = time.perf_counter()
                    conn.execute(sql)  # type: ignore[arg-type]
                    times[enabled].append((time.perf_counter() - t) * 1000)
            out.append((name, lb.pct(times[True], 50), lb.pct(times[False], 50)))
            lb.log(f"{name}: {out[-1][1]:.1f} ms with the triggers, {out[-1][2]:.1f} ms without")
    return out


def endpoints(info: dict[str, Any]) -> list[Endpoint]:
    ws = info["workspaces"][0]
    agent = ws["member_ids"][1]
    today = datetime.now(UTC).date()
    year = [("date_from", (today - timedelta(days=364)).isoformat()), ("date_to", today.isoformat())]
    week = [("date_from", (today - timedelta(days=6)).isoformat()), ("date_to", today.isoformat())]
    a = "/api/v1/analytics"
    return [
        Endpoint("overview, 30 days", f"{a}/overview"),
        Endpoint("overview, 365 days", f"{a}/overview", year),
        Endpoint(
            "overview, instagram + one rep",
            f"{a}/overview",
            [("platform", "instagram"), ("assignee_id", agent)],
        ),
        Endpoint("funnel, 30 days", f"{a}/funnel"),
        Endpoint("funnel, 365 days", f"{a}/funnel", year),
        Endpoint("funnel, 30 days, one rep", f"{a}/funnel", [("assignee_id", agent)]),
        Endpoint("timeline by day, 30 days", f"{a}/timeline"),
        Endpoint("timeline by week, 365 days", f"{a}/timeline", [*year, ("granularity", "week")]),
        Endpoint("timeline by month, 365 days", f"{a}/timeline", [*year, ("granularity", "month")]),
        Endpoint("timeline by hour, 7 days", f"{a}/timeline", [*week, ("granularity", "hour")]),
        Endpoint("by user, 30 days", f"{a}/by-user"),
        Endpoint("by user, 365 days", f"{a}/by-user", year),
        Endpoint("imports by source, 30 days", f"{a}/imports"),
        Endpoint("CSV: funnel, 30 days", f"{a}/funnel.csv"),
    ]


def measure(base: str, eps: list[Endpoint], auth: Any, n: int, warmup: int) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=60) as client:
        for ep in eps:
            for i in range(warmup + n):
                resp = client.get(ep.path, params=ep.params, headers=auth.header())
                if resp.status_code >= 400:
                    raise SystemExit(f"{ep.name}: HTTP {resp.status_code} {resp.text[:300]}")
                if i < warmup:
                    continue
                ep.app.append(float(resp.headers["server-timing"].split("dur=")[1]))
                db_ms, db_n = resp.headers.get("x-bench-db", "0;n=0").split(";n=")
                ep.db.append(float(db_ms))
                ep.db_n = int(db_n)
                if i == warmup + n - 1:
                    ep.summary = summarise(resp)
            lb.log(f"{ep.name}: p50 {lb.pct(ep.app, 50):.1f} p95 {lb.pct(ep.app, 95):.1f} ms | {ep.summary}")


def summarise(resp: Any) -> str:
    if resp.headers["content-type"].startswith("text/csv"):
        return f"{len(resp.content):,} bytes"
    body = resp.json()
    if "leads_total" in body:
        return (
            f"total {body['leads_total']:,}, new {body['new_leads']:,} (prev {body['new_leads_previous']:,})"
        )
    if "cohort" in body:
        return "cohort {:,}, reached {}".format(
            body["cohort"], "/".join(str(s["reached"]) for s in body["stages"])
        )
    if "points" in body:
        return f"{len(body['points'])} points, {sum(p['leads'] for p in body['points']):,} leads"
    return f"{len(body['rows'])} rows"


def table(eps: list[Endpoint]) -> str:
    lines = [
        "| Endpoint | app p50 | app p95 | db p95 | statements | Target p95 ≤ 300 ms | Result |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for ep in eps:
        p95 = lb.pct(ep.app, 95)
        lines.append(
            f"| {ep.name} | {lb.pct(ep.app, 50):.1f} | {p95:.1f} | {lb.pct(ep.db, 95):.1f} | {ep.db_n} | "
            f"{'yes' if p95 <= TARGET_MS else '**no**'} | {ep.summary} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rows2", type=int, default=100_000)
    parser.add_argument(
        "--db",
        default="snapleads_bench_analytics",
        help="own database by default: snapleads_bench of another worktree may be at another migration head",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database (leads_bench's)")
    parser.add_argument("-n", "--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = lb.sa_url(args.db)
    os.environ.setdefault("ENVIRONMENT", "development")
    os.environ.pop("REDIS_URL", None)
    info = prepare(args.db, args.rows, args.rows2, args.keep)
    auth = lb.Auth(info["workspaces"][0]["email"])
    eps = endpoints(info)
    base = f"http://127.0.0.1:{args.port}"
    log_path = Path(tempfile.gettempdir()) / f"analytics_bench_server_{args.port}.log"
    with log_path.open("wb") as server_log:
        proc = subprocess.Popen(  # noqa: S603 - this interpreter and our own script
            [sys.executable, str(ROOT / "bench" / "support" / "leads_server.py"), str(args.port)],
            cwd=ROOT,
            env={**os.environ},
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            lb.wait_for(base, proc)
            load_before = f"{os.getloadavg()[0]:.2f}"
            measure(base, eps, auth, args.iterations, args.warmup)
            load_after = f"{os.getloadavg()[0]:.2f}"
        finally:
            proc.terminate()
            proc.wait(10)
    costs = trigger_cost(args.db)
    report = (
        f"SnapLeads analytics benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"machine: {os.cpu_count()} cores; 1-min load {load_before} before, {load_after} after\n"
        f"data: {args.rows:,} leads in workspace {info['workspaces'][0]['workspace_id']} + {args.rows2:,}; "
        f"{info['activity_rows']:,} activities; lead_daily_count {info['rollup_rows']:,} rows\n"
        f"API under uvicorn (1 worker, rate limits off), {args.warmup} warm-up + {args.iterations} timed "
        f"sequential requests per endpoint; app = Server-Timing, db = time inside the driver\n\n"
        + table(eps)
        + "\n\nWrite cost of the triggers (median of 7, transaction rolled back):\n\n"
        + "| Statement | with triggers ms | without ms |\n|---|---:|---:|\n"
        + "\n".join(f"| {n} | {a:.1f} | {b:.1f} |" for n, a, b in costs)
        + "\n"
    )
    print("\n" + report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)


if __name__ == "__main__":
    main()
