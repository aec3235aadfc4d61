"""The only screen of an account that waits for confirmation: who must
confirm it, and nothing else (the session holds no key)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from trefas_app.ui.common import heading, muted
from trefas_app.ui.screens.base import BaseScreen


class Screen(BaseScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Väntar på bekräftelse")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.addWidget(heading(self.tr("Väntar på bekräftelse"), self))
        self.message = QLabel(self)
        self.message.setObjectName("waitingMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        lay.addWidget(muted(self.tr(
            "Ditt lösenord är valt. Innan kontot når något ärendeinnehåll måste en "
            "arbetsledare i din myndighet bekräfta det. Be hen göra det under ”Bekräfta "
            "konto” och logga sedan in igen."), self))
        lay.addStretch(1)

    def reload(self) -> None:
        store = self.ctx.store
        names = store.waiting_for() if store is not None and hasattr(store, "waiting_for") \
            else []
        who = ", ".join(names) if names else self.tr("en arbetsledare i din myndighet")
        self.message.setText(self.tr("Ditt konto väntar på bekräftelse från {who}.").format(
            who=who))
