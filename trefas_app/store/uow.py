"""Unit of work: one transaction per service call (Cosmic Python's pattern).

Services receive a UnitOfWork and never open a Session themselves. A refused
action is rolled back and then logged in a transaction of its own, so that
attempts to see what one may not are on record too.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from trefas_app.domain import clock
from trefas_app.domain.actor import Actor
from trefas_app.domain.changes import Changed
from trefas_app.domain.errors import AccessDenied, StoreError, TrefasError, ValidationError
from trefas_app.store import audit
from trefas_app.store import change_collector, live_changes
from trefas_app.store import text_guard  # noqa: F401  (every flush cleans text)
from trefas_app.store.dialect import refused_by_server, server_unreachable
from trefas_app.store.engine import translate_os_error
from trefas_app.store.models import User
from trefas_app.store.versions import saved_at_the_same_time

if TYPE_CHECKING:
    from trefas_app.store.store import OpenStore


def utc_now() -> dt.datetime:
    """The default clock of a unit of work: the one clock's instant."""
    return clock.now_utc()


def _unusable_input(exc: BaseException) -> ValidationError:
    """What a number too large for the database (an id or offset of 2⁶³ or
    more) or text that is not valid Unicode means to the user."""
    if isinstance(exc, OverflowError):
        return ValidationError("Talet är för stort: det finns ingen post med det numret.",
                               "The number is too large: there is no record with that number.")
    return ValidationError("Texten innehåller tecken som inte är giltig UTF-8.",
                           "The text contains characters that are not valid UTF-8.")


#: The check every unit of work starts with, built once (see _require_active_user).
_ACTIVE = select(User.__table__.c.active).where(User.__table__.c.id == bindparam("user_id"))


class UnitOfWork:
    def __init__(self, store: "OpenStore", clock: Callable[[], dt.datetime] = utc_now):
        self.store = store
        self._clock = clock
        self.session: Session | None = None
        self._now: dt.datetime | None = None
        self._committed = False
        #: Where an issued document goes before it is registered (e.g. the
        #: command line's --out file): called with the PDF inside the
        #: transaction, so a failed write registers and logs nothing.
        self.delivery: Callable[[bytes], None] | None = None
        #: What this unit of work's committed transactions wrote.
        self.changed = Changed()

    def prepared(self, name: str, actor: Actor, build: Callable[[], object]):
        """The statement ``build`` makes for ``actor`` (the rule compiled for
        them, every other value a bound parameter), built once per unlocked
        session: neither it nor its cache key is built again at each call
        (issue 12). It holds no row and no searched value; the store drops
        it at lock (``OpenStore.close``)."""
        kept = getattr(self.store, "prepared_statements", None)
        if kept is None:
            return build()
        key = (name, actor)
        statement = kept.get(key)
        if statement is None:
            statement = kept[key] = build()
        return statement

    def now(self) -> dt.datetime:
        """One timestamp per unit of work, so a change and its log entry agree."""
        if self._now is None:
            self._now = self._clock()
        return self._now

    def __enter__(self) -> "UnitOfWork":
        self.session = Session(self.store.engine, expire_on_commit=False, autoflush=True)
        self._committed = False
        self._collector = change_collector.attach(self)
        self._require_active_user()
        return self

    def _require_active_user(self) -> None:
        """A user disabled while logged in loses access at their next action."""
        actor = getattr(self.store, "actor", None)
        if actor is None or not actor.is_person:  # no store, or the recovery key
            return
        active = self.session.connection().execute(
            _ACTIVE, {"user_id": actor.user_id}).scalar()
        if not active:
            self.session.close()
            raise AccessDenied("Ditt konto har stängts av. Logga ut.",
                               "Your account has been disabled. Please log out.")

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None or not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, TrefasError) and getattr(exc, "actor", None) is not None:
            try:
                self._log_denial(exc)
            except (OSError, SQLAlchemyError) as failure:
                raise translate_os_error(failure) or failure
        elif isinstance(exc, StaleDataError):
            raise saved_at_the_same_time() from exc
        elif isinstance(exc, SQLAlchemyError) and refused_by_server(exc):
            self._refused_by_server(exc)
        elif isinstance(exc, SQLAlchemyError) and server_unreachable(exc):
            raise StoreError("Förbindelsen med servern bröts. Ingenting sparades; "
                             "försök igen om en stund.",
                             "The connection to the server was lost. Nothing was saved; "
                             "try again in a moment.") from exc
        elif isinstance(exc, (OSError, SQLAlchemyError)):
            # A full disk noticed at a flush inside the service, not at commit.
            translated = translate_os_error(exc)
            if translated is not None:
                raise translated from exc
        elif isinstance(exc, (OverflowError, UnicodeError)):
            raise _unusable_input(exc) from exc

    def commit(self) -> None:
        appended = audit.appended_head(self.session)
        try:
            self._announce()
            self.session.commit()
        except OperationalError as exc:
            self.session.rollback()
            translated = translate_os_error(exc.orig or exc)
            if translated:
                raise translated from exc
            raise
        self._committed = True
        if appended is not None:  # the head is known: no second read of it
            self.store.after_commit(appended[0])

    def _announce(self) -> None:
        """On a server, tell the other desktops what this transaction wrote
        (delivered by PostgreSQL only if the commit succeeds)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.flush()
            live_changes.announce(self.session, self._collector.pending(),
                                  getattr(self.store, "live_origin", live_changes.ORIGIN))

    def log(self, actor: Actor | None, action: str, **fields) -> None:
        audit.append(self.session, self.now(), actor, action, **fields)

    def _refused_by_server(self, exc: BaseException) -> None:
        """A server store's grants or row rules refused what the program's
        own check let through: the same refusal, on record the same way."""
        from trefas_app.domain.errors import denied

        refusal = denied(self.store.actor, "server", "Du har inte behörighet till det här.",
                         "You do not have access to this.")
        self._log_denial(refusal)
        raise refusal from exc

    def _log_denial(self, exc: TrefasError) -> None:
        """Attempts to do what one may not — or to probe what exists — are on
        record too, in a transaction of their own after the rollback."""
        with Session(self.store.engine) as session:
            action = "access.denied" if isinstance(exc, AccessDenied) else "refused"
            audit.append(session, self._clock(), exc.actor, action,
                         subject_kind=exc.subject_kind, subject_id=exc.subject_id,
                         detail={"attempted": exc.attempted})
            head = audit.appended_head(session)
            session.commit()
        self.store.after_commit(head[0])
