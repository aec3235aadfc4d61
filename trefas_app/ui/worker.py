"""The one background worker: every database call of the GUI runs here.

There is exactly one worker thread, so database work is serialised: a save can
never overtake the read that preceded it, and SQLite never sees two writers
from this process. The GUI thread only ever puts *operations* on the queue and
receives their results through a queued Qt signal; it never waits for one.

An operation is ``fn(*args, **kwargs)`` plus callbacks:

* ``on_done(result)`` runs on the GUI thread with the return value;
* ``on_error(exc)`` runs on the GUI thread when ``fn`` raised (see below);
* ``key``: a newer operation with the same key *supersedes* an older one that
  has not delivered yet. A superseded operation that has not started is never
  run; one that is already running finishes, and its result is dropped.
  Search-as-you-type uses this so that stale results never arrive.
* ``drain``: called in the worker thread right after ``fn``; it returns what
  ``fn`` changed (a :class:`~trefas_app.domain.changes.Changed` the units of
  work collected). After ``on_done`` (or ``on_error``) the worker emits it on
  :attr:`Worker.dataChanged`, so screens refresh only what they show. A save
  refused because someone saved first (``ChangedMeanwhile``) adds the record
  it names (``stale``): the screens showing it reload the newer version.

Errors:

* :class:`~trefas_app.domain.errors.TrefasError` (a message meant for a
  person): without ``on_error`` the worker shows ``error.message(lang)`` in a
  short dialog; with ``on_error`` the callback alone decides what to show.
* anything else is a bug: the worker always writes the exception *type and
  stack* to the application log — never its message, which may quote SQL
  parameters, i.e. case content — and shows a calm sentence. ``on_error`` (if
  given) is then called as well, so that the caller can re-enable its buttons.

Every operation carries the *generation* of the session it was submitted in;
:meth:`Worker.cancel_all` (called when the window locks) bumps it, so nothing
queued before a lock can deliver data after it.
"""

from __future__ import annotations

import itertools
import logging
import queue
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal

from trefas_app.domain.errors import ChangedMeanwhile, TrefasError

log = logging.getLogger("trefas.ui")

UNEXPECTED_SV = "Något gick fel. Ingenting har sparats. Felet har loggats."
UNEXPECTED_EN = "Something went wrong. Nothing was saved. The error has been logged."


def unexpected_message(lang: str = "sv") -> str:
    return UNEXPECTED_SV if lang == "sv" else UNEXPECTED_EN


def log_unexpected(name: str, exc: BaseException) -> None:
    """Log a bug without its message: type names and the stack (file, line,
    function) only — no message, no source text, no local values.

    Exception messages of the database layer quote SQL parameters (names,
    numbers, note text), so they must never reach a plain-text log."""
    chain = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        frames = traceback.extract_tb(current.__traceback__)
        chain.append(f"{type(current).__module__}.{type(current).__qualname__}\n"
                     + "".join(f"  {f.filename}:{f.lineno} in {f.name}\n" for f in frames))
        current = current.__cause__ or current.__context__
    log.error("Unexpected error in operation %s:\n%s", name, "\n-- caused by --\n".join(chain))


@dataclass(eq=False)
class Operation:
    """One queued call. ``cancelled`` is set by the GUI thread only."""

    seq: int
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    key: str | None
    generation: int
    cancelled: bool = False
    name: str = field(default="")
    drain: Callable[[], Any] | None = None

    def cancel(self) -> None:
        """Never run it if it has not started; drop its result if it has."""
        self.cancelled = True

    def __post_init__(self) -> None:
        if not self.name:
            self.name = getattr(self.fn, "__qualname__", None) or repr(self.fn)


class _Thread(QThread):
    """Runs operations from the queue one at a time, in order."""

    def __init__(self, worker: "Worker"):
        super().__init__()
        self.setObjectName("trefas-worker")
        self._worker = worker

    def run(self) -> None:  # noqa: D401 — QThread API
        q = self._worker._queue
        while True:
            op = q.get()
            if op is None:
                return
            if op.cancelled:  # superseded or locked before it started
                self._worker._finished.emit(op, False, None, None)
                continue
            try:
                result = op.fn(*op.args, **op.kwargs)
            except BaseException as exc:  # noqa: BLE001 — delivered to the GUI thread
                self._worker._finished.emit(op, False, exc, self._drain(op))
            else:
                self._worker._finished.emit(op, True, result, self._drain(op))

    @staticmethod
    def _drain(op: Operation) -> Any:
        """What the operation changed (even when it failed after a commit)."""
        if op.drain is None:
            return None
        try:
            return op.drain()
        except Exception as exc:  # noqa: BLE001 — a bug, but the result still arrives
            log_unexpected(f"{op.name} (changes)", exc)
            return None


