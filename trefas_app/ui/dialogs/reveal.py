"""Reveal a protected person's identity: a reason (at least 10 characters),
logged; the identity shows for an hour, under an amber banner."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from trefas_app.services import persons
from trefas_app.ui.dialogs.reason import ReasonDialog


class RevealIdentityDialog(ReasonDialog):
    def __init__(self, ctx, parent: QWidget | None, person_id: int, alias: str):
        super().__init__(
            ctx, parent, title=self.tr("Visa skyddad identitet"),
            prompt=self.tr("Skäl *"), service=persons.reveal_identity, args=(person_id,),
            min_chars=10, ok_text=self.tr("Visa identiteten"),
            explanation=self.tr(
                "{alias} har skyddade personuppgifter. Namn, personnummer och adress visas "
                "för dig i en timme efter att du angett ett skäl. Visningen loggas och kan "
                "granskas av din chef.").format(alias=alias))
        self.setObjectName("revealDialog")
