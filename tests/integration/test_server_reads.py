"""How a login role's engine compiles the ORM's statements (server/reads.py):
reads of persons, relatives and consents go to their masked views, writes to
the tables, and no INSERT asks for RETURNING. No server needed: the SQL text."""

from sqlalchemy import create_engine, delete, insert, select, update
from sqlalchemy.orm import aliased

from trefas_app.store import models as m
from trefas_app.server.reads import read_as_login_role


def _sql(statement) -> str:
    engine = read_as_login_role(create_engine("postgresql+psycopg://"))
    return " ".join(str(statement.compile(engine)).split())


def test_reads_of_masked_tables_go_to_their_views_under_the_tables_name():
    assert "FROM trefas.persons_shown AS persons" in _sql(select(m.Person))
    other = aliased(m.Person, name="other_person")
    assert "FROM trefas.persons_shown AS other_person" in _sql(select(other.id))
    joined = _sql(select(m.Case.id, m.Person.first_name).join(m.Person))
    assert "JOIN trefas.persons_shown AS persons ON" in joined
    assert "FROM cases" in joined
    assert "trefas.relatives_shown AS relatives" in _sql(select(m.Relative))
    assert "trefas.consents_shown AS consents" in _sql(select(m.Consent.given_by))


def test_writes_go_to_the_tables_and_inserts_return_nothing():
    assert _sql(update(m.Person).where(m.Person.id == 1).values(city="x")) \
        .startswith("UPDATE persons SET")
    assert _sql(delete(m.Relative).where(m.Relative.id == 1)).startswith("DELETE FROM relatives")
    engine = read_as_login_role(create_engine("postgresql+psycopg://"))
    assert not engine.dialect.insert_returning
    assert "RETURNING" not in _sql(insert(m.Person).values(first_name="a"))


def test_an_ordinary_postgresql_engine_is_unchanged():
    """The set-up role's engines and the policies' own SQL read the tables."""
    plain = create_engine("postgresql+psycopg://")
    assert "FROM persons" in " ".join(str(select(m.Person).compile(plain)).split())
    assert plain.dialect.insert_returning


def test_an_alias_of_open_columns_reads_the_table():
    """A count names its persons ``open_…`` (services.views.OPEN_COLUMNS_PREFIX):
    it reads the table's open columns, not the masked view, whose row
    function would run for every person counted."""
    from sqlalchemy import func

    from trefas_app.services.views import OPEN_COLUMNS_PREFIX

    counted = aliased(m.Person, name=OPEN_COLUMNS_PREFIX + "persons")
    sql = _sql(select(func.count()).select_from(counted).where(counted.owner_agency == "city"))
    assert "FROM persons AS open_persons" in sql and "persons_shown" not in sql
