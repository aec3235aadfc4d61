"""Action plan / SIP: create a plan, add goals and actions per life area,
follow it up. Dates are checked as the user types (in order, not too far back
or ahead) with the same limits as the service."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from trefas_app.domain.enums import Agency, LifeArea
from trefas_app.services import plans
from trefas_app.services.views_casework import PlanView
from trefas_app.ui.common import combo_enum, enum_label, fmt_date, muted
from trefas_app.ui.dialogs.base import (
    ServiceDialog,
    field_error_label,
    field_problems,
    note_problem,
    problem_list,
    text_problem,
)
from trefas_app.ui.dialogs.task_pickers import Candidate, DateField, UserCombo, today
from trefas_app.ui.widgets.fields import enum_combo, line_edit, text_area

MAX_TEXT = plans.MAX_TEXT


def date_problem(day: dt.date | None, ref: dt.date, what: str, tr, days_back: int | None = None
                 ) -> str:
    """The service's plausibility rule for plan dates, in the dialog's words."""
    if day is None:
        return ""
    back = plans.MAX_DAYS_BACK if days_back is None else days_back
    if day < ref - dt.timedelta(days=back):
        return (tr("{what}: datumet har redan passerat.").format(what=what) if back == 0
                else tr("{what}: datumet ligger mer än ett år bakåt i tiden.").format(what=what))
    if day > ref + dt.timedelta(days=plans.MAX_DAYS_AHEAD):
        return tr("{what}: datumet ligger mer än fem år framåt i tiden.").format(what=what)
    return ""


def _agency_combo(parent, lang: str, current: Agency | None) -> QComboBox:
    combo = QComboBox(parent)
    for agency in Agency:
        combo.addItem(enum_label(agency, lang), agency)
    if current is not None:
        combo.setCurrentIndex(list(Agency).index(current))
    return combo


class _PeopleByAgency:
    """Keeps a UserCombo offering the candidates of the chosen agency."""

    def __init__(self, combo: UserCombo, agency_combo: QComboBox, candidates: list[Candidate]):
        self.combo, self.agency_combo, self.candidates = combo, agency_combo, candidates
        agency_combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self, *_a) -> None:
        agency = combo_enum(self.agency_combo, Agency)
        self.combo.set_candidates([c for c in self.candidates if c.agency == agency])


class PlanDialog(ServiceDialog):
    """Ny åtgärdsplan eller SIP for a case. ``candidates``: the case team."""

    def __init__(self, ctx, parent: QWidget | None, case_id: int,
                 candidates: list[Candidate] = ()):
        super().__init__(ctx, parent, title=self.tr("Ny plan"), ok_text=self.tr("Skapa plan"),
                         name="planDialog", width=520)
        self.case_id = case_id
        self.ref_day = today()
        lang = ctx.lang
        self.sip_check = QCheckBox(self.tr("Samordnad individuell plan (SIP)"), self)
        self.sip_check.setObjectName("isSip")
        self.agency_combo = _agency_combo(self, lang, ctx.actor.agency if ctx.actor else None)
        self.agency_combo.setObjectName("overallAgency")
        self.person_combo = UserCombo(self, none_text=self.tr("Ingen utsedd ännu"), lang=lang)
        self.person_combo.setObjectName("overallUser")
        self._people = _PeopleByAgency(self.person_combo, self.agency_combo, list(candidates))
        self.follow_up = DateField(self, None, optional=True,
                                   check_text=self.tr("Bestäm datum"))
        self.follow_up.setObjectName("nextFollowUp")
        self.follow_error = field_error_label(self)
        self.form.addRow("", self.sip_check)
        self.form.addRow(self.tr("Huvudansvarig myndighet"), self.agency_combo)
        self.form.addRow(self.tr("Huvudansvarig person"), self.person_combo)
        self.form.addRow(self.tr("Nästa uppföljning"), self.follow_up)
        self.form.addRow("", self.follow_error)
        self.body.addWidget(muted(self.tr(
            "Planen börjar som utkast. Mål och åtgärder läggs till efter hand; en enhetschef "
            "godkänner planen."), self))
        self.follow_up.changed.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        text = date_problem(self.follow_up.date(), self.ref_day, self.tr("Nästa uppföljning"),
                            self.tr, days_back=0)
        return field_problems(self.follow_error, text)

    def submit(self) -> None:
        self.run(plans.create_plan, self.case_id, self.sip_check.isChecked(),
                 combo_enum(self.agency_combo, Agency), self.person_combo.user_id(),
                 self.follow_up.date())


class GoalDialog(ServiceDialog):
    def __init__(self, ctx, parent: QWidget | None, plan: PlanView,
                 life_area: LifeArea | None = None):
        super().__init__(ctx, parent, title=self.tr("Nytt mål"), ok_text=self.tr("Lägg till mål"),
                         name="goalDialog", width=480)
        self.plan = plan
        self.area_combo = enum_combo(self, "lifeArea", LifeArea, ctx.lang)
        if life_area is not None:
            self.area_combo.setCurrentIndex(list(LifeArea).index(life_area))
        self.goal_edit = text_area(self, "goal")
        self.goal_edit.setFixedHeight(100)
        self.form.addRow(self.tr("Livsområde"), self.area_combo)
        self.form.addRow(self.tr("Mål *"), self.goal_edit)
        self.goal_edit.textChanged.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        return problem_list(text_problem(
            self.goal_edit.toPlainText().strip(), self.tr("Beskriv målet."),
            self.tr("Texten är för lång (högst 10 000 tecken)."), MAX_TEXT))

    def submit(self) -> None:
        self.run(plans.add_goal, self.plan.id, combo_enum(self.area_combo, LifeArea),
                 self.goal_edit.toPlainText().strip())


class ActionDialog(ServiceDialog):
    """Ny åtgärd: life area, what, responsible agency and person, due and
    follow-up dates (follow-up on or after due)."""

    def __init__(self, ctx, parent: QWidget | None, plan: PlanView,
                 candidates: list[Candidate] = (), life_area: LifeArea | None = None):
        super().__init__(ctx, parent, title=self.tr("Ny åtgärd"),
                         ok_text=self.tr("Lägg till åtgärd"), name="actionDialog", width=540)
        self.plan = plan
        self.ref_day = today()
        lang = ctx.lang
        self.area_combo = enum_combo(self, "lifeArea", LifeArea, lang)
        if life_area is not None:
            self.area_combo.setCurrentIndex(list(LifeArea).index(life_area))
        self.what_edit = line_edit(self, "description")
        self.agency_combo = _agency_combo(self, lang, ctx.actor.agency if ctx.actor else None)
        self.agency_combo.setObjectName("responsibleAgency")
        self.person_combo = UserCombo(self, none_text=self.tr("Ingen namngiven person"),
                                      lang=lang)
        self.person_combo.setObjectName("responsibleUser")
        self._people = _PeopleByAgency(self.person_combo, self.agency_combo, list(candidates))
        self.due = DateField(self, None, optional=True, check_text=self.tr("Klart senast"))
        self.due.setObjectName("dueDate")
        self.follow = DateField(self, None, optional=True, check_text=self.tr("Följs upp"))
        self.follow.setObjectName("followUpDate")
        self.date_error = field_error_label(self)
        self.date_error.setObjectName("dateError")
        self.form.addRow(self.tr("Livsområde"), self.area_combo)
        self.form.addRow(self.tr("Vad ska göras *"), self.what_edit)
        self.form.addRow(self.tr("Ansvarig myndighet"), self.agency_combo)
        self.form.addRow(self.tr("Ansvarig person"), self.person_combo)
        self.form.addRow(self.tr("Klart senast"), self.due)
        self.form.addRow(self.tr("Uppföljning"), self.follow)
        self.form.addRow("", self.date_error)
        self.watch(self.what_edit, self.due, self.follow)
        self.mark_clean()

    def problems(self) -> list[str]:
        problems = []
        text = self.what_edit.text().strip()
        note_problem(problems, text_problem(
            text, self.tr("Beskriv vad som ska göras."),
            self.tr("Texten är för lång (högst 10 000 tecken)."), MAX_TEXT))
        due, follow = self.due.date(), self.follow.date()
        date_text = (date_problem(due, self.ref_day, self.tr("Klart senast"), self.tr)
                     or date_problem(follow, self.ref_day, self.tr("Uppföljning"), self.tr))
        if not date_text and due is not None and follow is not None and follow < due:
            date_text = self.tr("Datumen är i fel ordning: uppföljningen ligger före datumet då "
                                "åtgärden ska vara klar.")
        note_problem(problems, date_text, self.date_error)
        return problems

    def submit(self) -> None:
        self.run(plans.add_action, self.plan.id, combo_enum(self.area_combo, LifeArea),
                 self.what_edit.text().strip(), combo_enum(self.agency_combo, Agency),
                 self.person_combo.user_id(), self.due.date(), self.follow.date())


class FollowUpDialog(ServiceDialog):
    """Record a follow-up of the plan and when the next one is."""

    def __init__(self, ctx, parent: QWidget | None, plan: PlanView):
        super().__init__(ctx, parent, title=self.tr("Följ upp planen"),
                         ok_text=self.tr("Registrera uppföljning"),
                         name="followUpDialog", width=440)
        self.ref_day = today()
        self.planned = muted("", self)
        self.body.insertWidget(0, self.planned)
        self.reopened(plan)
        self.version = plan.version
        self.next_date = DateField(self, self.ref_day + dt.timedelta(days=90))
        self.next_date.setObjectName("nextFollowUp")
        self.error = field_error_label(self)
        self.form.addRow(self.tr("Nästa uppföljning *"), self.next_date)
        self.form.addRow("", self.error)
        self.next_date.changed.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        text = date_problem(self.next_date.date(), self.ref_day, self.tr("Nästa uppföljning"),
                            self.tr, days_back=0)
        return field_problems(self.error, text)

    def submit(self) -> None:
        self.run(plans.follow_up_plan, self.plan.id, self.next_date.date(),
                 expected_version=self.version)

    def read_again(self):
        return plans.get_plan, (self.plan.id,)

    def reopened(self, plan: PlanView) -> None:
        self.plan = plan
        self.planned.setText(self.tr("Planerad uppföljning: {date}").format(
            date=fmt_date(plan.next_follow_up)) if plan.next_follow_up else "")
        self.planned.setVisible(bool(plan.next_follow_up))
