"""Several services in one transaction.

A screen often needs what two or three services return (a case's tasks and
its meeting items; a plan list and the chosen plan). Called one after the
other, each opens its own transaction, so they may see different states of
the store and different instants. ``one_transaction(uow)`` opens the unit of
work once and hands out a *joined* view of it: the services entered with it
share the outer session and instant, their ``commit()`` only flushes, and the
outer unit commits once at the end (or rolls everything back and logs a
refusal, as any unit of work does).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from trefas_app.store.uow import UnitOfWork


class _Joined:
    """A unit of work inside an open one: entering and committing are the
    outer unit's business."""

    def __init__(self, outer: UnitOfWork):
        self._outer = outer

    def __enter__(self) -> "_Joined":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        return None  # the outer unit rolls back and logs a refusal

    def commit(self) -> None:
        self._outer.session.flush()

    def __getattr__(self, name: str):
        return getattr(self._outer, name)


@contextmanager
def one_transaction(uow: UnitOfWork) -> Iterator[_Joined]:
    """Run the services called with the yielded unit in ``uow``'s one transaction."""
    with uow:
        yield _Joined(uow)
        uow.commit()
