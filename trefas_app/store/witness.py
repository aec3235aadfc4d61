"""Witnesses of the newest checkpoint, kept outside the store folder, and the
alarms they (and a missing checkpoint file) raise at log-in.

The checkpoint file is a signed chain, but a chain cut at its end is still a
chain, and a store folder copied back from an older state (database, key file
and checkpoints together) is consistent in itself. What notices is a record
of a later state kept elsewhere:

* in each computer account's own profile (``paths.witness_dir()``, one
  owner-only file per store id), written at every lock and log-out;
* beside every backup (``backups/trefas-<stamp>.witness``).

A witness names the checkpoint file's line number and that line's log head
(seq, hash, time). At log-in every witness must find its line, unchanged, in
the checkpoint file; the file must exist once the log has entries; and the
log must not end before the newest signed checkpoint. Anything else is an
alarm: logged (``checkpoints.alarm``), shown to everyone who logs in, and
standing until a key holder — a supervisor, or whoever holds the recovery
key; not an administrator alone — acknowledges it
(``checkpoints.acknowledge``). Witnesses older than the newest
acknowledgement are not held against the store again, and a session with an
alarm standing does not overwrite its profile's witness (it is the evidence).

Still unnoticed: a rollback that no witness saw a later state of (no one
logged out, locked or backed up on a later state and kept the profile), and
anything done by someone who holds the data key and runs their own code.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.store import models as m

WITNESS_SUFFIX = ".witness"
ALARM_ACTION = "checkpoints.alarm"
ACKNOWLEDGE_ACTION = "checkpoints.acknowledge"


@dataclass(frozen=True)
class Witness:
    store_id: str
    line: int  # number of the checkpoint file's line it saw (1-based)
    seq: int  # that checkpoint's log head
    hash: str
    at: str  # that checkpoint's time


@dataclass(frozen=True)
class StoreAlarm:
    """Something about the store that a key holder must look at; the texts
    name sequence numbers and files only."""

    code: str  # missing | shortened | replaced | behind | pending
    sv: str
    en: str

    def message(self, language: str = "sv") -> str:
        return self.en if language == "en" else self.sv


# --- files ----------------------------------------------------------------------


def user_witness_path(store_id: str) -> Path:
    from trefas_app.paths import witness_dir

    return witness_dir() / f"{store_id}{WITNESS_SUFFIX}"


def backup_witness_path(backup_db: Path) -> Path:
    return backup_db.with_name(backup_db.stem + WITNESS_SUFFIX)


def write_witness(path: Path, witness: Witness) -> None:
    """Replace ``path`` atomically with ``witness`` (owner-only file and folder)."""
    from trefas_app.store.files import atomic_write

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    atomic_write(path, json.dumps(asdict(witness), sort_keys=True).encode("utf-8"))


def read_witness(path: Path) -> Witness | None:
    """The witness in ``path``; None when there is none or it cannot be read
    (an unreadable witness proves nothing either way)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        witness = Witness(store_id=str(data["store_id"]), line=int(data["line"]),
                          seq=int(data["seq"]), hash=str(data["hash"]), at=str(data["at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return witness if witness.line >= 1 else None


def write_user_witness(store_id: str, witness: Witness) -> None:
    """The profile's witness; a profile that cannot be written is logged, not fatal."""
    try:
        write_witness(user_witness_path(store_id), witness)
    except OSError:
        import logging

        logging.getLogger(__name__).warning("the checkpoint witness could not be written")


def _witnesses(root: Path, store_id: str) -> list[tuple[str, str, Witness]]:
    """(Swedish source, English source, witness) of every witness of this store."""
    found = []
    own = read_witness(user_witness_path(store_id))
    if own is not None:
        found.append(("din profil", "your profile", own))
    backups = root / "backups"
    if backups.is_dir():
        for path in sorted(backups.glob(f"*{WITNESS_SUFFIX}")):
            seen = read_witness(path)
            if seen is not None:
                found.append((f"säkerhetskopian {path.stem}", f"the backup {path.stem}", seen))
    return [(sv, en, w) for sv, en, w in found if w.store_id == store_id]


# --- alarms ---------------------------------------------------------------------


def _instant(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _last_of(session: Session, action: str) -> m.AuditEvent | None:
    return session.scalars(select(m.AuditEvent).where(m.AuditEvent.action == action)
                           .order_by(m.AuditEvent.seq.desc()).limit(1)).first()


def last_acknowledgement(session: Session) -> m.AuditEvent | None:
    """The newest acknowledgement a key holder logged: a supervisor's session,
    or a session opened with the recovery key (logged as its pseudo-actor, no
    user id; older stores logged it as an administrator). Any other entry with
    no user id (an event moved in from the key file, which the administrator
    can write: such events are never of this action, and never of that name,
    which no user name can be) does not count, whatever its detail says."""
    import json

    from trefas_app.domain.actor import RECOVERY_ACTOR

    query = (select(m.AuditEvent).where(
        m.AuditEvent.action == ACKNOWLEDGE_ACTION,
        m.AuditEvent.user_id.is_not(None) | ((m.AuditEvent.username == RECOVERY_ACTOR)
                                             & m.AuditEvent.role.is_(None)))
             .order_by(m.AuditEvent.seq.desc()))
    for event in session.scalars(query):
        if event.role == "supervisor" and event.user_id is not None:
            return event
        try:
            detail = json.loads(event.detail or "{}")
        except ValueError:
            continue
        if isinstance(detail, dict) and detail.get("recovery_key") is True:
            return event
    return None


def file_alarms(root: Path, store_id: str, public_key, head_seq: int,
                acknowledged_at: dt.datetime | None) -> list[StoreAlarm]:
    """What the checkpoint file and the witnesses say against the store."""
    from trefas_app.store.audit_chain import parse_checkpoint_line, read_checkpoint_lines
    from trefas_app.store.files import CHECKPOINTS_NAME

    path = root / CHECKPOINTS_NAME
    alarms: list[StoreAlarm] = []
    # Only the lines needed are parsed: thousands at millions of log entries.
    lines = read_checkpoint_lines(path) if path.exists() else []
    newest = _newest_signed(lines, store_id, public_key)
    if newest is None and head_seq > 0:  # removed, emptied, or holding none of this store's
        alarms.append(StoreAlarm(
            "missing",
            f"Kontrollpunktsfilen ({CHECKPOINTS_NAME}) saknas eller är tom fast "
            "åtkomstloggen har poster: den har tagits bort eller tömts, eller "
            "lagringsplatsen har ersatts med en äldre kopia.",
            f"The checkpoint file ({CHECKPOINTS_NAME}) is missing or empty although the "
            "access log has entries: it was removed or emptied, or the store was replaced "
            "by an older copy."))
    if newest is not None and newest > head_seq:
        alarms.append(StoreAlarm(
            "behind",
            f"Åtkomstloggen slutar vid post {head_seq} men en signerad kontrollpunkt finns "
            f"för post {newest}: databasen har ersatts med en äldre kopia.",
            f"The access log ends at entry {head_seq} but a signed checkpoint exists for "
            f"entry {newest}: the database was replaced by an older copy."))
    for source_sv, source_en, w in _witnesses(root, store_id):
        seen_at = _instant(w.at)
        if acknowledged_at is not None and (seen_at is None or seen_at <= acknowledged_at):
            continue
        if len(lines) < w.line:
            alarms.append(StoreAlarm(
                "shortened",
                f"Kontrollpunktsfilen har {len(lines)} rader men {source_sv} har sett "
                f"rad {w.line} (loggpost {w.seq}): lagringsplatsen har rullats tillbaka eller "
                "kontrollpunkter har tagits bort.",
                f"The checkpoint file has {len(lines)} lines but {source_en} has seen "
                f"line {w.line} (log entry {w.seq}): the store was rolled back or checkpoints "
                "were removed."))
            continue
        cp = parse_checkpoint_line(lines[w.line - 1])
        if (cp.seq, cp.hash, cp.at) != (w.seq, w.hash, w.at):
            alarms.append(StoreAlarm(
                "replaced",
                f"Kontrollpunkt nr {w.line} är inte den som {source_sv} har sett (loggpost "
                f"{w.seq}): lagringsplatsen har ersatts med ett annat läge.",
                f"Checkpoint no. {w.line} is not the one {source_en} has seen (log entry "
                f"{w.seq}): the store was replaced by another state."))
    return alarms


def _newest_signed(lines: list[bytes], store_id: str, public_key) -> int | None:
    """The highest head a valid line of this store vouches for, checked from
    the highest seq down: one signature check when the newest line is sound."""
    from trefas_app.store.audit_chain import parse_checkpoint_line, verify_checkpoint

    def claimed_seq(line: bytes) -> int:
        try:
            seq = json.loads(line).get("seq")
        except (ValueError, AttributeError):
            return -1
        return seq if type(seq) is int else -1

    for index in sorted(range(len(lines)), key=lambda i: claimed_seq(lines[i]), reverse=True):
        cp = parse_checkpoint_line(lines[index])
        if cp.store_id == store_id and verify_checkpoint(cp, public_key):
            return cp.seq
    return None


def login_alarms(session: Session, root: Path, store_id: str, public_key,
                 now: dt.datetime, actor) -> list[StoreAlarm]:
    """At log-in, inside its transaction: new alarms are logged; returns every
    alarm that stands (new ones and any not yet acknowledged)."""
    from trefas_app.store import audit

    head = audit.head(session)[0]
    ack = last_acknowledgement(session)
    alarms = file_alarms(root, store_id, public_key, head,
                         _instant(ack.at) if ack is not None else None)
    if alarms:
        audit.append(session, now, actor, ALARM_ACTION,
                     detail={"kinds": sorted({a.code for a in alarms})})
    pending = pending_alarm(session)
    if pending is not None and not alarms:
        alarms.append(pending)
    return alarms


def pending_alarm(session: Session) -> StoreAlarm | None:
    """The newest alarm in the log when no acknowledgement follows it."""
    alarm = _last_of(session, ALARM_ACTION)
    if alarm is None:
        return None
    ack = last_acknowledgement(session)
    if ack is not None and ack.seq > alarm.seq:
        return None
    return StoreAlarm(
        "pending",
        f"Ett larm om åtkomstloggen och kontrollpunkterna (loggpost {alarm.seq}) är inte "
        "kvitterat. En arbetsledare eller den som har återställningsnyckeln ska granska "
        "det och kvittera med ”trefas audit acknowledge”.",
        f"An alarm about the access log and its checkpoints (log entry {alarm.seq}) has "
        "not been acknowledged. A supervisor or the holder of the recovery key must "
        "review it and acknowledge it with 'trefas audit acknowledge'.")


def witness_of(checkpoint, line: int) -> Witness:
    return Witness(store_id=checkpoint.store_id, line=line, seq=checkpoint.seq,
                   hash=checkpoint.hash, at=checkpoint.at)
