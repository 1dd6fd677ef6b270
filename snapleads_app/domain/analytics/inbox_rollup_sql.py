# ruff: noqa: S608  (fixed SQL text built from constants, never from input)
"""PostgreSQL triggers that keep the conversation metrics exact on every write to the inbox tables.

- `conversation_metric` (one narrow row per conversation): when it started, the dimensions the
  analytics filter on (the lead's platform and pipeline, the conversation's assignee, whether the lead
  is live), our first outbound message and the lead's first message after it. The response rate and
  the median time to first reply read the period's rows through (workspace_id, first_out_at);
- `message_daily_count`: messages per local day × platform/pipeline/assignee/sender/direction of live
  leads' conversations (sent, received, per rep, the timeline), and conversations started per local day
  (direction "started", sender 0).

Every write path keeps them — the inbox service, the inbound API, the workers, bulk lead updates,
soft deletes and restores, merges, conversation reassignments or moves to another lead, cascading
deletes — because the triggers sit on the tables, not in one service:
- `message` INSERT/DELETE (and UPDATE of conversation/direction/sender/time): the day counts move by
  the statement's rows (one GROUP BY per statement); the firsts of the touched conversations are
  recomputed only when the statement can change them (a new earlier first, a deleted first);
- `conversation` INSERT: its metric row and "started" count; UPDATE of assignee, lead or start time:
  `analytics_inbox_restate`;
  DELETE: before each row, its day counts are subtracted (its messages are still there whatever order
  the cascades run in) and it stops being live; after the statement its metric row goes;
- `lead` UPDATE of platform, pipeline or deleted_at: `analytics_inbox_restate` of its conversations.

`analytics_inbox_restate(ids)` moves the day counts of those conversations (messages and "started")
from the dimensions kept on their metric row to the current ones (reading their messages: a handful per
conversation).
The local day comes from the workspace's time zone; changing the zone recounts that workspace.
"""

from __future__ import annotations

_DAY_KEY = "workspace_id, day, platform, pipeline_id, assignee_id, sender_id, direction"
_LOCAL_DAY = "(t.created_at AT TIME ZONE w.time_zone)::date"

# Upsert of the day counts from a CTE `delta` (conversation_id, created_at, direction, sender_user_id,
# d = ±1) with the dimensions of the conversation's metric row (live conversations only).
_DAILY_UPSERT = f"""
daily AS (
    INSERT INTO message_daily_count AS r ({_DAY_KEY}, messages)
    SELECT m.workspace_id, {_LOCAL_DAY}, m.platform, m.pipeline_id, m.assignee_id,
           coalesce(t.sender_user_id, 0), t.direction, sum(t.d)
    FROM delta t
    JOIN conversation_metric m ON m.conversation_id = t.conversation_id AND m.live
    JOIN workspace w ON w.id = m.workspace_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(t.d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ({_DAY_KEY}) DO UPDATE SET messages = r.messages + excluded.messages
    RETURNING 1
)"""

# First outbound message and the lead's first message after it, from the message table.
FIRSTS_FUNCTION = """
CREATE OR REPLACE FUNCTION analytics_inbox_firsts(ids bigint[]) RETURNS void LANGUAGE sql AS $fn$
    UPDATE conversation_metric m SET first_out_at = f.first_out, first_reply_at = f.first_reply
    FROM (
        SELECT c.id, o.first_out,
               (SELECT min(x.created_at) FROM message x
                WHERE x.conversation_id = c.id AND x.direction = 'inbound' AND x.created_at > o.first_out
               ) AS first_reply
        FROM unnest(ids) AS c(id)
        CROSS JOIN LATERAL (
            SELECT min(x.created_at) AS first_out FROM message x
            WHERE x.conversation_id = c.id AND x.direction = 'outbound'
        ) o
    ) f
    WHERE m.conversation_id = f.id
      AND (m.first_out_at, m.first_reply_at) IS DISTINCT FROM (f.first_out, f.first_reply)
$fn$
"""

