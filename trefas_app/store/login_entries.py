"""What a log-in writes to the access log before its own entry, and the
alarms it shows: the slot proofs and the checkpoint alarms (first, before
anything from the key file), the failed log-ins waiting in the key file
(checked: the key file is not signed; entries it cannot have written raise
the tampering alarm), and a re-key that crash recovery finished. Used by
both ways in: ``store.unlock`` (a password) and
``store.unlock_with_recovery_key``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain.actor import Actor
from trefas_app.store import audit
from trefas_app.store import models as m
from trefas_app.store.account_sync import valid_name_and_time
from trefas_app.store.files import REKEY_DONE, unlink_quietly
from trefas_app.store.keyslots import MAX_PENDING_FAILURES, KeyFile
from trefas_app.store.slot_proofs import review_slot_proofs, write_proofs
from trefas_app.store.witness import StoreAlarm, login_alarms

if TYPE_CHECKING:
    from trefas_app.store.store import StorePaths


#: What a failure noted in the key file may be: a wrong password or a wrong enrolment code.
FAILURE_ACTIONS = frozenset({"login.failed", "account.enrol_failed"})


def valid_failure(failure: object) -> bool:
    """A failed log-in as KeyFile.unseal records it: a user name of the
    shape user names have and a real, timezone-aware time."""
    if not isinstance(failure, dict) or not {"username", "at"} <= set(failure) \
            or not set(failure) <= {"username", "at", "action"}:
        return False
    if failure.get("action", "login.failed") not in FAILURE_ACTIONS:
        return False
    return valid_name_and_time(failure["username"], failure["at"])


def login_entries(session: Session, paths: StorePaths, keyfile: KeyFile, actor: Actor,
                   now: dt.datetime) -> list[StoreAlarm]:
    """What a log-in writes just before its own entry: failed log-ins waiting
    in the key file (checked: the key file is not signed) and a re-key that
    crash recovery finished. Returns the alarms to show (see early_alarms
    for the others)."""
    alarms: list[StoreAlarm] = []
    failures = keyfile.pending_failures
    valid = [f for f in failures[:MAX_PENDING_FAILURES] if valid_failure(f)]
    for failure in valid:
        audit.append(session, now, None, failure.get("action", "login.failed"),
                     username=failure["username"], detail={"at": failure["at"]})
    if len(valid) != len(failures):
        alarms.append(tampered(session, now, actor, "pending_failures", len(failures),
                                len(failures) - len(valid)))
    log_finished_rekey(session, paths, now)
    return alarms


def early_alarms(session: Session, paths: StorePaths, keyfile: KeyFile, data_key: bytes,
                  actor: Actor | None, now: dt.datetime, username: str | None = None
                  ) -> tuple[list[StoreAlarm], dict[str, bytes]]:
    """The slot proofs and the checkpoint alarms, computed before anything from
    the key file (which the administrator can write) reaches the log: no event
    moved in from it can pass for an acknowledgement or a confirmation."""
    alarms, proofs = review_slot_proofs(session, keyfile, data_key, actor, now, username)
    alarms += login_alarms(session, paths.root, keyfile.store_id, keyfile.public_key(), now,
                           actor)
    return alarms, proofs


#: What the key file's unsigned lists hold, for the tampering alarm: (sv, en).
_PENDING_WHAT = {"pending_failures": ("väntande misslyckade inloggningar",
                                      "pending failed log-ins"),
                 "pending_events": ("väntande kontohändelser", "pending account events")}


def tampered(session: Session, now: dt.datetime, actor: Actor, which: str, total: int,
              invalid: int) -> StoreAlarm:
    """Entries of the key file's unsigned lists that the program cannot have
    written: logged as ``keyfile.tampered`` and shown as an alarm."""
    audit.append(session, now, actor, "keyfile.tampered", detail={which: total,
                                                                   "invalid": invalid})
    sv, en = _PENDING_WHAT[which]
    return StoreAlarm(
        "keyfile",
        f"Nyckelfilen har manipulerats: {invalid} av {total} {sv} var inte giltiga och "
        "har inte förts in i åtkomstloggen. Händelsen är loggad.",
        f"The key file has been tampered with: {invalid} of {total} {en} were not valid "
        "and were not copied into the access log. This has been logged.")


def log_finished_rekey(session: Session, paths: StorePaths, now: dt.datetime) -> None:
    """Log a re-key whose renames crash recovery finished (or whose own log
    entry a crash prevented), once."""
    marker = paths.root / REKEY_DONE
    if not marker.exists():
        return
    try:
        facts = json.loads(marker.read_text(encoding="utf-8"))
        rekey_id = str(facts.get("id") or "")
    except (OSError, ValueError, AttributeError):
        facts, rekey_id = {}, ""
    done = rekey_id and session.scalar(
        select(m.AuditEvent.seq).where(m.AuditEvent.action == "rekey",
                                       m.AuditEvent.detail.contains(rekey_id)).limit(1))
    if not done:
        by = facts.get("by") if isinstance(facts.get("by"), str) else None
        audit.append(session, now, None, "rekey", username=by,
                     detail={"id": rekey_id, "finished_by_recovery": True,
                             "seq_before": facts.get("seq_before")})


def after_login(paths: StorePaths, keyfile: KeyFile, proofs: dict[str, bytes]) -> KeyFile:
    """After a recovery-key log-in committed: drop what it moved into the log,
    write the slot proofs it made (see slot_proofs)."""
    unlink_quietly(paths.root / REKEY_DONE)
    if not keyfile.pending_failures and not proofs:
        return keyfile
    logged = len(keyfile.pending_failures)
    with KeyFile.locked_update(paths.keys) as fresh:
        fresh.pending_failures = fresh.pending_failures[logged:]
        write_proofs(fresh, proofs)
    return fresh
