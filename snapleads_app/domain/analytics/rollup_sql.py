# ruff: noqa: S608  (fixed SQL text built from constants, never from input)
"""PostgreSQL triggers that keep the analytics counts exact on every write to `lead`.

- `lead_progress`: per lead, the furthest non-"lost" stage position it reached in its current pipeline
  (the funnel's "reached", derived from the activity history by the migration, kept by the trigger
  since: a stage move raises it, moving back keeps it, a pipeline change restarts it);
- `lead_daily_count`: live leads per local creation day × platform/status/assignee/pipeline/stage/
  furthest (period metrics, timeline, funnel);
- `lead_monthly_count`: the same per local month (long periods read whole months here, ~30× fewer rows);
- `lead_total_count`: the same without the day (the "now" numbers: totals, per rep, by status).

Statement-level with transition tables: one aggregate per statement, so a 1,000-row import batch or a
bulk status change costs one small GROUP BY, not 1,000 upserts. Soft-deleted rows (deleted_at set)
leave the counts; restoring brings them back. The local day comes from the workspace's time zone;
changing the zone recounts that workspace (`REBUILD_WORKSPACE`).
"""

from __future__ import annotations

_DIMS = "platform, status, assignee_id, pipeline_id, stage_id"
_DAILY_KEY = f"workspace_id, day, {_DIMS}, furthest"
_MONTHLY_KEY = f"workspace_id, month, {_DIMS}, furthest"
_TOTAL_KEY = f"workspace_id, {_DIMS}"
_LOCAL_DAY = "(t.created_at AT TIME ZONE w.time_zone)::date"
_LOCAL_MONTH = "date_trunc('month', t.created_at AT TIME ZONE w.time_zone)::date"
_VALUES = (
    "t.platform, t.status, coalesce(t.assignee_id, 0), coalesce(t.pipeline_id, 0), coalesce(t.stage_id, 0)"
)
# Both upserts read the CTE `delta` (lead columns + furthest + d = ±1).
_UPSERTS = f"""
daily AS (
    INSERT INTO lead_daily_count AS r ({_DAILY_KEY}, leads)
    SELECT t.workspace_id, {_LOCAL_DAY}, {_VALUES}, t.furthest, sum(t.d)
    FROM delta t JOIN workspace w ON w.id = t.workspace_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(t.d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ({_DAILY_KEY}) DO UPDATE SET leads = r.leads + excluded.leads
    RETURNING 1
),
monthly AS (
    INSERT INTO lead_monthly_count AS r ({_MONTHLY_KEY}, leads)
    SELECT t.workspace_id, {_LOCAL_MONTH}, {_VALUES}, t.furthest, sum(t.d)
    FROM delta t JOIN workspace w ON w.id = t.workspace_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(t.d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ({_MONTHLY_KEY}) DO UPDATE SET leads = r.leads + excluded.leads
    RETURNING 1
),
total AS (
    INSERT INTO lead_total_count AS r ({_TOTAL_KEY}, leads)
    SELECT t.workspace_id, {_VALUES}, sum(t.d)
    FROM delta t
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(t.d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ({_TOTAL_KEY}) DO UPDATE SET leads = r.leads + excluded.leads
    RETURNING 1
)"""
_COLS = "t.workspace_id, t.created_at, t.platform, t.status, t.assignee_id, t.pipeline_id, t.stage_id"
# Position of a row's stage when it counts for progress (not a "lost" stage), else NULL.
_STAGE_POS = (
    "(SELECT s.position FROM stage s WHERE s.id = {row}.stage_id AND s.status IS DISTINCT FROM 'lost')"
)

