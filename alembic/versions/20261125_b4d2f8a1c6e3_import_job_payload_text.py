"""import_job.payload as JSON text (written once, read once; no jsonb parse on the 202)

Revision ID: b4d2f8a1c6e3
Revises: a7c3e91f5d20
Create Date: 2026-11-25 17:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "b4d2f8a1c6e3"
down_revision: str | None = "a7c3e91f5d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE import_job ALTER COLUMN payload TYPE text USING payload::text")
        return
    with op.batch_alter_table("import_job") as batch:
        batch.alter_column("payload", existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE import_job ALTER COLUMN payload TYPE jsonb USING payload::jsonb")
        return
    with op.batch_alter_table("import_job") as batch:
        batch.alter_column(
            "payload", existing_type=sa.Text(), type_=sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
        )
