"""A version on persons, exit programmes and routine steps too: the person
form and the exit agreement are edited whole by several people, and a routine
step's owner is chosen by whoever works on the incident, so a save of a version
someone else already replaced is refused (store/versions.py), as for notes,
plans, referrals and tasks (0006). Routine steps also get who changed them
last and when (the refusal names them).

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

TABLES = ("persons", "exit_programmes", "routine_steps")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch rebuild: it would drop the name index's
    # triggers on persons), as 0006 does.
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False,
                                       server_default=sa.text("1")))
    # A column with a foreign key: SQLite adds it by a batch rebuild
    # (routine_steps has no triggers to lose); PostgreSQL by ALTER TABLE.
    with op.batch_alter_table("routine_steps") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_routine_steps_updated_by_id_users", "users",
                                 ["updated_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("routine_steps") as batch:  # as in upgrade
        batch.drop_constraint("fk_routine_steps_updated_by_id_users", type_="foreignkey")
        batch.drop_column("updated_by_id")
        batch.drop_column("updated_at")
    for table in TABLES:  # both dialects drop a column in place (triggers stay)
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
