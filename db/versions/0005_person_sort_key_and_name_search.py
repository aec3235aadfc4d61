"""Person list ordered by a stored Swedish sort key (compared as bytes, no
Python collation while sorting), and a trigram index for name search

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

``persons.sort_name`` is ``collation.stored_key(search_name)``, computed when a
name is written (``models.Person``) and back-filled here; the list index
``ix_persons_listing`` is rebuilt on it without ``COLLATE trefas_sv``. On
SQLite, ``persons_fts`` is an external-content FTS5 table with the trigram
tokenizer over ``search_name``, kept in step by triggers: it answers
``LIKE '%abc%'`` for three letters and more. One and two letters are served
by a scan of the covering index ``ix_persons_search_name`` (``id`` and the
name only, a few hundred kB at 50,000 persons), which needs nothing new.

Both live inside the encrypted store file like the names they are made of:
they reveal nothing the file's own encryption does not already protect.
"""
import sqlalchemy as sa
from alembic import op

from trefas_app.domain.collation import stored_key

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MASKED = "protection_level != 'none'"
OLD_NAME = "CASE WHEN protection_level != 'none' THEN '' ELSE search_name END"
NAME = "CASE WHEN protection_level != 'none' THEN '' ELSE sort_name END"

FTS_SQL = (
    "CREATE VIRTUAL TABLE persons_fts USING fts5(search_name, content='persons', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER persons_fts_insert AFTER INSERT ON persons BEGIN "
    "INSERT INTO persons_fts(rowid, search_name) VALUES (new.id, new.search_name); END",
    "CREATE TRIGGER persons_fts_delete AFTER DELETE ON persons BEGIN "
    "INSERT INTO persons_fts(persons_fts, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); END",
    "CREATE TRIGGER persons_fts_update AFTER UPDATE OF search_name ON persons BEGIN "
    "INSERT INTO persons_fts(persons_fts, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); "
    "INSERT INTO persons_fts(rowid, search_name) VALUES (new.id, new.search_name); END",
    "INSERT INTO persons_fts(persons_fts) VALUES ('rebuild')",
)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.add_column("persons", sa.Column("sort_name", sa.String(840), nullable=True))
    else:
        # PostgreSQL compares text by the database's locale; "C" compares
        # bytes, which is what the sort key is made for.
        op.execute('ALTER TABLE persons ADD COLUMN sort_name VARCHAR(840) COLLATE "C"')
    persons = sa.table("persons", sa.column("id", sa.Integer),
                       sa.column("search_name", sa.String), sa.column("sort_name", sa.String))
    rows = [{"pid": pid, "key": stored_key(name)}
            for pid, name in bind.execute(sa.select(persons.c.id, persons.c.search_name))]
    if rows:
        bind.execute(persons.update().where(persons.c.id == sa.bindparam("pid"))
                     .values(sort_name=sa.bindparam("key")), rows)
    op.drop_index("ix_persons_listing", table_name="persons")
    op.execute(f"CREATE INDEX ix_persons_listing ON persons (({MASKED}), ({NAME}), id)")
    if sqlite:
        for statement in FTS_SQL:
            op.execute(statement)
    elif bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        # PostgreSQL: a trigram GIN index serves LIKE '%abc%' when the
        # pg_trgm extension is installed (creating it needs privileges a
        # migration should not assume); without it a search scans
        # ix_persons_search_name, as SQLite does for one and two letters.
        op.execute("CREATE INDEX ix_persons_search_trgm ON persons "
                   "USING gin (search_name gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("persons_fts_insert", "persons_fts_delete", "persons_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS persons_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_persons_search_trgm")
    op.drop_index("ix_persons_listing", table_name="persons")
    with op.batch_alter_table("persons") as batch_op:
        batch_op.drop_column("sort_name")
    op.execute(f"CREATE INDEX ix_persons_listing ON persons "
               f"(({MASKED}), ({OLD_NAME}) COLLATE trefas_sv, id)")
