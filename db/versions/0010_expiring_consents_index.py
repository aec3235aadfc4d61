"""An index on the current consents by end date

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

The start page (services/dashboard.py) counts the current consents that end
within 30 days, through the access rule. With no index on the end date
SQLite read every consent and tested the rule on each current one (12 ms of
a first dashboard after unlock on the small benchmark store, for every
role: 16,586 consents read to find none). ``ix_consents_current_until``
holds the current consents (not superseded, not withdrawn) in end-date
order: the count reads only those ending in the window. The rule's own
"current consent of this person" keeps ``ix_consents_person_current``
(its person comes first).

Tried and left out: an index on tasks (state, due_on) for the overdue
tasks. Without statistics SQLite then took it for a team-scoped user too,
instead of the tasks of her own cases (a social worker's first dashboard
2 -> 5 ms), and the supervisors gained no more than the noise.
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_consents_current_until", "consents",
                    ["superseded", "withdrawn_at", "valid_until"])


def downgrade() -> None:
    op.drop_index("ix_consents_current_until", table_name="consents")
