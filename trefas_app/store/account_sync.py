"""What a log-in that holds the data key does for the accounts first.

The administrator works on the key file alone; the users table in the
database follows it here, at the next unlock by a key holder:

* account steps remembered in the key file go into the access log;
* an account whose profile is signed by a trusted administrator and is not in
  the database yet gets its user row (and its unit, if new);
* an active user without a slot is disabled (the administrator removed it);
* administrator identities are recorded as trusted;
* a slot of an administrator that still holds a copy of the data key (a store
  made before this version) loses that copy, and a re-key becomes due.
"""

from __future__ import annotations

import base64
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain.enums import Agency, Role
from trefas_app.store import audit
from trefas_app.store import models as m
from trefas_app.store.accounts import profile_signed_by
from trefas_app.store.keyslots import DISABLED, KeyFile

IDENTITY_PREFIX = "admin_identity:"
REKEY_LEGACY_ADMIN = "legacy-admin-slot"
REKEY_REMOVED_SLOT = "removed-slot"


def trusted_identities(session: Session) -> dict[str, bytes]:
    rows = session.scalars(select(m.StoreMeta).where(
        m.StoreMeta.key.like(f"{IDENTITY_PREFIX}%"))).all()
    return {r.key[len(IDENTITY_PREFIX):]: base64.b64decode(r.value) for r in rows}


def trust_identity(session: Session, username: str, public: bytes) -> None:
    key = f"{IDENTITY_PREFIX}{username}"
    row = session.get(m.StoreMeta, key)
    value = base64.b64encode(public).decode("ascii")
    if row is None:
        session.add(m.StoreMeta(key=key, value=value))
    else:
        row.value = value


def profile_of(user: m.User) -> dict:
    """What the key file keeps about an account (no case content)."""
    return {"display_name": user.display_name, "role": user.role.value,
            "agency": user.agency.value, "unit_code": user.unit.code if user.unit else "",
            "unit_name": user.unit.name if user.unit else "", "unit_id": user.unit_id,
            "user_id": user.id, "email": user.email, "phone": user.phone}


def missing_profiles(session: Session, keyfile: KeyFile) -> dict[str, dict]:
    """Profiles for slots made before this version (they had none), from the
    database; written into the key file by the caller."""
    lacking = [s.username for s in keyfile.account_slots() if not s.profile]
    if not lacking:
        return {}
    users = session.scalars(select(m.User).where(m.User.username.in_(lacking))).all()
    return {u.username: profile_of(u) for u in users}


def _user_id(session: Session, username: str | None) -> int | None:
    if not username:
        return None
    return session.scalar(select(m.User.id).where(m.User.username == username))


#: What a key-less session or an enrolment may note in the key file for the log
#: (KeylessSession.log, store/accounts.py); anything else there was not written
#: by the program.
PENDING_EVENT_ACTIONS = frozenset({
    "login", "logout", "lock", "access.denied", "account.create", "account.enrol",
    "account.enrol_expired", "backup", "settings.change", "unit.create", "user.disable",
    "user.list", "user.password_change", "user.password_reset"})
#: The most pending events a log-in moves (KeyFile.log_event keeps 5,000).
MAX_PENDING_EVENTS = 5000
#: Bounds of one event's detail: the key file is not signed, so nothing in it
#: may grow the log without limit.
MAX_DETAIL_ITEMS, MAX_DETAIL_TEXT = 8, 200


def _valid_detail(detail: object) -> bool:
    if not isinstance(detail, dict) or len(detail) > MAX_DETAIL_ITEMS:
        return False
    for key, value in detail.items():
        if not isinstance(key, str) or not key.isidentifier() or len(key) > 40:
            return False
        if value is not None and not isinstance(value, (str, bool, int)):
            return False
        if isinstance(value, str) and len(value) > MAX_DETAIL_TEXT:
            return False
    return True


