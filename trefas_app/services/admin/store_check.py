"""``trefas check``: what is wrong with a store on disk, without credentials
(files, key slots, checkpoints) and with a key holder's password (pages,
schema, the access log chain, witnesses, slot proofs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import (
    DatabaseError as SADatabaseError,
    OperationalError as SAOperationalError,
)
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.domain.errors import (
    DatabaseDamaged,
    KeyFileDamaged,
    KeyFileMissing,
    StoreError,
)
from trefas_app.store import audit
from trefas_app.store.audit_chain import (
    chain_break,
    read_checkpoints,
    verify_chain,
    verify_checkpoint,
)
from trefas_app.store.copies import (
    SQLITE_PLAIN_HEADER,
    PAGE_SIZE,
    DB_ERRORS,
    integrity_problems,
    read_store_id,
    read_revision,
)
from trefas_app.store import models as m
from trefas_app.store.engine import connect_raw, open_engine
from trefas_app.store.files import REKEY_JOURNAL, backup_lock, remove_backup_leftovers
from trefas_app.store.keyslots import NoDataKey, KeyFile
from trefas_app.store.migrate import head_revision
from trefas_app.store.slot_proofs import unproven_slot_problems
from trefas_app.store.store import CHECKPOINTS_NAME, DB_NAME, OpenStore, StorePaths, actor_of
from trefas_app.store.witness import file_alarms, last_acknowledgement, pending_alarm


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    problems: list[str]  # Swedish sentences, no case content
    #: What was looked at: key slots in the key file, whole pages of the
    #: database file, signed checkpoints, and (with a user only) the log
    #: entries whose chain was verified and whether pages were decrypted.
    #: Figures only: two reports are equal when their verdicts are.
    key_slots: int = field(default=0, compare=False)
    pages: int = field(default=0, compare=False)
    checkpoints: int = field(default=0, compare=False)
    log_entries: int | None = field(default=None, compare=False)
    decrypted: bool = field(default=False, compare=False)
    #: The user's password was right but their slot holds no data key (an
    #: administrator): the pages and the log chain are a key holder's check.
    keyless: bool = field(default=False, compare=False)
    #: What the check tidied up (Swedish sentences); not problems.
    notes: list[str] = field(default_factory=list, compare=False)


# --- check -------------------------------------------------------------------------


def _slot_sizes_ok(s) -> bool:
    """Field sizes of a slot in its state: an enrolment slot has only its code
    check; an administrator's or an unconfirmed one has keys but no data key."""
    if s.state == "disabled":
        return True
    if s.state == "enrolment":
        return len(s.salt) >= 16 and len(s.enrol_check) == 32
    keys_ok = (len(s.salt) >= 16 and len(s.private_nonce) == 12
               and len(s.sealed_private) == 32 + 16 and len(s.public) == 32)
    if not s.sealed_data_key and (s.kind == "admin" or s.state == "awaiting"):
        return keys_ok
    return keys_ok and (len(s.ephemeral_public) == 32 and len(s.key_nonce) == 12
                        and len(s.sealed_data_key) == 32 + 16)


def _slot_problems(keyfile: KeyFile) -> list[str]:
    problems = []
    users = [s for s in keyfile.slots if s.kind in ("user", "admin")]
    recovery = [s for s in keyfile.slots if s.kind == "recovery"]
    if not users:
        problems.append("Nyckelfilen har ingen användarnyckel.")
    if any(s.kind == "admin" and s.sealed_data_key for s in keyfile.slots):
        problems.append("En administratörs nyckelplats bär datanyckeln (den tas bort vid nästa "
                        "inloggning av en nyckelinnehavare).")
    if len(recovery) != 1:
        problems.append("Nyckelfilen ska ha exakt en återställningsnyckel "
                        f"men har {len(recovery)}.")
    names = [s.username for s in users]
    if len(names) != len(set(names)):
        problems.append("Nyckelfilen har flera nycklar för samma användare.")
    ids = [s.slot_id for s in keyfile.slots]
    if len(ids) != len(set(ids)):
        problems.append("Nyckelfilen har två nyckelplatser med samma id.")
    for s in keyfile.slots:
        sizes_ok = _slot_sizes_ok(s)
        kdf_ok = s.kdf.iterations >= 1 and s.kdf.lanes >= 1 and s.kdf.memory_cost >= 8 * s.kdf.lanes
        who = "återställningsnyckeln" if s.kind == "recovery" else f"användaren ”{s.username}”"
        if s.kind not in ("user", "admin", "recovery"):
            problems.append("Nyckelfilen har en nyckelplats av okänt slag.")
        elif not sizes_ok:
            problems.append(f"Nyckelplatsen för {who} är skadad.")
        elif not kdf_ok:
            problems.append(f"Nyckelplatsen för {who} har orimliga parametrar.")
    if len(keyfile.signing_public_key) != 32 or len(keyfile.signing_key_nonce) != 12 \
            or len(keyfile.signing_key_sealed) != 32 + 16:
        problems.append("Nyckelfilens signeringsnyckel är skadad.")
    if keyfile.note_seal_sealed and (len(keyfile.note_seal_nonce) != 12
                                     or len(keyfile.note_seal_sealed) != 32 + 16):
        problems.append("Nyckelfilens nyckel för anteckningarnas sigill är skadad.")
    return problems