FUNCTION = f"""
CREATE OR REPLACE FUNCTION analytics_lead_rollup() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  _n bigint;  -- the data-modifying CTEs run to completion; the count is discarded
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH fresh AS (
      SELECT t.*, coalesce(s.position, -1) AS furthest
      FROM new_rows t LEFT JOIN stage s ON s.id = t.stage_id AND s.status IS DISTINCT FROM 'lost'
    ),
    progress AS (
      INSERT INTO lead_progress (lead_id, furthest)
      SELECT f.id, f.furthest FROM fresh f
      ON CONFLICT (lead_id) DO UPDATE SET furthest = excluded.furthest
      RETURNING 1
    ),
    delta AS (SELECT {_COLS}, t.furthest, 1 AS d FROM fresh t WHERE t.deleted_at IS NULL),
    {_UPSERTS}
    SELECT (SELECT count(*) FROM daily) + (SELECT count(*) FROM monthly) + (SELECT count(*) FROM total)
      + (SELECT count(*) FROM progress) INTO _n;
  ELSIF TG_OP = 'UPDATE' THEN
    WITH moved AS (
      SELECT n.id, coalesce(p.furthest, -1) AS f_old,
             CASE WHEN o.pipeline_id IS DISTINCT FROM n.pipeline_id THEN coalesce(s.position, -1)
                  ELSE greatest(coalesce(p.furthest, -1), coalesce(s.position, -1)) END AS f_new
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      LEFT JOIN lead_progress p ON p.lead_id = n.id
      LEFT JOIN stage s ON s.id = n.stage_id AND s.status IS DISTINCT FROM 'lost'
    ),
    delta AS (
      SELECT {_COLS}, m.f_old AS furthest, -1 AS d
      FROM old_rows t JOIN moved m ON m.id = t.id WHERE t.deleted_at IS NULL
      UNION ALL
      SELECT {_COLS}, m.f_new AS furthest, 1 AS d
      FROM new_rows t JOIN moved m ON m.id = t.id WHERE t.deleted_at IS NULL
    ),
    {_UPSERTS},
    progress AS (
      INSERT INTO lead_progress (lead_id, furthest)
      SELECT m.id, m.f_new FROM moved m WHERE m.f_new <> m.f_old
      ON CONFLICT (lead_id) DO UPDATE SET furthest = excluded.furthest
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM daily) + (SELECT count(*) FROM monthly) + (SELECT count(*) FROM total)
      + (SELECT count(*) FROM progress) INTO _n;
  ELSE
    -- Only subtract from existing rows: a cascading workspace delete must not insert anything.
    WITH gone AS (
      DELETE FROM lead_progress p USING old_rows o WHERE p.lead_id = o.id RETURNING p.lead_id, p.furthest
    ),
    agg AS (
      SELECT t.workspace_id, {_LOCAL_DAY} AS day, t.platform, t.status,
             coalesce(t.assignee_id, 0) AS assignee_id, coalesce(t.pipeline_id, 0) AS pipeline_id,
             coalesce(t.stage_id, 0) AS stage_id, coalesce(g.furthest, -1) AS furthest, count(*) AS n
      FROM old_rows t JOIN workspace w ON w.id = t.workspace_id LEFT JOIN gone g ON g.lead_id = t.id
      WHERE t.deleted_at IS NULL
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ),
    daily AS (
      UPDATE lead_daily_count r SET leads = r.leads - a.n FROM agg a
      WHERE (r.workspace_id, r.day, r.platform, r.status, r.assignee_id, r.pipeline_id, r.stage_id, r.furthest)
          = (a.workspace_id, a.day, a.platform, a.status, a.assignee_id, a.pipeline_id, a.stage_id, a.furthest)
      RETURNING 1
    ),
    monthly AS (
      UPDATE lead_monthly_count r SET leads = r.leads - a.n
      FROM (SELECT workspace_id, date_trunc('month', day)::date AS month, platform, status, assignee_id,
                   pipeline_id, stage_id, furthest, sum(n) AS n
            FROM agg GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) a
      WHERE (r.workspace_id, r.month, r.platform, r.status, r.assignee_id, r.pipeline_id, r.stage_id, r.furthest)
          = (a.workspace_id, a.month, a.platform, a.status, a.assignee_id, a.pipeline_id, a.stage_id, a.furthest)
      RETURNING 1
    )
    UPDATE lead_total_count r SET leads = r.leads - a.n
    FROM (SELECT workspace_id, platform, status, assignee_id, pipeline_id, stage_id, sum(n) AS n
          FROM agg GROUP BY 1, 2, 3, 4, 5, 6) a
    WHERE (r.workspace_id, r.platform, r.status, r.assignee_id, r.pipeline_id, r.stage_id)
        = (a.workspace_id, a.platform, a.status, a.assignee_id, a.pipeline_id, a.stage_id);
  END IF;
  RETURN NULL;
END
$fn$
"""

