"""One address formatter (issue 14): "Lingonslingan 6, 164 78 Kista" in the
window, and the same on the command line and in the PDFs (which wrote it
without the comma)."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from account_setup import enrolled_user

from trefas_app import cli
from trefas_app.domain.address import format_address, format_postal_code
from trefas_app.domain.enums import Agency, Role
from trefas_app.services import documents, persons, users
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store, unlock

PW = "Granskog-och-hav-42"
EXPECTED = "Lingonslingan 6, 164 78 Kista"


def test_the_formatter():
    assert format_address("Lingonslingan 6", "16478", "Kista") == EXPECTED
    assert format_address(" Lingonslingan 6 ", "164 78", "Kista") == EXPECTED
    assert format_address("Lingonslingan 6", None, None) == "Lingonslingan 6"
    assert format_address(None, "16478", "Kista") == "164 78 Kista"
    assert format_address(None, None, None) == ""
    assert format_postal_code("SE-164 78") == "SE-164 78"  # not a Swedish five-digit code


@pytest.fixture
def person(tmp_path):
    created = create_store(tmp_path / "store", admin_username="admin",
                           admin_display_name="Anna Admin", admin_password=PW, kdf=TEST_KDF)
    store = created.store
    unit = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    enrolled_user(store.uow(), store.actor, users.UserInput(
        "sara", "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY, unit.id, PW))
    store.close()
    sara = unlock(tmp_path / "store", "sara", PW)
    view = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
        "Amir", "Haddad", address="Lingonslingan 6", postal_code="16478", city="Kista"))
    yield tmp_path / "store", sara, view
    sara.close()


def test_the_command_line_and_the_pdf_write_it_as_the_window_does(
        person, monkeypatch, capsys, cli_logging):
    root, sara, view = person
    extract = documents.issue_subject_extract(sara.uow(), sara.actor, view.id)
    reader = pypdf.PdfReader(io.BytesIO(extract.pdf_bytes))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))
    assert EXPECTED in text

    monkeypatch.setenv("TREFAS_PASSWORD", PW)
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    capsys.readouterr()
    assert cli.main(["person", "show", str(view.id), "--store", str(root), "--user",
                     "sara"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Adress"))
    assert line.split(None, 1)[1].strip() == EXPECTED


def test_the_window_writes_it_the_same_way(person, qapp):
    from trefas_app.ui.person_card import PersonCard

    _, sara, view = person

    class Ctx:
        lang = "sv"

        @staticmethod
        def may(_permission):
            return True

    card = PersonCard(Ctx())
    card.set_person(view)
    assert card._values["address"].text() == EXPECTED
    card.deleteLater()
