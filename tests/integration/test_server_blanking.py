"""The server blanks a protected person's names out of free text exactly as
the program does (``views.scrub_names``), and gives a login role nothing
more than the program shows.

The SQL is generated from Python's own regular-expression semantics
(``server.blanking``); these tests hold the two side by side over many names:
Swedish letters, hyphenated and multi-part names, names in brackets, inside
longer words and at the text's edges, and the letters whose case rules are
odd (İ ı ß ſ K µ ς)."""

from __future__ import annotations

import datetime as dt
import re

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import errors

from server_world import ADMIN_PW, PW, build_server_world
from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, ProtectionLevel
from trefas_app.server import blanking
from trefas_app.services import cases, consents, notes, persons
from trefas_app.services.views import NAME_MASK, name_words, scrub_names

#: Names and texts the rule must agree on, chosen by hand.
CORPUS = [
    (("Åsa Öberg",), "ÅSA och åsa, öberg-familjen; Åsas bror"),
    (("Anna-Karin Ek (mamma)",), "anna-karin och Anna, EK. ek_x mamma"),
    (("Idil Aziz (vårdnadshavare)", "Omar Aziz"), "Mormor till Omar, AZIZ-familjen; Idils bror"),
    (("Lina", "Skydd"), "Lina"),
    (("Lina", "Skydd"), "Skydd och Lina"),
    (("İsmail Iğdır",), "ismail ıSMAIL iğdir IĞDIR İsmail"),
    (("Strauß",), "STRAUSS strauß STRAUß ſtrauß"),
    (("Kelvin",), "\u212aelvin kelvin KELVIN"),
    (("Σοφία",), "ΣΟΦΊΑ σοφία"),
    (("O'Brien Ó Dálaigh",), "o'brien O'BRIEN ó dálaigh"),
    (("Jean-Luc 2nd 42",), "jean-luc 42 2nd 2ND"),
    (("A B",), "A B a b"),
    (("Ünal Çelik",), "ünal\nÇELİK\tçelik."),
    (("Mia",), "Mia_Mia Mia9 9Mia Mia's Mia-Mia"),
]

ALPHABET = st.sampled_from(list("aeiouAEIOUåäöÅÄÖéüßİıſK\u212aµςσΣ'-_ 2()çÇ") + ["Ng", "sk"])


@pytest.fixture(scope="module")
def world(pg_cluster):
    return build_server_world(pg_cluster)


@pytest.fixture(scope="module")
def owner_sql(world):
    """The set-up role: the only one that may call the rule's helpers."""
    with psycopg.connect(world.superuser_url, autocommit=True) as conn:
        yield conn


def _server_blank(conn, names, text):
    return conn.execute("SELECT trefas.blank_names(%s, trefas.name_words(%s))",
                        (text, list(names))).fetchone()[0]


def test_the_corpus_is_blanked_alike(owner_sql):
    for names, text in CORPUS:
        assert _server_blank(owner_sql, names, text) == scrub_names(text, name_words(*names)), \
            (names, text)
    assert _server_blank(owner_sql, ["Lina Skydd"], "Lina Skydd") == f"{NAME_MASK} {NAME_MASK}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.lists(ALPHABET, min_size=1, max_size=8).map("".join),
                      min_size=1, max_size=3),
       filler=st.lists(st.lists(ALPHABET, min_size=0, max_size=6).map("".join), max_size=6),
       data=st.data())
def test_any_names_are_blanked_alike(owner_sql, names, filler, data):
    """Text made of the names' own words (changed in case), pieces of them
    and other words: the server's blanking is the program's."""
    words = sorted(name_words(*names)) or ["x"]
    parts = filler + [data.draw(st.sampled_from(words)) for _ in range(4)]
    parts = [p.upper() if i % 3 == 0 else p for i, p in enumerate(parts)]
    order = data.draw(st.permutations(parts))
    joiners = data.draw(st.lists(st.sampled_from([" ", "-", "", ", ", "'", "\n", "s "]),
                                 min_size=len(order), max_size=len(order)))
    text = "".join(p + j for p, j in zip(order, joiners))
    assert sorted(_words_on_server(owner_sql, names)) == sorted(name_words(*names))
    assert _server_blank(owner_sql, names, text) == scrub_names(text, name_words(*names))


def _words_on_server(conn, names):
    return conn.execute("SELECT trefas.name_words(%s)", (list(names),)).fetchone()[0]


def test_word_characters_are_pythons(owner_sql):
    """Every character of the Basic Multilingual Plane (and a sample beyond)
    is a word character on the server exactly when it is for Python."""
    chars = "".join(chr(cp) for cp in [*range(1, 0xD800), *range(0xE000, 0x10000),
                                       *range(0x10000, 0x30000, 7)])
    kept = owner_sql.execute(
        f"SELECT regexp_replace(%s, '[{blanking.word_characters()}]', '', 'g')",
        (chars,)).fetchone()[0]
    assert kept == re.sub(r"\w", "", chars)


