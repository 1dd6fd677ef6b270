"""leads tags pipelines activity

Revision ID: f11372973c1e
Revises: f3626734a58a
Create Date: 2026-11-25 15:01:31.157805

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "f11372973c1e"
down_revision: str | None = "f3626734a58a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Trigram index for free-text search over leads (trusted extension: the db owner may create it).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "pipeline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_pipeline_workspace_id"), "pipeline", ["workspace_id"], unique=False)
    op.create_index(
        "uq_pipeline_default",
        "pipeline",
        ["workspace_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
        sqlite_where=sa.text("is_default"),
    )
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("color", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("lead_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_tag_workspace_id"), "tag", ["workspace_id"], unique=False)
    op.create_index(
        "uq_tag_workspace_name", "tag", ["workspace_id", sa.literal_column("lower(name)")], unique=True
    )
    op.create_table(
        "stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("color", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.ForeignKeyConstraint(["pipeline_id"], ["pipeline.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pipeline_id", "position", name="uq_stage_pipeline_position"),
    )
    op.create_index(op.f("ix_stage_pipeline_id"), "stage", ["pipeline_id"], unique=False)
    op.create_index(op.f("ix_stage_workspace_id"), "stage", ["workspace_id"], unique=False)
    op.create_table(
        "lead",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("profile_key", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("profile_url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("avatar_url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("company", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("headline", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("followers", sa.Integer(), nullable=True),
        sa.Column("following", sa.Integer(), nullable=True),
        sa.Column("posts", sa.Integer(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Float(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("search_text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("last_interaction_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assignee_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["pipeline_id"], ["pipeline.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_lead_search_trgm",
        "lead",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_lead_stage_position",
        "lead",
        ["stage_id", "position", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_lead_ws_assignee_created",
        "lead",
        ["workspace_id", "assignee_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_lead_ws_created",
        "lead",
        ["workspace_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_lead_ws_email",
        "lead",
        ["workspace_id", "email"],
        unique=False,
        postgresql_where=sa.text("email IS NOT NULL"),
    )
    op.create_index(
        "ix_lead_ws_phone",
        "lead",
        ["workspace_id", "phone"],
        unique=False,
        postgresql_where=sa.text("phone IS NOT NULL"),
    )
    op.create_index(
        "ix_lead_ws_platform_status_created",
        "lead",
        [
            "workspace_id",
            "platform",
            "status",
            "created_at",
            "id",
        ],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_lead_ws_score",
        "lead",
        ["workspace_id", "score", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_lead_ws_status_created",
        "lead",
        ["workspace_id", "status", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_lead_ws_updated",
        "lead",
        ["workspace_id", "updated_at", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "uq_lead_profile",
        "lead",
        ["workspace_id", "platform", "profile_key"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "activity",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_user_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_activity_lead_created", "activity", ["lead_id", "created_at"], unique=False)
    op.create_index("ix_activity_workspace_created", "activity", ["workspace_id", "created_at"], unique=False)
    op.create_table(
        "lead_tag",
        sa.Column("lead_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("lead_id", "tag_id"),
    )
    op.create_index("ix_lead_tag_tag_lead", "lead_tag", ["tag_id", "lead_id"], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index("ix_lead_tag_tag_lead", table_name="lead_tag")
    op.drop_table("lead_tag")
    op.drop_index("ix_activity_workspace_created", table_name="activity")
    op.drop_index("ix_activity_lead_created", table_name="activity")
    op.drop_table("activity")
    op.drop_index(
        "uq_lead_profile",
        table_name="lead",
        postgresql_where=sa.text("deleted_at IS NULL"),
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index("ix_lead_ws_updated", table_name="lead", postgresql_where=sa.text("deleted_at IS NULL"))
    op.drop_index(
        "ix_lead_ws_status_created", table_name="lead", postgresql_where=sa.text("deleted_at IS NULL")
    )
    op.drop_index("ix_lead_ws_score", table_name="lead", postgresql_where=sa.text("deleted_at IS NULL"))
    op.drop_index(
        "ix_lead_ws_platform_status_created",
        table_name="lead",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index("ix_lead_ws_phone", table_name="lead", postgresql_where=sa.text("phone IS NOT NULL"))
    op.drop_index("ix_lead_ws_email", table_name="lead", postgresql_where=sa.text("email IS NOT NULL"))
    op.drop_index("ix_lead_ws_created", table_name="lead", postgresql_where=sa.text("deleted_at IS NULL"))
    op.drop_index(
        "ix_lead_ws_assignee_created", table_name="lead", postgresql_where=sa.text("deleted_at IS NULL")
    )
    op.drop_index("ix_lead_stage_position", table_name="lead", postgresql_where=sa.text("deleted_at IS NULL"))
    op.drop_index(
        "ix_lead_search_trgm",
        table_name="lead",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_table("lead")
    op.drop_index(op.f("ix_stage_workspace_id"), table_name="stage")
    op.drop_index(op.f("ix_stage_pipeline_id"), table_name="stage")
    op.drop_table("stage")
    op.drop_index("uq_tag_workspace_name", table_name="tag")
    op.drop_index(op.f("ix_tag_workspace_id"), table_name="tag")
    op.drop_table("tag")
    op.drop_index(
        "uq_pipeline_default",
        table_name="pipeline",
        postgresql_where=sa.text("is_default"),
        sqlite_where="is_default",
    )
    op.drop_index(op.f("ix_pipeline_workspace_id"), table_name="pipeline")
    op.drop_table("pipeline")
    # ### end Alembic commands ###
