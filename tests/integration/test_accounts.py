"""The administrator holds no key; accounts are enrolled by their owner and
confirmed by a second person (issue 11).

Each test tries what must not work as well as what must."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlcipher3
import time_machine
from account_setup import enrolled_user
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain.clock import format_local, now_utc
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import (
    AccessDenied,
    Conflict,
    StoreError,
    UnknownUser,
    WrongPassword,
)
from trefas_app.services import accounts, admin, cases, persons, users
from trefas_app.store import models as m
from trefas_app.store.accounts import EnrolmentExpired, identity_of
from trefas_app.store.engine import connect_raw
from trefas_app.store.keyslots import TEST_KDF, KeyFile, Slot, derive_kek
from trefas_app.store.store import LoginThrottled, create_store, unlock

ADMIN_PW = "Solros-vägen-nio-test"
PW = "Granskog-och-hav-42"
NEW_PW = "Ett-helt-annat-lösen-77"


@pytest.fixture
def org(tmp_path):
    """admin; city unit RK with supervisor stina, coordinator cora and social
    worker sara; police unit LPO with supervisor polsup. All logged out."""
    created = create_store(tmp_path / "store", admin_username="admin",
                           admin_display_name="Anna Admin", admin_password=ADMIN_PW,
                           kdf=TEST_KDF)
    store = created.store
    rk = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    lpo = users.add_unit(store.uow(), store.actor, Agency.POLICE, "LPO", "LPO Rinkeby")
    for name, role, agency, unit in (("stina", Role.SUPERVISOR, Agency.CITY, rk),
                                     ("cora", Role.COORDINATOR, Agency.CITY, rk),
                                     ("sara", Role.SOCIAL_WORKER, Agency.CITY, rk),
                                     ("polsup", Role.SUPERVISOR, Agency.POLICE, lpo)):
        enrolled_user(store.uow(), store.actor, users.UserInput(
            name, name.title(), role, agency, unit.id, PW))
    root = store.paths.root
    store.close()
    return root, created.recovery_key


def _new_account(root, name="nils", role=Role.SOCIAL_WORKER, agency=Agency.CITY, unit="RK"):
    """The administrator creates an account; the person enrols with NEW_PW.
    Returns the fingerprint the person's screen shows."""
    adm = unlock(root, "admin", ADMIN_PW)
    try:
        view = accounts.create_account(adm, name, name.title(), role, agency, unit)
    finally:
        adm.close()
    return accounts.enrol_account(root, name, view.enrolment_code, NEW_PW)


def _copy_of(data: bytes, root) -> KeyFile:
    """An old copy of the key file, as someone might have kept it."""
    path = root.parent / "old.keys"
    path.write_bytes(data)
    return KeyFile.load(path)


def _log(root, who="stina", pw=PW) -> list[m.AuditEvent]:
    s = unlock(root, who, pw)
    try:
        with Session(s.engine) as session:
            rows = session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.seq)).all()
            session.expunge_all()
            return list(rows)
    finally:
        s.close()


# --- 1. the administrator's password opens no content ----------------------------------


