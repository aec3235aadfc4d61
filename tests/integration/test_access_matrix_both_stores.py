"""The access matrix on a PostgreSQL server (issue #13, "Proof"): the same
suite, over the same services, against the same oracle as on the local store.

The suite's test functions are imported from test_access_matrix.py, where
they run on the local SQLCipher store (``matrix[sqlite-…]``, on the session's
clock); here pytest collects them once more with this module's ``matrix``
fixture, which gives them a server (``matrix[postgresql-…]``). The oracle and
the world are not copied: the local world is built as there and moved onto a
new server database by ``trefas server import`` (import_store), then every
user enrols with the one-time code and logs in as their own login role, so
the row rules apply to everything they read.

A server's now() cannot travel, so this module runs on the real clock
(conftest.SERVER_CLOCK_MODULES).
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from server_setup import new_database
from server_world import _no_user
from test_access_matrix import (  # noqa: F401  (world is a fixture; the rest is the suite)
    PW,
    USERS,
    Matrix,
    test_case_count_uncounted_pages_and_search_match_oracle,
    test_case_list_count_and_single_reads_match_oracle,
    test_notes_lists_counts_hidden_and_single_reads_match_oracle,
    test_person_pages_count_and_order,
    test_persons_list_search_and_masking_match_oracle,
    test_short_and_long_name_searches_match_oracle,
    world,
)
from trefas_app.server import accounts as server_accounts
from trefas_app.server.connection import connect
from trefas_app.server.import_store import import_store


@pytest.fixture(scope="module", params=["postgresql"])
def matrix(request, world, pg_cluster):  # noqa: F811
    """The local matrix world moved onto a server once per module; each user
    logged in as their own login role."""
    w, local = world
    db = new_database(pg_cluster)
    report = import_store(pg_cluster.dsn(dbname=db), local["sup_city"])
    url = _no_user(pg_cluster, db)
    sessions = {}
    log_engine = create_engine(pg_cluster.dsn(dbname=db).replace(
        "postgresql://", "postgresql+psycopg://", 1))
    try:
        for name in USERS:
            username = name.replace("_", "-")
            server_accounts.enrol(url, username, report.codes[username], PW)
            sessions[name] = connect(url, username, PW)
        yield Matrix(w, sessions, log_engine)
    finally:
        for session in sessions.values():
            session.close()
        log_engine.dispose()


def test_each_role_counts_hidden_entries_with_its_own_functions_only(matrix):
    """The counting functions run as the owner: a login role may call its
    own role's only (another role's would count another scope), and the
    administrator none."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    from trefas_app.services.hidden_counts import function_name

    def call(name: str, function: str) -> None:
        with matrix.sessions[name].engine.connect() as conn:
            conn.execute(text(f"SELECT {function}(NULL, NULL)"))

    police = matrix.sessions["pol_team"].actor.role
    call("pol_team", function_name("cases", police))
    for name in ("sw_team", "admin2"):
        with pytest.raises(ProgrammingError, match="permission denied"):
            call(name, function_name("cases", police))


@pytest.mark.parametrize("user", list(USERS))
def test_the_name_search_function_finds_only_names_the_caller_is_shown(matrix, user):
    """trefas.persons_matching, called by hand with psql's rights (any
    pattern, LIKE's wildcards included): every id it gives is a person the
    rule lets the caller read whose real name they are shown — a protected
    person they have not revealed, or one whose identity is not shared, is
    not found by the real name; a person out of scope is not found at all.
    The administrator may not call it."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    from test_access_matrix import oracle_display, oracle_person

    w = matrix.world
    u = w.users[user]

    def call(name_pattern: str, number_pattern: str | None = None) -> set[int]:
        with matrix.sessions[user].engine.connect() as conn:
            return set(conn.execute(text("SELECT trefas.persons_matching(:n, :d)"),
                                    {"n": name_pattern, "d": number_pattern}).scalars())

    if u.role.value == "administrator":
        with pytest.raises(ProgrammingError, match="permission denied"):
            call("%")
        return
    shown = {p.id for p in w.persons if oracle_person(w, u, p) and oracle_display(w, u, p)[0]}
    assert call("%") == shown
    assert call("%", "%") == shown  # no person has a number: the name decides
    for p in w.persons:
        surname = p.name.split()[1].casefold()
        assert call(p.name.casefold()) == ({p.id} if p.id in shown else set()), (user, p.id)
        assert call(f"%{surname}") == {q.id for q in w.persons if q.id in shown
                                       and q.name.casefold().endswith(surname)}
