"""Scoring queries: the set-based bulk rescore on PostgreSQL (one statement per id range).

The SQL mirrors `rules.score_points` rule by rule; tests compare both on the same leads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, any_, bindparam, func, literal, literal_column, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col

from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.scoring.models import LeadScore
from snapleads_app.domain.scoring.rules import COMPLETENESS_FIELDS, RULE_ORDER


def _filled(column: str) -> str:
    return f"(CASE WHEN l.{column} IS NOT NULL AND btrim(l.{column}) <> '' THEN 1 ELSE 0 END)"


def _like_pattern(word: str) -> str:
    escaped = word.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def points_sql(rules: Mapping[str, Any], params: dict[str, Any], *, engagement: bool) -> dict[str, str]:
    """rule → SQL expression over `lead l` (and `e` when engagement is joined); fills `params`."""
    filled = " + ".join(_filled(c) for c in COMPLETENESS_FIELDS)
    params.update(
        p_complete=rules["profile_completeness"]["points"],
        p_email=rules["has_email"]["points"],
        p_phone=rules["has_phone"]["points"],
        p_title=rules["job_title"]["points"],
        p_verified=rules["verified"]["points"],
        p_replied=rules["replied"]["points"],
        p_per_message=rules["message_count"]["per_message"],
        p_message_max=rules["message_count"]["max"],
        p_recency=rules["recency"]["points"],
        p_decay=max(1, rules["recency"]["decay_days"]),
        p_keywords=[_like_pattern(k) for k in rules["job_title"]["keywords"] if k.strip()] or ["\x00"],
    )
    bands = sorted(rules["followers"]["bands"], key=lambda b: -b[0])
    cases = " ".join(f"WHEN coalesce(l.followers, 0) >= {int(t)} THEN {int(p)}" for t, p in bands)
    followers = f"(CASE {cases} ELSE 0 END)" if bands else "0"
    return {
        "profile_completeness": f"floor(%(p_complete)s * ({filled})::numeric / {len(COMPLETENESS_FIELDS)} + 0.5)::int",
        "has_email": f"(%(p_email)s * {_filled('email')})",
        "has_phone": f"(%(p_phone)s * {_filled('phone')})",
        "followers": followers,
        "job_title": "(CASE WHEN lower(coalesce(l.headline, '')) LIKE ANY(%(p_keywords)s) THEN %(p_title)s ELSE 0 END)",
        "verified": "(CASE WHEN l.verified THEN %(p_verified)s ELSE 0 END)",
        "replied": "(CASE WHEN coalesce(e.replied, false) THEN %(p_replied)s ELSE 0 END)"
        if engagement
        else "0",
        "message_count": "least(%(p_message_max)s, %(p_per_message)s * coalesce(e.inbound, 0))"
        if engagement
        else "0",
        "recency": "(CASE WHEN %(p_recency)s <= 0 THEN 0 ELSE greatest(0, floor(%(p_recency)s * (1 - "
        "greatest(0, extract(epoch FROM (%(now)s - coalesce(l.last_interaction_at, l.created_at))) / 86400.0)"
        " / %(p_decay)s) + 0.5))::int END)",
    }


def rescore_range_sql(rules: Mapping[str, Any], params: dict[str, Any], engagement_sql: str | None) -> str:
    """One id range: compute every live lead's points, then write only what changed — the narrow
    lead_score row (UPDATE, or INSERT for a lead that has none) and a history row per score change.
    The wide `lead` row is only read."""
    points = points_sql(rules, params, engagement=engagement_sql is not None)
    columns = ",\n        ".join(f"{points[name]} AS p{i}" for i, name in enumerate(RULE_ORDER))
    total = " + ".join(f"p{i}" for i in range(len(RULE_ORDER)))
    array = ", ".join(f"p{i}" for i in range(len(RULE_ORDER)))
    join = f"LEFT JOIN ({engagement_sql}) e ON e.lead_id = l.id" if engagement_sql else ""
    # The id range is repeated on lead_score's side: both primary keys are then read in the same
    # range (a merge or a bounded probe), never the workspace's whole lead_score.
    return f"""
