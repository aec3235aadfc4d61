"""The window's ear on the server (server mode only): other desktops' changes
and whether the server can be reached.

:class:`ServerWatch` keeps one LISTEN connection of the user's login role
(``store/live_changes.py``), opened in the worker, read on the GUI thread by a
:class:`QSocketNotifier` on its socket (reading what has arrived never
blocks). A message from another desktop becomes ``changed`` (the screens whose
kinds it names reload); a broken connection — or a worker operation that found
the server gone (:meth:`report_failure`) — becomes ``reachable(False)`` and a
retry every :attr:`RETRY_MS`; once a connection is back, ``reachable(True)``
and a refresh of everything (messages sent meanwhile were missed).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from trefas_app.store import live_changes

log = logging.getLogger("trefas.ui")


class ServerWatch(QObject):
    changed = Signal(object)
    reachable = Signal(bool)

    RETRY_MS = 2000

    def __init__(self, ctx, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._store = None
        self._conn = None
        self._notifier: QSocketNotifier | None = None
        self._connecting = False
        self._origin = ""
        self.lost = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(self.RETRY_MS)
        self._retry.timeout.connect(self._connect)

    @property
    def listening(self) -> bool:
        return self._conn is not None

    def start(self, store) -> None:
        """Listen for ``store`` (does nothing for a local store)."""
        self.stop()
        if not getattr(store, "is_server", False):
            return
        self._store = store
        self._origin = live_changes.new_origin(store)
        self._connect()

    def stop(self) -> None:
        """Stop listening (lock, log-out); forget a lost connection."""
        self._store = None
        self._retry.stop()
        self._close()
        self.lost = False

    def report_failure(self) -> None:
        """A worker operation could not reach the server."""
        if self._store is None:
            return
        self._close()
        self._set_lost()

    # -- connecting (in the worker) -----------------------------------------------------

    def _connect(self) -> None:
        store = self._store
        if store is None or self._connecting or self._conn is not None:
            return
        self._connecting = True
        self.ctx.run_plain(live_changes.open_listener, store,
                           on_done=lambda conn: self._attach(store, conn),
                           on_error=lambda exc: self._not_now(store, exc))

    def _attach(self, store, conn) -> None:
        self._connecting = False
        if store is not self._store:
            conn.close()
            return
        self._conn = conn
        self._notifier = QSocketNotifier(conn.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._readable)
        if self.lost:
            self.lost = False
            self.reachable.emit(True)
            self.changed.emit(live_changes.Announced(everything=True))

    def _not_now(self, store, exc: BaseException) -> None:
        self._connecting = False
        if store is self._store and live_changes.server_unavailable(exc):
            self._set_lost()

    def _set_lost(self) -> None:
        if not self.lost:
            self.lost = True
            self.reachable.emit(False)
        if self._store is not None and not self._retry.isActive():
            self._retry.start()

    def _close(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 — a broken socket is closed anyway
                pass

    # -- reading (GUI thread; never blocks) --------------------------------------------------

    def _readable(self, *_args) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            arrived = list(conn.notifies(timeout=0))
        except Exception as exc:  # noqa: BLE001 — the connection broke
            log.info("server listener lost (%s)", type(exc).__name__)
            self._close()
            self._set_lost()
            return
        if conn.closed:
            self._close()
            self._set_lost()
            return
        for note in arrived:
            changed = live_changes.read_payload(note.payload, self._origin)
            if changed:
                self.changed.emit(changed)
