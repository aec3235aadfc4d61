"""An index on the persons a user registered

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

A team-scoped user's persons are those of their cases and those they
registered (security/access.py, ``_person_clause``). Without an index the
second half read every person: on a server, in each of the several rule sets
a statement about a case's notes computes (≈15 ms each at 50,000 persons).
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_persons_created_by_id", "persons", ["created_by_id"])


def downgrade() -> None:
    op.drop_index("ix_persons_created_by_id", table_name="persons")