def check_store(root: Path, username: str | None = None,
                password: str | None = None) -> CheckReport:
    """Check a store on disk and say, in Swedish, what is wrong.

    What an interrupted backup left in ``backups/`` is removed (unless a
    backup is running) and named in ``notes``. Without credentials (nothing
    decrypted, nothing written): the key file is
    present and readable with structurally sound slots, the database file is
    present, not plain SQLite and of whole pages, no re-key was interrupted,
    and every checkpoint is signed by this store's key.

    With a user name and password (which unseals that user's slot; a wrong
    password raises and counts as a failed log-in like any other): also
    ``integrity_check``, ``cipher_integrity_check``, ``foreign_key_check``,
    the schema at the newest migration (nothing is migrated) and the access
    log chain against the checkpoints. Nothing is written to the database
    except, when everything is in order, one ``store.check`` log entry.
    """
    paths = StorePaths(Path(root))
    problems: list[str] = []
    notes = _tidy_backups(paths)
    if (paths.root / REKEY_JOURNAL).exists():
        problems.append("Ett nyckelbyte avbröts mitt i. Lagringsplatsen öppnas inte förrän "
                        "nyckelbytet har slutförts (recover_interrupted_rekey).")
    keyfile = None
    try:
        keyfile = KeyFile.load(paths.keys)
    except (KeyFileMissing, KeyFileDamaged, StoreError) as exc:
        problems.append(exc.sv)
    if keyfile is not None:
        problems += _slot_problems(keyfile)

    if not paths.db.exists():
        problems.append(f"Databasfilen saknas ({DB_NAME}).")
    else:
        with open(paths.db, "rb") as fh:
            header = fh.read(len(SQLITE_PLAIN_HEADER))
        size = paths.db.stat().st_size
        if header == SQLITE_PLAIN_HEADER:
            problems.append("Databasfilen är inte krypterad (en vanlig SQLite-fil). Den är "
                            "inte en Trefas-databas eller har bytts ut.")
        elif size == 0 or size % PAGE_SIZE:
            problems.append("Databasfilen har fel storlek och är troligen avkortad eller skadad.")

    checkpoints = _checkpoint_file_problems(paths, keyfile, problems)

    figures = {"key_slots": len(keyfile.slots) if keyfile is not None else 0,
               "pages": paths.db.stat().st_size // PAGE_SIZE if paths.db.exists() else 0,
               "checkpoints": len(checkpoints)}
    if username is None or keyfile is None or not paths.db.exists() or problems:
        return CheckReport(ok=not problems, problems=problems, notes=notes, **figures)

    from trefas_app.store.store import check_throttle

    check_throttle(keyfile, username, clock.now_utc)
    try:
        data_key = keyfile.unseal(username, password or "")
    except NoDataKey:
        # An administrator: the checks above are all that can be made without
        # the key; the page and log checks need a key holder (a supervisor).
        return CheckReport(ok=not problems, problems=problems, notes=notes, keyless=True,
                           **figures)
    try:
        conn = connect_raw(paths.db, data_key)
    except (DatabaseDamaged, StoreError, MemoryError) as exc:
        problems.append(getattr(exc, "sv", "Databasfilen är skadad."))
        return CheckReport(ok=False, problems=problems, notes=notes, **figures)
    problems += _page_problems(conn, keyfile)
    if problems:
        return CheckReport(ok=False, problems=problems, notes=notes, decrypted=True, **figures)
    entries = _check_log(paths, keyfile, data_key, checkpoints, username, problems)
    return CheckReport(ok=not problems, problems=problems, notes=notes, log_entries=entries,
                       decrypted=True, **figures)


