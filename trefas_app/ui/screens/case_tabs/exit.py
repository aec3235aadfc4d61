"""Avhoppare (case tab), and :class:`ExitPanel`, the view of one exit
programme that the Avhoppare screen shows as well: state and the 24-hour
first-contact target, needs, the agreement and its approval, consent gaps,
threat assessments, protective measures and support — each list with the
line saying how many entries are not shared with the user — and the actions
the state and the user's role allow."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import ExitState
from trefas_app.services import exits
from trefas_app.services.case_tabs import CaseExits, load_case_exits
from trefas_app.services.views_casework import (
    ExitRow,
    ExitView,
    MeasureView,
    SupportView,
)
from trefas_app.ui import common, style
from trefas_app.ui.charts import deadline_text
from trefas_app.ui.common import Banner, enum_label, fmt_date, fmt_datetime, muted
from trefas_app.ui.dialogs.exit import agreement_summary, consent_gap_text
from trefas_app.ui.screens.base import BaseTab
from trefas_app.ui.widgets.list_screen import DetailPane
from trefas_app.ui.widgets.parts import (
    DONE,
    card,
    fill_row,
    fit_table,
    header_row,
    hidden_label,
    open_dialog,
    push_button,
    selected_data,
    show_hidden,
    table_block,
    title_row,
    value_label,
)
from trefas_app.ui.widgets.fields import choice_combo


class ExitPanel(DetailPane):
    """One exit programme. ``read_only``: the case is open by emergency access."""

    #: The user asked to open the case (the screen handles it).
    openCase = Signal(int)

    def __init__(self, ctx, parent: QWidget | None = None, show_open_case: bool = False):
        super().__init__(ctx, parent, spacing=10)
        self.programme: ExitView | None = None
        self.read_only = False
        self.empty.setText(self.tr("Välj ett avhopparärende."))
        self.empty.setObjectName("exitEmpty")
        cl = self.body
        self._build_head(cl)
        facts, fl = card(self.content, "exitFacts")
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setColumnStretch(1, 1)
        self.values: dict[str, QLabel] = {}
        for r, (key, text) in enumerate((
                ("requested", self.tr("Förfrågan")), ("due", self.tr("Första kontakt senast")),
                ("contact", self.tr("Första kontakt")), ("needs", self.tr("Behov")),
                ("agreement", self.tr("Överenskommelse")), ("ending", self.tr("Avslut")))):
            name = QLabel(text, facts)
            name.setProperty("role", "muted")
            value = value_label(facts, f"exit-{key}")
            grid.addWidget(name, r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, r, 1)
            self.values[key] = value
        fl.addLayout(grid)
        self.conditions = value_label(facts, "conditions")
        self.conditions.setProperty("role", "muted")
        fl.addWidget(self.conditions)
        cl.addWidget(facts)

        actions = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
                ("contact", self.tr("Första kontakt …"), self.first_contact),
                ("agreement", self.tr("Överenskommelse …"), self.agreement),
                ("approve", self.tr("Godkänn överenskommelsen"), self.approve),
                ("move", self.tr("Ändra status …"), self.move),
                ("open", self.tr("Öppna ärendet"), self._open_case)):
            b = QPushButton(text, self.content)
            b.setObjectName(f"exit-{key}")
            b.clicked.connect(slot)
            actions.addWidget(b)
            self.buttons[key] = b
        self.buttons["open"].setVisible(show_open_case)
        actions.addStretch(1)
        cl.addLayout(actions)

        self._build_records(cl)
        self.measures.itemSelectionChanged.connect(self._update_buttons)
        self.support.itemSelectionChanged.connect(self._update_buttons)
        self.set_programme(None)

    def _record_section(self, cl: QVBoxLayout, kind: str, name: str, title: str,
                        add_text: str, end_text: str, empty_text: str) -> tuple:
        """The protective measures or the support: a header with the add and
        end buttons over the table of records; returns the buttons and the
        table block."""
        cap = kind.capitalize()
        add = push_button(self.content, add_text, f"add{cap}", lambda: self.new_record(kind))
        end = push_button(self.content, end_text, f"end{cap}",
                          lambda: self.end_record(table))  # the table made below
        cl.addLayout(header_row(self.content, title, right=(add, end)))
        table, empty, hidden = table_block(
            self.content, cl, [self.tr("Typ"), self.tr("Beskrivning"), self.tr("Från"),
                               self.tr("Till")], name, empty_text, f"{name}Hidden", stretch=1)
        return add, end, table, empty, hidden

    def _build_head(self, cl: QVBoxLayout) -> None:
        """Title, state and the deadline and consent banners."""
        head, self.title, self.state_badge = title_row(self.content, "exitTitle", "exitState")
        self.shield = QLabel(self.content)
        self.shield.setPixmap(style.shield_icon(18).pixmap(18, 18))
        self.shield.hide()
        head.insertWidget(0, self.shield)
        cl.addLayout(head)
        self.deadline_banner = Banner("red", self.content)
        self.deadline_banner.setObjectName("deadlineBanner")
        cl.addWidget(self.deadline_banner)
        self.consent_banner = Banner("amber", self.content)
        self.consent_banner.setObjectName("consentBanner")
        cl.addWidget(self.consent_banner)

    def _build_records(self, cl: QVBoxLayout) -> None:
        """Threat assessments, protective measures and support, each with its buttons."""
        # Threat assessments
        self.add_threat = push_button(self.content, self.tr("Ny hotbedömning …"), "addThreat",
                                      self.new_threat)
        cl.addLayout(header_row(self.content, self.tr("Hotbedömningar"),
                                right=(self.add_threat,)))
        self.threats, self.threats_empty, self.threats_hidden = table_block(
            self.content, cl, [self.tr("Datum"), self.tr("Nivå"), self.tr("Sammanfattning"),
                               self.tr("Av")], "threats", self.tr("Inga hotbedömningar."),
            "threatsHidden", stretch=2, select=False)

        (self.add_measure, self.end_measure, self.measures, self.measures_empty,
         self.measures_hidden) = self._record_section(
            cl, "measure", "measures", self.tr("Skyddsåtgärder"), self.tr("Ny skyddsåtgärd …"),
            self.tr("Avsluta vald …"), self.tr("Inga skyddsåtgärder."))
        (self.add_support, self.end_support, self.support, self.support_empty,
         self.support_hidden) = self._record_section(
            cl, "support", "support", self.tr("Stöd"), self.tr("Nytt stöd …"),
            self.tr("Avsluta valt …"), self.tr("Inget stöd registrerat."))

    # -- showing ---------------------------------------------------------------------------

    def set_record(self, view: ExitView | None) -> None:
        self.set_programme(view)

    def set_programme(self, p: ExitView | None, read_only: bool = False) -> None:
        self.programme = self.record = p
        self.read_only = read_only
        self.show_content(p is not None)
        if p is None:
            for t in (self.threats, self.measures, self.support):
                t.setRowCount(0)
            for v in self.values.values():
                v.clear()
            self.conditions.clear()
            self.title.clear()
            self.deadline_banner.set_text("")
            self.consent_banner.set_text("")
            return
        lang = self.ctx.lang
        self.shield.setVisible(p.protected)
        self.title.setText(f"{p.case_number} · {p.person_name}")
        self.state_badge.setText(enum_label(p.state, lang))
        waiting = p.state == ExitState.REQUESTED and p.first_contact_at is None
        if waiting and p.overdue:
            self.deadline_banner.set_text(self.tr(
                "Första kontakten skulle ha tagits senast {due}. Kontakta personen nu.").format(
                due=fmt_datetime(p.first_contact_due)))
        else:
            self.deadline_banner.set_text("")
        if p.consent_missing:
            self.consent_banner.set_text(self.tr(
                "Samtycket räcker inte för skydd och stöd. Gällande samtycke saknas för "
                "{gaps}.").format(gaps=consent_gap_text(p.consent_missing, lang)))
        else:
            self.consent_banner.set_text("")
        v = self.values
        v["requested"].setText(fmt_datetime(p.requested_at))
        hours_left = clock.hours_until(p.first_contact_due)
        due_text = fmt_datetime(p.first_contact_due)
        if waiting:
            due_text += f"  ({deadline_text(hours_left, lang)})"
        v["due"].setText(due_text)
        v["due"].setStyleSheet("color: #b3261e; font-weight: 600;" if waiting and p.overdue
                               else "")
        if p.first_contact_at:
            late = p.first_contact_at > p.first_contact_due
            v["contact"].setText(fmt_datetime(p.first_contact_at)
                                 + (self.tr(" (efter målet)") if late else ""))
        else:
            v["contact"].setText(self.tr("Inte tagen"))
        v["needs"].setText(p.needs or "–")
        v["agreement"].setText(agreement_summary(p, self.tr))
        self.conditions.setText(p.agreement_conditions or "")
        self.conditions.setVisible(bool(p.agreement_conditions))
        v["ending"].setText(f"{enum_label(p.ending, lang)} {fmt_date(p.ended_at)}"
                            if p.ending else "–")

        self.threats.setRowCount(len(p.assessments))
        for r, a in enumerate(p.assessments):
            fill_row(self.threats, r, [fmt_date(a.assessed_at), enum_label(a.level, lang),
                                       a.summary, f"{a.assessed_by} ({enum_label(a.owner_agency, lang)})"],
                     data=a.id, icons={1: style.risk_icon(a.level)}, tooltip=a.summary)
        self._fill_records(self.measures, p.measures)
        self._fill_records(self.support, p.support)
        fit_table(self.threats, self.threats_empty)
        fit_table(self.measures, self.measures_empty)
        fit_table(self.support, self.support_empty)
        show_hidden(self.threats_hidden, p.hidden_assessments,
                    ("hotbedömning", "hotbedömningar", "assessment", "assessments"), lang)
        show_hidden(self.measures_hidden, p.hidden_measures,
                    ("skyddsåtgärd", "skyddsåtgärder", "measure", "measures"), lang)
        show_hidden(self.support_hidden, p.hidden_support,
                    ("stödinsats", "stödinsatser", "support component", "support components"),
                    lang)
        self._update_buttons()

    def _fill_records(self, table, records) -> None:
        lang = self.ctx.lang
        table.setRowCount(len(records))
        for r, rec in enumerate(records):
            fill_row(table, r, [enum_label(rec.kind, lang), rec.description,
                                fmt_date(rec.started_on), fmt_date(rec.ended_on) or "–"],
                     data=rec, colour=DONE if not rec.active else None, tooltip=rec.description)

    def _update_buttons(self) -> None:
        p = self.programme
        b = self.buttons
        if p is None:
            return
        ctx = self.ctx
        writable = not self.read_only and p.state != ExitState.ENDED
        b["contact"].setVisible(ExitState.FIRST_CONTACT in p.next_states and writable)
        b["agreement"].setVisible(writable and bool(p.next_states)
                                  and p.state in (ExitState.INTAKE, ExitState.AGREEMENT))
        b["approve"].setVisible(not self.read_only and ctx.may("exit.approve")
                                and p.state == ExitState.AGREEMENT
                                and p.agreement_approved_at is None)
        b["approve"].setEnabled(bool(p.agreement_conditions) and p.agreement_signed_on is not None)
        b["approve"].setToolTip("" if b["approve"].isEnabled() else self.tr(
            "Överenskommelsen behöver villkor och datum för undertecknandet."))
        b["move"].setVisible(writable and bool(p.next_states))
        self.add_threat.setVisible(writable and ctx.may("threat.write"))
        self.add_measure.setVisible(writable and ctx.may("measure.write"))
        self.add_support.setVisible(writable and ctx.may("support.write"))
        self.end_measure.setVisible(not self.read_only and ctx.may("measure.write"))
        self.end_support.setVisible(not self.read_only and ctx.may("support.write"))
        m, s = selected_data(self.measures), selected_data(self.support)
        self.end_measure.setEnabled(isinstance(m, MeasureView) and m.active)
        self.end_support.setEnabled(isinstance(s, SupportView) and s.active)

    # -- actions -----------------------------------------------------------------------------

    _open = staticmethod(open_dialog)

    def first_contact(self) -> None:
        from trefas_app.ui.dialogs.exit import FirstContactDialog

        if self.programme is not None:
            self._open(FirstContactDialog(self.ctx, self, self.programme))

    def agreement(self) -> None:
        from trefas_app.ui.dialogs.exit import AgreementDialog

        if self.programme is not None:
            self._open(AgreementDialog(self.ctx, self, self.programme))

    def move(self) -> None:
        from trefas_app.ui.dialogs.exit import ExitMoveDialog

        if self.programme is not None:
            self._open(ExitMoveDialog(self.ctx, self, self.programme))

    def approve(self) -> None:
        p = self.programme
        if p is None:
            return
        if not common.confirm(self, self.tr(
                "Godkänn överenskommelsen för {number}? Den kan sedan inte ändras utan att "
                "godkännas på nytt.").format(number=p.case_number),
                self.tr("Godkänn"), self.tr("Avbryt")):
            return
        self.ctx.run(exits.approve_agreement, p.id, expected_version=p.version)

    def new_threat(self) -> None:
        from trefas_app.ui.dialogs.exit_records import ThreatAssessmentDialog

        p = self.programme
        if p is not None:
            self._open(ThreatAssessmentDialog(self.ctx, self, p.case_id, p.id))

    def new_record(self, kind: str) -> None:
        from trefas_app.ui.dialogs.exit_records import RecordDialog

        p = self.programme
        if p is not None:
            self._open(RecordDialog(self.ctx, self, kind, p.case_id, p.id))

    def end_record(self, table) -> None:
        from trefas_app.ui.dialogs.exit_records import EndRecordDialog

        rec = selected_data(table)
        if rec is not None and getattr(rec, "active", False):
            self._open(EndRecordDialog(self.ctx, self, rec))

    def _open_case(self) -> None:
        if self.programme is not None:
            self.openCase.emit(self.programme.case_id)


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        self.rows: list[ExitRow] = []
        self._want_id: int | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 4, 4)
        top = QHBoxLayout()
        self.choice = choice_combo(self, "exitChoice", self.tr("Avhopparärende"))
        self.choice.hide()
        self.choice.currentIndexChanged.connect(self._chosen)
        self.request_button = push_button(self, self.tr("Begär avhopparstöd …"),
                                          "requestExit", self.request)
        self.none_label = muted(self.tr("Inget avhopparstöd i det här ärendet."), self)
        self.none_label.setObjectName("noExit")
        top.addWidget(self.choice)
        top.addWidget(self.none_label)
        top.addStretch(1)
        top.addWidget(self.request_button)
        lay.addLayout(top)
        self.hidden_line = hidden_label(self, "exitsHidden")
        lay.addWidget(self.hidden_line)
        self.panel = ExitPanel(ctx, self)
        lay.addWidget(self.panel, 1)
        self.none_label.hide()
        self.request_button.hide()

    def case_watches(self, case) -> tuple:
        return (("cases", case.id), ("exits", case.id), ("consents", case.person.id))

    def reload(self) -> None:
        if self.case is None:
            return
        self.ctx.run(load_case_exits, self.case.id, on_done=self._show,
                     key=f"exit_tab.{self.case.id}")

    def _show(self, result: CaseExits) -> None:
        rows, view = result.rows, result.view
        if self.case is None:
            return
        self.rows = list(rows)
        show_hidden(self.hidden_line, result.hidden,
                    ("avhopparstöd", "avhopparstöd", "exit programme", "exit programmes"),
                    self.ctx.lang)
        want = self._want_id
        self.choice.blockSignals(True)
        self.choice.clear()
        for r in self.rows:
            self.choice.addItem(self.tr("{state}, begärt {date}").format(
                state=enum_label(r.state, self.ctx.lang), date=fmt_date(r.requested_at)), r.id)
        self.choice.setVisible(len(self.rows) > 1)
        self.choice.blockSignals(False)
        running = any(r.state != ExitState.ENDED for r in self.rows)
        may_request = (self.ctx.may("exit.write") and not self.case.read_only and not running)
        self.request_button.setVisible(may_request)
        self.none_label.setVisible(not self.rows and not result.hidden)
        if want is not None and view is not None and view.id != want and \
                any(r.id == want for r in self.rows):
            self.choice.setCurrentIndex(self.choice.findData(want))
            return
        if view is not None:
            self.choice.blockSignals(True)
            self.choice.setCurrentIndex(max(0, self.choice.findData(view.id)))
            self.choice.blockSignals(False)
        self.panel.set_programme(view, read_only=self.case.read_only)

    def _chosen(self, _index: int) -> None:
        exit_id = self.choice.currentData()
        if exit_id is None:
            return
        self._want_id = exit_id
        self.ctx.run(exits.get_exit, exit_id, on_done=self._show_one,
                     key=f"exit_tab.one.{self.case.id if self.case else 0}")

    def _show_one(self, view: ExitView) -> None:
        if self.case is not None and view.case_id == self.case.id:
            self.panel.set_programme(view, read_only=self.case.read_only)

    def request(self) -> None:
        from trefas_app.ui.dialogs.exit import ExitRequestDialog

        if self.case is None:
            return
        dlg = ExitRequestDialog(self.ctx, self, self.case.id, self.case.number)
        dlg.succeeded.connect(lambda v: setattr(self, "_want_id", v.id))
        open_dialog(dlg)

    def clear(self) -> None:
        self.case = None
        self.rows = []
        self.choice.clear()
        self.hidden_line.clear()
        self.hidden_line.hide()
        self.panel.set_programme(None)

    def state(self) -> dict:
        return {"exit_id": self.panel.programme.id if self.panel.programme else None}

    def restore(self, state: dict) -> None:
        self._want_id = state.get("exit_id")
