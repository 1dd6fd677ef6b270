"""the score lives only in lead_score: lead.score and ix_lead_ws_score dropped; points as smallint[]

Every lead (trash included) gets a lead_score row: those lacking one take their lead.score (explanation
empty: "not computed yet"). lead_score.points becomes the points of each rule in scoring's RULE_ORDER
(smallint[] on PostgreSQL, a JSON list on SQLite) instead of a rule → points object; the workspace
index becomes (workspace_id, score, lead_id) for the leads listing's score filter and sort.

Revision ID: d5f0b8c2a913
Revises: a7e3c91d5b20
Create Date: 2026-11-25 20:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d5f0b8c2a913"
down_revision: str | None = "a7e3c91d5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# scoring.rules.RULE_ORDER when this migration was written (the stored list follows it).
RULE_ORDER = (
    "profile_completeness", "has_email", "has_phone", "followers", "job_title", "verified", "replied",
    "message_count", "recency",
)  # fmt: skip


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    postgres = _postgres()
    empty = "'{}'::jsonb" if postgres else "'{}'"
    now = "now()" if postgres else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    op.execute(
        "INSERT INTO lead_score (lead_id, workspace_id, score, points, rules_version, computed_at) "
        f"SELECT l.id, l.workspace_id, l.score, {empty}, 0, {now} FROM lead l "
        "WHERE NOT EXISTS (SELECT 1 FROM lead_score s WHERE s.lead_id = l.id)"
    )
    if postgres:
        items = ", ".join(f"coalesce((points->>'{name}')::smallint, 0)" for name in RULE_ORDER)
        op.execute(
            "ALTER TABLE lead_score ALTER COLUMN points TYPE smallint[] USING "
            f"(CASE WHEN points = '{{}}'::jsonb THEN '{{}}'::smallint[] ELSE ARRAY[{items}] END)"
        )
    else:
        items = ", ".join(f"coalesce(json_extract(points, '$.{name}'), 0)" for name in RULE_ORDER)
        op.execute(
            f"UPDATE lead_score SET points = CASE WHEN points IN ('{{}}', '') THEN '[]' ELSE json_array({items}) END"
        )
    with op.batch_alter_table("lead_score", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_score_workspace")
        batch_op.create_index("ix_lead_score_ws_score", ["workspace_id", "score", "lead_id"], unique=False)
    op.drop_index("ix_lead_ws_score", table_name="lead", postgresql_where=sa.text("deleted_at IS NULL"))
    op.drop_column("lead", "score")  # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 does it in place)


def downgrade() -> None:
    postgres = _postgres()
    op.add_column("lead", sa.Column("score", sa.Integer(), nullable=False, server_default="0"))
    if postgres:
        op.alter_column("lead", "score", server_default=None)
    op.execute("UPDATE lead SET score = s.score FROM lead_score s WHERE s.lead_id = lead.id")
    op.create_index(
        "ix_lead_ws_score",
        "lead",
        ["workspace_id", "score", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    with op.batch_alter_table("lead_score", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_score_ws_score")
        batch_op.create_index("ix_lead_score_workspace", ["workspace_id"], unique=False)
    if postgres:
        items = ", ".join(f"'{name}', coalesce(points[{i + 1}], 0)" for i, name in enumerate(RULE_ORDER))
        op.execute(
            "ALTER TABLE lead_score ALTER COLUMN points TYPE jsonb USING "
            f"(CASE WHEN cardinality(points) = 0 THEN '{{}}'::jsonb ELSE jsonb_build_object({items}) END)"
        )
    else:
        items = ", ".join(f"'{name}', coalesce(json_extract(points, '$[{i}]'), 0)" for i, name in enumerate(RULE_ORDER))
        op.execute(
            f"UPDATE lead_score SET points = CASE WHEN points IN ('[]', '') THEN '{{}}' ELSE json_object({items}) END"
        )
