"""Person list in Swedish alphabetical order (å, ä, ö after z): the list index
rebuilt with the trefas_sv collation (trefas_app/domain/collation.py)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MASKED = "protection_level != 'none'"
NAME = "CASE WHEN protection_level != 'none' THEN '' ELSE search_name END"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The Python collation of the local store (registered per connection)
        # does not exist on a server: there trefas_sv is PostgreSQL's own ICU
        # collation for Swedish, under the same name, so the models' ORDER BY
        # and this index read the same on both stores.
        op.execute("CREATE COLLATION IF NOT EXISTS public.trefas_sv "
                   "(provider = icu, locale = 'sv-SE')")
    op.drop_index("ix_persons_listing", table_name="persons")
    op.execute(f"CREATE INDEX ix_persons_listing ON persons "
               f"(({MASKED}), ({NAME}) COLLATE trefas_sv, id)")


def downgrade() -> None:
    op.drop_index("ix_persons_listing", table_name="persons")
    op.execute(f"CREATE INDEX ix_persons_listing ON persons (({MASKED}), ({NAME}), id)")
