"""Re-keying the store: a new data key and signing key, every slot resealed,
the database re-encrypted and the checkpoints re-signed; crash-safe through
the journal described in :func:`rekey_store`.

The mechanics live in the store because the store itself runs a due re-key
at a supervisor's log-in (``store._run_due_rekey``); the administrator's
``trefas rekey`` is the service ``services.admin.rekey``, which checks the
permission and then calls :func:`rekey_store`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from contextlib import ExitStack
from pathlib import Path

from trefas_app.domain.actor import Actor
from trefas_app.domain.errors import DatabaseDamaged, StoreError, TrefasError
from trefas_app.store import audit
from trefas_app.store.audit_chain import (
    GENESIS,
    checkpoint_line,
    line_digest,
    read_checkpoints,
    sign_checkpoint,
    verify_checkpoint,
    write_checkpoints,
)
from trefas_app.store.copies import (
    DB_ERRORS,
    disk_error,
    integrity_problems,
    read_store_id,
    read_revision,
    export_encrypted,
)
from trefas_app.store.engine import connect_raw
from trefas_app.store.files import (
    CHECKPOINTS_LOCK,
    REKEY_CHECKPOINTS_TMP,
    REKEY_DB_TMP,
    REKEY_DONE,
    REKEY_JOURNAL,
    REKEY_KEYS_TMP,
    atomic_write,
    file_lock,
    finish_rekey_renames,
    fsync_file,
    sidecars,
    unlink_quietly,
)
from trefas_app.store.keyslots import KeyFile
from trefas_app.store.store import OpenStore, open_database


# --- re-key ----------------------------------------------------------------------


def rekey_store(store: OpenStore, actor: Actor) -> None:
    """A new random data key for the whole store; every slot gets it sealed.

    Steps, and what a crash at each point leaves:

    1. ``sqlcipher_export`` of the (checkpointed) database into
       ``trefas.db.rekey-new`` under the new key, then checked; the new key
       file (every slot resealed, a new checkpoint signing key) is written
       to ``trefas.keys.rekey-new``, and every checkpoint the old signing
       key proves genuine re-signed with the new one and re-linked to the
       line before it (others copied as they are, still invalid) into
       ``trefas.checkpoints.rekey-new``. A crash here leaves the store as it
       was (the leftovers are removed by :func:`recover_interrupted_rekey`).
    2. The journal ``trefas.rekey`` is written (fsynced): from here on the
       re-key is complete on disk and only needs its two renames. Its facts
       are kept as ``trefas.rekey-done`` until the ``rekey`` entry is
       committed, so that a crash before that is logged at the next log-in.
    3. ``trefas.keys.rekey-new`` → ``trefas.keys``, the checkpoints, then
       ``trefas.db.rekey-new`` → ``trefas.db``, then the journal is removed.
       A crash between the two renames leaves a store that does not open
       until :func:`recover_interrupted_rekey` finishes the renames (it
       decides by which temporary files still exist, never by guessing);
       :func:`check_store` reports the situation.

    Afterwards the old data key opens nothing and the old signing key signs
    nothing this store accepts (a removed user who kept an old key file
    cannot forge checkpoints); backups made before keep their own key file.
    The ``store`` continues with the new engine and key. Other sessions on the
    same store (other processes) must log in again.
    """
    with store.uow() as uow:
        seq_before = audit.head(uow.session)[0]
    paths = store.paths
    root = paths.root
    old_key = store.data_key
    new_key = secrets.token_bytes(32)
    tmp_db = root / REKEY_DB_TMP
    tmp_keys = root / REKEY_KEYS_TMP
    tmp_checkpoints = root / REKEY_CHECKPOINTS_TMP
    journal = root / REKEY_JOURNAL
    if journal.exists():
        raise StoreError("Ett tidigare nyckelbyte är inte avslutat. Kontrollera lagringsplatsen.",
                         "An earlier re-key did not finish. Check the store.")
    unlink_quietly(tmp_db, *sidecars(tmp_db), tmp_keys, tmp_checkpoints)
    rekey_id = secrets.token_hex(8)

    store.engine.dispose()
    new_keyfile = KeyFile.load(paths.keys)  # from disk: this session's copy may be stale
    held = ExitStack()  # the checkpoint lock, from reading the lines to the renames
    try:
        try:
            _export_rekeyed(store, old_key, new_key, tmp_db)
            refused, new_signing_key = _reseal_keyfile(store, new_keyfile, old_key, new_key,
                                                       tmp_keys)
            # No checkpoint line is appended between this read and the renames.
            held.enter_context(file_lock(root / CHECKPOINTS_LOCK))
            checkpoints = _checkpoints_to_resign(store)
            write_checkpoints(tmp_checkpoints, _resigned_chain(checkpoints, new_signing_key))
            wal = sidecars(paths.db)[0]
            if wal.exists() and wal.stat().st_size > 0:
                raise StoreError("Nyckelbytet avbröts: databasen används av en annan session. "
                                 "Logga ut alla andra och försök igen. Ingenting har ändrats.",
                                 "The re-key was stopped: the database is in use by another "
                                 "session. Log everyone else out and try again. Nothing was "
                                 "changed.")
            atomic_write(journal, json.dumps({"rekey": 1, "db": REKEY_DB_TMP,
                                              "keys": REKEY_KEYS_TMP,
                                              "checkpoints": REKEY_CHECKPOINTS_TMP,
                                              "id": rekey_id, "by": actor.username,
                                              "seq_before": seq_before})
                         .encode("utf-8"))
        except (TrefasError, OSError) + DB_ERRORS as exc:
            unlink_quietly(journal, tmp_db, *sidecars(tmp_db), tmp_keys, tmp_checkpoints)
            if isinstance(exc, TrefasError) and not isinstance(exc, DatabaseDamaged):
                raise
            raise disk_error(exc, "Nyckelbytet misslyckades. Ingenting har ändrats.",
                             "The re-key failed. Nothing was changed.") from exc

        # Commit point: the journal says "finish the renames".
        finish_rekey_renames(root)
    finally:
        held.close()

    for f in dataclasses.fields(KeyFile):
        if f.name != "path":
            setattr(store.keyfile, f.name, getattr(new_keyfile, f.name))
    store.replace_engine(open_database(paths, store.keyfile, new_key), new_key)
    with store.uow() as uow:
        uow.log(actor, "rekey", detail={"id": rekey_id, "seq_before": seq_before,
                                        "checkpoints_resigned": sum(g for _, g in checkpoints),
                                        "checkpoints_invalid": sum(not g for _, g in checkpoints),
                                        "slots_refused": [f"{s.kind}:{s.username}"
                                                          for s in refused]})
        uow.commit()
    unlink_quietly(root / REKEY_DONE)
    store.write_checkpoint()


def _export_rekeyed(store: OpenStore, old_key: bytes, new_key: bytes, tmp_db: Path) -> None:
    """Step 1a: the (checkpointed) database exported under the new key, checked
    and fsynced."""
    src = connect_raw(store.paths.db, old_key)
    try:
        src.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        export_encrypted(src, tmp_db, new_key)
    finally:
        src.close()
    problems = _rekeyed_copy_problems(tmp_db, new_key, store.store_id)
    if problems:
        raise StoreError("Nyckelbytet avbröts: den omkrypterade databasen kunde inte "
                         "verifieras. Ingenting har ändrats. " + " ".join(problems),
                         "The re-key was stopped: the re-encrypted database could not be "
                         "verified. Nothing was changed.")
    fsync_file(tmp_db)


def _reseal_keyfile(store: OpenStore, new_keyfile: KeyFile, old_key: bytes, new_key: bytes,
                    tmp_keys: Path):
    """Step 1b: every slot of ``new_keyfile`` resealed to the new key and a new
    signing key, saved as ``tmp_keys``. Returns the slots that refused and the
    new signing key."""
    refused = new_keyfile.reseal_all(new_key, old_key)
    new_keyfile.rekey_due = ""
    new_keyfile.seal_note_seal_key(store.note_seal_key, new_key)
    new_keyfile.retire_signing_key(store.clock().astimezone(dt.timezone.utc).isoformat())
    new_signing_key = new_keyfile.create_signing_key(new_key)
    new_keyfile.signing_key(new_key)  # proves the new seal opens
    new_keyfile.path = tmp_keys
    new_keyfile.save()
    return refused, new_signing_key


def _rekeyed_copy_problems(tmp_db: Path, new_key: bytes, store_id: str) -> list[str]:
    check = connect_raw(tmp_db, new_key)
    try:
        problems = integrity_problems(check)
        if read_store_id(check) != store_id:
            problems.append("Den nya databasen saknar lagringsplatsens id.")
        if read_revision(check) is None:
            problems.append("Den nya databasen saknar schemaversion.")
    finally:
        check.close()
    return problems


def _resigned_chain(checkpoints: list[tuple[object, bool]], signing_key) -> list:
    """The checkpoint file under the new signing key: genuine lines re-signed
    (chained lines re-linked to the new line before them), others as they are."""
    lines = []
    prev = GENESIS
    for cp, genuine in checkpoints:
        if genuine:
            cp = sign_checkpoint(signing_key, cp.store_id, cp.seq, cp.hash, cp.at,
                                 None if cp.prev is None else prev)
        lines.append(cp)
        prev = line_digest(checkpoint_line(cp))
    return lines


def _checkpoints_to_resign(store: OpenStore) -> list[tuple[object, bool]]:
    """Every checkpoint, with whether the current signing key proves it
    genuine. Only those are re-signed: a re-key must not turn a forged or
    damaged line into a validly signed one — it stays as it is, and ``trefas
    check`` goes on reporting it (a torn line must not block a re-key, which
    is what follows removing a user)."""
    path = store.paths.checkpoints
    if not path.exists():
        return []
    public = store.keyfile.public_key()
    return [(cp, cp.store_id == store.store_id and verify_checkpoint(cp, public))
            for cp in read_checkpoints(path)]


