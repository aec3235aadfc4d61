"""Users, units and key slots: the administrator's work (no case content)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from trefas_app.domain import clock
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import ROLE_AGENCIES, Agency, Role
from trefas_app.domain.errors import Conflict, NotFound, ValidationError
from trefas_app.security import access
from trefas_app.domain.passwords import check_password_policy
from trefas_app.domain.text import USERNAME_RE
from trefas_app.services.views import UnitView, UserView
from trefas_app.services.views_ops import UserDirectoryEntry
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork

@dataclass(frozen=True)
class UserInput:
    username: str
    display_name: str
    role: Role
    agency: Agency
    unit_id: int
    #: Never set by an administrator: the person chooses it at enrolment.
    #: Kept so that a program passing one gets a clear refusal.
    password: str = ""
    email: str | None = None
    phone: str | None = None


def _view(u: m.User, keyfile, code: str | None = None) -> UserView:
    slot = next((s for s in keyfile.account_slots() if s.username == u.username), None)
    return UserView(id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                    agency=u.agency, unit_id=u.unit_id, unit_name=u.unit.name if u.unit else "",
                    active=u.active, has_key_slot=slot is not None,
                    account_state=slot.state if slot else "ready", enrolment_code=code)


def refuse_chosen_password(password: str) -> None:
    if password:
        raise ValidationError(
            "Administratören väljer aldrig lösenord åt någon: kontot får en engångskod, "
            "och personen väljer sitt lösenord själv.",
            "The administrator never chooses anyone's password: the account gets a "
            "one-time code and the person chooses their own password.")


def _start_enrolment(uow: UnitOfWork, actor: Actor, user: m.User) -> str:
    from trefas_app.store.account_sync import REKEY_REMOVED_SLOT, profile_of
    from trefas_app.store.accounts import start_enrolment

    kind = "admin" if user.role == Role.ADMINISTRATOR else "user"
    with uow.store.edit_keyfile() as keyfile:
        old = next((s for s in keyfile.account_slots() if s.username == user.username), None)
        code = start_enrolment(keyfile, kind, user.username, profile_of(user), actor.username,
                               getattr(uow.store, "admin_identity", None), uow.now())
        if old is not None and old.sealed_data_key:  # a reset: its data-key copy must die
            keyfile.rekey_due = keyfile.rekey_due or REKEY_REMOVED_SLOT
        return code


def add_unit(uow: UnitOfWork, actor: Actor, agency: Agency, code: str, name: str) -> UnitView:
    if not code.strip() or not name.strip():
        raise ValidationError("Enheten behöver kod och namn.", "The unit needs a code and a name.")
    with uow:
        access.require(actor, "user.manage")
        s = uow.session
        if s.scalars(select(m.Unit).where(m.Unit.code == code.strip())).first():
            raise Conflict("Det finns redan en enhet med den koden.",
                           "A unit with that code already exists.")
        unit = m.Unit(agency=Agency(agency), code=code.strip(), name=name.strip())
        s.add(unit)
        s.flush()
        uow.log(actor, "unit.create", subject_kind="unit", subject_id=unit.id)
        with uow.store.edit_keyfile() as keyfile:
            keyfile.units = [*keyfile.units, {"agency": unit.agency.value, "code": unit.code,
                                              "name": unit.name}]
        uow.commit()
        return UnitView(unit.id, unit.agency, unit.code, unit.name)


def list_units(uow: UnitOfWork, actor: Actor) -> list[UnitView]:
    with uow:
        return [UnitView(u.id, u.agency, u.code, u.name)
                for u in uow.session.scalars(select(m.Unit).order_by(m.Unit.agency,
                                                                     m.Unit.name)).all()]


def validate_new_user(username: str, display_name: str, role, agency) -> tuple[str, Role, Agency]:
    """The checks on a new account that need no database."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationError(
            "Användarnamnet ska vara 2–32 tecken: små bokstäver a–z, siffror, punkt, "
            "bindestreck eller understreck, och börja med en bokstav.",
            "The user name must be 2–32 characters: a–z, digits, dot, dash or underscore, "
            "starting with a letter.")
    if not display_name.strip():
        raise ValidationError("Ange användarens namn.", "Give the user's name.")
    role, agency = Role(role), Agency(agency)
    if agency not in ROLE_AGENCIES[role]:
        raise ValidationError("Rollen finns inte inom den myndigheten.",
                              "That role does not exist in that agency.")
    return username, role, agency


