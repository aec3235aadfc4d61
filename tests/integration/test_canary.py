"""No case content ever reaches the disk in clear (DESIGN §5, §6).

A unique canary string goes into names, an address, note titles and bodies
and a search; then every file the program could have written — the store
folder, its backups, files created in the temporary folder during the test,
the application log — is searched for it, in UTF-8, UTF-16 (both byte orders),
upper, lower and decomposed forms. So are the captured log records and the
process's stdout/stderr.
"""

from __future__ import annotations

import logging
import os
import tempfile
import unicodedata
from pathlib import Path

from account_setup import enrolled_user
import pytest

from trefas_app import paths
from trefas_app.domain.enums import Agency, Category, Role
from trefas_app.services import admin, cases, notes, persons, users
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store, unlock

CANARY = "KANARIEFÅGEL-7f3a"
ADMIN_PW = "Solros-vägen-nio-test"
PW = "Granskog-och-hav-42"


def _needles() -> set[bytes]:
    texts = set()
    for form in (CANARY, CANARY.lower(), CANARY.upper(), CANARY.casefold()):
        texts.add(form)
        texts.add(unicodedata.normalize("NFD", form))
        texts.add(form.split("-")[0])  # the word alone, in case the suffix is cut
    needles = set()
    for t in texts:
        for enc in ("utf-8", "utf-16-le", "utf-16-be"):
            needles.add(t.encode(enc))
    return needles


NEEDLES = _needles()


def _file_system_now() -> float:
    """Now as the file system stamps files: the test clock may have travelled
    (TREFAS_TEST_NOW), the files' times have not."""
    with tempfile.NamedTemporaryFile() as marker:
        return os.fstat(marker.fileno()).st_mtime


def _files_under(root: Path, since: float | None = None):
    for dirpath, _dirs, files in os.walk(root, onerror=lambda e: None):
        for name in files:
            p = Path(dirpath) / name
            try:
                st = p.lstat()
            except OSError:
                continue
            if not p.is_file() or p.is_symlink():
                continue
            if since is not None and st.st_mtime < since and st.st_ctime < since:
                continue
            yield p


def _leaks(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError:
        return []
    return [f"{path}: {needle!r}" for needle in NEEDLES if needle in data]


@pytest.fixture
def app_log(tmp_path, monkeypatch):
    """The application log as the command line configures it."""
    monkeypatch.setenv(paths.LOG_DIR_ENV, str(tmp_path / "logs"))
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    log_path = paths.configure_logging()
    assert log_path is not None
    yield log_path
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)


def test_the_canary_is_nowhere_on_disk(tmp_path, app_log, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    started = _file_system_now() - 1
    store_root = tmp_path / "store"

    created = create_store(store_root, admin_username="admin", admin_display_name="Anna",
                           admin_password=ADMIN_PW, kdf=TEST_KDF)
    a = created.store
    unit = users.add_unit(a.uow(), a.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    enrolled_user(a.uow(), a.actor, users.UserInput("sara", "Sara", Role.SOCIAL_WORKER,
                                                     Agency.CITY, unit.id, PW))
    a.close()

    s = unlock(store_root, "sara", PW)
    for i in range(5):
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            f"{CANARY}", f"Efternamn{CANARY}{i}", address=f"{CANARY}-gatan {i}",
            city=CANARY.lower(), risk_factors=f"Riskfaktor {CANARY}"))
        c = cases.open_case(s.uow(), s.actor, p.id, f"Ärende {CANARY}")
        for j in range(3):
            n = notes.write_note(s.uow(), s.actor, c.id, f"Rubrik {CANARY}",
                                 f"{CANARY} " * 200 + f"anteckning {j}",
                                 Category.SOCIAL if j else Category.HEALTH)
            if j:
                notes.sign_note(s.uow(), s.actor, n.id)
        notes.list_notes(s.uow(), s.actor, c.id)
    assert persons.list_persons(s.uow(), s.actor, CANARY.lower()).total == 5
    cases.list_cases(s.uow(), s.actor, cases.CaseFilter(query=CANARY))
    s.close()

    a = unlock(store_root, "admin", ADMIN_PW)
    info = admin.backup(a, a.actor)
    assert admin.check_store(store_root).ok
    a.close()
    for h in logging.getLogger().handlers:
        h.flush()

    scanned = set(_files_under(store_root)) | {info.path, info.key_path}
    scanned |= set(_files_under(app_log.parent))
    scanned |= set(_files_under(Path(tempfile.gettempdir()), since=started))
    assert info.path in scanned and app_log in scanned
    leaks = [leak for p in sorted(scanned) for leak in _leaks(p)]
    assert leaks == []

    # Nothing in the log records or on the console either.
    assert not any(CANARY.lower() in r.getMessage().lower() for r in caplog.records)
    out, err = capfd.readouterr()
    assert CANARY.lower() not in (out + err).lower()


def test_the_scan_would_find_a_leak(tmp_path):
    # Guards the test above: the needles are found in each encoding.
    for enc in ("utf-8", "utf-16-le", "utf-16-be"):
        f = tmp_path / f"leak-{enc}.txt"
        f.write_bytes(f"x {CANARY.lower()} y".encode(enc))
        assert _leaks(f), enc
    f = tmp_path / "clean.txt"
    f.write_bytes(b"nothing here")
    assert _leaks(f) == []