def test_case_equal_letters_are_res():
    """Each letter class matches under re.IGNORECASE exactly its members."""
    classes = blanking.letter_classes()
    for letter, members in classes.items():
        for other in members:
            assert re.fullmatch(re.escape(letter), other, re.IGNORECASE), (letter, other)
    plain = [chr(cp) for cp in range(0x20, 0x3000) if chr(cp) not in classes]
    for ch in plain:  # a letter without a class matches only itself
        assert not any(re.fullmatch(re.escape(ch), o, re.IGNORECASE)
                       for o in ("a", "A", "ß", "k") if o != ch)


def test_every_free_text_the_program_blanks_is_one_the_server_blanks():
    """A view field the program blanks (``identifying(SCRUB)``) names a column
    the server's function knows as stored free text."""
    import dataclasses

    from trefas_app.services import views, views_casework, views_ops

    scrubbed = {f.name for module in (views, views_casework, views_ops)
                for cls in vars(module).values()
                if isinstance(cls, type) and dataclasses.is_dataclass(cls)
                for f in dataclasses.fields(cls)
                if f.metadata.get(views.IDENTIFYING) == views.SCRUB}
    served = {c for _kind, _model, columns in blanking.SCRUBBED_TEXT for c in columns} | \
        {c for _model, c in blanking.PLAN_TEXT} | {c for c, _cat in blanking.PERSON_TEXT}
    assert scrubbed and scrubbed <= served, scrubbed - served


# --- what a login role gets --------------------------------------------------------------


@pytest.fixture(scope="module")
def protected(world):
    """A protected person of Sara's with a note and a guardian's consent;
    Kalle (coordinator of the unit) reads the case without the identity."""
    today = clock.today()
    with world.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Åsa-Lena", "Öberg", protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
            risk_factors="Hot mot Åsa-Lena"))
        k = cases.open_case(s.uow(), s.actor, p.id, "Åsa-Lena i skolan")
        note = notes.write_note(s.uow(), s.actor, k.id, "Samtal",
                                "Åsa-Lena och Idil kom.", Category.SOCIAL)
        notes.sign_note(s.uow(), s.actor, note.id)
        notes.write_note(s.uow(), s.actor, k.id, "Utkast", "Utkast om Åsa-Lena", Category.SOCIAL)
        consents.record_consent(s.uow(), s.actor, consents.ConsentInput(
            person_id=p.id, purpose="Stöd", valid_from=today,
            valid_until=today + dt.timedelta(days=30), guardian_name="Idil Aziz",
            grants=frozenset({(Agency.POLICE, Category.SOCIAL)})))
    return {"person": p.id, "case": k.id, "body": "Åsa-Lena och Idil kom."}


def _as(world, user):
    return psycopg.connect(world.url, user=user, password=ADMIN_PW if user == "admin" else PW,
                           autocommit=True)


def test_a_login_role_gets_what_the_program_shows_and_nothing_more(world, protected):
    pid, body = protected["person"], protected["body"]
    blanked = f"{NAME_MASK} och {NAME_MASK} kom."
    with world.login("kalle") as k:
        shown = notes.list_notes(k.uow(), k.actor, protected["case"]).rows
        assert [n.body for n in shown] == [blanked]
    with _as(world, "kalle") as conn:
        ask = "SELECT trefas.blanked_texts(%s, %s)"
        assert conn.execute(ask, ([pid], [body])).fetchone()[0] == [blanked]
        # Guessed names in a text of one's own: not stored, so not blanked.
        guesses = "Åsa-Lena Åsa Lena Öberg Idil Aziz Anna"
        assert conn.execute(ask, ([pid], [guesses])).fetchone()[0] == [None]
        # Sara's draft, which Kalle may not read: not even its existence.
        assert conn.execute(ask, ([pid], ["Utkast om Åsa-Lena"])).fetchone()[0] == [None]
        # What the program shows, asked again: the same.
        assert conn.execute(ask, ([pid], [blanked])).fetchone()[0] == [blanked]
        # The person's own free text, read through the masked view: blanked.
        risk = conn.execute("SELECT risk_factors, first_name FROM trefas.persons_shown "
                            "WHERE id = %s", (pid,)).fetchone()
        assert risk == (f"Hot mot {NAME_MASK}", None)
        for helper in ("blank_names(%s, ARRAY['Åsa'])", "name_words(ARRAY[%s])"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f"SELECT trefas.{helper}", (guesses,))
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("SELECT trefas.masked_name_words(%s)", (pid,))
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM trefas.name_letters")
    with _as(world, "petra") as conn:  # police, on no team: may not read the person
        assert conn.execute("SELECT trefas.blanked_texts(%s, %s)",
                            ([pid], [body])).fetchone()[0] == [body]
        assert conn.execute("SELECT count(*) FROM trefas.persons_shown WHERE id = %s",
                            (pid,)).fetchone()[0] == 0
    with _as(world, "admin") as conn:  # no case content at all
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("SELECT trefas.blanked_texts(%s, %s)", ([pid], [body]))
