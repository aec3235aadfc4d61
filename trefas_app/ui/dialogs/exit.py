"""The exit programme (avhopparverksamhet): request support, record the first
contact, write the agreement, move the programme on (only the allowed steps;
ending needs a reason), and the rules each step has, checked as you type."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QWidget

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, ExitEnding, ExitState
from trefas_app.services import exits
from trefas_app.services.views_casework import ExitView
from trefas_app.ui.common import (
    category_short,
    combo_enum,
    enum_label,
    fmt_date,
    fmt_datetime,
    local,
    muted,
)
from trefas_app.ui.dialogs.base import (
    ServiceDialog,
    field_error_label,
    field_problems,
    note_problem,
    text_problem,
)
from trefas_app.ui.dialogs.task_pickers import (
    DateField,
    datetime_edit,
    local_now,
    to_datetime,
    today,
)
from trefas_app.ui.widgets.fields import enum_combo, refill_enum, text_area

MAX_TEXT = exits.MAX_TEXT


def consent_gap_text(gaps, lang: str) -> str:
    """'Polisen (identitet, hot och risk); Kriminalvården (sociala uppgifter)'."""
    by_agency: dict[Agency, list[Category]] = {}
    for agency, category in gaps:
        by_agency.setdefault(Agency(agency), []).append(Category(category))
    return "; ".join(f"{enum_label(a, lang)} ({', '.join(category_short(c, lang) for c in cats)})"
                     for a, cats in by_agency.items())


class ExitRequestDialog(ServiceDialog):
    """Begär avhopparstöd: first contact is due within 24 hours."""

    def __init__(self, ctx, parent: QWidget | None, case_id: int, case_number: str = ""):
        super().__init__(ctx, parent, title=self.tr("Begär avhopparstöd"),
                         ok_text=self.tr("Registrera förfrågan"),
                         name="exitRequestDialog", width=520)
        self.case_id = case_id
        self.body.insertWidget(0, muted(self.tr(
            "Första kontakten ska tas inom 24 timmar från förfrågan. Förfrågan syns för "
            "avhopparverksamheten direkt{case}.").format(
            case=self.tr(" (ärende {n})").format(n=case_number) if case_number else ""), self))
        self.needs_edit = text_area(self, "needs")
        self.needs_edit.setMinimumHeight(120)
        self.needs_edit.setPlaceholderText(self.tr("Behov som är kända nu (kan fyllas i senare)"))
        self.form.addRow(self.tr("Behov"), self.needs_edit)
        self.needs_edit.textChanged.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        if len(self.needs_edit.toPlainText().strip()) > MAX_TEXT:
            return [self.tr("Texten är för lång (högst 20 000 tecken).")]
        return []

    def submit(self) -> None:
        self.run(exits.request_exit, self.case_id,
                 self.needs_edit.toPlainText().strip() or None)


class _ProgrammeChange(ServiceDialog):
    """A dialog that changes the exit programme it was opened with: its
    version goes to the service, "Öppna igen" reads the programme anew."""

    programme: ExitView

    def read_again(self):
        return exits.get_exit, (self.programme.id,)

    def reopened(self, programme: ExitView) -> None:
        self.programme = programme


class FirstContactDialog(_ProgrammeChange):
    """When the first contact took place: after the request, not in the future."""

    def __init__(self, ctx, parent: QWidget | None, programme: ExitView):
        super().__init__(ctx, parent, title=self.tr("Första kontakt"),
                         ok_text=self.tr("Registrera första kontakt"),
                         name="firstContactDialog", width=460)
        self.programme, self.version = programme, programme.version
        self.body.insertWidget(0, muted(self.tr(
            "Förfrågan kom {requested}. Målet är kontakt senast {due}.").format(
            requested=fmt_datetime(programme.requested_at),
            due=fmt_datetime(programme.first_contact_due)), self))
        self.at_edit = datetime_edit(self)
        self.at_edit.setObjectName("contactAt")
        self.error = field_error_label(self)
        self.form.addRow(self.tr("Tidpunkt *"), self.at_edit)
        self.form.addRow("", self.error)
        self.at_edit.dateTimeChanged.connect(self.revalidate)
        self.mark_clean()

    def when(self) -> dt.datetime:
        return to_datetime(self.at_edit.dateTime())

    def problems(self) -> list[str]:
        at = self.when()
        text = ""
        if at > local_now() + dt.timedelta(minutes=1):
            text = self.tr("Tidpunkten ligger i framtiden.")
        elif at < local(self.programme.requested_at).replace(second=0, microsecond=0):
            text = self.tr("Första kontakten kan inte ligga före förfrågan om stöd.")
        return field_problems(self.error, text)

    def submit(self) -> None:
        at = min(self.when(), clock.now_utc())
        if at < self.programme.requested_at:
            at = self.programme.requested_at
        self.run(exits.record_first_contact, self.programme.id, at,
                 expected_version=self.version)


class AgreementDialog(_ProgrammeChange):
    """The written conditions and the signing date. Changing an approved
    agreement withdraws the approval — the dialog says so."""

    def __init__(self, ctx, parent: QWidget | None, programme: ExitView):
        super().__init__(ctx, parent, title=self.tr("Överenskommelse"),
                         ok_text=self.tr("Spara överenskommelsen"),
                         name="agreementDialog", width=600)
        self.ref_day = today()
        self.approved_note = muted(self.tr(
            "Överenskommelsen är godkänd. Ändrar du den måste den godkännas igen."), self)
        self.body.insertWidget(0, self.approved_note)
        self.conditions_edit = text_area(self, "conditions")
        self.conditions_edit.setMinimumHeight(200)
        self.signed = DateField(self, programme.agreement_signed_on, optional=True,
                                check_text=self.tr("Undertecknad"))
        self.reopened(programme)
        self.version = programme.version
        self.signed.setObjectName("signedOn")
        self.signed_error = field_error_label(self)
        self.form.addRow(self.tr("Villkor *"), self.conditions_edit)
        self.form.addRow(self.tr("Undertecknad den"), self.signed)
        self.form.addRow("", self.signed_error)
        self.watch(self.conditions_edit, self.signed)
        self.mark_clean()

    def problems(self) -> list[str]:
        problems = []
        text = self.conditions_edit.toPlainText().strip()
        note_problem(problems, text_problem(
            text, self.tr("Skriv villkoren i överenskommelsen."),
            self.tr("Texten är för lång (högst 20 000 tecken)."), MAX_TEXT))
        signed = self.signed.date()
        signed_text = ""
        if signed is not None:
            if signed > self.ref_day:
                signed_text = self.tr("Datumet för undertecknandet ligger i framtiden.")
            elif signed < local(self.programme.requested_at).date():
                signed_text = self.tr("Överenskommelsen kan inte vara undertecknad före "
                                      "förfrågan om stöd.")
        note_problem(problems, signed_text, self.signed_error)
        return problems

    def submit(self) -> None:
        self.run(exits.set_agreement, self.programme.id,
                 self.conditions_edit.toPlainText().strip(), self.signed.date(),
                 expected_version=self.version)

    def reopened(self, programme: ExitView) -> None:
        """The agreement as saved (opening the dialog, and "Öppna igen")."""
        self.programme = programme
        self.approved_note.setVisible(programme.agreement_approved_at is not None)
        self.conditions_edit.setPlainText(programme.agreement_conditions or "")
        self.signed.set_date(programme.agreement_signed_on)


class ExitMoveDialog(_ProgrammeChange):
    """Move the programme on: only ``next_states`` are offered; the rules of
    the chosen step are shown before saving."""

    def __init__(self, ctx, parent: QWidget | None, programme: ExitView,
                 target: ExitState | None = None):
        super().__init__(ctx, parent, title=self.tr("Ändra status – avhopparstöd"),
                         ok_text=self.tr("Ändra status"), name="exitMoveDialog", width=540)
        lang = ctx.lang
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.body.insertWidget(0, self.info)
        self.state_combo = enum_combo(self, "toState", (), lang,
                                      placeholder=self.tr("Välj ny status"))
        self.ending_combo = enum_combo(self, "ending", ExitEnding, lang,
                                       placeholder=self.tr("Välj avslutsorsak"))
        self.form.addRow(self.tr("Ny status *"), self.state_combo)
        self.form.addRow(self.tr("Avslutsorsak *"), self.ending_combo)
        self.rule = muted("", self)
        self.rule.setObjectName("rule")
        self.body.addWidget(self.rule)
        self.reopened(programme)
        self.version = programme.version
        if target is not None:
            i = self.state_combo.findData(target)
            if i >= 0:
                self.state_combo.setCurrentIndex(i)
        self.state_combo.currentIndexChanged.connect(self._changed)
        self.ending_combo.currentIndexChanged.connect(self.revalidate)
        self._changed()
        self.mark_clean()

    def target(self) -> ExitState | None:
        return combo_enum(self.state_combo, ExitState)

    def _changed(self, *_a) -> None:
        self.form.setRowVisible(self.ending_combo, self.target() == ExitState.ENDED)
        self.revalidate()

    def problems(self) -> list[str]:
        p = self.programme
        target = self.target()
        rule = ""
        problems: list[str] = []
        if target is None:
            problems.append(self.tr("Välj den nya statusen."))
        elif target == ExitState.ENDED:
            if self.ending_combo.currentData() is None:
                problems.append(self.tr("Ange varför avhopparstödet avslutas."))
        elif target == ExitState.FIRST_CONTACT:
            rule = self.tr("Första kontakten registreras som tagen nu.")
        elif target == ExitState.AGREEMENT and not (p.agreement_conditions or "").strip():
            problems.append(self.tr("Skriv in villkoren i överenskommelsen först."))
        elif target == ExitState.PROTECTION_SUPPORT:
            if p.agreement_approved_at is None:
                problems.append(self.tr("Överenskommelsen måste godkännas av en enhetschef "
                                        "innan skydd och stöd kan börja."))
            if p.consent_missing:
                problems.append(self.tr(
                    "Personens samtycke måste omfatta alla myndigheter. Gällande samtycke "
                    "saknas för {gaps}.").format(
                    gaps=consent_gap_text(p.consent_missing, self.ctx.lang)))
        self.rule.setText(rule)
        return problems

    def submit(self) -> None:
        target = self.target()
        ending = combo_enum(self.ending_combo, ExitEnding) if target == ExitState.ENDED else None
        self.run(exits.move_exit, self.programme.id, target, ending,
                 expected_version=self.version)

    def reopened(self, programme: ExitView) -> None:
        """The programme as saved: its state and the steps it may take now."""
        self.programme = programme
        self.info.setText(self.tr("{number} · {person}\nNuvarande status: {state}").format(
            number=programme.case_number, person=programme.person_name,
            state=enum_label(programme.state, self.ctx.lang)))
        refill_enum(self.state_combo, programme.next_states, self.ctx.lang)


def agreement_summary(p: ExitView, tr) -> str:
    if not p.agreement_conditions:
        return tr("Ingen överenskommelse skriven.")
    parts = [tr("Undertecknad {date}").format(date=fmt_date(p.agreement_signed_on))
             if p.agreement_signed_on else tr("Inte undertecknad")]
    if p.agreement_approved_at:
        parts.append(tr("godkänd {date} av {who}").format(
            date=fmt_date(p.agreement_approved_at), who=p.agreement_approved_by or ""))
    else:
        parts.append(tr("inte godkänd"))
    return ", ".join(parts)