TRIGGERS = (
    "CREATE TRIGGER lead_rollup_insert AFTER INSERT ON lead REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_lead_rollup()",
    "CREATE TRIGGER lead_rollup_update AFTER UPDATE ON lead "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_lead_rollup()",
    "CREATE TRIGGER lead_rollup_delete AFTER DELETE ON lead REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_lead_rollup()",
)

DROP = (
    "DROP TRIGGER IF EXISTS lead_rollup_insert ON lead",
    "DROP TRIGGER IF EXISTS lead_rollup_update ON lead",
    "DROP TRIGGER IF EXISTS lead_rollup_delete ON lead",
    "DROP FUNCTION IF EXISTS analytics_lead_rollup()",
)

# The furthest stage by the activity history (stage.changed to a stage id; status.changed to the
# status of a default-pipeline stage) and the current stage, within the lead's current pipeline.
_PROGRESS_FILL = f"""
    INSERT INTO lead_progress (lead_id, furthest)
    SELECT l.id, greatest(coalesce({_STAGE_POS.format(row="l")}, -1), coalesce(h.pos, -1))
    FROM lead l
    LEFT JOIN (
        SELECT a.lead_id, max(s.position) AS pos
        FROM activity a
        JOIN lead l2 ON l2.id = a.lead_id
        JOIN stage s ON s.pipeline_id = l2.pipeline_id AND s.status IS DISTINCT FROM 'lost'
             AND ((a.type = 'stage.changed' AND a.data ->> 'to' = s.id::text)
               OR (a.type = 'status.changed' AND a.data ->> 'to' = s.status))
        WHERE a.type IN ('stage.changed', 'status.changed')
        GROUP BY a.lead_id
    ) h ON h.lead_id = l.id
"""
_DAILY_FILL = f"""
    INSERT INTO lead_daily_count ({_DAILY_KEY}, leads)
    SELECT t.workspace_id, {_LOCAL_DAY}, {_VALUES}, coalesce(p.furthest, -1), count(*)
    FROM lead t JOIN workspace w ON w.id = t.workspace_id LEFT JOIN lead_progress p ON p.lead_id = t.id
    WHERE t.deleted_at IS NULL {{where}}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""
_MONTHLY_FILL = f"""
    INSERT INTO lead_monthly_count ({_MONTHLY_KEY}, leads)
    SELECT t.workspace_id, {_LOCAL_MONTH}, {_VALUES}, coalesce(p.furthest, -1), count(*)
    FROM lead t JOIN workspace w ON w.id = t.workspace_id LEFT JOIN lead_progress p ON p.lead_id = t.id
    WHERE t.deleted_at IS NULL {{where}}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""
_TOTAL_FILL = f"""
    INSERT INTO lead_total_count ({_TOTAL_KEY}, leads)
    SELECT t.workspace_id, {_VALUES}, count(*)
    FROM lead t WHERE t.deleted_at IS NULL {{where}}
    GROUP BY 1, 2, 3, 4, 5, 6
"""
REBUILD_ALL = (
    "DELETE FROM lead_daily_count",
    "DELETE FROM lead_monthly_count",
    "DELETE FROM lead_total_count",
    "DELETE FROM lead_progress",
    _PROGRESS_FILL,
    _DAILY_FILL.format(where=""),
    _MONTHLY_FILL.format(where=""),
    _TOTAL_FILL.format(where=""),
)
REBUILD_WORKSPACE = (
    "DELETE FROM lead_daily_count WHERE workspace_id = :ws",
    "DELETE FROM lead_monthly_count WHERE workspace_id = :ws",
    "DELETE FROM lead_total_count WHERE workspace_id = :ws",
    _DAILY_FILL.format(where="AND t.workspace_id = :ws"),
    _MONTHLY_FILL.format(where="AND t.workspace_id = :ws"),
    _TOTAL_FILL.format(where="AND t.workspace_id = :ws"),
)