def _page_problems(conn, keyfile: KeyFile) -> list[str]:
    """SQLite's and SQLCipher's checks, the store id, references and the schema
    version of the open database ``conn`` (closed on return)."""
    problems: list[str] = []
    try:
        problems += integrity_problems(conn)
        if read_store_id(conn) != keyfile.store_id:
            problems.append("Databasfilen hör inte till den här nyckelfilen.")
        try:
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
            if fk:
                problems.append(f"{len(fk)} rader hänvisar till poster som inte finns "
                                f"(första i tabellen {fk[0][0]}).")
        except DB_ERRORS:
            problems.append("Hänvisningarna mellan tabellerna kunde inte kontrolleras.")
        revision = read_revision(conn)
        if revision != head_revision():
            problems.append("Databasens schema är inte i senaste versionen "
                            f"({revision or 'okänd'}); den uppgraderas vid inloggning.")
    finally:
        conn.close()
    return problems


def _check_log(paths: StorePaths, keyfile: KeyFile, data_key: bytes, checkpoints: list,
               username: str, problems: list[str]) -> int | None:
    """The access log chain against the checkpoints, the witnesses and the slot
    proofs, adding to ``problems``; when all is well, ``store.check`` is logged
    through a unit of work, so that the checkpoint due after a thousand
    entries follows as after any other entry. Returns the entries verified."""
    engine = open_engine(paths.db, data_key)
    entries = None
    try:
        try:
            store = OpenStore(paths, keyfile, engine, data_key, None, clock.now_utc)
        except KeyFileDamaged as exc:  # the signing key does not open with the data key
            problems.append(exc.sv)
            return None
        with store.uow() as uow:
            session = uow.session
            report = verify_chain(audit.iter_chain(session), checkpoints,
                                  keyfile.public_key(), store_id=keyfile.store_id)
            entries = report.entries
            if not report.ok:
                problems.append(report.problem_sv or "Åtkomstloggen är inte hel.")
            problems += _alarm_problems(session, paths.root, keyfile, report.last_seq)
            problems += unproven_slot_problems(session, keyfile, data_key)
            user = session.scalars(select(m.User).where(m.User.username == username)).first()
            if not problems and user is not None and user.active:
                uow.log(actor_of(user), "store.check", detail={"ok": True})
                uow.commit()
    except (SADatabaseError, SAOperationalError):
        problems.append("Databasen kunde inte läsas vid kontrollen av åtkomstloggen.")
    finally:
        engine.dispose()
    return entries


def _checkpoint_file_problems(paths: StorePaths, keyfile: KeyFile | None,
                              problems: list[str]) -> list:
    """The checkpoints (read without a password), adding to ``problems`` a
    missing file, a line without a valid signature or a broken chain."""
    if not paths.checkpoints.exists():
        problems.append(f"Kontrollpunktsfilen saknas ({CHECKPOINTS_NAME}).")
        return []
    if keyfile is None or len(keyfile.signing_public_key) != 32:
        return []
    checkpoints = read_checkpoints(paths.checkpoints)
    public = keyfile.public_key()
    bad = [i for i, cp in enumerate(checkpoints, start=1)
           if not verify_checkpoint(cp, public) or cp.store_id != keyfile.store_id]
    if bad:
        problems.append(f"{len(bad)} kontrollpunkt(er) har ingen giltig signatur "
                        f"(första: nr {bad[0]}).")
    broken = chain_break(checkpoints)
    if broken is not None:
        problems.append(f"Kontrollpunkt nr {broken} hänger inte ihop med den före: en "
                        "kontrollpunkt har tagits bort, ändrats eller lagts till.")
    return checkpoints


def _alarm_problems(session: Session, root: Path, keyfile: KeyFile, head_seq: int) -> list[str]:
    """What the witnesses say against the checkpoint file, and an alarm in the
    log that no key holder has acknowledged (see store/witness.py)."""
    ack = last_acknowledgement(session)
    acknowledged_at = dt.datetime.fromisoformat(ack.at) if ack is not None else None
    problems = [a.sv for a in file_alarms(root, keyfile.store_id, keyfile.public_key(),
                                          head_seq, acknowledged_at)]
    pending = pending_alarm(session)
    if pending is not None:
        problems.append(pending.sv)
    return problems


def _tidy_backups(paths: StorePaths) -> list[str]:
    if not paths.backups.is_dir():
        return []
    try:
        with backup_lock(paths.root, wait=False) as locked:
            removed = remove_backup_leftovers(paths.backups) if locked else []
    except OSError:  # a read-only store folder: nothing to tidy from here
        return []
    if not removed:
        return []
    return [f"Rester av en avbruten säkerhetskopiering har tagits bort ({len(removed)} "
            f"filer: {', '.join(removed)})."]


