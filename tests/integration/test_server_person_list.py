"""The person list on a server reads a page through the list function
(``server/person_list.py``) instead of every person in scope through the
masked view, and must give exactly the rows, in exactly the order, that the
plain definition gives: everything ``trefas.persons_shown`` shows the login
role, sorted by ``Person.list_order`` over the view (names shown by sort
key, then persons whose name is not shown by id, then protected persons by
id) — for every user, page by page (keyset and offset), with protected
persons masked and revealed, a person whose identity is not shared with
the reader, and a person without a stored sort key."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from server_setup import guarded_functions
from server_world import ADMIN_PW, PEOPLE, PW, build_server_world
from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, ProtectionLevel, Role
from trefas_app.domain.permissions import role_may
from trefas_app.services import cases, consents, persons
from trefas_app.store import models as m

USERS = [name for name, *_ in PEOPLE] + ["admin"]

#: The plain definition: the view as the login role reads it, in list order.
PLAIN_LIST = (f"SELECT id FROM trefas.persons_shown ORDER BY ({m.PERSON_LIST_MASKED}), "
              f"{m.PERSON_LIST_NAME}, id")
NAMES = ("Östen Ågren", "Åsa Berg", "Anna Zorn", "Bo Ek", "Cecilia Al", "Ärla Öst",
         "Zlatan Åkesson", "Bo Ek", "Erik Ödman", "Karin Ahl")


def _user_id(world, name: str) -> int:
    with psycopg.connect(world.superuser_url) as conn:
        return conn.execute("SELECT id FROM users WHERE username = %s", (name,)).fetchone()[0]


@pytest.fixture(scope="module")
def world(pg_cluster):
    """Persons of Sara's (some with cases, some protected, one revealed by
    her), a person whose owner the server then says is the police (the city
    reads them through its case, the name not shown), one without a sort
    key, one shared with the police by consent with Petra on the case's
    team, and persons the server says the police registered."""
    world = build_server_world(pg_cluster)
    today = clock.today()
    made = []
    with world.login("sara") as s:
        for i, name in enumerate(NAMES):
            first, last = name.split()
            level = ProtectionLevel.PROTECTED_REGISTRATION if i in (2, 6) else \
                ProtectionLevel.NONE
            p = persons.create_person(s.uow(), s.actor, persons.PersonInput(
                first, last, protection_level=level))
            made.append(p.id)
            if i % 3 != 1:
                k = cases.open_case(s.uow(), s.actor, p.id, "Oro")
                if i == 3:
                    consents.record_consent(s.uow(), s.actor, consents.ConsentInput(
                        person_id=p.id, purpose="Samverkan", valid_from=today,
                        valid_until=today + dt.timedelta(days=30),
                        grants=frozenset({(Agency.POLICE, Category.IDENTITY)})))
                    cases.add_team_member(s.uow(), s.actor, k.id, _user_id(world, "petra"))
        persons.reveal_identity(s.uow(), s.actor, made[6], "Behöver ringa personen", hours=1)
    with psycopg.connect(world.superuser_url) as conn:
        for police in (made[0], made[1], made[4]):  # made[0] has a case of the city's
            conn.execute("UPDATE persons SET owner_agency = 'police' WHERE id = %s", (police,))
        conn.execute("UPDATE persons SET sort_name = NULL WHERE id = %s", (made[5],))
    world.made = made
    return world


def _plain(world, name: str) -> list[int]:
    password = ADMIN_PW if name == "admin" else PW
    with psycopg.connect(world.url, user=name, password=password) as conn:
        if name == "admin":  # reads no person: not even the view
            return []
        return [r[0] for r in conn.execute(PLAIN_LIST).fetchall()]


def _pages(store, limit: int, keyset: bool) -> list[int]:
    seen: list[int] = []
    while True:
        page = persons.list_persons(store.uow(), store.actor, limit=limit, offset=len(seen),
                                    after=seen[-1] if keyset and seen else None)
        seen += [r.id for r in page.rows]
        if not page.more:
            return seen


def test_the_world_has_every_run_of_the_list(world):
    """Sara's list holds named persons, persons without a shown name (not
    shared, no sort key) and protected ones, masked and revealed."""
    with world.login("sara") as s:
        rows = {r.id: r for r in persons.list_persons(s.uow(), s.actor).rows}
    made = world.made
    assert not rows[made[0]].protected  # identity not shared: the alias, not the name
    assert rows[made[0]].display_name.startswith("Skyddad person")
    assert rows[made[5]].display_name == "Ärla Öst"
    assert rows[made[2]].protected and rows[made[6]].protected
    assert rows[made[6]].display_name == "Zlatan Åkesson"
    assert rows[made[2]].display_name.startswith("Skyddad person")


@pytest.mark.parametrize("name", USERS)
def test_every_page_is_the_plain_definitions(world, name):
    expected = _plain(world, name)
    with world.login(name) as store:
        if not store.actor.may("person.read"):
            assert expected == []
            return
        whole = persons.list_persons(store.uow(), store.actor)
        assert [r.id for r in whole.rows] == expected
        assert whole.total == len(expected)
        assert persons.count_persons(store.uow(), store.actor).total == len(expected)
        for limit in (1, 2, 3):
            assert _pages(store, limit, keyset=True) == expected, (name, limit)
            assert _pages(store, limit, keyset=False) == expected, (name, limit)
        for i, anchor in enumerate(expected):  # keyset page 2 from every row
            page = persons.list_persons(store.uow(), store.actor, limit=2, after=anchor)
            assert [r.id for r in page.rows] == expected[i + 1:i + 3], (name, anchor)


def test_the_plain_lists_differ_by_reader(world):
    """The comparison means something: readers see different persons in
    different orders, and the police see the shared person by name."""
    sara, stina, petra = (_plain(world, n) for n in ("sara", "stina", "petra"))
    pia = _plain(world, "pia")
    assert len(sara) >= len(world.made) - 2 and set(sara) <= set(stina)
    assert petra == [world.made[3]] and {world.made[1], world.made[4]} <= set(pia)
    # Sara's own list: shown names, then the unshared and keyless, then protected.
    unnamed = [world.made[0], world.made[5]]
    protected = [world.made[2], world.made[6]]
    assert sara[-4:] == sorted(unnamed) + sorted(protected)


def test_a_list_function_answers_only_its_own_role(world):
    """Each role's group runs only its own function; another role's gives
    nothing, and a user who is no user of Trefas cannot call one."""
    with psycopg.connect(world.url, user="sara", password=PW) as conn:
        own = conn.execute("SELECT trefas.person_list_social_worker(NULL, NULL, NULL, 100)")
        assert {r[0] for r in own.fetchall()} == set(_plain(world, "sara"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT trefas.person_list_supervisor(NULL, NULL, NULL, 100)")


def test_the_list_functions_are_the_owners_and_no_one_elses(world):
    """SECURITY DEFINER with an empty search_path, owned by the owner role,
    not executable by PUBLIC; the administrator (who reads no person) runs none."""
    guarded = guarded_functions(world.superuser_url, "person_list_")
    assert set(guarded) == {
        f"person_list_{role.value}" for role in Role if role_may(role, "person.read")}
    assert all(guarded.values()), guarded
    with psycopg.connect(world.url, user="admin", password=ADMIN_PW) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT trefas.person_list_social_worker(NULL, NULL, NULL, 100)")
