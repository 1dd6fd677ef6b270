"""analytics: workspace time zone; lead_daily/monthly/total_count, lead_progress kept by triggers (PostgreSQL)

Revision ID: a7c3e9d2b514
Revises: a7c3e9d51b20
Create Date: 2026-11-25 17:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from snapleads_app.domain.analytics import rollup_sql

# revision identifiers, used by Alembic.
revision: str = "a7c3e9d2b514"
down_revision: str | None = "a7c3e9d51b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="America/Sao_Paulo")
        )
    with op.batch_alter_table("workspace") as batch:
        batch.alter_column("time_zone", server_default=None)
    op.create_table(
        "lead_daily_count",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("furthest", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "workspace_id", "day", "platform", "status", "assignee_id", "pipeline_id", "stage_id", "furthest"
        ),
    )
    op.create_table(
        "lead_monthly_count",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("furthest", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "workspace_id",
            "month",
            "platform",
            "status",
            "assignee_id",
            "pipeline_id",
            "stage_id",
            "furthest",
        ),
    )
    op.create_table(
        "lead_total_count",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "workspace_id", "platform", "status", "assignee_id", "pipeline_id", "stage_id"
        ),
    )
    op.create_table(
        "lead_progress",
        sa.Column("lead_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("furthest", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("lead_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Existing leads first, then the triggers keep the counts from here on.
        for statement in rollup_sql.REBUILD_ALL:
            op.execute(statement)
        op.execute(rollup_sql.FUNCTION)
        for statement in rollup_sql.TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in rollup_sql.DROP:
            op.execute(statement)
    op.drop_table("lead_progress")
    op.drop_table("lead_total_count")
    op.drop_table("lead_monthly_count")
    op.drop_table("lead_daily_count")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("time_zone")
