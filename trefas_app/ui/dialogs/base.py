"""The base of every dialog that saves something through a service.

A dialog:

* builds its fields in ``__init__`` into ``self.form`` (a QFormLayout) or any
  layout placed in ``self.body``;
* validates as the user types: :meth:`problems` returns the sentences that
  still stop saving; connect every field's change signal to :meth:`revalidate`;
  the OK button is enabled only when there are none;
* saves in :meth:`submit` by calling :meth:`run` (a service through the
  worker); on success the dialog emits ``succeeded(result)`` and closes; a
  refused save (a TrefasError) shows its sentence inside the dialog and keeps
  every field as typed;
* never loses typed text by mistake: :meth:`is_dirty` (default: any field
  changed since :meth:`mark_clean`) makes Cancel/Escape/closing ask first;
* editing a record others may save meanwhile (issue 13), holds the version
  it opened in :attr:`version` and passes it to the service
  (``expected_version``); when someone saved first, the refusal ("Planen
  ändrades av … kl. 14:02 – din ändring har inte sparats; öppna igen") is
  shown with the text kept, and "Öppna igen" reads the record anew
  (:meth:`read_again`) and shows it as saved now (:meth:`reopened`).

Open dialogs with ``dlg.open()`` (window-modal, non-blocking), never ``exec()``.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAccessible, QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.errors import ChangedMeanwhile, TrefasError
from trefas_app.ui import accessibility, common
from trefas_app.ui.accessibility import TunedOnShow


# The signal ServiceDialog.watch connects: the first of these a field has.
_CHANGE_SIGNALS = ("changed", "textChanged", "currentIndexChanged", "toggled")


class ServiceDialog(TunedOnShow, QDialog):
    succeeded = Signal(object)

    def __init__(self, ctx, parent: QWidget | None = None, title: str = "",
                 ok_text: str | None = None, name: str = "", width: int = 0):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title or "Trefas")
        if name:  # the tests and the accessibility tree find the dialog by it
            self.setObjectName(name)
        if width:
            self.setMinimumWidth(width)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.result_value: Any = None
        self._busy = False
        self._clean_state: tuple | None = None

        outer = QVBoxLayout(self)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.body.addLayout(self.form)

        self.problem_label = field_error_label(self)  # a refused save's sentence
        outer.addWidget(self.problem_label)

        # Why Save is greyed out, as text a keyboard and a screen reader reach
        # (a disabled button's tooltip is reachable by neither).
        self.todo_label = QLabel(self)
        self.todo_label.setObjectName("todoLabel")
        self.todo_label.setProperty("role", "muted")
        self.todo_label.setWordWrap(True)
        self.todo_label.setTextFormat(Qt.TextFormat.PlainText)
        self.todo_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.todo_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # after the flags: they reset it
        self.todo_label.setProperty("focusRing", True)
        self.todo_label.hide()
        self._todo: list[str] = []
        outer.addWidget(self.todo_label)

        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(ok_text or self.tr("Spara"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(self.tr("Avbryt"),
                                                    QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        # Offered only after a save was refused because someone saved first.
        self.reopen_button = self.buttons.addButton(self.tr("Öppna igen"),
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.reopen_button.setObjectName("reopen")
        self.reopen_button.hide()
        self.reopen_button.clicked.connect(self._reopen)
        # The version of the edited record as this dialog read it (None: the
        # dialog does not change an existing versioned record).
        self.version: int | None = None
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    # -- to override -------------------------------------------------------------

    def problems(self) -> list[str]:
        """Sentences that stop saving (shown under the fields); [] when valid."""
        return []

    def submit(self) -> None:
        """Save: call ``self.run(service, *args)``."""
        raise NotImplementedError

    def is_dirty(self) -> bool:
        return self._clean_state is not None and self._snapshot() != self._clean_state

    def read_again(self) -> tuple[Callable[..., Any], tuple] | None:
        """The read service and its arguments that fetch the edited record
        anew (for "Öppna igen"); None where the dialog edits no such record."""
        return None

    def reopened(self, view: Any) -> None:
        """Show ``view``, the record as saved now (fields, what it says about
        the record). The base has already taken its version (a dialog whose
        record is a part of ``view`` sets :attr:`version` itself)."""

    # -- building ------------------------------------------------------------------

    def watch(self, *fields: QWidget) -> None:
        """Revalidate whenever one of ``fields`` changes: a field of our own
        emits ``changed``; Qt's inputs emit their usual change signal."""
        for field in fields:
            for name in _CHANGE_SIGNALS:
                signal = getattr(field, name, None)
                if signal is not None:
                    signal.connect(self.revalidate)
                    break
            else:
                raise TypeError(f"no change signal on {type(field).__name__}")

    # -- validation ----------------------------------------------------------------

    def revalidate(self, *_ignored) -> bool:
        problems = self.problems()
        self.ok_button.setEnabled(not problems and not self._busy)
        self.ok_button.setToolTip("\n".join(problems))
        self._show_todo(problems)
        return not problems

    def _show_todo(self, problems: list[str]) -> None:
        if problems == self._todo:
            return
        new = [p for p in problems if p not in self._todo]
        self._todo = list(problems)
        text = (self.tr("Innan du kan spara:") + "\n" + "\n".join(f"• {p}" for p in problems)
                ) if problems else ""
        self.todo_label.setText(text)
        self.todo_label.setAccessibleName(text)
        self.todo_label.setVisible(bool(problems))
        self.ok_button.setAccessibleDescription(" ".join(problems))
        accessibility.changed(self.todo_label)
        if new and self.isVisible():
            accessibility.announce(self.todo_label, " ".join(new))

    def show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))
        if text:
            accessibility.announce(self.problem_label, text)

    # -- saving -----------------------------------------------------------------------

    def _on_ok(self) -> None:
        if self._busy or not self.revalidate():
            return
        self.show_problem("")
        self.submit()

    def run(self, service: Callable[..., Any], *args,
            on_done: Callable[[Any], None] | None = None, **kwargs) -> None:
        """Run a service for this dialog: busy while it runs; success closes
        the dialog (after ``on_done``, if given); a refusal shows inline."""
        self.set_busy(True)
        op = self.ctx.run(service, *args, on_done=self._succeeded(on_done),
                          on_error=self._failed, **kwargs)
        if op is None:  # locked meanwhile
            self.set_busy(False)

    def run_on_store(self, fn: Callable[..., Any], *args,
                     on_done: Callable[[Any], None] | None = None) -> None:
        """Like :meth:`run` for functions that take the session itself
        (``fn(store, *args)``): the administrator's work without the key."""
        self.set_busy(True)
        self.ctx.run_plain(fn, self.ctx.store, *args, on_done=self._succeeded(on_done),
                           on_error=self._failed)

    def _succeeded(self, on_done: Callable[[Any], None] | None) -> Callable[[Any], None]:
        """What a successful run does: ``on_done``, then close with ``succeeded``."""

        def done(result):
            self.set_busy(False)
            self.result_value = result
            if on_done is not None:
                on_done(result)
            self.mark_clean()
            self.succeeded.emit(result)
            self.accept()

        return done

    def _failed(self, exc: BaseException) -> None:
        from trefas_app.store.live_changes import server_unavailable

        self.set_busy(False)
        if server_unavailable(exc):  # server mode: the text stays, saving again works
            self.show_problem(self.tr("Servern går inte att nå. Ingenting har sparats, och det "
                                      "du har skrivit finns kvar här. Spara igen när "
                                      "förbindelsen är tillbaka."))
        elif isinstance(exc, TrefasError):
            self.show_problem(exc.message(self.ctx.lang))
            self.reopen_button.setVisible(isinstance(exc, ChangedMeanwhile)
                                          and self.read_again() is not None)
        # Anything else was already logged and reported calmly by the worker.

    def _reopen(self) -> None:
        """"Öppna igen": the record as saved now replaces what this dialog
        shows — after asking, when the user's own text would go."""
        if self.is_dirty() and not common.confirm(
                self, self.tr("Det du har skrivit ersätts av det som är sparat nu. "
                              "Öppna igen ändå?"),
                self.tr("Öppna igen"), self.tr("Fortsätt skriva")):
            return
        service, args = self.read_again()
        self.set_busy(True)
        if self.ctx.run(service, *args, on_done=self._show_reopened,
                        on_error=self._failed) is None:
            self.set_busy(False)

    def _show_reopened(self, view: Any) -> None:
        self.set_busy(False)
        self.version = getattr(view, "version", None)  # reopened() may say better
        self.reopened(view)
        self.reopen_button.hide()
        self.show_problem("")
        self.mark_clean()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy and not self.problems())
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # -- not losing text ----------------------------------------------------------

    def _fields(self) -> list[QWidget]:
        inputs = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QCheckBox, QDateEdit, QSpinBox)
        return [w for w in self.findChildren(QWidget) if isinstance(w, inputs)]

    def _snapshot(self) -> tuple:
        values = []
        for w in self._fields():
            if isinstance(w, QLineEdit):
                values.append(w.text())
            elif isinstance(w, (QPlainTextEdit, QTextEdit)):
                values.append(w.toPlainText())
            elif isinstance(w, QComboBox):
                values.append(w.currentIndex())
            elif isinstance(w, QCheckBox):
                values.append(w.isChecked())
            elif isinstance(w, QDateEdit):
                values.append(w.date().toJulianDay())
            elif isinstance(w, QSpinBox):
                values.append(w.value())
        return tuple(values)

    def mark_clean(self) -> None:
        """Call at the end of ``__init__``, once the fields hold their start values."""
        self._clean_state = self._snapshot()
        self.revalidate()

    def reject(self) -> None:
        if self.is_dirty() and not common.confirm(
                self, self.tr("Du har ändringar som inte är sparade. Vill du stänga ändå? "
                              "Det du har skrivit försvinner."),
                self.tr("Stäng utan att spara"), self.tr("Fortsätt skriva")):
            return
        self.mark_clean()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 — Qt API
        if self.is_dirty() and not common.confirm(
                self, self.tr("Du har ändringar som inte är sparade. Vill du stänga ändå? "
                              "Det du har skrivit försvinner."),
                self.tr("Stäng utan att spara"), self.tr("Fortsätt skriva")):
            event.ignore()
            return
        super().closeEvent(event)


