"""Enrolment and confirmation: the person chooses their own password, and a
second person who holds the key lets the account reach case content.

See store/accounts.py for the key-file side. Who may confirm: a supervisor of
the same agency as the account (their own log-in holds the key), never the
administrator and never the person themselves; or whoever holds the recovery
key (for the first supervisor of an agency, or when every supervisor is gone),
which is logged loudly. Coordinators may not: they coordinate cases across the
agencies, but the agency's supervisor answers for who works in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain.actor import RECOVERY_ACTOR, Actor
from trefas_app.domain.clock import format_local
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import AccessDenied, NotFound, WrongPassword
from trefas_app.services.users import _remove_slot_from_backups
from trefas_app.store import accounts as slots
from trefas_app.store import models as m
from trefas_app.store.account_sync import REKEY_REMOVED_SLOT, expect_new_identity
from trefas_app.store.keyslots import AWAITING, KeyFile
from trefas_app.store.uow import UnitOfWork, utc_now


@dataclass(frozen=True)
class PendingAccount:
    username: str
    display_name: str
    role: Role
    agency: str
    unit_name: str
    enrolled_at: str | None
    # No fingerprint: the supervisor must hear it from the person and type
    # it; one shown to them here could be copied instead (review finding 8).


def enrol_account(root: Path, username: str, code: str, password: str,
                  clock: Callable[[], dt.datetime] = utc_now, kdf=None) -> str:
    """``trefas user enrol`` / the unlock dialog's first log-in: the one-time
    code and a password of the person's own choosing. Wrong codes are
    throttled like wrong passwords and logged. Returns the new key's
    fingerprint, for the person to read out to whoever confirms them."""
    from trefas_app.store.store import StorePaths, check_throttle

    paths = StorePaths(Path(root))
    keyfile = KeyFile.load(paths.keys)
    check_throttle(keyfile, username, clock)
    try:
        with KeyFile.locked_update(paths.keys) as fresh:
            slot = slots.enrol(fresh, username, code, password, clock(), kdf)
            fingerprint = slots.slot_fingerprint(fresh.store_id, slot)
    except WrongPassword:
        keyfile.record_failure(username, "account.enrol_failed")
        raise
    except slots.EnrolmentExpired:
        with KeyFile.locked_update(paths.keys) as fresh:
            fresh.log_event("account.enrol_expired", username,
                            clock().astimezone(dt.timezone.utc).isoformat())
        raise
    return fingerprint


def _target(session: Session, username: str) -> m.User:
    user = session.scalars(select(m.User).where(m.User.username == username)).first()
    if user is None:
        raise NotFound(f"Det finns ingen användare med namnet ”{username}”.",
                       f"There is no user named '{username}'.")
    return user


def _refuse(actor: Actor, sv: str, en: str, user: m.User | None) -> AccessDenied:
    """A refusal that the unit of work writes to the access log."""
    from trefas_app.security.access import denied

    return denied(actor, "account.confirm", sv, en, "user", user.id if user else None)


def _follow_key_file(uow: UnitOfWork, keyfile: KeyFile | None = None) -> None:
    """Accounts an administrator created since this session's log-in get their
    user rows now (as at every key holder's log-in); ``keyfile``: the one the
    caller has just read."""
    from trefas_app.store.account_sync import apply_account_list, apply_units

    keyfile = keyfile or KeyFile.load(uow.store.paths.keys)
    apply_units(uow.session, keyfile, uow.now())
    apply_account_list(uow.session, keyfile, uow.now())


def confirm_account(uow: UnitOfWork, actor: Actor, username: str, fingerprint: str) -> None:
    """Seal the data key to an enrolled account: a supervisor of the same
    agency, logged in with the key, who is not the account's owner, and who
    types the fingerprint the person reads out from their own screen (a
    mismatch is refused and logged: the key may have been swapped). On a
    server store the server's own confirmation (``server/accounts.py``) runs,
    with the fingerprint of the person's enrolment."""
    if getattr(uow.store, "is_server", False):
        return uow.store.confirm_account(username, fingerprint)
    with uow:
        if actor.role != Role.SUPERVISOR or not actor.may("account.confirm"):
            raise _refuse(actor, "Bara en arbetsledare i samma myndighet kan bekräfta ett konto.",
                          "Only a supervisor of the same agency can confirm an account.", None)
        _follow_key_file(uow)
        user = _target(uow.session, username)
        if user.agency != actor.agency:
            raise _refuse(actor, "Kontot hör till en annan myndighet; dess egen arbetsledare "
                          "bekräftar det.", "The account belongs to another agency; its own "
                          "supervisor confirms it.", user)
        if user.id == actor.user_id:
            raise _refuse(actor, "Du kan inte bekräfta ditt eget konto.",
                          "You cannot confirm your own account.", user)
        try:
            with uow.store.edit_keyfile() as keyfile:
                slots.confirm(keyfile, username, uow.store.data_key, actor.username, uow.now(),
                              fingerprint)
        except slots.FingerprintMismatch as exc:
            raise _refuse(actor, exc.sv, exc.en, user) from exc
        uow.log(actor, "account.confirm", subject_kind="user", subject_id=user.id,
                detail={"agency": user.agency.value})
        uow.commit()


def pending_confirmations(uow: UnitOfWork, actor: Actor) -> list[PendingAccount]:
    """Accounts of the supervisor's agency that wait for a confirmation (for
    the dashboard and the "Bekräfta konto" screen); empty for other roles."""
    if actor.role != Role.SUPERVISOR:
        return []
    if getattr(uow.store, "is_server", False):
        return [PendingAccount(*row, None) for row in uow.store.unconfirmed_accounts(uow, actor)]
    with uow:
        keyfile = KeyFile.load(uow.store.paths.keys)
        waiting = [s.username for s in keyfile.account_slots() if s.state == AWAITING]
        if not waiting:
            return []
        _follow_key_file(uow, keyfile)
        uow.commit()
        rows = uow.session.scalars(select(m.User).where(
            m.User.username.in_(waiting), m.User.agency == actor.agency,
            m.User.active.is_(True)).order_by(m.User.display_name)).all()
        return [PendingAccount(u.username, u.display_name, u.role, u.agency.value,
                               u.unit.name if u.unit else "", None)
                for u in rows]


def confirm_at_setup(store, username: str) -> None:
    """Confirm an account from the session that created the store (which made
    the recovery key and so holds the same authority); for the demonstration
    and scripted installs, where that same program run enrolled the account
    (so the fingerprint is the one in the key file). Logged as a confirmation
    by the recovery key."""
    if not getattr(store, "setup_recovery_key", None):
        raise AccessDenied("Bara den session som skapade lagringsplatsen kan göra detta.",
                           "Only the session that created the store can do this.")
    _confirm_by_recovery(store, username, slots.slot_fingerprint(
        store.store_id, KeyFile.load(store.paths.keys).find(username)))


def _confirm_by_recovery(store, username: str, fingerprint: str) -> None:
    with store.uow() as uow:
        _follow_key_file(uow)
        user = _target(uow.session, username)
        with store.edit_keyfile() as keyfile:
            slots.confirm(keyfile, username, store.data_key, RECOVERY_ACTOR, uow.now(),
                          fingerprint)
        uow.log(None, "account.confirm_recovery", username=RECOVERY_ACTOR,
                subject_kind="user", subject_id=user.id,
                detail={"role": user.role.value, "agency": user.agency.value})
        uow.commit()


def confirm_with_recovery_key(root: Path, recovery_key: str, username: str,
                              fingerprint: str,
                              clock: Callable[[], dt.datetime] = utc_now) -> None:
    """``trefas recover --confirm NAME --fingerprint CODE``: the first
    supervisor of an agency, or a new one when none is left, confirmed with
    the recovery key and the fingerprint the person reads out. Logged
    loudly; every supervisor sees it at their next log-in."""
    from trefas_app.store.store import unlock_with_recovery_key

    store = unlock_with_recovery_key(root, recovery_key, clock)
    try:
        _confirm_by_recovery(store, username, fingerprint)
    finally:
        store.close()


def reset_with_recovery_key(root: Path, recovery_key: str, username: str,
                            clock: Callable[[], dt.datetime] = utc_now) -> str:
    """``trefas recover --reset NAME``: a new one-time code for any account —
    the way back when the administrator (or everyone) is locked out. Logged
    loudly like every use of the recovery key; returns the code."""
    from trefas_app.store.store import unlock_with_recovery_key

    store = unlock_with_recovery_key(root, recovery_key, clock)
    try:
        with store.uow() as uow:
            user = _target(uow.session, username)
            with store.edit_keyfile() as keyfile:
                old = keyfile.find(username)
                code = slots.start_enrolment(keyfile, old.kind, username, old.profile,
                                             RECOVERY_ACTOR, None, uow.now())
                if old.sealed_data_key:  # the old password must open nothing new
                    keyfile.rekey_due = keyfile.rekey_due or REKEY_REMOVED_SLOT
                if old.kind == "admin":  # may sign accounts again once re-enrolled
                    expect_new_identity(uow.session, username, keyfile.find(username))
            _remove_slot_from_backups(store, username)
            uow.log(None, "account.reset_recovery", username=RECOVERY_ACTOR,
                    subject_kind="user", subject_id=user.id, detail={"role": user.role.value})
            user.active, user.disabled_at, user.disabled_by_id = True, None, None
            uow.commit()
    finally:
        store.close()
    return code


@dataclass(frozen=True)
class RecoveryUse:
    """One use of the recovery key, for every supervisor to see."""

    at: dt.datetime  # UTC; shown in the office's zone
    action: str  # a log action (its label: domain.audit_labels.action_label)
    username: str | None  # the account it confirmed or reset, if any

    def text(self, lang: str = "sv") -> str:
        from trefas_app.domain.audit_labels import action_label

        who = f" ({self.username})" if self.username else ""
        return f"{format_local(self.at)} {action_label(self.action, lang)}{who}"


def recovery_notices(uow: UnitOfWork, actor: Actor, since: str | None = "previous login"
                     ) -> list[RecoveryUse]:
    """What the recovery key was used for — by default since the supervisor's
    previous log-in (every use is shown to every supervisor); ``None`` for
    every use ever."""
    if actor.role != Role.SUPERVISOR:
        return []
    with uow:
        if since == "previous login":
            logins = uow.session.scalars(
                select(m.AuditEvent.at).where(m.AuditEvent.action == "login",
                                              m.AuditEvent.user_id == actor.user_id)
                .order_by(m.AuditEvent.seq.desc()).limit(2)).all()
            since = logins[1] if len(logins) == 2 else None
        ev = m.AuditEvent
        q = select(ev.at, ev.action, m.User.username).outerjoin(
            m.User, (ev.subject_kind == "user") & (m.User.id == ev.subject_id)).where(
            ev.action.in_(("login.recovery_key", "account.confirm_recovery",
                           "account.reset_recovery"))).order_by(ev.seq)
        if since is not None:
            q = q.where(ev.at > since)
        return [RecoveryUse(dt.datetime.fromisoformat(at), action, username)
                for at, action, username in uow.session.execute(q).all()]



# --- the administrator's work without the key (a KeylessSession) -------------------


@dataclass(frozen=True)
class AccountView:
    username: str
    display_name: str
    role: Role
    agency: Agency
    unit_code: str
    unit_name: str
    state: str
    confirmed_by: str
    enrolment_code: str | None = None


def _account_view(slot, code: str | None = None) -> AccountView:
    p = slot.profile
    return AccountView(slot.username, str(p.get("display_name", slot.username)),
                       Role(p.get("role", Role.ADMINISTRATOR.value)),
                       Agency(p.get("agency", Agency.CITY.value)),
                       str(p.get("unit_code", "")), str(p.get("unit_name", "")), slot.state,
                       slot.confirmed_by, code)


def _require_admin(session) -> None:
    if not getattr(session, "is_admin", False) or session.identity is None:
        raise AccessDenied("Din roll har inte behörighet att hantera konton; det gör "
                           "administratören.", "Your role may not manage accounts; the "
                           "administrator does.")


def change_own_password(session, old_password: str, new_password: str) -> None:
    """A password change from a log-in without the key (the administrator, or
    an account waiting for confirmation): only the own slot is rewrapped."""
    from trefas_app.domain.passwords import check_password_policy

    check_password_policy(new_password, session.actor.username)
    with session.edit_keyfile() as keyfile:
        keyfile.change_password(session.actor.username, old_password, new_password)
    session.log("user.password_change")


def list_accounts(session) -> list[AccountView]:
    """The account list from the key file: what an administrator sees without
    the data key (names, roles, units, state; no case content)."""
    _require_admin(session)
    session.log("user.list")
    return sorted((_account_view(s) for s in session.keyfile.account_slots()),
                  key=lambda v: v.username)


def list_units(session) -> list[tuple[str, str, str]]:
    """(agency, code, name) of the units, from the key file."""
    _require_admin(session)
    return sorted((u["agency"], u["code"], u["name"]) for u in session.keyfile.units)


def add_unit(session, agency, code: str, name: str) -> tuple[str, str, str]:
    """A new unit in the key file; the database gets it at the next key
    holder's log-in."""
    from trefas_app.domain.errors import Conflict, ValidationError

    _require_admin(session)
    code, name, agency = code.strip(), name.strip(), Agency(agency)
    if not code or not name:
        raise ValidationError("Enheten behöver kod och namn.", "The unit needs a code and a name.")
    with session.edit_keyfile() as keyfile:
        if any(u["code"] == code for u in keyfile.units):
            raise Conflict("Det finns redan en enhet med den koden.",
                           "A unit with that code already exists.")
        keyfile.units = [*keyfile.units, {"agency": agency.value, "code": code, "name": name,
                                          "by": session.actor.username}]
    session.log("unit.create", code=code)
    return agency.value, code, name


def create_account(session, username: str, display_name: str, role, agency, unit_code: str,
                   unit_name: str = "", email: str | None = None,
                   phone: str | None = None) -> AccountView:
    """A new account with a one-time enrolment code; its user row (and a new
    unit, given a name) is made at the next log-in of someone holding the key
    (store/account_sync.py)."""
    from trefas_app.domain.errors import ValidationError
    from trefas_app.services.users import validate_new_user

    _require_admin(session)
    username, role, agency = validate_new_user(username, display_name, role, agency)
    known = {code: (ag, name) for ag, code, name in list_units(session)}
    if unit_code in known:
        if known[unit_code][0] != agency.value:
            raise ValidationError("Enheten hör inte till den valda myndigheten.",
                                  "The unit does not belong to the chosen agency.")
        unit_name = known[unit_code][1]
    else:
        raise ValidationError(f"Det finns ingen enhet med koden ”{unit_code}”.",
                              f"There is no unit with the code '{unit_code}'.")
    profile = {"display_name": display_name.strip(), "role": role.value,
               "agency": agency.value, "unit_code": unit_code.strip(),
               "unit_name": unit_name.strip(), "email": email, "phone": phone}
    kind = "admin" if role == Role.ADMINISTRATOR else "user"
    with session.edit_keyfile() as keyfile:
        if any(s.username == username for s in keyfile.account_slots()):
            from trefas_app.domain.errors import Conflict

            raise Conflict("Användarnamnet är upptaget.", "The user name is taken.")
        code = slots.start_enrolment(keyfile, kind, username, profile, session.actor.username,
                                     session.identity, session.clock())
    session.log("account.create", target=username, role=role.value, agency=agency.value)
    return _account_view(session.keyfile.find(username), code)


def reset_account(session, username: str) -> AccountView:
    """A new enrolment code: the old slot and its data-key copy are gone at
    once; the person must enrol again and be confirmed again."""

    _require_admin(session)
    with session.edit_keyfile() as keyfile:
        old = keyfile.find(username)
        code = slots.start_enrolment(keyfile, old.kind, username, old.profile,
                                     session.actor.username, session.identity, session.clock())
        keyfile.disabled.pop(username, None)
        if old.sealed_data_key:
            keyfile.rekey_due = keyfile.rekey_due or REKEY_REMOVED_SLOT
    _remove_slot_from_backups(session, username)
    session.log("user.password_reset", target=username)
    return _account_view(session.keyfile.find(username), code)


def disable_account(session, username: str) -> None:
    """Remove the slot at once; the user row follows at the next key holder's
    log-in, and a supervisor's next log-in changes the data key."""
    from trefas_app.domain.errors import Conflict

    _require_admin(session)
    if username == session.actor.username:
        raise Conflict("Du kan inte stänga av ditt eget konto.",
                       "You cannot disable your own account.")
    with session.edit_keyfile() as keyfile:
        slot = keyfile.find(username)
        admins = [s for s in keyfile.account_slots() if s.kind == "admin" and s.state == "ready"]
        if slot.kind == "admin" and len(admins) <= 1:
            raise Conflict("Den sista administratören kan inte stängas av.",
                           "The last administrator cannot be disabled.")
        if slot.sealed_data_key:
            keyfile.rekey_due = keyfile.rekey_due or REKEY_REMOVED_SLOT
        slot.disable()
        keyfile.disabled[username] = {"by": session.actor.username,
                                      "at": session.clock().astimezone(dt.timezone.utc)
                                      .isoformat()}
    _remove_slot_from_backups(session, username)
    session.log("user.disable", target=username)


# --- settings without the key ------------------------------------------------------


def get_setting(store, key: str, default: str) -> str:
    """A store setting: the key file's (set by an administrator without the
    key) first, else the database's (older stores), else ``default``."""
    value = KeyFile.load(store.paths.keys).settings.get(key)
    if value is not None:
        return str(value)
    if getattr(store, "has_data_key", False):
        from trefas_app.services.users import get_setting as db_setting

        return db_setting(store.uow(), key, default)
    return default


def set_setting(session, key: str, value: str) -> None:
    """An administrator's setting, kept in the key file (no key needed)."""
    from trefas_app.security import access

    from trefas_app.domain import clock
    from trefas_app.services.users import checked_zone

    access.require(session.actor, "system.settings")
    if key == clock.ZONE_SETTING:
        value = checked_zone(value)
    with session.edit_keyfile() as keyfile:
        keyfile.settings = {**keyfile.settings, key: str(value)}
    session.log("settings.change", key=key, value=str(value))
    if key == clock.ZONE_SETTING:
        clock.set_office_zone(value)
