"""The import writer: one batch of prepared rows → leads, with set-based statements per batch.

PostgreSQL: COPY into a temporary staging table, then one INSERT … SELECT … ON CONFLICT DO NOTHING
RETURNING (the unique index decides, so concurrent imports of one profile never duplicate it);
activities and tag links are COPYed straight in. SQLite: the same statements through SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import Table, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col

from snapleads_app.domain.imports.rules import PreparedRow, changes_for
from snapleads_app.domain.leads.models import PROFILE_FIELDS, Lead
from snapleads_app.domain.leads.repo import lock_stages, shift_stage_counts
from snapleads_app.domain.scoring.repo import create_rows as create_score_rows
from snapleads_app.domain.tags.models import LeadTag, Tag
from snapleads_app.domain.timeline.models import Activity

INSERT_COLUMNS = (*PROFILE_FIELDS, "verified", "notes", "source_url", "custom_fields", "search_text")


@dataclass
class WriteResult:
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    row_of_lead: dict[int, int] = field(default_factory=dict)  # lead id → the row that created/updated it


@dataclass(frozen=True)
class BatchContext:
    workspace_id: int
    user_id: int | None
    via: str
    source: str
    source_url: str | None
    pipeline_id: int
    stage_id: int
    base_position: float
    policy: str
    assignees: Sequence[int | None]  # cycled over the created rows (one None = unassigned)
    now: datetime


_EXISTING_BY_PAIRS = (
    "SELECT l.id, l.platform, l.profile_key FROM unnest(%s::text[], %s::text[]) AS k(platform, key) "
    "JOIN lead l ON l.workspace_id = %s AND l.platform = k.platform AND l.profile_key = k.key "
    "AND l.deleted_at IS NULL"
)
# The plan of that lookup follows the statistics of `lead`. While an import fills a workspace they are
# stale ("workspace 1 has 1 row"), and PostgreSQL hashed *every* lead of the workspace per batch: 1.1 s
# per 1,000 keys at 170 k leads, 4 s at 880 k — the import slowed down as it grew (248 rows/s). The skip
# policy needs no lookup (the INSERT's ON CONFLICT decides, through the unique index, like raw COPY);
# the update policies refresh the statistics once the table changed by a fifth since the last ANALYZE.
_STALE_STATISTICS = (
    "SELECT n_mod_since_analyze > greatest(10000, 0.2 * greatest(c.reltuples, 0)) "
    "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relid = 'lead'::regclass"
)


def _fresh_statistics(cursor: Any) -> None:
    cursor.execute(_STALE_STATISTICS)
    row = cursor.fetchone()
    if row and row[0]:
        cursor.execute("ANALYZE lead")


def _existing(session: Session, workspace_id: int, rows: list[PreparedRow]) -> dict[tuple[str, str], Lead]:
    """The workspace's live leads with the rows' identities (whole leads: the policy may update them)."""
    pairs = sorted({(row.platform, row.key) for row in rows})
    found: dict[tuple[str, str], Lead] = {}
    if not pairs:
        return found
    if session.get_bind().dialect.name == "postgresql":
        # The pairs as arrays, joined: `(platform, key) IN (…1,000 pairs…)` is an OR list that stale
        # statistics turned into a sequential scan testing every pair on every row.
        with _psycopg(session).cursor() as cursor:
            _fresh_statistics(cursor)
            cursor.execute(_EXISTING_BY_PAIRS, ([p for p, _ in pairs], [k for _, k in pairs], workspace_id))
            ids = [lead_id for lead_id, _, _ in cursor.fetchall()]
        for start in range(0, len(ids), 1000):
            for lead in session.scalars(select(Lead).where(col(Lead.id).in_(ids[start : start + 1000]))):
                found[(lead.platform, lead.profile_key or "")] = lead
        return found
    for start in range(0, len(pairs), 1000):
        where = (
            col(Lead.workspace_id) == workspace_id,
            col(Lead.deleted_at).is_(None),
            tuple_(col(Lead.platform), col(Lead.profile_key)).in_(pairs[start : start + 1000]),
        )
        for lead in session.scalars(select(Lead).where(*where)):
            found[(lead.platform, lead.profile_key or "")] = lead
    return found


def _insert_statement(dialect: str) -> Any:
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(Lead).on_conflict_do_nothing(
        index_elements=["workspace_id", "platform", "profile_key"], index_where=LIVE_CLAUSE
    )
    return stmt.returning(Lead.id, Lead.platform, Lead.profile_key)  # type: ignore[attr-defined]


LIVE_CLAUSE = col(Lead.deleted_at).is_(None)


def write_batch(
    session: Session,
    batch: BatchContext,
    rows: list[PreparedRow],
    row_tags: dict[int, list[int]] | None = None,
) -> WriteResult:
    """Insert the new rows, update existing ones per the duplicate policy, record activities and tags.
    `row_tags` maps a row number to the tag ids it gets (the job's tags plus the row's own)."""
    result = WriteResult()
    if not rows:
        return result
    # Skip: every row is offered to the INSERT, whose ON CONFLICT (the unique index) drops the ones the
    # workspace has; they count as duplicates below. Fill/overwrite must read the existing leads first.
    existing = {} if batch.policy == "skip" else _existing(session, batch.workspace_id, rows)
    new_rows = [r for r in rows if (r.platform, r.key) not in existing]
    if new_rows:
        values = []
        for index, row in enumerate(new_rows):
            value = {c: row.fields.get(c) for c in INSERT_COLUMNS}
            value.update(
                workspace_id=batch.workspace_id,
                platform=row.platform,
                profile_key=row.key,
                verified=bool(row.fields.get("verified")),
                custom_fields=row.fields.get("custom_fields") or {},
                status="new",
                pipeline_id=batch.pipeline_id,
                stage_id=batch.stage_id,
                position=batch.base_position + (index + 1) * 1024.0,
                source=batch.source,
                source_url=row.fields.get("source_url") or batch.source_url,
                assignee_id=batch.assignees[index % len(batch.assignees)] if batch.assignees else None,
                created_by_id=batch.user_id,
                created_at=batch.now,
                updated_at=batch.now,
            )
            values.append(value)
        lock_stages(session, [batch.stage_id])  # before the INSERT's trigger locks the count rows
        if session.get_bind().dialect.name == "postgresql":
            inserted = _copy_insert_leads(session, values)
        else:
            inserted = session.execute(_insert_statement("sqlite"), values).all()
        result.created_ids = [row.id for row in inserted]
        # Their score rows (0 until the batch's scoring): one INSERT … SELECT for the whole batch.
        create_score_rows(session, result.created_ids, batch.now)
        shift_stage_counts(session, {batch.stage_id: len(inserted)})
        row_of = {(r.platform, r.key): r.row_number for r in new_rows}
        result.row_of_lead.update({row.id: row_of[(row.platform, row.profile_key)] for row in inserted})
        # Rows the workspace already has (skip policy) or that lost a race with a concurrent insert of the
        # same profile count as duplicates.
        result.duplicates += len(new_rows) - len(inserted)
    updates = []
    for row in rows:
        lead = existing.get((row.platform, row.key))
        if lead is None:
            continue
        if batch.policy == "skip":
            result.duplicates += 1
            continue
        changes = changes_for(batch.policy, lead.model_dump(), row.fields)
        if changes:
            updates.append((lead, row.row_number, changes))
        else:
            result.duplicates += 1
    for lead, row_number, changes in updates:
        session.execute(update(Lead).where(col(Lead.id) == lead.id).values(**changes, updated_at=batch.now))
        result.updated_ids.append(lead.id or 0)
        result.row_of_lead[lead.id or 0] = row_number
    _record(session, batch, result)
    created_at = dict.fromkeys(result.created_ids, batch.now)
    created_at.update({lead.id or 0: lead.created_at for lead, _, _ in updates})
    _tag(session, result, row_tags or {}, created_at)
    return result


_ACTIVITIES_FROM_IDS = (
    "INSERT INTO activity (workspace_id, lead_id, actor_user_id, via, type, data, created_at) "
    "SELECT %s, lead_id, %s, %s, %s, %s, %s FROM unnest(%s::bigint[]) AS lead_id"
)


def _record(session: Session, batch: BatchContext, result: WriteResult) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # One statement per kind: the rows are built by PostgreSQL from an array of ids, not in Python.
        with _psycopg(session).cursor() as cursor:
            for type_, ids in (("lead.imported", result.created_ids), ("lead.updated", result.updated_ids)):
                if ids:
                    cursor.execute(
                        _ACTIVITIES_FROM_IDS,
                        (
                            batch.workspace_id,
                            batch.user_id,
                            batch.via,
                            type_,
                            Jsonb({"source": batch.source}),
                            batch.now,
                            ids,
                        ),
                    )
        return
    activities = [
        {
            "workspace_id": batch.workspace_id,
            "lead_id": lead_id,
            "actor_user_id": batch.user_id,
            "via": batch.via,
            "type": type_,
            "data": {"source": batch.source},
            "created_at": batch.now,
        }
        for type_, ids in (("lead.imported", result.created_ids), ("lead.updated", result.updated_ids))
        for lead_id in ids
    ]
    _insert_rows(session, _table(Activity), activities)


def _tag(
    session: Session, result: WriteResult, row_tags: dict[int, list[int]], created_at: dict[int, datetime]
) -> None:
    wanted = {
        (lead_id, tag_id) for lead_id, row in result.row_of_lead.items() for tag_id in row_tags.get(row, [])
    }
    if not wanted:
        return
    already: set[tuple[int, int]] = set()
    if result.updated_ids:
        already = {
            (lead_id, tag_id)
            for lead_id, tag_id in session.execute(
                select(col(LeadTag.lead_id), col(LeadTag.tag_id)).where(
                    col(LeadTag.lead_id).in_(result.updated_ids)
                )
            ).all()
        }
    links = sorted(wanted - already)
    if not links:
        return
    _insert_rows(
        session,
        _table(LeadTag),
        [
            {"lead_id": lead_id, "tag_id": tag_id, "lead_created_at": created_at[lead_id]}
            for lead_id, tag_id in links
        ],
    )
    added: dict[int, int] = {}
    for _, tag_id in links:
        added[tag_id] = added.get(tag_id, 0) + 1
    for tag_id, count in added.items():
        session.execute(update(Tag).where(col(Tag.id) == tag_id).values(lead_count=Tag.lead_count + count))


_STAGE = "import_stage"


def _copy_insert_leads(session: Session, values: list[dict[str, Any]]) -> list[Any]:
    """COPY the rows into a session-private staging table, then insert what is not there yet."""
    columns = list(values[0])
    column_list = ", ".join(columns)
    raw = _psycopg(session)
    with raw.cursor() as cursor:
        cursor.execute(  # column names come from INSERT_COLUMNS, not from input
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} AS SELECT {column_list} FROM lead WITH NO DATA"  # noqa: S608
        )
        cursor.execute(f"TRUNCATE {_STAGE}")
        with cursor.copy(f"COPY {_STAGE} ({column_list}) FROM STDIN") as copy:
            for value in values:
                copy.write_row([_copy_value(value[c]) for c in columns])
        cursor.execute(
            f"INSERT INTO lead ({column_list}) SELECT {column_list} FROM {_STAGE} "  # noqa: S608
            "ON CONFLICT (workspace_id, platform, profile_key) WHERE deleted_at IS NULL DO NOTHING "
            "RETURNING id, platform, profile_key"
        )
        rows = cursor.fetchall()
        cursor.execute(f"TRUNCATE {_STAGE}")
    return [_Inserted(*row) for row in rows]


@dataclass(frozen=True)
class _Inserted:
    id: int
    platform: str
    profile_key: str


def _copy_value(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) else value


def _insert_rows(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Plain inserts of many rows: COPY on PostgreSQL, Core executemany elsewhere."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.connection().execute(table.insert(), rows)
        return
    columns = list(rows[0])
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with _psycopg(session).cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_copy_value(row[c]) for c in columns])


def _psycopg(session: Session) -> Any:
    """The psycopg connection under the session's transaction (COPY is not in SQLAlchemy's API)."""
    driver = session.connection().connection.driver_connection
    if driver is None:
        raise RuntimeError("no database connection")
    return driver


def _table(model: type[SQLModel]) -> Table:
    table = SQLModel.metadata.tables[model.__tablename__]  # type: ignore[index]
    return table