def valid_pending_event(event: object) -> bool:
    """An account step as KeyFile.log_event records it: a known action, a user
    name of the shape user names have, a real timezone-aware time and a small
    detail of plain values (checked like the pending failures, see
    login_entries.valid_failure)."""
    if not isinstance(event, dict) or not {"action", "username", "at"} <= set(event) \
            or not set(event) <= {"action", "username", "at", "detail"}:
        return False
    if event["action"] not in PENDING_EVENT_ACTIONS:
        return False
    return _valid_detail(event.get("detail") or {}) and \
        valid_name_and_time(event["username"], event["at"])


def valid_name_and_time(name: object, at: object) -> bool:
    """A user name of the shape user names have and a real, timezone-aware
    ISO time of bounded length: what the key file's unsigned lists must hold."""
    from trefas_app.domain.text import USERNAME_RE

    if not isinstance(name, str) or not USERNAME_RE.fullmatch(name):
        return False
    if not isinstance(at, str) or len(at) > 40:
        return False
    try:
        return dt.datetime.fromisoformat(at).tzinfo is not None
    except ValueError:
        return False


def move_pending_events(session: Session, keyfile: KeyFile, now: dt.datetime) -> tuple[int, int]:
    """Account steps taken without the database, into the access log, each
    checked first (the key file is not signed). Returns (how many were read,
    how many were invalid and left out); the caller drops the read ones from the
    file after commit and reports invalid ones as tampering."""
    events = keyfile.pending_events
    valid = [e for e in events[:MAX_PENDING_EVENTS] if valid_pending_event(e)]
    for event in valid:
        user_id = _user_id(session, event["username"])
        detail = dict(event.get("detail") or {})
        detail["at"] = event["at"]
        audit.append(session, now, None, event["action"],
                     username=event["username"], detail=detail,
                     subject_kind="user" if user_id else None, subject_id=user_id)
    return len(events), len(events) - len(valid)


def _unit_for(session: Session, profile: dict) -> m.Unit | None:
    code = str(profile.get("unit_code") or "")
    unit = session.scalars(select(m.Unit).where(m.Unit.code == code)).first()
    if unit is None and code and profile.get("unit_name"):
        unit = m.Unit(agency=Agency(profile["agency"]), code=code, name=profile["unit_name"])
        session.add(unit)
        session.flush()
    return unit


def apply_units(session: Session, keyfile: KeyFile, now: dt.datetime) -> list[dict]:
    """Units an administrator added in the key file into the database; returns
    the full list for the key file."""
    have = {u.code for u in session.scalars(select(m.Unit)).all()}
    for entry in keyfile.units:
        if entry.get("code") and entry["code"] not in have:
            unit = m.Unit(agency=Agency(entry["agency"]), code=entry["code"], name=entry["name"])
            session.add(unit)
            session.flush()
            have.add(unit.code)
            audit.append(session, now, None, "unit.create", subject_kind="unit",
                         subject_id=unit.id, username=entry.get("by"))
    return unit_list(session)


def unit_list(session: Session) -> list[dict]:
    return [{"agency": u.agency.value, "code": u.code, "name": u.name}
            for u in session.scalars(select(m.Unit).order_by(m.Unit.code)).all()]


