"""Indexes for long lists: cases by last entry and owner, notes by correction

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX: batch mode could rebuild the tables and drop the
    # immutability triggers on notes.
    op.create_index("ix_cases_last_entry_at", "cases", ["last_entry_at"])
    op.create_index("ix_cases_owner_agency", "cases", ["owner_agency"])
    op.create_index("ix_notes_corrects_id", "notes", ["corrects_id"])


def downgrade() -> None:
    op.drop_index("ix_notes_corrects_id", table_name="notes")
    op.drop_index("ix_cases_owner_agency", table_name="cases")
    op.drop_index("ix_cases_last_entry_at", table_name="cases")
