"""Covering indexes for the access rule's reads of cases

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

The rule tests a case's owner, unit and person (security/access.py). A count
of a wide scope (a supervisor's cases by state) then reads ``ix_cases_scope``
instead of every case row, and a person's cases are judged from
``ix_cases_person_scope`` without reading the case rows (it replaces the
index on ``person_id``, its first column). The state comes last in
``ix_cases_scope``: first, it would be the index SQLite takes for a list
filtered by state, sorting every match instead of walking the list's sort
index and stopping after a page.
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_scope", "cases",
                    ["owner_agency", "unit_id", "person_id", "state"])
    op.create_index("ix_cases_person_scope", "cases", ["person_id", "owner_agency", "unit_id"])
    op.drop_index("ix_cases_person_id", table_name="cases")


def downgrade() -> None:
    op.create_index("ix_cases_person_id", "cases", ["person_id"])
    op.drop_index("ix_cases_person_scope", table_name="cases")
    op.drop_index("ix_cases_scope", table_name="cases")
