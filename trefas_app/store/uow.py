"""Unit of work: one transaction per service call (Cosmic Python's pattern).

Services receive a UnitOfWork and never open a Session themselves. A refused
action is rolled back and then logged in a transaction of its own, so that
attempts to see what one may not are on record too.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from trefas_app.domain.actor import Actor
from trefas_app.domain.errors import AccessDenied
from trefas_app.security import audit
from trefas_app.store.engine import translate_os_error

if TYPE_CHECKING:
    from trefas_app.store.store import OpenStore


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UnitOfWork:
    def __init__(self, store: "OpenStore", clock: Callable[[], dt.datetime] = utc_now):
        self.store = store
        self._clock = clock
        self.session: Session | None = None
        self._now: dt.datetime | None = None
        self._committed = False

    def now(self) -> dt.datetime:
        """One timestamp per unit of work, so a change and its log entry agree."""
        if self._now is None:
            self._now = self._clock()
        return self._now

    def __enter__(self) -> "UnitOfWork":
        self.session = Session(self.store.engine, expire_on_commit=False, autoflush=True)
        self._committed = False
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None or not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, AccessDenied) and getattr(exc, "actor", None) is not None:
            self._log_denial(exc)

    def commit(self) -> None:
        try:
            self.session.commit()
        except OperationalError as exc:
            self.session.rollback()
            translated = translate_os_error(exc.orig or exc)
            if translated:
                raise translated from exc
            raise
        self._committed = True
        self.store.after_commit()

    def log(self, actor: Actor | None, action: str, **fields) -> None:
        audit.append(self.session, self.now(), actor, action, **fields)

    def _log_denial(self, exc: AccessDenied) -> None:
        """Attempts to do what one may not are on record too."""
        with Session(self.store.engine) as session:
            audit.append(session, self._clock(), exc.actor, "access.denied",
                         subject_kind=exc.subject_kind, subject_id=exc.subject_id,
                         detail={"attempted": exc.attempted})
            session.commit()
        self.store.after_commit()
