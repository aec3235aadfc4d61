"""Alembic environment. Trefas runs migrations itself, at open, on the already
keyed SQLCipher connection handed in through ``config.attributes``; the
``alembic`` command line works too against a plain SQLite URL (for writing new
migrations with --autogenerate, never for real data)."""

from alembic import context
from sqlalchemy import create_engine

from trefas_app.store.models import Base, in_models

config = context.config
target_metadata = Base.metadata


def run_with(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True, include_name=in_models)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///alembic-dev.db"
    with create_engine(url).connect() as conn:
        run_with(conn)
