"""Covering indexes for the access rule's reads of cases, teams and consents

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

The rule tests a case's owner, unit and person (security/access.py). A count
of a wide scope (a supervisor's cases by state) then reads ``ix_cases_scope``
instead of every case row, and a person's cases are judged from
``ix_cases_person_scope`` without reading the case rows (it replaces the
index on ``person_id``, its first column). The state comes last in
``ix_cases_scope``: first, it would be the index SQLite takes for a list
filtered by state, sorting every match instead of walking the list's sort
index and stopping after a page. ``ix_team_members_user_case`` gives the
case ids of a user's teams (and of an agency's: a police supervisor's scope)
without reading the team rows; it replaces the index on ``user_id``.
``ix_consents_person_current`` answers "a current consent of this person"
(access.current_consent) from the index; it replaces the one on ``person_id``.
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_scope", "cases",
                    ["owner_agency", "unit_id", "person_id", "state"])
    op.create_index("ix_cases_person_scope", "cases", ["person_id", "owner_agency", "unit_id"])
    op.drop_index("ix_cases_person_id", table_name="cases")
    op.create_index("ix_team_members_user_case", "team_members", ["user_id", "case_id"])
    op.drop_index("ix_team_members_user_id", table_name="team_members")
    op.create_index("ix_consents_person_current", "consents",
                    ["person_id", "superseded", "withdrawn_at", "valid_from", "valid_until"])
    op.drop_index("ix_consents_person_id", table_name="consents")


def downgrade() -> None:
    op.create_index("ix_consents_person_id", "consents", ["person_id"])
    op.drop_index("ix_consents_person_current", table_name="consents")
    op.create_index("ix_team_members_user_id", "team_members", ["user_id"])
    op.drop_index("ix_team_members_user_case", table_name="team_members")
    op.create_index("ix_cases_person_id", "cases", ["person_id"])
    op.drop_index("ix_cases_person_scope", table_name="cases")
    op.drop_index("ix_cases_scope", table_name="cases")