class Worker(QObject):
    """The single background worker. Create it on the GUI thread."""

    #: True while operations are queued or running (for a busy indicator).
    busyChanged = Signal(bool)
    #: An error was shown to the user (text); tests and the status bar listen.
    errorShown = Signal(str)
    #: What an operation changed (a ``Changed``), after its callbacks ran.
    dataChanged = Signal(object)
    #: An operation of the current session raised (the exception), after its
    #: callbacks: the context tells a lost server connection from the rest.
    failed = Signal(object)

    _finished = Signal(object, bool, object, object)

    def __init__(self, parent: QObject | None = None,
                 show_error: Callable[[str, bool], None] | None = None,
                 language: Callable[[], str] = lambda: "sv"):
        super().__init__(parent)
        self._queue: "queue.SimpleQueue[Operation | None]" = queue.SimpleQueue()
        self._seq = itertools.count(1)
        self._latest: dict[str, Operation] = {}
        self._pending: set[Operation] = set()
        self._generation = 0
        self._show_error = show_error
        self._language = language
        self._closed = False
        self._finished.connect(self._deliver)
        self._thread = _Thread(self)
        self._thread.start()

    # -- submitting --------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self._generation

    def submit(self, fn: Callable[..., Any], *args, on_done=None, on_error=None,
               key: str | None = None, drain: Callable[[], Any] | None = None,
               **kwargs) -> Operation:
        op = Operation(next(self._seq), fn, args, kwargs, on_done, on_error, key,
                       self._generation, drain=drain)
        if key is not None:
            older = self._latest.get(key)
            if older is not None:
                older.cancelled = True
            self._latest[key] = op
        was_idle = not self._pending
        self._pending.add(op)
        self._queue.put(op)
        if was_idle:
            self.busyChanged.emit(True)
        return op

    def cancel_all(self) -> int:
        """Drop every operation not yet delivered (the window is locking).

        Running work finishes in the thread, but its result is discarded.
        Returns the new generation."""
        self._generation += 1
        for op in list(self._pending):
            op.cancelled = True
        self._latest.clear()
        return self._generation

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Run what is queued (a final log-out, say), deliver nothing more, and
        stop the thread. Call :meth:`cancel_all` first to skip queued work."""
        self._closed = True
        self._queue.put(None)
        return self._thread.wait(timeout_ms)

    # -- delivering (GUI thread) ---------------------------------------------------

    def _deliver(self, op: Operation, ok: bool, value: Any, changed: Any) -> None:
        self._pending.discard(op)
        if op.key is not None and self._latest.get(op.key) is op:
            del self._latest[op.key]
        try:
            if op.cancelled or op.generation != self._generation or self._closed:
                if not ok and value is not None and not isinstance(value, TrefasError):
                    log_unexpected(op.name, value)  # a bug stays a bug, even if stale
                return
            if not ok and isinstance(value, ChangedMeanwhile) and value.stale:
                # Refused because someone saved first (ChangedMeanwhile): the
                # screens showing that record reload, to show the newer version.
                changed = changed | value.stale if changed else value.stale
            try:
                if ok:
                    if op.on_done is not None:
                        op.on_done(value)
                else:
                    self._handle_error(op, value)
            finally:
                if changed:
                    self.dataChanged.emit(changed)
        except Exception as exc:  # noqa: BLE001 — a bug in a GUI callback
            log_unexpected(f"{op.name} (callback)", exc)
            self._notify(unexpected_message(self._language()), True)
        finally:
            if not self._pending:
                self.busyChanged.emit(False)

    def _handle_error(self, op: Operation, exc: BaseException) -> None:
        from trefas_app.store.engine import translate_os_error

        exc = translate_os_error(exc) or exc  # a full disk is not a bug
        try:
            self._report(op, exc)
        finally:
            self.failed.emit(exc)

    def _report(self, op: Operation, exc: BaseException) -> None:
        if isinstance(exc, TrefasError):
            if op.on_error is not None:
                op.on_error(exc)
            else:
                self._notify(exc.message(self._language()), False)
            return
        log_unexpected(op.name, exc)
        self._notify(unexpected_message(self._language()), True)
        if op.on_error is not None:
            op.on_error(exc)

    def _notify(self, text: str, unexpected: bool) -> None:
        self.errorShown.emit(text)
        if self._show_error is not None:
            self._show_error(text, unexpected)
