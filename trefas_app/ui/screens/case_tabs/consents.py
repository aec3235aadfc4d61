"""Samtycken: the case person's consents (see ui/consent_panel.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout

from trefas_app.ui.consent_panel import ConsentPanel
from trefas_app.ui.screens.base import BaseTab


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 4, 4)
        self.panel = ConsentPanel(ctx, self)
        lay.addWidget(self.panel)

    def case_watches(self, case) -> tuple:
        return ()  # the panel listens to consents:<person_id> itself

    def set_case(self, case) -> None:
        self.case = case
        self.panel.set_person(case.person, case.id, writable=not case.read_only,
                              owner=case.owner_agency)

    def clear(self) -> None:
        self.case = None
        self.panel.clear()
