# ruff: noqa: S608  (fixed SQL text built from constants, never from input)
"""PostgreSQL triggers that keep `lead_daily_count` exact on every write to `lead`.

Statement-level with transition tables: one aggregate per statement, so a 1,000-row import batch or a
bulk status change costs one small GROUP BY, not 1,000 upserts. Soft-deleted rows (deleted_at set)
leave the counts; restoring brings them back. The local day comes from the workspace's time zone;
changing the zone rebuilds that workspace's rows (`REBUILD_WORKSPACE`).
"""

from __future__ import annotations

_KEY = "workspace_id, day, platform, status, assignee_id, pipeline_id, stage_id"
_LOCAL_DAY = "(t.created_at AT TIME ZONE w.time_zone)::date"
_DIMS = (
    "t.platform, t.status, coalesce(t.assignee_id, 0), coalesce(t.pipeline_id, 0), coalesce(t.stage_id, 0)"
)
_UPSERT = f"""
    INSERT INTO lead_daily_count AS r ({_KEY}, leads)
    SELECT t.workspace_id, {_LOCAL_DAY}, {_DIMS}, sum(t.d)
    FROM delta t JOIN workspace w ON w.id = t.workspace_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(t.d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ({_KEY}) DO UPDATE SET leads = r.leads + excluded.leads
"""
_COLS = "workspace_id, created_at, platform, status, assignee_id, pipeline_id, stage_id"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION analytics_lead_rollup() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH delta AS (SELECT {_COLS}, 1 AS d FROM new_rows WHERE deleted_at IS NULL)
    {_UPSERT};
  ELSIF TG_OP = 'UPDATE' THEN
    WITH delta AS (
      SELECT {_COLS}, -1 AS d FROM old_rows WHERE deleted_at IS NULL
      UNION ALL
      SELECT {_COLS}, 1 AS d FROM new_rows WHERE deleted_at IS NULL
    )
    {_UPSERT};
  ELSE
    -- Only subtract from existing rows: a cascading workspace delete must not insert anything.
    UPDATE lead_daily_count r SET leads = r.leads - a.n
    FROM (
      SELECT t.workspace_id, {_LOCAL_DAY} AS day, t.platform, t.status,
             coalesce(t.assignee_id, 0) AS assignee_id, coalesce(t.pipeline_id, 0) AS pipeline_id,
             coalesce(t.stage_id, 0) AS stage_id, count(*) AS n
      FROM old_rows t JOIN workspace w ON w.id = t.workspace_id
      WHERE t.deleted_at IS NULL
      GROUP BY 1, 2, 3, 4, 5, 6, 7
    ) a
    WHERE (r.workspace_id, r.day, r.platform, r.status, r.assignee_id, r.pipeline_id, r.stage_id)
        = (a.workspace_id, a.day, a.platform, a.status, a.assignee_id, a.pipeline_id, a.stage_id);
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

_FILL = f"""
    INSERT INTO lead_daily_count ({_KEY}, leads)
    SELECT t.workspace_id, {_LOCAL_DAY}, {_DIMS}, count(*)
    FROM lead t JOIN workspace w ON w.id = t.workspace_id
    WHERE t.deleted_at IS NULL {{where}}
    GROUP BY 1, 2, 3, 4, 5, 6, 7
"""
REBUILD_ALL = ("DELETE FROM lead_daily_count", _FILL.format(where=""))
REBUILD_WORKSPACE = (
    "DELETE FROM lead_daily_count WHERE workspace_id = :ws",
    _FILL.format(where="AND t.workspace_id = :ws"),
)