# Move the day counts of conversations `ids` (their messages and their "started" row) from their kept
# dimensions and start time to the current ones.
RESTATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION analytics_inbox_restate(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  _n bigint;
BEGIN
  WITH fresh AS (
    SELECT c.id AS conversation_id, c.created_at, l.platform, coalesce(l.pipeline_id, 0) AS pipeline_id,
           coalesce(c.assignee_id, 0) AS assignee_id, l.deleted_at IS NULL AS live
    FROM conversation c JOIN lead l ON l.id = c.lead_id
    WHERE c.id = ANY(ids)
  ),
  moved AS (
    SELECT m.conversation_id, m.workspace_id, w.time_zone,
           m.created_at AS o_created, m.platform AS o_platform, m.pipeline_id AS o_pipeline,
           m.assignee_id AS o_assignee, m.live AS o_live,
           f.created_at AS n_created, f.platform AS n_platform, f.pipeline_id AS n_pipeline,
           f.assignee_id AS n_assignee, f.live AS n_live
    FROM conversation_metric m
    JOIN fresh f ON f.conversation_id = m.conversation_id
    JOIN workspace w ON w.id = m.workspace_id
    WHERE (m.created_at, m.platform, m.pipeline_id, m.assignee_id, m.live)
          IS DISTINCT FROM (f.created_at, f.platform, f.pipeline_id, f.assignee_id, f.live)
  ),
  delta AS (
    SELECT mv.workspace_id, (t.created_at AT TIME ZONE mv.time_zone)::date AS day, mv.o_platform AS platform,
           mv.o_pipeline AS pipeline_id, mv.o_assignee AS assignee_id, coalesce(t.sender_user_id, 0) AS sender_id,
           t.direction, -1 AS d
    FROM moved mv JOIN message t ON t.conversation_id = mv.conversation_id WHERE mv.o_live
    UNION ALL
    SELECT mv.workspace_id, (t.created_at AT TIME ZONE mv.time_zone)::date, mv.n_platform, mv.n_pipeline,
           mv.n_assignee, coalesce(t.sender_user_id, 0), t.direction, 1
    FROM moved mv JOIN message t ON t.conversation_id = mv.conversation_id WHERE mv.n_live
    UNION ALL
    SELECT mv.workspace_id, (mv.o_created AT TIME ZONE mv.time_zone)::date, mv.o_platform, mv.o_pipeline,
           mv.o_assignee, 0, 'started', -1
    FROM moved mv WHERE mv.o_live
    UNION ALL
    SELECT mv.workspace_id, (mv.n_created AT TIME ZONE mv.time_zone)::date, mv.n_platform, mv.n_pipeline,
           mv.n_assignee, 0, 'started', 1
    FROM moved mv WHERE mv.n_live
  ),
  daily AS (
    INSERT INTO message_daily_count AS r ({_DAY_KEY}, messages)
    SELECT workspace_id, day, platform, pipeline_id, assignee_id, sender_id, direction, sum(d)
    FROM delta
    GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ({_DAY_KEY}) DO UPDATE SET messages = r.messages + excluded.messages
    RETURNING 1
  ),
  kept AS (
    UPDATE conversation_metric m
    SET created_at = mv.n_created, platform = mv.n_platform, pipeline_id = mv.n_pipeline,
        assignee_id = mv.n_assignee, live = mv.n_live
    FROM moved mv WHERE m.conversation_id = mv.conversation_id
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM daily) + (SELECT count(*) FROM kept) INTO _n;
END
$fn$
"""

MESSAGE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION analytics_inbox_message() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  _n bigint;
  _ids bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH delta AS (
      SELECT t.conversation_id, t.created_at, t.direction, t.sender_user_id, 1 AS d FROM new_rows t
    ),
    {_DAILY_UPSERT}
    SELECT count(*) FROM daily INTO _n;
    -- Firsts change only with an earlier outbound message, or an inbound one after the first
    -- outbound and before the known first reply.
    SELECT array_agg(DISTINCT m.conversation_id) INTO _ids
    FROM new_rows t JOIN conversation_metric m ON m.conversation_id = t.conversation_id
    WHERE (t.direction = 'outbound' AND (m.first_out_at IS NULL OR t.created_at < m.first_out_at))
       OR (t.direction = 'inbound' AND m.first_out_at IS NOT NULL AND t.created_at > m.first_out_at
           AND (m.first_reply_at IS NULL OR t.created_at < m.first_reply_at));
  ELSIF TG_OP = 'UPDATE' THEN
    WITH changed AS (
      SELECT o.conversation_id AS o_conv, o.created_at AS o_at, o.direction AS o_dir, o.sender_user_id AS o_sender,
             n.conversation_id, n.created_at, n.direction, n.sender_user_id
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.conversation_id, o.created_at, o.direction, o.sender_user_id)
            IS DISTINCT FROM (n.conversation_id, n.created_at, n.direction, n.sender_user_id)
    ),
    delta AS (
      SELECT o_conv AS conversation_id, o_at AS created_at, o_dir AS direction, o_sender AS sender_user_id,
             -1 AS d FROM changed
      UNION ALL
      SELECT conversation_id, created_at, direction, sender_user_id, 1 FROM changed
    ),
    {_DAILY_UPSERT}
    SELECT count(*) FROM daily INTO _n;
    SELECT array_agg(DISTINCT c) INTO _ids FROM (
      SELECT o.conversation_id AS c FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.conversation_id, o.created_at, o.direction)
            IS DISTINCT FROM (n.conversation_id, n.created_at, n.direction)
      UNION
      SELECT n.conversation_id FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.conversation_id, o.created_at, o.direction)
            IS DISTINCT FROM (n.conversation_id, n.created_at, n.direction)
    ) s;
  ELSE
    WITH delta AS (
      SELECT t.conversation_id, t.created_at, t.direction, t.sender_user_id, -1 AS d FROM old_rows t
    ),
    {_DAILY_UPSERT}
    SELECT count(*) FROM daily INTO _n;
    SELECT array_agg(DISTINCT m.conversation_id) INTO _ids
    FROM old_rows t JOIN conversation_metric m ON m.conversation_id = t.conversation_id
    WHERE t.created_at = m.first_out_at OR t.created_at = m.first_reply_at;
  END IF;
  IF _ids IS NOT NULL THEN
    PERFORM analytics_inbox_firsts(_ids);
  END IF;
  RETURN NULL;
END
$fn$
"""

CONVERSATION_FUNCTION = f"""
CREATE OR REPLACE FUNCTION analytics_inbox_conversation() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  _n bigint;
  _ids bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH added AS (
      INSERT INTO conversation_metric
          (conversation_id, workspace_id, created_at, platform, pipeline_id, assignee_id, live)
      SELECT t.id, t.workspace_id, t.created_at, l.platform, coalesce(l.pipeline_id, 0),
             coalesce(t.assignee_id, 0), l.deleted_at IS NULL
      FROM new_rows t JOIN lead l ON l.id = t.lead_id
      ON CONFLICT (conversation_id) DO NOTHING
      RETURNING workspace_id, created_at, platform, pipeline_id, assignee_id, live
    ),
    daily AS (
      INSERT INTO message_daily_count AS r ({_DAY_KEY}, messages)
      SELECT a.workspace_id, (a.created_at AT TIME ZONE w.time_zone)::date, a.platform, a.pipeline_id,
             a.assignee_id, 0, 'started', count(*)
      FROM added a JOIN workspace w ON w.id = a.workspace_id
      WHERE a.live
      GROUP BY 1, 2, 3, 4, 5, 6, 7
      ORDER BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT ({_DAY_KEY}) DO UPDATE SET messages = r.messages + excluded.messages
      RETURNING 1
    )
    SELECT count(*) FROM daily INTO _n;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(n.id) INTO _ids FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.assignee_id, o.lead_id, o.created_at) IS DISTINCT FROM (n.assignee_id, n.lead_id, n.created_at);
    IF _ids IS NOT NULL THEN
      PERFORM analytics_inbox_restate(_ids);
    END IF;
  ELSE
    -- analytics_inbox_conversation_gone subtracted the day counts before each row went.
    DELETE FROM conversation_metric m USING old_rows o WHERE m.conversation_id = o.id;
  END IF;
  RETURN NULL;
END
$fn$
"""

# Before a conversation row goes (its messages are still there, whichever order the cascades run
# in): subtract its day counts and mark it not live, so the message delete that follows counts nothing.
CONVERSATION_GONE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION analytics_inbox_conversation_gone() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  _n bigint;
BEGIN
  WITH gone AS (
    UPDATE conversation_metric SET live = false WHERE conversation_id = OLD.id AND live RETURNING 1
  ),
  delta AS (
    SELECT t.conversation_id, t.created_at, t.direction, t.sender_user_id, -1 AS d
    FROM message t WHERE t.conversation_id = OLD.id AND EXISTS (SELECT 1 FROM gone)
    UNION ALL
    SELECT m.conversation_id, m.created_at, 'started', NULL, -1
    FROM conversation_metric m WHERE m.conversation_id = OLD.id AND EXISTS (SELECT 1 FROM gone)
  ),
  {_DAILY_UPSERT}
  SELECT count(*) FROM daily INTO _n;
  RETURN OLD;
END
$fn$
"""

LEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION analytics_inbox_lead() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  _ids bigint[];
BEGIN
  SELECT array_agg(c.id) INTO _ids
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  JOIN conversation c ON c.workspace_id = n.workspace_id AND c.lead_id = n.id
  WHERE (o.platform, o.pipeline_id, o.deleted_at IS NULL)
        IS DISTINCT FROM (n.platform, n.pipeline_id, n.deleted_at IS NULL);
  IF _ids IS NOT NULL THEN
    PERFORM analytics_inbox_restate(_ids);
  END IF;
  RETURN NULL;
END
$fn$
"""

FUNCTIONS = (
    FIRSTS_FUNCTION,
    RESTATE_FUNCTION,
    MESSAGE_FUNCTION,
    CONVERSATION_FUNCTION,
    CONVERSATION_GONE_FUNCTION,
    LEAD_FUNCTION,
)

TRIGGERS = (
    "CREATE TRIGGER message_rollup_insert AFTER INSERT ON message REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_inbox_message()",
    "CREATE TRIGGER message_rollup_update AFTER UPDATE ON message "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_inbox_message()",
    "CREATE TRIGGER message_rollup_delete AFTER DELETE ON message REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_inbox_message()",
    "CREATE TRIGGER conversation_rollup_insert AFTER INSERT ON conversation REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_inbox_conversation()",
    "CREATE TRIGGER conversation_rollup_update AFTER UPDATE ON conversation "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_inbox_conversation()",
    "CREATE TRIGGER conversation_rollup_delete AFTER DELETE ON conversation REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_inbox_conversation()",
    "CREATE TRIGGER conversation_rollup_gone BEFORE DELETE ON conversation "
    "FOR EACH ROW EXECUTE FUNCTION analytics_inbox_conversation_gone()",
    "CREATE TRIGGER lead_inbox_rollup_update AFTER UPDATE ON lead "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION analytics_inbox_lead()",
)

DROP = (
    "DROP TRIGGER IF EXISTS message_rollup_insert ON message",
    "DROP TRIGGER IF EXISTS message_rollup_update ON message",
    "DROP TRIGGER IF EXISTS message_rollup_delete ON message",
    "DROP TRIGGER IF EXISTS conversation_rollup_insert ON conversation",
    "DROP TRIGGER IF EXISTS conversation_rollup_update ON conversation",
    "DROP TRIGGER IF EXISTS conversation_rollup_delete ON conversation",
    "DROP TRIGGER IF EXISTS conversation_rollup_gone ON conversation",
    "DROP TRIGGER IF EXISTS lead_inbox_rollup_update ON lead",
    "DROP FUNCTION IF EXISTS analytics_inbox_lead()",
    "DROP FUNCTION IF EXISTS analytics_inbox_conversation_gone()",
    "DROP FUNCTION IF EXISTS analytics_inbox_conversation()",
    "DROP FUNCTION IF EXISTS analytics_inbox_message()",
    "DROP FUNCTION IF EXISTS analytics_inbox_restate(bigint[])",
    "DROP FUNCTION IF EXISTS analytics_inbox_firsts(bigint[])",
)

_METRIC_FILL = """
    INSERT INTO conversation_metric
        (conversation_id, workspace_id, created_at, platform, pipeline_id, assignee_id, live,
         first_out_at, first_reply_at)
    SELECT c.id, c.workspace_id, c.created_at, l.platform, coalesce(l.pipeline_id, 0),
           coalesce(c.assignee_id, 0), l.deleted_at IS NULL, f.first_out,
           (SELECT min(x.created_at) FROM message x
            WHERE x.conversation_id = c.id AND x.direction = 'inbound' AND x.created_at > f.first_out)
    FROM conversation c
    JOIN lead l ON l.id = c.lead_id
    LEFT JOIN (
        SELECT conversation_id, min(created_at) AS first_out FROM message
        WHERE direction = 'outbound' GROUP BY conversation_id
    ) f ON f.conversation_id = c.id
    WHERE true {where}
"""
_DAILY_FILL = f"""
    INSERT INTO message_daily_count ({_DAY_KEY}, messages)
    SELECT m.workspace_id, {_LOCAL_DAY}, m.platform, m.pipeline_id, m.assignee_id,
           coalesce(t.sender_user_id, 0), t.direction, count(*)
    FROM (
        SELECT conversation_id, created_at, direction, sender_user_id FROM message
        UNION ALL
        SELECT conversation_id, created_at, 'started', NULL FROM conversation_metric
    ) t
    JOIN conversation_metric m ON m.conversation_id = t.conversation_id AND m.live
    JOIN workspace w ON w.id = m.workspace_id
    WHERE true {{where}}
    GROUP BY 1, 2, 3, 4, 5, 6, 7
"""
REBUILD_ALL = (
    "DELETE FROM message_daily_count",
    "DELETE FROM conversation_metric",
    _METRIC_FILL.format(where=""),
    _DAILY_FILL.format(where=""),
)
REBUILD_WORKSPACE = (
    "DELETE FROM message_daily_count WHERE workspace_id = :ws",
    _DAILY_FILL.format(where="AND m.workspace_id = :ws"),
)
