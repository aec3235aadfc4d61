"""Index for the person list in its order (unprotected by name, protected by id)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The same expressions as trefas_app.store.models.PERSON_LIST_*; written out
# here because a migration must not change when the models do.
MASKED = "protection_level != 'none'"
NAME = "CASE WHEN protection_level != 'none' THEN '' ELSE search_name END"


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_persons_listing ON persons (({MASKED}), ({NAME}), id)")


def downgrade() -> None:
    op.drop_index("ix_persons_listing", table_name="persons")
