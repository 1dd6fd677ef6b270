"""stage lead counts

Revision ID: 48b1153dd404
Revises: fd6d1add4a6d
Create Date: 2026-11-25 16:15:53.103630

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "48b1153dd404"
down_revision: str | None = "fd6d1add4a6d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows start at 0, then take their real count once; the services keep it from here on.
    with op.batch_alter_table("stage") as batch:
        batch.add_column(sa.Column("lead_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE stage SET lead_count = (SELECT count(*) FROM lead "
        "WHERE lead.stage_id = stage.id AND lead.deleted_at IS NULL)"
    )
    with op.batch_alter_table("stage") as batch:
        batch.alter_column("lead_count", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("stage") as batch:
        batch.drop_column("lead_count")
