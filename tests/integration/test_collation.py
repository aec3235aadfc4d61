"""Swedish alphabetical order of names, in Python and in the person list that
SQLite reads through its index."""

from __future__ import annotations

from account_setup import enrolled_user
from trefas_app.domain import collation
from trefas_app.domain.enums import Agency, Role
from trefas_app.services import persons, users
from trefas_app.store.store import unlock

PW = "Granskog-och-hav-42"


def test_swedish_letters_come_after_z_in_their_own_order():
    names = ["östlund", "ängel", "åberg", "zetterberg", "ahlén", "ahlberg", "hadžić", "hadzi",
             "müller", "mattsson", "øberg", "æsir"]
    assert sorted(names, key=collation.sort_key) == [
        "ahlberg", "ahlén", "hadzi", "hadžić", "mattsson", "müller", "zetterberg",
        "åberg", "ängel", "æsir", "øberg", "östlund"]


def test_decomposed_letters_sort_like_composed_ones():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "åsa")
    assert decomposed != "åsa" and collation.sort_key(decomposed) == collation.sort_key("åsa")
    assert sorted(["zorn", decomposed], key=collation.sort_key) == ["zorn", decomposed]


def test_compare_is_a_total_order_that_ignores_case_only_as_a_tie():
    assert collation.compare("åsa", "ärla") < 0 < collation.compare("ärla", "åsa")
    assert collation.compare("ahlen", "ahlén") != 0  # equal keys: the text decides
    assert collation.compare("anna", "anna") == 0


def test_the_person_list_is_in_swedish_order(new_store):
    store, _ = new_store
    admin = store.actor
    unit = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista")
    enrolled_user(store.uow(), admin, users.UserInput(
        "sara", "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY, unit.id, PW))
    sara = unlock(store.paths.root, "sara", PW)
    try:
        for first, last in (("Östen", "Ek"), ("Ärla", "Berg"), ("Åsa", "Lund"),
                            ("Zara", "Ali"), ("Émile", "Roux"), ("Erik", "Ek")):
            persons.create_person(sara.uow(), sara.actor, persons.PersonInput(first, last))
        page = persons.list_persons(sara.uow(), sara.actor, count=False)
        assert [r.display_name for r in page.rows] == [
            "Émile Roux", "Erik Ek", "Zara Ali", "Åsa Lund", "Ärla Berg", "Östen Ek"]
    finally:
        sara.close()