WITH calc AS (
    SELECT l.id, ls.lead_id IS NOT NULL AS had, coalesce(ls.score, 0) AS old, ls.points AS old_pts,
        {columns}
    FROM lead l
    LEFT JOIN lead_score ls ON ls.lead_id = l.id AND ls.lead_id >= %(lo)s AND ls.lead_id < %(hi)s
    {join}
    WHERE l.workspace_id = %(ws)s AND l.deleted_at IS NULL AND l.id >= %(lo)s AND l.id < %(hi)s
), s AS (
    SELECT id, had, old, old_pts, least(100, greatest(0, {total}))::int AS new,
        ARRAY[{array}]::smallint[] AS pts
    FROM calc
), ch AS (
    SELECT id, had, old, new, pts FROM s WHERE NOT had OR new <> old OR pts IS DISTINCT FROM old_pts
), up AS (
    UPDATE lead_score t SET score = ch.new, points = ch.pts, rules_version = %(version)s, computed_at = %(now)s
    FROM ch WHERE ch.had AND t.lead_id = ch.id AND t.lead_id >= %(lo)s AND t.lead_id < %(hi)s
    RETURNING 1
), ins AS (
    INSERT INTO lead_score (lead_id, workspace_id, score, points, rules_version, computed_at)
    SELECT id, %(ws)s, new, pts, %(version)s, %(now)s FROM ch WHERE NOT ch.had
    ON CONFLICT (lead_id) DO UPDATE SET score = excluded.score, points = excluded.points,
        rules_version = excluded.rules_version, computed_at = excluded.computed_at
    RETURNING 1
), hist AS (
    INSERT INTO lead_score_history (workspace_id, lead_id, old_score, new_score, reason, created_at)
    SELECT %(ws)s, id, old, new, %(reason)s, %(now)s FROM ch WHERE new <> old
)
SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM ch WHERE new <> old),
    (SELECT count(*) FROM up) + (SELECT count(*) FROM ins)
"""  # noqa: S608 - every value is a bound parameter; the SQL text comes from rule names and ints


def id_bounds(session: Session, workspace_id: int) -> tuple[int, int] | None:
    row = session.execute(
        select(func.min(Lead.id), func.max(Lead.id)).where(col(Lead.workspace_id) == workspace_id)
    ).one()
    if row[0] is None:
        return None
    return int(row[0]), int(row[1])


def psycopg_connection(session: Session) -> Any:
    return session.connection().connection.driver_connection


def run_range(session: Session, sql: str, params: dict[str, Any]) -> tuple[int, int, int]:
    """(leads scored, lead scores changed, explanations written) of one id range."""
    with psycopg_connection(session).cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)


def allow_long_statement(session: Session) -> None:
    """The bulk rescore's statements may outlive the interactive 30 s timeout on a busy server."""
    session.execute(text("SET LOCAL statement_timeout = '10min'"))


def purge_orphans(session: Session, workspace_id: int) -> None:
    """Scores of leads that no longer exist (no foreign key cascades here). A lead in the trash keeps
    its row: a restore finds its score where the listing reads it."""
    session.execute(
        text(
            "DELETE FROM lead_score s WHERE s.workspace_id = :ws AND NOT EXISTS "
            "(SELECT 1 FROM lead l WHERE l.id = s.lead_id)"
        ),
        {"ws": workspace_id},
    )


def create_rows(session: Session, lead_ids: Sequence[int], now: datetime) -> None:
    """A score row (0, not computed yet) for each given lead lacking one: one INSERT … SELECT per call,
    whatever the number of leads (the import writer calls it once per batch)."""
    if not lead_ids:
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    empty = literal_column("'{}'::smallint[]" if postgres else "'[]'")
    computed_at = literal(now, type_=LeadScore.__table__.c.computed_at.type)  # type: ignore[attr-defined]
    module: Any = postgresql if postgres else sqlite
    chunk = len(lead_ids) if postgres else 500  # SQLite: bound parameters per statement
    for start in range(0, len(lead_ids), chunk):
        part = list(lead_ids[start : start + chunk])
        wanted = (
            col(Lead.id) == any_(bindparam("lead_ids", part, type_=ARRAY(BigInteger)))
            if postgres
            else col(Lead.id).in_(part)
        )
        source = select(
            col(Lead.id), col(Lead.workspace_id), literal(0), empty, literal(0), computed_at
        ).where(wanted)
        session.execute(
            module.insert(LeadScore)
            .from_select(
                ["lead_id", "workspace_id", "score", "points", "rules_version", "computed_at"], source
            )
            .on_conflict_do_nothing(index_elements=["lead_id"])
        )
