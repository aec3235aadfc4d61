"""A version on editable records (notes, plans, referrals, tasks): a save of a
version someone else already replaced is refused (store/versions.py)

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-05

(Written beside the person-list sort key's 0005 on another branch: when both
are merged, this one follows 0005 — set down_revision = "0005".)
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("notes", "plans", "referrals", "tasks")


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: a batch rebuild of notes would drop
    # its immutability triggers.
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False,
                                       server_default=sa.text("1")))


def downgrade() -> None:
    for table in TABLES:  # both dialects drop a column in place (triggers stay)
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
