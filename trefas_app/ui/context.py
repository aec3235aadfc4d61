"""The application context every screen and dialog receives.

``AppContext`` is the GUI's only door to the store. It holds the unlocked
:class:`~trefas_app.store.store.OpenStore` (and so the user, ``ctx.actor``),
the one background worker, the UI language, and the signals screens listen to:

``changed(Changed)``
    Something was created, changed or deleted: a
    :class:`~trefas_app.domain.changes.Changed` that the units of work
    collected from what they actually wrote (not what the caller guessed),
    emitted by the worker after the operation's ``on_done``. Screens refresh
    when a kind they show is in it (``BaseScreen.watches``).

``locked()`` / ``unlocked()``
    The store was locked (every screen must drop its data at once) or unlocked
    (the user may be a different one: re-read ``ctx.actor``).

``navigate(str, object)``
    A request to show something: ``("screen", "<key>")``, ``("case", case_id)``,
    ``("person", person_id)``. Use :meth:`open_case`, :meth:`open_person`,
    :meth:`show_screen`; the main window does the rest.

Running work: :meth:`run` for services (``fn(uow, actor, *args)``),
:meth:`run_plain` for anything else. Both return at once; see ``worker.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from trefas_app.domain.actor import Actor
from trefas_app.domain.changes import Changed
from trefas_app.domain.permissions import role_may
from trefas_app.store import change_collector
from trefas_app.ui.settings import save_setting, user_settings
from trefas_app.ui.worker import Operation, Worker

class AppContext(QObject):
    changed = Signal(object)
    locked = Signal()
    unlocked = Signal()
    navigate = Signal(str, object)
    #: A message was shown to the user (text) — for tests and the status bar.
    messageShown = Signal(str)
    #: A short, passing note for the status bar ("Kopierat …").
    statusMessage = Signal(str)
    #: Server mode: False when the server cannot be reached, True when it is back.
    serverReachable = Signal(bool)

    def __init__(self, store_dir: Path, *, settings: QSettings | None = None,
                 language: str | None = None, parent: QObject | None = None,
                 show_dialogs: bool = True, server_url: str | None = None):
        super().__init__(parent)
        self.store_dir = Path(store_dir)
        #: Server mode: the PostgreSQL address to log in to instead of the folder.
        self.server_url = server_url
        self.settings = settings if settings is not None else user_settings()
        self.lang = language or str(self.settings.value("language", "sv"))
        if self.lang not in ("sv", "en"):
            self.lang = "sv"
        #: The window that owns message boxes (set by the main window).
        self.window: QWidget | None = None
        #: False in tests that do not want message boxes on screen.
        self.show_dialogs = show_dialogs
        self._store = None
        self.worker = Worker(self, show_error=self._show_error, language=lambda: self.lang)
        self.worker.errorShown.connect(self.messageShown)
        self.worker.dataChanged.connect(self.notify)
        from trefas_app.ui.live import ServerWatch

        self.server_watch = ServerWatch(self, self)
        self.server_watch.changed.connect(self.notify)
        self.server_watch.reachable.connect(self.serverReachable)
        self.worker.failed.connect(self._operation_failed)

    # -- the session ---------------------------------------------------------------

    @property
    def store(self):
        """The unlocked OpenStore, or None while locked. Never use it on the
        GUI thread: hand it to the worker through :meth:`run`."""
        return self._store

    @property
    def actor(self) -> Actor | None:
        return self._store.actor if self._store is not None else None

    @property
    def is_unlocked(self) -> bool:
        return self._store is not None

    def may(self, permission: str) -> bool:
        """Mirror of the permission table, to decide what to *offer*. The
        service checks again; hiding a button is never the protection."""
        actor = self.actor
        return actor is not None and role_may(actor.role, permission)

    def set_store(self, store) -> None:
        """Called with the OpenStore returned by ``unlock`` (on the GUI thread)."""
        self._store = store
        change_collector.enable(store)
        self.server_watch.start(store)
        self.unlocked.emit()

    def _operation_failed(self, exc: BaseException) -> None:
        """An operation that found the server gone: say so, and retry."""
        from trefas_app.store.live_changes import server_unavailable

        if self._store is not None and server_unavailable(exc):
            self.server_watch.report_failure()

    def lock(self, action: str = "lock") -> None:
        """Lock now: forget queued work, tell every screen to drop its data,
        and close the store (audit entry, checkpoint, key dropped) in the
        worker, after anything already running."""
        store = self._store
        if store is None:
            return
        self._store = None
        self.server_watch.stop()
        self.worker.cancel_all()
        self.locked.emit()
        self.worker.submit(store.close, action)

    def shutdown(self) -> None:
        """Log out (if unlocked) and stop the worker; for application exit."""
        store = self._store
        self._store = None
        self.server_watch.stop()
        if store is not None:
            self.worker.cancel_all()
            self.worker.submit(store.close, "logout")
        self.worker.shutdown()

    # -- running work ----------------------------------------------------------------

    def run(self, service: Callable[..., Any], *args, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, key: str | None = None,
            **kwargs) -> Operation | None:
        """Run ``service(store.uow(), actor, *args, **kwargs)`` in the worker.

        What it wrote is emitted on :attr:`changed` after ``on_done``.
        Returns None (and does nothing) while locked."""
        store = self._store
        if store is None:
            return None

        def call():
            return service(store.uow(), store.actor, *args, **kwargs)

        call.__qualname__ = getattr(service, "__qualname__", "service")
        return self.worker.submit(call, on_done=on_done, on_error=on_error, key=key,
                                  drain=self._drain(store))

    def run_plain(self, fn: Callable[..., Any], *args,
                  on_done: Callable[[Any], None] | None = None,
                  on_error: Callable[[BaseException], None] | None = None,
                  key: str | None = None, **kwargs) -> Operation:
        """Run ``fn(*args, **kwargs)`` in the worker (unlock, create a store,
        the administrator's key-file services …)."""
        return self.worker.submit(fn, *args, on_done=on_done, on_error=on_error, key=key,
                                  drain=self._drain(self._store), **kwargs)

    def run_uow(self, fn: Callable[..., Any], *args, on_done=None, on_error=None,
                key: str | None = None, **kwargs) -> Operation | None:
        """Run ``fn(store.uow(), *args, **kwargs)`` — for the few services that
        take no actor (e.g. ``users.get_setting``)."""
        store = self._store
        if store is None:
            return None

        def call():
            return fn(store.uow(), *args, **kwargs)

        call.__qualname__ = getattr(fn, "__qualname__", "service")
        return self.worker.submit(call, on_done=on_done, on_error=on_error, key=key,
                                  drain=self._drain(store))

    @staticmethod
    def _drain(store) -> Callable[[], Changed] | None:
        """Takes what the store committed since the last operation (the worker
        runs one at a time, so that is what this operation wrote)."""
        sink = getattr(store, "change_sink", None)
        return sink.take if sink is not None else None

    def notify(self, changed: Changed) -> None:
        """Emit :attr:`changed` (the worker does this after every operation
        that wrote something; call it only for what no service reports, such
        as a restored backup: ``Changed.all()``)."""
        if changed:
            self.changed.emit(changed)

    # -- navigation ----------------------------------------------------------------

    def show_screen(self, key: str) -> None:
        self.navigate.emit("screen", key)

    def open_case(self, case_id: int) -> None:
        self.navigate.emit("case", int(case_id))

    def open_person(self, person_id: int) -> None:
        self.navigate.emit("person", int(person_id))

    # -- messages --------------------------------------------------------------------

    def error_text(self, exc: BaseException) -> str:
        """The sentence to show for an exception in the current language."""
        from trefas_app.domain.errors import TrefasError
        from trefas_app.ui.worker import unexpected_message

        if isinstance(exc, TrefasError):
            return exc.message(self.lang)
        return unexpected_message(self.lang)

    def show_message(self, text: str, *, warning: bool = True,
                     parent: QWidget | None = None) -> None:
        """A short, non-blocking message box (never ``exec``: the worker keeps
        delivering while it is open)."""
        self.messageShown.emit(text)
        if not self.show_dialogs:
            return
        box = QMessageBox(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information,
                          "Trefas", text, QMessageBox.StandardButton.Ok,
                          parent or self.window)
        box.setAttribute(_delete_on_close())
        box.open()

    def _show_error(self, text: str, unexpected: bool) -> None:
        # errorShown already emitted messageShown via the worker.
        if not self.show_dialogs:
            return
        box = QMessageBox(QMessageBox.Icon.Critical if unexpected else QMessageBox.Icon.Warning,
                          "Trefas", text, QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(_delete_on_close())
        box.open()

    def status(self, text: str) -> None:
        """A passing note in the status bar (no dialog)."""
        self.statusMessage.emit(text)

    def set_language(self, lang: str) -> None:
        """Stored for the next start (translations are installed at start-up)."""
        save_setting(self.settings, "language", lang)


def _delete_on_close():
    from PySide6.QtCore import Qt

    return Qt.WidgetAttribute.WA_DeleteOnClose
