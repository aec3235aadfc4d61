"""The administrator's (or a supervisor's) re-key: the permission, then the
store's own re-key (``store/rekey.py``, which the store also runs when a
re-key fell due at a supervisor's log-in).
"""

from __future__ import annotations

from trefas_app.domain.actor import Actor
from trefas_app.security import access
from trefas_app.store.rekey import rekey_store
from trefas_app.store.store import OpenStore


def rekey(store: OpenStore, actor: Actor) -> None:
    """A new random data key for the whole store; every slot gets it sealed
    (see :func:`trefas_app.store.rekey.rekey_store` for the steps and what a
    crash at each leaves)."""
    with store.uow():
        access.require(actor, "system.rekey")
    rekey_store(store, actor)
