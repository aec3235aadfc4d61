"""Accounts on a server store (docs/accounts.md "What server mode must carry
over", docs/server.md).

* The administrator opens an account: a users row and a login role whose
  password is a one-time code, ``VALID UNTIL`` three days on, member of no
  group — it can log in only to enrol.
* ``trefas user enrol``: the person logs in with the code and sets their own
  password (no expiry). Still no group: they see nothing. The server records
  a fingerprint of that enrolment (of the SCRAM verifier it set), shown to
  the person to read out.
* A supervisor of the same agency confirms, typing the fingerprint the person
  reads out: the login role joins ``trefas_role_<role>`` only if it is that
  enrolment's (so not one the administrator, who saw the one-time code, made
  in the person's place); from then on the row rules apply to it.
* Disabling: ``NOLOGIN`` and every open connection of the role ended at once.

The role steps run in SECURITY DEFINER functions owned by
``trefas_account_manager`` (CREATEROLE, never superuser); passwords go to the
server only as SCRAM verifiers computed on the desktop.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Role
from trefas_app.domain.errors import AccessDenied, NotFound, ValidationError
from trefas_app.store import audit
from trefas_app.store import models as m
from trefas_app.server.connection import ServerStore, server_engine
from trefas_app.server.setup import CODE_VALID, one_time_code, scram_verifier
from trefas_app.server.sql import FINGERPRINT_MISMATCH
from trefas_app.store.accounts import FingerprintMismatch


def _require(actor: Actor, role: Role, sv: str, en: str) -> None:
    if actor.role is not role:
        raise AccessDenied(sv, en)


def open_account(store: ServerStore, *, username: str, display_name: str, role: Role,
                 unit_id: int) -> str:
    """A new account waiting for enrolment; returns its one-time code (shown
    once to the administrator, who hands it over in person)."""
    actor = store.actor
    _require(actor, Role.ADMINISTRATOR, "Bara en administratör lägger upp konton.",
             "Only an administrator creates accounts.")
    now = clock.now_utc()
    code = one_time_code()
    with Session(store.engine) as session:
        unit = session.get(m.Unit, unit_id)
        if unit is None:
            raise NotFound("Enheten finns inte.", "The unit does not exist.")
        if session.scalar(select(m.User.id).where(m.User.username == username)):
            raise ValidationError("Användarnamnet är upptaget.", "The user name is taken.")
        user = m.User(username=username, display_name=display_name, role=role,
                      agency=unit.agency, unit_id=unit.id, active=True, created_at=now,
                      created_by_id=actor.user_id)
        session.add(user)
        session.flush()
        conn = session.connection()
        conn.execute(text("SELECT trefas.account_open(:u, :v, :until)"),
                     {"u": username, "v": scram_verifier(conn, username, code),
                      "until": now + CODE_VALID})
        audit.append(session, now, actor, "account.create", subject_kind="user",
                     subject_id=user.id, detail={"role": role.value})
        session.commit()
    return code


def enrol(url: str, username: str, code: str, new_password: str) -> str:
    """The person sets their own password, logged in with the one-time code.
    Returns the enrolment's fingerprint, for the person to read out to the
    supervisor who confirms them."""
    from trefas_app.domain.passwords import check_password_policy

    check_password_policy(new_password, username)
    engine = server_engine(url, username, code)
    try:
        with Session(engine) as session:
            conn = session.connection()
            conn.execute(text("SELECT trefas.account_enrol(:v)"),
                         {"v": scram_verifier(conn, username, new_password)})
            audit.append(session, clock.now_utc(), None, "account.enrol", username=username)
            fingerprint = str(conn.execute(text("SELECT trefas.account_fingerprint()")).scalar())
            session.commit()
    finally:
        engine.dispose()
    return fingerprint


def unconfirmed(uow, actor: Actor) -> list[tuple[str, str, Role, str, str]]:
    """Active accounts of the supervisor's agency whose login role is in no
    Trefas group yet (enrolled or not: the server shows no fingerprint to
    compare; the supervisor types the one the person reads out)."""
    in_no_group = text(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members am "
        "JOIN pg_catalog.pg_roles g ON g.oid = am.roleid "
        "JOIN pg_catalog.pg_roles r ON r.oid = am.member "
        "WHERE r.rolname = users.username AND g.rolname LIKE 'trefas\\_role\\_%')")
    with uow:
        return [(u.username, u.display_name, u.role, u.agency.value,
                 u.unit.name if u.unit else "")
                for u in uow.session.scalars(select(m.User).where(
                    m.User.agency == actor.agency, m.User.active.is_(True),
                    m.User.role != Role.ADMINISTRATOR, in_no_group)
                    .order_by(m.User.display_name))]


def confirm(store: ServerStore, username: str, fingerprint: str) -> None:
    """A supervisor confirms an enrolled account of their own agency, with the
    fingerprint the person reads out (a mismatch is refused and logged)."""
    actor = store.actor
    _require(actor, Role.SUPERVISOR, "Bara en arbetsledare bekräftar konton.",
             "Only a supervisor confirms accounts.")
    with Session(store.engine) as session:
        user = session.scalars(select(m.User).where(m.User.username == username)).first()
        if user is None or user.agency != actor.agency or not user.active:
            raise AccessDenied("Kontot finns inte i din myndighet.",
                               "The account is not one of your agency.")
        # The function logs the confirmation itself (also when called from psql).
        try:
            session.execute(text("SELECT trefas.account_confirm(:u, :f)"),
                            {"u": username, "f": fingerprint})
        except DBAPIError as exc:
            if FINGERPRINT_MISMATCH not in str(exc.orig):
                raise
            refused = user.id
        else:
            session.commit()
            return
    with Session(store.engine) as session:  # the refusal, on record
        audit.append(session, clock.now_utc(), actor, "access.denied", subject_kind="user",
                     subject_id=refused, detail={"attempted": "account.confirm"})
        session.commit()
    mismatch = FingerprintMismatch()
    raise AccessDenied(mismatch.sv, mismatch.en)


def disable(store: ServerStore, username: str) -> int:
    """Disable at once: the users row, the login role, its open connections.
    Returns how many connections were ended."""
    actor = store.actor
    _require(actor, Role.ADMINISTRATOR, "Bara en administratör stänger av konton.",
             "Only an administrator disables accounts.")
    now = clock.now_utc()
    with Session(store.engine) as session:
        user = session.scalars(select(m.User).where(m.User.username == username)).first()
        if user is None:
            raise NotFound("Kontot finns inte.", "The account does not exist.")
        user.active, user.disabled_at, user.disabled_by_id = False, now, actor.user_id
        audit.append(session, now, actor, "user.disable", subject_kind="user",
                     subject_id=user.id)
        session.commit()
    # After the commit: a connection ended earlier could still see the row active.
    with store.engine.begin() as conn:
        return int(conn.execute(text("SELECT trefas.account_disable(:u)"),
                                {"u": username}).scalar())
