"""The only screen of an account that waits for confirmation: who must
confirm it, and the fingerprint of the person's own key, which they read out
to the supervisor who confirms (the session holds no key)."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
        lay.addWidget(muted(self.tr(
            "Läs upp fingeravtrycket nedan för den som bekräftar kontot, i person eller per "
            "telefon. Hen skriver in det, och kontot bekräftas bara om det stämmer med din "
            "nyckel."), self))
        self.fingerprint = QLabel(self)
        self.fingerprint.setObjectName("keyFingerprint")
        self.fingerprint.setAccessibleName(self.tr("Din nyckels fingeravtryck"))
        self.fingerprint.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.fingerprint.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.fingerprint.setStyleSheet("font-size: 150%; font-family: monospace;")
        lay.addWidget(self.fingerprint)
        lay.addStretch(1)

    def reload(self) -> None:
        store = self.ctx.store
        names = store.waiting_for() if store is not None and hasattr(store, "waiting_for") \
            else []
        who = ", ".join(names) if names else self.tr("en arbetsledare i din myndighet")
        self.message.setText(self.tr("Ditt konto väntar på bekräftelse från {who}.").format(
            who=who))
        fingerprint = getattr(store, "key_fingerprint", "") if store is not None else ""
        self.fingerprint.setText(self.tr("Din nyckels fingeravtryck: {fingerprint}").format(
            fingerprint=fingerprint) if fingerprint else "")
