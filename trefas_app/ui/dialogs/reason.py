"""A dialog that asks for a reason and then runs one service with it:
withdrawing a consent, requesting closure, revealing an identity, …"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QLabel, QWidget

from trefas_app.domain.text import visible_length
from trefas_app.ui.common import muted
from trefas_app.ui.dialogs.base import ServiceDialog
from trefas_app.ui.widgets.fields import text_area


class ReasonDialog(ServiceDialog):
    """Runs ``service(uow, actor, *args, reason)`` (the reason last), or
    ``service(uow, actor, *args, **{reason_kw: reason})`` when ``reason_kw``.

    For a change of a versioned record, ``record`` is the view it was read as
    and ``read_service`` reads it anew: the service then gets
    ``expected_version`` and a refusal offers "Öppna igen"."""

    def __init__(self, ctx, parent: QWidget | None, *, title: str, prompt: str,
                 service: Callable[..., Any], args: tuple = (), min_chars: int = 1,
                 ok_text: str | None = None, explanation: str = "",
                 reason_kw: str | None = None, record: Any = None,
                 read_service: Callable[..., Any] | None = None):
        super().__init__(ctx, parent, title=title, ok_text=ok_text, name="reasonDialog", width=480)
        self._service, self._args = service, args
        self._record, self._read_service = record, read_service
        if record is not None:
            self.version = record.version
        self._min = min_chars
        self._reason_kw = reason_kw
        if explanation:
            self.body.insertWidget(0, muted(explanation, self))
        self.reason_edit = text_area(self, "reason", "state_changes.reason")
        self.reason_edit.setFixedHeight(90)
        self.reason_edit.textChanged.connect(self.revalidate)
        self.counter = QLabel(self)
        self.counter.setProperty("role", "muted")
        self.form.addRow(prompt, self.reason_edit)
        self.form.addRow("", self.counter)
        self.mark_clean()

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def problems(self) -> list[str]:
        n = visible_length(self.reason())
        if self._min > 1:
            self.counter.setText(self.tr("{n} av minst {m} tecken").format(n=n, m=self._min))
        if n < self._min:
            if self._min > 1:
                return [self.tr("Skälet behöver minst {m} tecken.").format(m=self._min)]
            return [self.tr("Ange ett skäl.")]
        return []

    def submit(self) -> None:
        versioned = {} if self.version is None else {"expected_version": self.version}
        if self._reason_kw:
            self.run(self._service, *self._args, **{self._reason_kw: self.reason()}, **versioned)
        else:
            self.run(self._service, *self._args, self.reason(), **versioned)

    def read_again(self):
        if self._record is None or self._read_service is None:
            return None
        return self._read_service, (self._record.id,)

    def reopened(self, record: Any) -> None:
        self._record = record
