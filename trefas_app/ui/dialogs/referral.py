"""SIG referrals: register one on a case, and move one along its lifecycle.

Only the state changes the service says this user may make now
(``ReferralView.next_states``: lifecycle × permission × ownership) are
offered; closing needs a closure reason, a decision may carry a comment."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from trefas_app.domain.enums import Agency, ReferralClosure, ReferralState
from trefas_app.services import referrals
from trefas_app.services.views_casework import ReferralView
from trefas_app.ui.common import combo_enum, enum_label, fmt_date, muted
from trefas_app.ui.dialogs.base import ServiceDialog, problem_list, text_problem
from trefas_app.ui.widgets.fields import enum_combo, refill_enum, text_area

MAX_TEXT = referrals.MAX_TEXT


class ReferralDialog(ServiceDialog):
    """Aktualisera ett ärende till SIG."""

    def __init__(self, ctx, parent: QWidget | None, case_id: int, case_number: str = ""):
        super().__init__(ctx, parent, title=self.tr("Aktualisera till SIG"),
                         ok_text=self.tr("Aktualisera"), name="referralDialog", width=520)
        self.case_id = case_id
        if case_number:
            self.body.insertWidget(0, muted(self.tr("Ärende {number}").format(
                number=case_number), self))
        self.source_combo = QComboBox(self)
        self.source_combo.setObjectName("sourceAgency")
        own = ctx.actor.agency if ctx.actor else Agency.CITY
        # Social services run SIG and may register on behalf of any agency;
        # the police and probation refer on their own behalf only.
        agencies = list(Agency) if own == referrals.SIG_AGENCY else [own]
        for agency in agencies:
            self.source_combo.addItem(enum_label(agency, ctx.lang), agency)
        self.source_combo.setCurrentIndex(agencies.index(own))
        self.reason_edit = text_area(self, "reason")
        self.reason_edit.setMinimumHeight(140)
        self.reason_edit.setPlaceholderText(self.tr(
            "Varför behöver personen stöd från sociala insatsgrupper?"))
        self.form.addRow(self.tr("Aktualiseras av"), self.source_combo)
        self.form.addRow(self.tr("Skäl *"), self.reason_edit)
        self.reason_edit.textChanged.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        return problem_list(text_problem(
            self.reason_edit.toPlainText().strip(), self.tr("Ange skälet till aktualiseringen."),
            self.tr("Texten är för lång (högst 20 000 tecken)."), MAX_TEXT))

    def submit(self) -> None:
        self.run(referrals.create_referral, self.case_id, self.reason_edit.toPlainText().strip(),
                 combo_enum(self.source_combo, Agency))


class ReferralStateDialog(ServiceDialog):
    """Ändra status för en aktualisering: bara tillåtna steg erbjuds."""

    def __init__(self, ctx, parent: QWidget | None, referral: ReferralView):
        super().__init__(ctx, parent, title=self.tr("Ändra status – SIG-aktualisering"),
                         ok_text=self.tr("Ändra status"), name="referralStateDialog", width=540)
        lang = ctx.lang
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.body.insertWidget(0, self.info)
        self.details = muted("", self)
        self.details.setObjectName("referralReason")
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.body.insertWidget(1, self.details)

        self.state_combo = enum_combo(self, "toState", (), lang,
                                      placeholder=self.tr("Välj ny status"))
        self.closure_combo = enum_combo(self, "closure", ReferralClosure, lang,
                                        placeholder=self.tr("Välj avslutsorsak"))
        self.note_edit = text_area(self, "note")
        self.note_edit.setFixedHeight(90)
        self.form.addRow(self.tr("Ny status *"), self.state_combo)
        self.form.addRow(self.tr("Avslutsorsak *"), self.closure_combo)
        self.form.addRow(self.tr("Kommentar"), self.note_edit)
        self.none_note = muted("", self)
        self.body.addWidget(self.none_note)
        self.reopened(referral)
        self.version = referral.version
        self.state_combo.currentIndexChanged.connect(self._state_changed)
        self.watch(self.closure_combo, self.note_edit)
        self._state_changed()
        self.mark_clean()

    def read_again(self):
        return referrals.get_referral, (self.referral.id,)

    def reopened(self, referral: ReferralView) -> None:
        """The referral as saved (opening the dialog, and "Öppna igen"): its
        state, who decided, and the steps it may take now."""
        self.referral = referral
        lang = self.ctx.lang
        self.info.setText(
            self.tr("{number} · {person} · mottagen {date}\nNuvarande status: {state}")
            .format(number=referral.case_number, person=referral.person_name,
                    date=fmt_date(referral.received_at), state=enum_label(referral.state, lang)))
        details = [self.tr("Aktualiserad av {agency}, registrerad av {who}.").format(
            agency=enum_label(referral.source_agency, lang), who=referral.created_by)]
        if referral.decided_at:
            details.append(self.tr("Beslut {date} av {who}.").format(
                date=fmt_date(referral.decided_at), who=referral.decided_by or ""))
        self.details.setText(" ".join(details) + "\n" + self.tr("Skäl: {text}").format(
            text=referral.reason))
        refill_enum(self.state_combo, referral.next_states, lang)
        self.state_combo.setEnabled(bool(referral.next_states))
        self.none_note.setText("" if referral.next_states else self.tr(
            "Du kan inte ändra status för den här aktualiseringen: den är avslutad, "
            "ärendet är stängt, eller så handläggs den av socialtjänsten."))
        self.none_note.setVisible(not referral.next_states)

    def target(self) -> ReferralState | None:
        return combo_enum(self.state_combo, ReferralState)

    def _state_changed(self, *_a) -> None:
        closing = self.target() == ReferralState.CLOSED
        self.form.setRowVisible(self.closure_combo, closing)
        decision = self.target() in (ReferralState.GRANTED, ReferralState.DECLINED)
        self.form.labelForField(self.note_edit).setText(
            self.tr("Beslutsmotivering") if decision else self.tr("Kommentar"))
        self.revalidate()

    def problems(self) -> list[str]:
        problems = []
        target = self.target()
        if target is None:
            problems.append(self.tr("Välj den nya statusen."))
        elif target == ReferralState.CLOSED and self.closure_combo.currentData() is None:
            problems.append(self.tr("Ange varför aktualiseringen avslutas."))
        if len(self.note_edit.toPlainText()) > MAX_TEXT:
            problems.append(self.tr("Kommentaren är för lång (högst 20 000 tecken)."))
        return problems

    def submit(self) -> None:
        target = self.target()
        closure = (combo_enum(self.closure_combo, ReferralClosure) if target == ReferralState.CLOSED
                   else None)
        note = self.note_edit.toPlainText().strip() or None
        self.run(referrals.move_referral, self.referral.id, target, closure, note,
                 expected_version=self.version)