def _secrets_the_admin_password_opens(root) -> list[bytes]:
    """Every secret the administrator's password reaches, as raw bytes."""
    keyfile = KeyFile.load(root / "trefas.keys")
    slot = keyfile.find("admin")
    kek = derive_kek(ADMIN_PW, slot.salt, slot.kdf)
    private = slot.open_private(keyfile.store_id, ADMIN_PW)
    raw_private = private.private_bytes(serialization.Encoding.Raw,
                                        serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    identity = identity_of(private).private_bytes(serialization.Encoding.Raw,
                                                  serialization.PrivateFormat.Raw,
                                                  serialization.NoEncryption())
    return [kek, raw_private, identity]


def test_the_administrators_password_opens_no_case_content(org):
    root, _ = org
    sara = unlock(root, "sara", PW)
    persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Hemlig", "Person"))
    sara.close()
    stina = unlock(root, "stina", PW)
    admin.backup(stina, stina.actor)  # a verified backup by a key holder
    stina.close()
    adm = unlock(root, "admin", ADMIN_PW)
    admin.backup(adm, adm.actor)  # and the administrator's own, without the key
    assert not adm.has_data_key
    with pytest.raises(AccessDenied):
        adm.uow()
    adm.close()

    keyfile = KeyFile.load(root / "trefas.keys")
    slot = keyfile.find("admin")
    assert slot.kind == "admin" and not slot.sealed_data_key
    private = slot.open_private(keyfile.store_id, ADMIN_PW)
    # The admin's private key opens no other slot's sealed data key.
    for other in keyfile.slots:
        if other.sealed_data_key:
            with pytest.raises(InvalidTag):
                other.open_data_key(keyfile.store_id, private)
    candidates = _secrets_the_admin_password_opens(root)
    databases = [root / "trefas.db", *sorted((root / "backups").glob("*.db"))]
    assert len(databases) == 3
    for secret in candidates:
        # Neither the installation signing key nor the note-seal key opens.
        with pytest.raises((InvalidTag, ValueError)):
            AESGCM(secret).decrypt(keyfile.signing_key_nonce, keyfile.signing_key_sealed,
                                   f"trefas-signing:v1:{keyfile.store_id}".encode())
        for db in databases:
            with pytest.raises(Exception) as err:
                conn = connect_raw(db, secret)
                conn.execute("SELECT count(*) FROM persons").fetchone()
            assert "Hemlig" not in str(err.value)
    # Nor the password itself as an SQLCipher passphrase, straight through the module.
    for db in databases:
        conn = sqlcipher3.connect(str(db))
        conn.execute("PRAGMA key = ?".replace("?", "'" + ADMIN_PW.replace("'", "''") + "'"))
        with pytest.raises(sqlcipher3.DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.close()


# --- 2. enrolment codes ---------------------------------------------------------------


def test_enrolment_code_is_single_use_and_the_password_is_the_persons(org):
    root, _ = org
    adm = unlock(root, "admin", ADMIN_PW)
    view = accounts.create_account(adm, "nils", "Nils", Role.SOCIAL_WORKER, Agency.CITY, "RK")
    adm.close()
    stored = (root / "trefas.keys").read_text()
    assert view.enrolment_code not in stored and view.enrolment_code.replace("-", "") not in stored
    with pytest.raises(WrongPassword):  # no password works before enrolment
        unlock(root, "nils", NEW_PW)
    accounts.enrol_account(root, "nils", view.enrolment_code, NEW_PW)
    with pytest.raises(Conflict):
        accounts.enrol_account(root, "nils", view.enrolment_code, "Noch-ein-anderes-99")
    unlock(root, "nils", NEW_PW).close()


def test_enrolment_code_expires_after_72_hours(org):
    root, _ = org
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
    with time_machine.travel(start, tick=False):
        adm = unlock(root, "admin", ADMIN_PW)
        early = accounts.create_account(adm, "nils", "Nils", Role.SOCIAL_WORKER,
                                        Agency.CITY, "RK")
        late = accounts.create_account(adm, "nina", "Nina", Role.SOCIAL_WORKER,
                                       Agency.CITY, "RK")
        adm.close()
    with time_machine.travel(start + dt.timedelta(hours=71, minutes=59), tick=False):
        accounts.enrol_account(root, "nils", early.enrolment_code, NEW_PW)
    with time_machine.travel(start + dt.timedelta(hours=72), tick=False):
        with pytest.raises(EnrolmentExpired) as err:
            accounts.enrol_account(root, "nina", late.enrolment_code, NEW_PW)
    assert "72 timmar" in err.value.sv
    assert "account.enrol_expired" in [e.action for e in _log(root)]


def test_wrong_enrolment_codes_are_throttled_and_logged(org):
    root, _ = org
    adm = unlock(root, "admin", ADMIN_PW)
    view = accounts.create_account(adm, "nils", "Nils", Role.SOCIAL_WORKER, Agency.CITY, "RK")
    adm.close()
    for _ in range(4):  # three cost nothing, as for passwords; then the waits begin
        with pytest.raises(WrongPassword):
            accounts.enrol_account(root, "nils", "AAAA-BBBB-CCCC-DDDD", NEW_PW)
    with pytest.raises(LoginThrottled):  # even the right code waits
        accounts.enrol_account(root, "nils", view.enrolment_code, NEW_PW)
    later = now_utc() + dt.timedelta(seconds=60)
    accounts.enrol_account(root, "nils", view.enrolment_code, NEW_PW, clock=lambda: later)
    actions = [e.action for e in _log(root)]
    assert actions.count("account.enrol_failed") == 4
    assert "AAAA" not in json.dumps([e.detail for e in _log(root)])


# --- 3. confirmation by a second person ------------------------------------------------


def test_an_enrolled_account_waits_and_sees_nothing(org):
    root, _ = org
    _new_account(root)
    s = unlock(root, "nils", NEW_PW)
    try:
        assert not s.has_data_key and s.waiting_for() == ["Stina"]
        with pytest.raises(AccessDenied) as err:
            cases.list_cases(s.uow(), s.actor)
        assert "väntar på bekräftelse från Stina" in err.value.sv
        with pytest.raises(AccessDenied):
            s.data_key  # noqa: B018 - the property refuses
    finally:
        s.close()


@pytest.mark.parametrize("who,pw", [("polsup", PW), ("cora", PW), ("sara", PW)])
def test_confirmation_by_anyone_but_a_same_agency_supervisor_is_refused(org, who, pw):
    root, _ = org
    fingerprint = _new_account(root)
    s = unlock(root, who, pw)
    try:
        with pytest.raises(AccessDenied):
            accounts.confirm_account(s.uow(), s.actor, "nils", fingerprint)
    finally:
        s.close()
    assert KeyFile.load(root / "trefas.keys").find("nils").state == "awaiting"
    denied = [e for e in _log(root) if e.action == "access.denied" and e.username == who]
    assert denied and "account.confirm" in denied[-1].detail


def test_the_administrator_cannot_confirm_by_any_door(org):
    root, recovery = org
    fingerprint = _new_account(root)
    adm = unlock(root, "admin", ADMIN_PW)
    try:
        with pytest.raises(AccessDenied):
            accounts.confirm_account(adm.uow(), adm.actor, "nils", fingerprint)
    finally:
        adm.close()
    with pytest.raises(AccessDenied):  # the setup door is the founding session's alone
        accounts.confirm_at_setup(unlock(root, "stina", PW), "nils")
    assert KeyFile.load(root / "trefas.keys").find("nils").state == "awaiting"


def test_supervisor_confirms_and_every_step_is_logged(org):
    root, _ = org
    fingerprint = _new_account(root)
    stina = unlock(root, "stina", PW)
    try:
        pending = accounts.pending_confirmations(stina.uow(), stina.actor)
        assert [p.username for p in pending] == ["nils"]
        assert fingerprint not in repr(pending)  # heard from the person, never shown here
        accounts.confirm_account(stina.uow(), stina.actor, "nils", fingerprint.lower())
        assert accounts.pending_confirmations(stina.uow(), stina.actor) == []
    finally:
        stina.close()
    nils = unlock(root, "nils", NEW_PW)
    try:
        assert nils.has_data_key
        assert cases.list_cases(nils.uow(), nils.actor).total == 0  # a team member's scope
    finally:
        nils.close()
    slot = KeyFile.load(root / "trefas.keys").find("nils")
    assert (slot.state, slot.confirmed_by) == ("ready", "stina")
    steps = [(e.action, e.username) for e in _log(root)]
    for step in (("account.create", "admin"), ("user.create", "admin"),
                 ("account.enrol", "nils"), ("account.confirm", "stina"), ("login", "nils")):
        assert step in steps, step
    assert steps.index(("account.create", "admin")) < steps.index(("account.confirm", "stina"))


def test_a_reset_account_is_locked_out_until_confirmed_again(org):
    root, _ = org
    old_keyfile = (root / "trefas.keys").read_bytes()
    adm = unlock(root, "admin", ADMIN_PW)
    view = accounts.reset_account(adm, "sara")
    adm.close()
    with pytest.raises(WrongPassword):
        unlock(root, "sara", PW)
    fingerprint = accounts.enrol_account(root, "sara", view.enrolment_code, NEW_PW)
    s = unlock(root, "sara", NEW_PW)
    assert not s.has_data_key
    s.close()
    stina = unlock(root, "stina", PW)  # her log-in changes the data key (a slot was removed)
    accounts.confirm_account(stina.uow(), stina.actor, "sara", fingerprint)
    new_key = stina.data_key
    stina.close()
    s = unlock(root, "sara", NEW_PW)
    assert s.has_data_key and s.data_key == new_key
    s.close()
    # The key file from before the reset opens nothing new with the old password.
    old = _copy_of(old_keyfile, root)
    old_key = old.unseal("sara", PW)
    assert old_key != new_key
    with pytest.raises(Exception):
        connect_raw(root / "trefas.db", old_key).execute("SELECT 1 FROM persons").fetchone()


def test_disabled_account_is_listed_has_no_keys_and_cannot_log_in(org):
    root, _ = org
    adm = unlock(root, "admin", ADMIN_PW)
    accounts.disable_account(adm, "sara")
    listed = {a.username: a.state for a in accounts.list_accounts(adm)}
    adm.close()
    assert listed["sara"] == "disabled"
    with pytest.raises(UnknownUser):
        unlock(root, "sara", PW)
    stina = unlock(root, "stina", PW)
    try:
        with Session(stina.engine) as session:
            assert not session.scalars(select(m.User.active).where(
                m.User.username == "sara")).one()
    finally:
        stina.close()


# --- 5. the recovery key ----------------------------------------------------------------


def test_recovery_key_confirms_a_supervisor_loudly(org):
    root, recovery = org
    fingerprint = _new_account(root, "sune", Role.SUPERVISOR)
    with pytest.raises(WrongPassword):
        accounts.confirm_with_recovery_key(root, "AAAAA-" * 7 + "AAAAA", "sune", fingerprint)
    accounts.confirm_with_recovery_key(root, recovery, "sune", fingerprint)
    sune = unlock(root, "sune", NEW_PW)
    assert sune.has_data_key
    sune.close()
    stina = unlock(root, "stina", PW)
    try:  # since her previous log-in: shown at this one
        notices = accounts.recovery_notices(stina.uow(), stina.actor)
        assert ("account.confirm_recovery", "sune") in [(n.action, n.username) for n in notices]
        assert "login.recovery_key" in [n.action for n in notices]
        # For people: the action's label, the account, the time in the office's zone.
        confirm = next(n for n in notices if n.username == "sune")
        assert confirm.text("sv").endswith("Bekräftade konto med återställningsnyckeln (sune)")
        assert confirm.text("sv").startswith(format_local(confirm.at))
        assert "account.confirm_recovery" not in confirm.text("en")
    finally:
        stina.close()
    stina = unlock(root, "stina", PW)
    try:  # shown once: nothing new since the log-in that showed it
        assert accounts.recovery_notices(stina.uow(), stina.actor) == []
        assert accounts.recovery_notices(stina.uow(), stina.actor, None)  # but on record
    finally:
        stina.close()
    assert ("account.confirm_recovery", "återställningsnyckeln") in [
        (e.action, e.username) for e in _log(root)]


# --- 6. migration of a store from before this version ------------------------------------


def test_a_legacy_administrator_slot_loses_its_key_at_the_first_supervisor_login(org):
    root, recovery = org
    from trefas_app.store.store import unlock_with_recovery_key

    r = unlock_with_recovery_key(root, recovery)
    data_key = r.data_key
    r.close()
    with KeyFile.locked_update(root / "trefas.keys") as kf:  # as an older version wrote it
        kf.slots = [s for s in kf.slots if s.username != "admin"]
        kf.slots.append(Slot.create(kf.store_id, "user", "admin", ADMIN_PW, data_key,
                                    TEST_KDF))
    legacy = (root / "trefas.keys").read_bytes()
    assert KeyFile.load(root / "trefas.keys").unseal("admin", ADMIN_PW) == data_key

    stina = unlock(root, "stina", PW)
    assert stina.data_key != data_key  # re-keyed at her log-in
    stina.close()
    slot = KeyFile.load(root / "trefas.keys").find("admin")
    assert not slot.sealed_data_key and slot.profile["role"] == "administrator"
    adm = unlock(root, "admin", ADMIN_PW)
    assert not adm.has_data_key
    adm.close()
    old = _copy_of(legacy, root)
    assert old.unseal("admin", ADMIN_PW) == data_key  # the old copy still opens its old key…
    with pytest.raises(Exception):  # …which opens nothing any more
        connect_raw(root / "trefas.db", data_key).execute("SELECT 1 FROM persons").fetchone()
    actions = [e.action for e in _log(root)]
    assert "key.admin_slot_converted" in actions and "rekey" in actions


# --- the recovery kit ---------------------------------------------------------------------


def test_init_writes_a_printable_recovery_kit_only_when_asked(tmp_path, monkeypatch):
    import stat

    import pikepdf

    from trefas_app import cli

    monkeypatch.setenv("TREFAS_PASSWORD", ADMIN_PW)
    monkeypatch.setenv("TREFAS_LOG_DIR", str(tmp_path / "log"))
    kit = tmp_path / "kit.pdf"
    assert cli.main(["init", "--store", str(tmp_path / "s"), "--admin", "admin",
                     "--kit", str(kit)]) == 0
    assert stat.S_IMODE(kit.stat().st_mode) == 0o600
    with pikepdf.open(kit) as pdf:
        assert len(pdf.pages) == 1
    text = _pdf_text(kit)
    store_id = KeyFile.load(tmp_path / "s" / "trefas.keys").store_id
    assert "KASSASK" in text.upper() and store_id in text
    assert not any(p.suffix == ".pdf" for p in (tmp_path / "s").rglob("*"))


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_recovery_key_gives_a_locked_out_administrator_a_new_code(org):
    root, recovery = org
    code = accounts.reset_with_recovery_key(root, recovery, "admin")
    with pytest.raises(WrongPassword):
        unlock(root, "admin", ADMIN_PW)  # the forgotten password opens nothing now
    accounts.enrol_account(root, "admin", code, NEW_PW)
    adm = unlock(root, "admin", NEW_PW)
    try:
        assert adm.is_admin and not adm.has_data_key and adm.identity is not None
    finally:
        adm.close()
    assert "account.reset_recovery" in [e.action for e in _log(root)]


def test_a_recovery_key_session_is_logged_as_the_key_never_as_an_administrator(org):
    """Review finding 9: the log-in, the work and the log-out of a session opened
    with the recovery key are the pseudo-actor's, with no user, role or agency."""
    from trefas_app.services import audit_log
    from trefas_app.store.store import unlock_with_recovery_key

    root, recovery = org
    (root / "trefas.checkpoints").unlink()  # a standing alarm to acknowledge
    unlock(root, "stina", PW).close()
    first = max(e.seq for e in _log(root))
    r = unlock_with_recovery_key(root, recovery)
    audit_log.acknowledge_alarm(r, r.actor, "Granskat med återställningsnyckeln")
    r.close()
    session_entries = [e for e in _log(root) if e.seq > first and e.username != "stina"
                       and e.action in ("login.recovery_key", "checkpoints.acknowledge",
                                        "logout")]
    assert [e.action for e in session_entries] == ["login.recovery_key",
                                                   "checkpoints.acknowledge", "logout"]
    for e in session_entries:
        assert (e.username, e.user_id, e.role, e.agency) == (
            "återställningsnyckeln", None, None, None)
    s = unlock(root, "sara", PW)  # the pseudo-actor's acknowledgement counts
    try:
        assert s.alarms == []
    finally:
        s.close()


def _trusted_identity(root, name="admin") -> bytes | None:
    from trefas_app.store.account_sync import trusted_identities

    s = unlock(root, "stina", PW)
    try:
        with Session(s.engine) as session:
            return trusted_identities(session).get(name)
    finally:
        s.close()


def test_an_administrator_reset_by_the_recovery_key_creates_working_accounts_again(org):
    """Review finding 10, end to end: recover --reset, the administrator
    re-enrols, creates an account; the person enrols, is confirmed and works."""
    root, recovery = org
    old_identity = _trusted_identity(root)
    code = accounts.reset_with_recovery_key(root, recovery, "admin")
    assert _trusted_identity(root) == old_identity  # no enrolment yet: nothing new trusted
    accounts.enrol_account(root, "admin", code, NEW_PW)
    adm = unlock(root, "admin", NEW_PW)
    try:
        view = accounts.create_account(adm, "nora", "Nora Nord", Role.SOCIAL_WORKER,
                                       Agency.CITY, "RK")
    finally:
        adm.close()
    fingerprint = accounts.enrol_account(root, "nora", view.enrolment_code, PW)
    stina = unlock(root, "stina", PW)  # trusts the new identity, then makes nora's row
    try:
        accounts.confirm_account(stina.uow(), stina.actor, "nora", fingerprint)
    finally:
        stina.close()
    nora = unlock(root, "nora", PW)
    try:
        assert nora.has_data_key
        persons.create_person(nora.uow(), nora.actor, persons.PersonInput("Ny", "Person"))
    finally:
        nora.close()
    log = _log(root)
    assert not [e for e in log if e.action == "account.unverified"]
    assert ("user.create", "admin") in [(e.action, e.username) for e in log]
    new_identity = _trusted_identity(root)
    assert new_identity not in (None, old_identity)
    # The reset is used up: an identity written into the key file later is not believed.
    with KeyFile.locked_update(root / "trefas.keys") as kf:
        kf.find("admin").identity_public = b"\x01" * 32
    assert _trusted_identity(root) == new_identity


def test_a_changed_administrator_identity_is_not_believed_without_a_recovery_reset(org):
    root, _ = org
    old_identity = _trusted_identity(root)
    with KeyFile.locked_update(root / "trefas.keys") as kf:
        kf.find("admin").identity_public = b"\x02" * 32
    assert _trusted_identity(root) == old_identity


# --- review finding 8: a confirmation is tied to the person who enrolled ---------------


def _swap_awaiting_key(root, name="nils") -> None:
    """What the administrator can do between enrolment and confirmation: put
    keys of their own in the awaiting slot (they know the password they chose)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    with KeyFile.locked_update(root / "trefas.keys") as kf:
        kf.find(name).seal_private(kf.store_id, "Administratorns-eget-lösen-1",
                                   X25519PrivateKey.generate())


def test_the_person_sees_the_fingerprint_of_their_own_key_not_of_the_file(org):
    root, _ = org
    fingerprint = _new_account(root)
    s = unlock(root, "nils", NEW_PW)
    try:
        assert s.key_fingerprint == fingerprint
        with pytest.raises(AccessDenied) as err:
            cases.list_cases(s.uow(), s.actor)
        assert fingerprint in err.value.sv and fingerprint in err.value.en
    finally:
        s.close()


def test_a_confirmation_seals_only_to_the_key_whose_fingerprint_the_person_read_out(org):
    root, recovery = org
    fingerprint = _new_account(root)
    _swap_awaiting_key(root)  # after the person enrolled, before the supervisor confirms
    stina = unlock(root, "stina", PW)
    try:
        listed = accounts.pending_confirmations(stina.uow(), stina.actor)
        assert [p.username for p in listed] == ["nils"]
        for typed in (fingerprint, "", "ÅÄÖ-1234"):
            with pytest.raises(AccessDenied) as err:
                accounts.confirm_account(stina.uow(), stina.actor, "nils", typed)
            assert "Fingeravtrycket stämmer inte" in err.value.sv
    finally:
        stina.close()
    with pytest.raises(StoreError):  # the recovery key checks it the same way
        accounts.confirm_with_recovery_key(root, recovery, "nils", fingerprint)
    slot = KeyFile.load(root / "trefas.keys").find("nils")
    assert (slot.state, slot.sealed_data_key) == ("awaiting", b"")
    denied = [e for e in _log(root) if e.action == "access.denied" and e.username == "stina"]
    assert len(denied) == 3 and all("account.confirm" in e.detail for e in denied)
