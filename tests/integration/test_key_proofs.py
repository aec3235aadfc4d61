"""The key file is not signed and the administrator can write it (review of
issue 11): a forged slot, a swapped recovery slot or a forged acknowledgement
must not give them the data key or hide an alarm. Also: an emptied checkpoint
file, and what a password reset leaves in the backups' key files."""

from __future__ import annotations

import base64
import json
import os

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain.clock import now_utc
from trefas_app.domain.errors import WrongPassword
from trefas_app.services import accounts, admin
from trefas_app.store import models as m
from trefas_app.store.keyslots import (
    RECOVERY_USER, TEST_KDF, KeyFile, KeyFileDamaged, NoDataKey, Slot)
from trefas_app.store.slot_proofs import PROOFS_SINCE
from trefas_app.store.store import unlock, unlock_with_recovery_key

from test_accounts import ADMIN_PW, NEW_PW, PW, _new_account, org  # noqa: F401 (fixture)

KEYS = "trefas.keys"


def _edit_keys(root, change) -> None:
    path = root / KEYS
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _actions(store) -> list[str]:
    with Session(store.engine) as session:
        return list(session.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.seq)))


def _forge_ready(data, username) -> None:
    """Variant A of the review: a slot marked as holding the data key, with
    random bytes, and a re-key due."""
    for slot in data["slots"]:
        if slot["username"] == username:
            slot["state"] = "ready"
            slot["sealed_data_key"] = base64.b64encode(os.urandom(48)).decode()
            slot["ephemeral_public"] = base64.b64encode(os.urandom(32)).decode()
            slot["key_nonce"] = base64.b64encode(os.urandom(12)).decode()
    data["rekey_due"] = "removed-slot"


def test_a_slot_the_administrator_marks_as_key_holding_gets_no_data_key(org):
    root, _ = org
    _new_account(root, "mallory")  # enrolled by the administrator, never confirmed
    _edit_keys(root, lambda d: _forge_ready(d, "mallory"))
    report = admin.check_store(root, "stina", PW)
    assert not report.ok and any("mallory" in p for p in report.problems)
    stina = unlock(root, "stina", PW)  # a supervisor's log-in runs the due re-key
    try:
        assert "keyfile" in {a.code for a in stina.alarms}
        assert "keyfile.tampered" in _actions(stina)
        new_key = stina.data_key
    finally:
        stina.close()
    keyfile = KeyFile.load(root / KEYS)
    with pytest.raises(NoDataKey):
        keyfile.unseal("mallory", NEW_PW)
    mallory = unlock(root, "mallory", NEW_PW)
    try:
        assert not mallory.has_data_key
    finally:
        mallory.close()
    assert KeyFile.load(root / KEYS).unseal("sara", PW) == new_key  # the real ones kept it


def test_a_swapped_recovery_slot_gets_no_data_key(org):
    root, recovery = org
    keyfile = KeyFile.load(root / KEYS)
    forged = Slot.create(keyfile.store_id, "recovery", RECOVERY_USER, "ADMINCHOSENKEY", None,
                         TEST_KDF)
    forged.sealed_data_key, forged.ephemeral_public, forged.key_nonce = (
        os.urandom(48), os.urandom(32), os.urandom(12))
    keyfile.slots = [s for s in keyfile.slots if s.kind != "recovery"] + [forged]
    keyfile.rekey_due = "removed-slot"
    keyfile.save()
    stina = unlock(root, "stina", PW)
    try:
        assert "keyfile" in {a.code for a in stina.alarms}
    finally:
        stina.close()
    with pytest.raises((KeyFileDamaged, WrongPassword)):
        KeyFile.load(root / KEYS).unseal_recovery("ADMINCHOSENKEY")


def test_the_real_recovery_key_and_accounts_survive_a_rekey_with_proofs(org):
    root, recovery = org
    fingerprint = _new_account(root, "nils")
    stina = unlock(root, "stina", PW)
    accounts.confirm_account(stina.uow(), stina.actor, "nils", fingerprint)
    stina.keyfile.rekey_due = "removed-slot"
    admin.rekey(stina, stina.actor)
    new_key = stina.data_key
    assert stina.alarms == []
    stina.close()
    keyfile = KeyFile.load(root / KEYS)
    assert keyfile.unseal("nils", NEW_PW) == new_key
    assert keyfile.unseal_recovery(recovery) == new_key