def add_user(uow: UnitOfWork, actor: Actor, data: UserInput) -> UserView:
    """A new account from a session that holds the key (the one that created
    the store); the administrator's own log-in uses accounts.create_account."""
    username, role, agency = validate_new_user(data.username, data.display_name, data.role,
                                               data.agency)
    refuse_chosen_password(data.password)
    with uow:
        access.require(actor, "user.manage")
        s = uow.session
        unit = s.get(m.Unit, data.unit_id)
        if unit is None or unit.agency != agency:
            raise ValidationError("Enheten hör inte till den valda myndigheten.",
                                  "The unit does not belong to the chosen agency.")
        if s.scalars(select(m.User).where(m.User.username == username)).first():
            raise Conflict("Användarnamnet är upptaget.", "The user name is taken.")
        user = m.User(username=username, display_name=data.display_name.strip(), role=role,
                      agency=agency, unit_id=unit.id, active=True, email=data.email,
                      phone=data.phone, created_at=uow.now(), created_by_id=actor.user_id)
        s.add(user)
        s.flush()
        uow.log(actor, "user.create", subject_kind="user", subject_id=user.id,
                detail={"role": role.value, "agency": agency.value, "unit": unit.code})
        s.refresh(user)
        code = _start_enrolment(uow, actor, user)
        uow.log(actor, "account.enrolment_code", subject_kind="user", subject_id=user.id)
        try:
            uow.commit()
        except Exception:
            with uow.store.edit_keyfile() as keyfile:
                keyfile.remove_user_slot(username)
            raise
        return _view(user, uow.store.keyfile, code)


def list_users(uow: UnitOfWork, actor: Actor) -> list[UserView]:
    with uow:
        access.require(actor, "user.list")
        users = uow.session.scalars(select(m.User).order_by(m.User.username)).all()
        uow.log(actor, "user.list")
        uow.commit()
        return [_view(u, uow.store.keyfile) for u in users]


def user_directory(uow: UnitOfWork, actor: Actor,
                   agency: Agency | None = None) -> list[UserDirectoryEntry]:
    """Active users that someone doing case work may pick: meeting
    participants, routine-step owners, task assignees. Any role with case work
    (``case.read``); administrators use :func:`list_users` instead. No user
    names (they are log-in credentials); phone and e-mail only for users of the
    reader's own agency. Administrators are not listed: they take no part in
    case work."""
    wanted = Agency(agency) if agency is not None else None
    with uow:
        access.require(actor, "case.read")
        stmt = (select(m.User, m.Unit.name)
                .join(m.Unit, m.Unit.id == m.User.unit_id)
                .where(m.User.active.is_(True), m.User.role != Role.ADMINISTRATOR)
                .order_by(m.User.display_name, m.User.id))
        if wanted is not None:
            stmt = stmt.where(m.User.agency == wanted)
        rows = uow.session.execute(stmt).all()
        entries = [UserDirectoryEntry(
            id=u.id, display_name=u.display_name, role=u.role, agency=u.agency,
            unit_name=unit_name,
            phone=u.phone if u.agency == actor.agency else None,
            email=u.email if u.agency == actor.agency else None) for u, unit_name in rows]
        uow.log(actor, "user.directory",
                detail={"agency": wanted.value if wanted else None, "hits": len(entries)})
        uow.commit()
        return entries


def _user(uow: UnitOfWork, username: str) -> m.User:
    user = uow.session.scalars(select(m.User).where(m.User.username == username)).first()
    if user is None:
        raise NotFound(f"Det finns ingen användare med namnet ”{username}”.",
                       f"There is no user named '{username}'.")
    return user


def _active_admins(uow: UnitOfWork) -> int:
    return len(uow.session.scalars(select(m.User.id).where(
        m.User.role == Role.ADMINISTRATOR, m.User.active.is_(True))).all())


