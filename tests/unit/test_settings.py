"""Deployment settings: a machine file IT pushes, a user file the window writes;
user values win unless the machine file locks the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from trefas_app import cli, paths, settings
from trefas_app.domain import clock
from trefas_app.domain.errors import ValidationError


@pytest.fixture
def files(tmp_path, monkeypatch):
    machine, user = tmp_path / "etc" / "trefas.ini", tmp_path / "home" / "trefas.ini"
    machine.parent.mkdir()
    monkeypatch.setenv(settings.MACHINE_ENV, str(machine))
    monkeypatch.setenv(settings.USER_ENV, str(user))
    monkeypatch.delenv(paths.STORE_ENV, raising=False)
    yield machine, user
    clock.set_office_zone(clock.DEFAULT_OFFICE_ZONE)


def write(path: Path, **values: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[trefas]\n" + "".join(f"{k} = {v}\n" for k, v in values.items()),
                    encoding="utf-8")


def test_nothing_configured(files):
    loaded = settings.load()
    assert (loaded.store, loaded.lock_minutes, loaded.language, loaded.office_timezone) == \
        (None, None, None, None)


def test_user_overrides_machine(files):
    machine, user = files
    write(machine, lock_minutes="5", language="en", office_timezone="Europe/Helsinki")
    write(user, lock_minutes="3", language="sv")
    loaded = settings.load()
    assert (loaded.lock_minutes, loaded.language, loaded.office_timezone) == \
        (3, "sv", "Europe/Helsinki")
    assert loaded.sources == {"lock_minutes": "user", "language": "user",
                              "office_timezone": "machine"}


def test_locked_key_keeps_the_machine_value_and_refuses_a_user_save(files):
    machine, user = files
    write(machine, store="/srv/trefas/store", lock_minutes="5", locked="store, lock_minutes")
    write(user, store="/home/x/elsewhere", lock_minutes="30")
    loaded = settings.load()
    assert loaded.store == "/srv/trefas/store" and loaded.lock_minutes == 5
    assert loaded.is_locked("store") and not loaded.is_locked("language")
    with pytest.raises(ValidationError, match="locked by the IT department"):
        settings.save_user({"store": "/tmp/mine"})
    settings.save_user({"language": "en"})
    assert settings.load().language == "en"


def test_invalid_values_are_ignored_not_fatal(files):
    machine, user = files
    write(machine, lock_minutes="0", language="de", office_timezone="Mars/Olympus")
    write(user, lock_minutes="many")
    loaded = settings.load()
    assert (loaded.lock_minutes, loaded.language, loaded.office_timezone) == (None, None, None)


def test_broken_file_is_ignored(files):
    machine, _user = files
    machine.write_text("this is [ not an ini file\n", encoding="utf-8")
    assert settings.load().store is None


def test_save_user_validates_and_removes(files):
    _machine, user = files
    with pytest.raises(ValidationError):
        settings.save_user({"lock_minutes": 999})
    with pytest.raises(ValidationError):
        settings.save_user({"office_timezone": "Nowhere/Town"})
    settings.save_user({"lock_minutes": 7, "server": "https://trefas.example"})
    assert settings.load().lock_minutes == 7
    settings.save_user({"lock_minutes": None})
    assert settings.load().lock_minutes is None
    assert settings.load().server == "https://trefas.example"  # reserved, kept
    assert user.is_file()


def test_store_setting_is_the_default_store(files, tmp_path, monkeypatch):
    machine, _user = files
    write(machine, store=str(tmp_path / "shared" / "store"))
    assert paths.default_store_dir() == tmp_path / "shared" / "store"
    monkeypatch.setenv(paths.STORE_ENV, str(tmp_path / "env"))
    assert paths.default_store_dir() == tmp_path / "env"  # the environment still wins
    assert paths.resolve_store(str(tmp_path / "arg")) == tmp_path / "arg"


def test_cli_applies_the_office_zone(files, capsys):
    machine, _user = files
    write(machine, office_timezone="America/New_York")
    assert cli.main(["paths"]) == 0
    assert clock.office_zone().key == "America/New_York"


def test_lock_minutes_can_only_be_made_shorter(files):
    machine, _user = files
    assert settings.effective_lock_minutes(10) == 10
    write(machine, lock_minutes="5")
    assert settings.effective_lock_minutes(10) == 5
    write(machine, lock_minutes="60")
    assert settings.effective_lock_minutes(10) == 10


def test_first_machine_folder_wins(tmp_path, monkeypatch):
    monkeypatch.delenv(settings.MACHINE_ENV, raising=False)
    monkeypatch.setenv(settings.USER_ENV, str(tmp_path / "none.ini"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    write(tmp_path / "a" / "Trefas" / "trefas.ini", language="en")
    write(tmp_path / "b" / "Trefas" / "trefas.ini", language="sv", lock_minutes="4")
    loaded = settings.load()
    assert loaded.language == "en" and loaded.lock_minutes == 4
