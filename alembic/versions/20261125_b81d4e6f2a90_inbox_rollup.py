"""analytics: conversation_metric, message_daily_count kept by triggers (PostgreSQL); message indexes

Revision ID: b81d4e6f2a90
Revises: d5f0b8c2a913
Create Date: 2026-11-25 20:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from snapleads_app.domain.analytics import inbox_rollup_sql

# revision identifiers, used by Alembic.
revision: str = "b81d4e6f2a90"
down_revision: str | None = "d5f0b8c2a913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_metric",
        sa.Column("conversation_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("first_out_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("first_reply_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_index(
        "ix_conversation_metric_ws_created",
        "conversation_metric",
        ["workspace_id", "created_at"],
        postgresql_include=["live", "platform", "pipeline_id", "assignee_id"],
    )
    op.create_index(
        "ix_conversation_metric_ws_first_out",
        "conversation_metric",
        ["workspace_id", "first_out_at"],
        postgresql_include=["first_reply_at", "live", "platform", "pipeline_id", "assignee_id"],
    )
    op.create_index(
        "ix_conversation_metric_ws_gone",
        "conversation_metric",
        ["workspace_id"],
        postgresql_where=sa.text("NOT live"),
        sqlite_where=sa.text("NOT live"),
    )
    op.create_table(
        "message_daily_count",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "workspace_id", "day", "platform", "pipeline_id", "assignee_id", "sender_id", "direction"
        ),
    )
    op.create_index("ix_message_ws_created", "message", ["workspace_id", "created_at"])
    op.create_index(
        "ix_message_template_sender",
        "message",
        ["workspace_id", "sender_user_id", "template_id", "reply_counted"],
        postgresql_where=sa.text("template_id IS NOT NULL"),
        sqlite_where=sa.text("template_id IS NOT NULL"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Existing conversations first, then the triggers keep the counts from here on.
        for statement in inbox_rollup_sql.REBUILD_ALL:
            op.execute(statement)
        for statement in (*inbox_rollup_sql.FUNCTIONS, *inbox_rollup_sql.TRIGGERS):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in inbox_rollup_sql.DROP:
            op.execute(statement)
    op.drop_index("ix_message_template_sender", table_name="message")
    op.drop_index("ix_message_ws_created", table_name="message")
    op.drop_table("message_daily_count")
    op.drop_index("ix_conversation_metric_ws_gone", table_name="conversation_metric")
    op.drop_index("ix_conversation_metric_ws_first_out", table_name="conversation_metric")
    op.drop_index("ix_conversation_metric_ws_created", table_name="conversation_metric")
    op.drop_table("conversation_metric")
