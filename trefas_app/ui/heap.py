"""Keep Python's full garbage collections out of the user's way.

A full (generation 2) collection walks every tracked object: with Qt, the ORM
and a session's rows that is ≈ 0.1–0.15 s on the GUI thread, once every few
seconds of work — a visible stutter while typing. After unlock, the objects
that live as long as the program (modules, mappers, widgets) are moved out of
the collector's sight (``gc.freeze``), so later full collections only walk what
the session made. Locking hands everything back to the collector and collects,
so that nothing read in the session stays in memory in a frozen object.
"""

from __future__ import annotations

import gc


def settle_after_unlock() -> None:
    """Instant: garbage of an earlier session was collected at its lock (see
    below), so what is frozen here is the program, not somebody's data."""
    gc.freeze()


def release_on_lock() -> None:
    """Unfreeze now; collect once the event loop has deleted the dropped
    screens (``deleteLater``), or their cycles would survive the collection."""
    from PySide6.QtCore import QTimer

    gc.unfreeze()
    gc.collect()
    QTimer.singleShot(0, gc.collect)