def disable_user(uow: UnitOfWork, actor: Actor, username: str) -> UserView:
    """Ends the user's ability to unlock: the key slot is removed at once.
    Offer a re-key afterwards, so that an old copy of the key file opens nothing new."""
    with uow:
        access.require(actor, "user.manage")
        user = _user(uow, username)
        if user.id == actor.user_id:
            raise Conflict("Du kan inte stänga av ditt eget konto.",
                           "You cannot disable your own account.")
        if user.role == Role.ADMINISTRATOR and _active_admins(uow) <= 1:
            raise Conflict("Den sista administratören kan inte stängas av.",
                           "The last administrator cannot be disabled.")
        user.active = False
        user.disabled_at, user.disabled_by_id = uow.now(), actor.user_id
        uow.log(actor, "user.disable", subject_kind="user", subject_id=user.id)
        with uow.store.edit_keyfile() as keyfile:
            keyfile.remove_user_slot(user.username)
            keyfile.disabled[user.username] = {"by": actor.username,
                                               "at": uow.now().isoformat()}
        _remove_slot_from_backups(uow.store, user.username)
        uow.commit()
        return _view(user, uow.store.keyfile)


def _remove_slot_from_backups(store, username: str) -> None:
    """Backups keep a copy of the key file; a removed user must not be able to
    open older backups with their old password either."""
    from trefas_app.store.keyslots import KeyFile

    folder = store.paths.backups
    if not folder.exists():
        return
    for keys in sorted(folder.glob("*.keys")):
        with KeyFile.locked_update(keys) as copy:
            copy.remove_user_slot(username)


def reset_password(uow: UnitOfWork, actor: Actor, username: str,
                   new_password: str = "") -> UserView:
    """A new one-time enrolment code for a user (and the account re-enabled).
    The old slot, and with it the data-key copy, is gone at once; the person
    chooses a new password and a supervisor must confirm the account again."""
    refuse_chosen_password(new_password)
    with uow:
        access.require(actor, "user.manage")
        user = _user(uow, username)
        user.active = True
        user.disabled_at = user.disabled_by_id = None
        code = _start_enrolment(uow, actor, user)
        _remove_slot_from_backups(uow.store, user.username)
        uow.log(actor, "user.password_reset", subject_kind="user", subject_id=user.id)
        uow.commit()
        return _view(user, uow.store.keyfile, code)


def change_own_password(uow: UnitOfWork, actor: Actor, old_password: str,
                        new_password: str) -> None:
    """Anyone may change their own password; only their slot is rewrapped."""
    check_password_policy(new_password, actor.username)
    with uow:
        with uow.store.edit_keyfile() as keyfile:
            keyfile.change_password(actor.username, old_password, new_password)
        uow.log(actor, "user.password_change", subject_kind="user", subject_id=actor.user_id)
        uow.commit()


def get_setting(uow: UnitOfWork, key: str, default: str) -> str:
    with uow:
        row = uow.session.get(m.StoreMeta, f"setting.{key}") or uow.session.get(m.StoreMeta, key)
        return row.value if row else default


def set_setting(uow: UnitOfWork, actor: Actor, key: str, value: str) -> None:
    if key == clock.ZONE_SETTING:
        value = checked_zone(value)
    with uow:
        access.require(actor, "system.settings")
        row = uow.session.get(m.StoreMeta, f"setting.{key}")
        if row is None:
            uow.session.add(m.StoreMeta(key=f"setting.{key}", value=value))
        else:
            row.value = value
        uow.log(actor, "settings.change", detail={"key": key, "value": value})
        uow.commit()
    if key == clock.ZONE_SETTING:
        clock.set_office_zone(value)


def checked_zone(name: str) -> str:
    """The office zone must be one tzdata knows (``Europe/Stockholm``)."""
    name = name.strip()
    try:
        clock.zone_named(name)
    except ValueError:
        raise ValidationError(
            f"Okänd tidszon ”{name}”. Ange en zon som Europe/Stockholm.",
            f"Unknown time zone \"{name}\". Give a zone such as Europe/Stockholm.") from None
    return name
