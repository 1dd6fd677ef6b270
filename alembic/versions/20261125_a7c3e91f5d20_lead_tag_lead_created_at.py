"""lead_tag.lead_created_at + (tag_id, lead_created_at, lead_id) index for the tag filter

Revision ID: a7c3e91f5d20
Revises: 6a1b0c7e9d21
Create Date: 2026-11-25 17:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a7c3e91f5d20"
down_revision: str | None = "6a1b0c7e9d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable first, backfilled from lead (created_at never changes), then NOT NULL.
    with op.batch_alter_table("lead_tag") as batch:
        batch.add_column(sa.Column("lead_created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE lead_tag SET lead_created_at = (SELECT lead.created_at FROM lead WHERE lead.id = lead_tag.lead_id)"
    )
    with op.batch_alter_table("lead_tag") as batch:
        batch.alter_column(
            "lead_created_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False
        )
    op.create_index(
        "ix_lead_tag_tag_created", "lead_tag", ["tag_id", "lead_created_at", "lead_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_lead_tag_tag_created", table_name="lead_tag")
    with op.batch_alter_table("lead_tag") as batch:
        batch.drop_column("lead_created_at")