def test_an_upgraded_store_gives_proofs_to_confirmed_accounts_only(org):
    root, recovery = org
    _new_account(root, "mallory")
    stina = unlock(root, "stina", PW)
    data_key = stina.data_key
    with Session(stina.engine) as session:  # a store from before the proofs
        session.delete(session.get(m.StoreMeta, PROOFS_SINCE))
        session.commit()
    stina.close()

    def strip_proofs(data):
        for slot in data["slots"]:
            slot.pop("key_proof", None)
        _forge_ready(data, "mallory")
    _edit_keys(root, strip_proofs)
    stina = unlock(root, "stina", PW)
    try:
        assert "keyfile" in {a.code for a in stina.alarms}  # mallory: unconfirmed
        new_key = stina.data_key
    finally:
        stina.close()
    assert new_key != data_key
    keyfile = KeyFile.load(root / KEYS)
    assert keyfile.unseal("sara", PW) == new_key
    assert keyfile.unseal("polsup", PW) == new_key
    assert keyfile.unseal_recovery(recovery) == new_key
    with pytest.raises(NoDataKey):
        keyfile.unseal("mallory", NEW_PW)


def _standing_alarm(root) -> None:
    (root / "trefas.checkpoints").unlink()
    stina = unlock(root, "stina", PW)
    assert stina.alarms
    stina.close()


def test_a_forged_acknowledgement_in_the_key_file_does_not_count(org):
    root, _ = org
    _standing_alarm(root)
    at = now_utc().isoformat()
    _edit_keys(root, lambda d: d["pending_events"].append(
        {"action": "checkpoints.acknowledge", "username": "stina", "at": at,
         "detail": {"recovery_key": True, "alarm_seq": 1}}))
    sara = unlock(root, "sara", PW)
    try:
        assert sara.alarms
    finally:
        sara.close()
    assert not admin.check_store(root, "stina", PW).ok


def test_an_acknowledgement_by_a_supervisor_or_the_recovery_key_counts(org):
    from trefas_app.services import audit_log

    root, recovery = org
    _standing_alarm(root)
    r = unlock_with_recovery_key(root, recovery)
    audit_log.acknowledge_alarm(r, r.actor, "Granskat med återställningsnyckeln")
    r.close()
    sara = unlock(root, "sara", PW)
    try:
        assert sara.alarms == []
    finally:
        sara.close()


def test_an_emptied_checkpoint_file_raises_the_missing_alarm(org):
    root, _ = org
    (root / "trefas.checkpoints").write_bytes(b"")
    stina = unlock(root, "stina", PW)
    try:
        assert "missing" in {a.code for a in stina.alarms}
    finally:
        stina.close()


def _backup(root):
    stina = unlock(root, "stina", PW)
    try:
        return admin.backup(stina, stina.actor)
    finally:
        stina.close()


def test_an_administrators_reset_removes_the_old_slot_from_every_backup(org):
    root, _ = org
    info = _backup(root)
    assert KeyFile.load(info.key_path).unseal("sara", PW)  # the backup opened with it …
    adm = unlock(root, "admin", ADMIN_PW)
    try:
        accounts.reset_account(adm, "sara")
    finally:
        adm.close()
    assert "sara" not in KeyFile.load(info.key_path).usernames()  # … and no longer does


def test_a_reset_in_a_key_holders_session_removes_the_old_slot_from_backups(tmp_path):
    from account_setup import enrolled_user

    from trefas_app.domain.enums import Agency, Role
    from trefas_app.services import users
    from trefas_app.store.store import create_store

    store = create_store(tmp_path / "s", admin_username="admin", admin_display_name="A",
                         admin_password=ADMIN_PW, kdf=TEST_KDF).store
    try:
        unit = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
        enrolled_user(store.uow(), store.actor, users.UserInput(
            "sara", "Sara", Role.SOCIAL_WORKER, Agency.CITY, unit.id, PW))
        info = admin.backup(store, store.actor)
        assert "sara" in KeyFile.load(info.key_path).usernames()
        users.reset_password(store.uow(), store.actor, "sara")
        assert "sara" not in KeyFile.load(info.key_path).usernames()
        assert KeyFile.load(store.paths.keys).rekey_due
    finally:
        store.close()


def test_a_reset_with_the_recovery_key_rekeys_and_cleans_the_backups(org):
    root, recovery = org
    info = _backup(root)
    old_keys = (root / KEYS).read_bytes()
    accounts.reset_with_recovery_key(root, recovery, "sara")
    assert KeyFile.load(root / KEYS).rekey_due
    assert "sara" not in KeyFile.load(info.key_path).usernames()
    stina = unlock(root, "stina", PW)  # the due re-key
    new_key = stina.data_key
    stina.close()
    copy = root.parent / "old.keys"
    copy.write_bytes(old_keys)
    assert KeyFile.load(copy).unseal("sara", PW) != new_key