def field_error_label(parent: QWidget | None = None, field: QWidget | None = None) -> QLabel:
    """The red sentence under a field (empty and hidden while the field is fine).
    The sentence is also the field's accessible description, so a screen
    reader says it when the field has the focus: ``field``, or the input laid
    out right before the label."""
    lbl = QLabel(parent)
    if field is not None:
        lbl.a11y_field = field
    lbl.setProperty("role", "field-error")
    lbl.setWordWrap(True)
    lbl.setTextFormat(Qt.TextFormat.PlainText)
    lbl.hide()
    return lbl


def text_problem(text: str, missing: str, too_long: str, limit: int) -> str:
    """The sentence for a required text: ``missing`` when empty, ``too_long``
    past ``limit`` characters, else ""."""
    if not text:
        return missing
    return too_long if len(text) > limit else ""


def problem_list(*texts: str) -> list[str]:
    """The sentences among ``texts`` that are not "" (for :meth:`ServiceDialog.problems`)."""
    return [t for t in texts if t]


def field_problems(lbl: QLabel, text: str) -> list[str]:
    """For a dialog with one check: show ``text`` under its field (or clear
    it) and return the problems, ``[text]`` or ``[]``."""
    set_field_error(lbl, text)
    return problem_list(text)


def note_problem(problems: list[str], text: str, lbl: QLabel | None = None) -> None:
    """Count ``text`` (when not "") among the sentences that stop saving; with
    ``lbl``, also show it (or clear it) under its field."""
    if lbl is not None:
        set_field_error(lbl, text)
    if text:
        problems.append(text)


def set_field_error(lbl: QLabel, text: str) -> None:
    if text == lbl.text():
        return
    lbl.setText(text)
    lbl.setVisible(bool(text))
    field = getattr(lbl, "a11y_field", None) or accessibility.field_before(lbl)
    if field is not None:
        if field.property("a11yDescription") is None:  # e.g. "Måste fyllas i"
            field.setProperty("a11yDescription", field.accessibleDescription())
        field.setAccessibleDescription(text or field.property("a11yDescription"))
        accessibility.changed(field, QAccessible.Event.DescriptionChanged)
    if text:
        accessibility.announce(lbl, text)
