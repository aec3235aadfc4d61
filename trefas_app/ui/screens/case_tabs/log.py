"""Logg (case tab, supervisors): who of any agency read or changed this case,
newest first, from the access log — identifiers only, filtered by the kind
of event."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QTableView, QVBoxLayout

from trefas_app.domain.changes import CASE_KINDS
from trefas_app.services import audit_log
from trefas_app.ui import accessibility
from trefas_app.ui.common import fmt_count, muted
from trefas_app.ui.screens.auditlog import ACTION_FILTERS, log_colour, log_columns
from trefas_app.ui.screens.base import BaseTab
from trefas_app.ui.widgets.parts import ColouredModel, configure_view, open_screen, push_button
from trefas_app.ui.widgets.fields import choice_combo

PAGE = 200


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 4, 4)
        row = QHBoxLayout()
        row.addWidget(muted(self.tr("Alla som har läst eller ändrat i ärendet, oavsett "
                                    "myndighet. Granskningen loggas."), self), 1)
        self.action_combo = choice_combo(self, "actionFilter", self.tr("Händelsetyp"))
        for sv, en, value in ACTION_FILTERS:
            self.action_combo.addItem(sv if ctx.lang == "sv" else en, value)
        self.action_combo.currentIndexChanged.connect(self._filter_changed)
        row.addWidget(self.action_combo)
        self.full_button = push_button(self, self.tr("Öppna i Logg"), "openInLog", self.open_in_log)
        row.addWidget(self.full_button)
        lay.addLayout(row)
        self.model = ColouredModel(self._loader, log_columns(self.tr, ctx.lang), params="",
                                   colour=log_colour, parent=self)
        self.table = QTableView(self)
        self.table.setObjectName("caseLog")
        self.table.setModel(self.model)
        configure_view(self.table)
        accessibility.fit_columns(self.table, [130, 130, 120, 220, 80, 80, 110])
        lay.addWidget(self.table, 1)
        self.count = muted("", self)
        self.count.setObjectName("logCount")
        lay.addWidget(self.count)
        self.model.pageLoaded.connect(self._loaded)
        self.model.loadFailed.connect(
            lambda exc: self.count.setText(self.ctx.error_text(exc)) if exc else None)

    def case_watches(self, case) -> tuple:
        # Anything written about the case puts entries in its log.
        return (*((kind, case.id) for kind in CASE_KINDS), ("persons", case.person.id),
                ("consents", case.person.id), "incidents", "meetings", "documents")

    def _loader(self, action, offset, limit, on_page, on_error):
        if self.case is None:
            on_error(None)
            return
        if self.ctx.run(audit_log.show_log, case_id=self.case.id, action=action or None,
                        offset=offset, limit=limit, on_done=on_page, on_error=on_error,
                        key=f"case_log.{self.case.id}") is None:
            on_error(None)

    def reload(self) -> None:
        if self.case is not None:
            self.model.set_params(self.action_combo.currentData() or "")

    def _filter_changed(self, *_a) -> None:
        action = self.action_combo.currentData() or ""
        if action != self.model.params:
            self.model.set_params(action)

    def _loaded(self, _page=None) -> None:
        n = self.model.total or 0
        self.count.setText(self.tr("{n} poster").format(n=fmt_count(n, self.ctx.lang))
                           if n != 1 else self.tr("1 post"))

    def open_in_log(self) -> None:
        if self.case is not None:
            open_screen(self, self.ctx, "auditlog", {"tab": 0, "case": self.case.number,
                                                     "action": self.model.params})

    def clear(self) -> None:
        self.case = None
        self.model.clear()
        self.count.clear()

    def state(self) -> dict:
        return {"action": self.model.params}

    def restore(self, state: dict) -> None:
        action = state.get("action") or ""
        self.action_combo.blockSignals(True)
        self.action_combo.setCurrentIndex(max(0, self.action_combo.findData(action)))
        self.action_combo.blockSignals(False)