def apply_account_list(session: Session, keyfile: KeyFile, now: dt.datetime) -> None:
    """New accounts from the key file into the users table; removed ones off."""
    trusted = trusted_identities(session)
    known = {u.username: u for u in session.scalars(select(m.User)).all()}
    slots = {s.username: s for s in keyfile.account_slots() if s.state != DISABLED}
    for slot in slots.values():
        if not slot.profile:
            continue
        old = known.get(slot.username)
        if old is not None:
            if not old.active and slot.state != "ready" \
                    and profile_signed_by(keyfile.store_id, slot, trusted):
                old.active, old.disabled_at, old.disabled_by_id = True, None, None
                audit.append(session, now, None, "user.enable", username=slot.profile_by,
                             subject_kind="user", subject_id=old.id)
            continue
        if not profile_signed_by(keyfile.store_id, slot, trusted):
            audit.append(session, now, None, "account.unverified", username=slot.username,
                         detail={"by": slot.profile_by})
            continue
        p = slot.profile
        unit = _unit_for(session, p)
        if unit is None:
            continue
        user = m.User(username=slot.username, display_name=p.get("display_name", slot.username),
                      role=Role(p["role"]), agency=Agency(p["agency"]), unit_id=unit.id,
                      active=True, email=p.get("email"), phone=p.get("phone"), created_at=now,
                      created_by_id=_user_id(session, slot.profile_by))
        session.add(user)
        session.flush()
        audit.append(session, now, None, "user.create", username=slot.profile_by,
                     subject_kind="user", subject_id=user.id,
                     detail={"role": user.role.value, "agency": user.agency.value,
                             "unit": unit.code, "by": slot.profile_by})
    for username, user in known.items():
        if user.active and username not in slots:
            user.active = False
            user.disabled_at = now
            audit.append(session, now, None, "user.disable", subject_kind="user",
                         subject_id=user.id, detail={"by": "key file"})


#: store_meta key prefix: an administrator the recovery key gave a new code;
#: the value names the slot (id and creation time) whose enrolment is trusted.
IDENTITY_RESET_PREFIX = "admin_identity_reset:"


def expect_new_identity(session: Session, username: str, slot) -> None:
    """The recovery key reset this administrator: the identity made at the
    enrolment of exactly this new slot (same id, same creation time) will be
    trusted in place of the old one, once, at a key holder's log-in. Nothing
    the key file says before that enrolment is trusted."""
    key = f"{IDENTITY_RESET_PREFIX}{username}"
    value = f"{slot.slot_id} {slot.created_at}"
    row = session.get(m.StoreMeta, key)
    if row is None:
        session.add(m.StoreMeta(key=key, value=value))
    else:
        row.value = value


def _trust_reset_identity(session: Session, slot, trusted: dict[str, bytes]) -> None:
    """A reset administrator's new identity, if this slot is the one the reset
    made and its owner has enrolled since; the record is used up."""
    from trefas_app.store.keyslots import READY

    row = session.get(m.StoreMeta, f"{IDENTITY_RESET_PREFIX}{slot.username}")
    if row is None or row.value != f"{slot.slot_id} {slot.created_at}":
        return
    if slot.kind != "admin" or slot.state != READY or not slot.identity_public:
        return  # not enrolled yet: keep waiting
    if slot.identity_public != trusted.get(slot.username):
        trust_identity(session, slot.username, slot.identity_public)
    session.delete(row)


def trust_admin_identities(session: Session, keyfile: KeyFile) -> None:
    """Record the identity of every administrator whose account the database
    knows (so their later signatures on new accounts are believed): the first
    one seen for a name, or the one made at the enrolment that followed a
    reset with the recovery key (see :func:`expect_new_identity`). Another
    identity in the key file for a trusted name is never believed."""
    trusted = trusted_identities(session)
    admins = set(session.scalars(select(m.User.username).where(
        m.User.role == Role.ADMINISTRATOR, m.User.active.is_(True))).all())
    for slot in keyfile.account_slots():
        if slot.username not in admins or not slot.identity_public:
            continue
        if slot.username not in trusted:
            trust_identity(session, slot.username, slot.identity_public)
        else:
            _trust_reset_identity(session, slot, trusted)


def strip_admin_data_keys(session: Session, keyfile: KeyFile) -> list[str]:
    """Usernames of administrators whose slot still holds the data key (a
    store from before this version); the caller drops those copies."""
    admins = set(session.scalars(select(m.User.username).where(
        m.User.role == Role.ADMINISTRATOR)).all())
    return [s.username for s in keyfile.account_slots()
            if s.username in admins and s.sealed_data_key]
