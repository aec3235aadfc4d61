"""Key holders' proofs on key slots (see Slot.key_proof).

The key file is not signed and the administrator can write it. A re-key
seals the new data key only to slots whose proof verifies under the current
data key, and every key holder's log-in checks the proofs: a slot that claims
to hold the data key (or the recovery slot) without a valid proof is raised
as a ``keyfile`` alarm and logged as ``keyfile.tampered``."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Role
from trefas_app.store import audit
from trefas_app.store import models as m
from trefas_app.store.keyslots import KeyFile, Slot
from trefas_app.store.witness import StoreAlarm

#: store_meta key: set when the store has had slot proofs (at creation, or at
#: the first key holder's log-in after the upgrade, which gives the proofs).
PROOFS_SINCE = "slot_proofs_since"


def _claims_data_key(slot: Slot) -> bool:
    return slot.holds_data_key or slot.kind == "recovery"


def _trusted_at_upgrade(session: Session, slot: Slot) -> bool:
    """Before proofs existed: a recovery slot holding a sealed data key, or a
    user slot holding one whose person is an active non-administrator in the
    users table (read before this log-in adds accounts from the key file)."""
    if not slot.sealed_data_key:
        return False
    if slot.kind == "recovery":
        return True
    user = session.scalars(select(m.User).where(m.User.username == slot.username)).first()
    if user is None or not user.active or user.role == Role.ADMINISTRATOR:
        return False
    return any(_by_key_holder(event) for event in session.scalars(
        select(m.AuditEvent).where(m.AuditEvent.subject_kind == "user",
                                   m.AuditEvent.subject_id == str(user.id),
                                   m.AuditEvent.action.in_(CONFIRMING_ACTIONS))))


#: Log entries that show a key holder let an account reach the data key: a
#: confirmation, or (before the account model) creation in a key holder's session.
CONFIRMING_ACTIONS = ("account.confirm", "account.confirm_recovery", "user.create")


def _by_key_holder(event: m.AuditEvent) -> bool:
    """Written by a key holder's session, not moved in from the key file: those
    have no user id and carry the key file's ``at`` in their detail."""
    if event.action != "account.confirm_recovery":
        return event.user_id is not None
    try:
        detail = json.loads(event.detail or "{}")
    except ValueError:
        return False
    return isinstance(detail, dict) and "at" not in detail


def review_slot_proofs(session: Session, keyfile: KeyFile, data_key: bytes, actor: Actor | None,
                       now: dt.datetime, own_username: str | None = None
                       ) -> tuple[list[StoreAlarm], dict[str, bytes]]:
    """Check every slot that claims the data key. Returns the alarms and the
    proofs to write into the key file (slot id -> proof): the upgrade's, and
    the logged-in person's own slot (it just opened the real data key)."""
    upgraded = session.get(m.StoreMeta, PROOFS_SINCE) is not None
    proofs: dict[str, bytes] = {}
    unproven: list[Slot] = []
    for slot in keyfile.slots:
        if not _claims_data_key(slot) or slot.proof_holds(keyfile.store_id, data_key):
            continue
        own = slot.kind == "user" and slot.username == own_username
        if own or (not upgraded and not slot.key_proof and _trusted_at_upgrade(session, slot)):
            proofs[slot.slot_id] = slot.expected_proof(keyfile.store_id, data_key)
        else:
            unproven.append(slot)
    if not upgraded:
        session.add(m.StoreMeta(key=PROOFS_SINCE, value=now.isoformat()))
    if not unproven:
        return [], proofs
    names = [f"{s.kind}:{s.username}"[:80] for s in unproven][:50]
    audit.append(session, now, actor, "keyfile.tampered", detail={"unproven_slots": names})
    listed_sv = ", ".join(_who(s, "återställningsnyckeln") for s in unproven[:50])
    listed_en = ", ".join(_who(s, "the recovery key") for s in unproven[:50])
    return [StoreAlarm(
        "keyfile",
        f"Nyckelfilen har manipulerats: nyckelplatsen för {listed_sv} påstår sig bära "
        "datanyckeln utan att någon nyckelinnehavare har bekräftat den. Den får ingen ny "
        "datanyckel vid nästa nyckelbyte. Händelsen är loggad.",
        f"The key file has been tampered with: the key slot of {listed_en} claims to hold "
        "the data key but no key holder confirmed it. It gets no new data key at the next "
        "re-key. This has been logged.")], proofs


def _who(slot: Slot, recovery: str) -> str:
    return recovery if slot.kind == "recovery" else f"”{slot.username[:64]}”"


def unproven_slot_problems(session: Session, keyfile: KeyFile, data_key: bytes) -> list[str]:
    """For ``trefas check --user``: slots that claim the data key without a key
    holder's proof (none before the upgrade's first log-in has given them)."""
    if session.get(m.StoreMeta, PROOFS_SINCE) is None:
        return []
    return [f"Nyckelplatsen för {_who(s, 'återställningsnyckeln')} påstår sig bära "
            "datanyckeln utan en nyckelinnehavares bevis: nyckelfilen har manipulerats."
            for s in keyfile.slots
            if _claims_data_key(s) and not s.proof_holds(keyfile.store_id, data_key)]


def write_proofs(keyfile: KeyFile, proofs: dict[str, bytes]) -> None:
    """Store proofs review_slot_proofs made (within a locked update)."""
    for slot in keyfile.slots:
        if slot.slot_id in proofs:
            slot.key_proof = proofs[slot.slot_id]
