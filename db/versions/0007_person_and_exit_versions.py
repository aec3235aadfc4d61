"""A version on persons and exit programmes too: the person form and the exit
agreement are edited whole by several people, so a save of a version someone
else already replaced is refused (store/versions.py), as for notes, plans,
referrals and tasks (0006)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("persons", "exit_programmes")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch rebuild: it would drop the name index's
    # triggers on persons), as 0006 does.
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False,
                                       server_default=sa.text("1")))


def downgrade() -> None:
    for table in TABLES:  # both dialects drop a column in place (triggers stay)
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
