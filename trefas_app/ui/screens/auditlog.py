"""Logg (supervisors): log review. The access log in the supervisor's scope,
filtered by person, case, user, kind of event and time; emergency accesses to
review and mark as reviewed; reveals of protected identities; unusual read
volumes (users with many reads in one day); and a check of the whole log
chain against its signed checkpoints.

The log holds identifiers only, so persons appear by their alias (P-0042) and
cases by number when the supervisor can see them; no case content is shown.
"""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.audit_labels import (
    action_label,
    case_text,
    entry_time,
    p_number,
    subject_text,
)
from trefas_app.domain.enums import Agency, Role
from trefas_app.services import audit_log, cases
from trefas_app.services.audit_log import LogParams, Volume, VolumeReport
from trefas_app.ui import common
from trefas_app.ui.charts import BarChart, Datum
from trefas_app.ui.common import enum_label, fmt_datetime, heading, muted
from trefas_app.ui.dialogs.task_pickers import DateField
from trefas_app.ui.models.paged import Column
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.widgets.parts import (
    ColouredModel,
    OVERDUE,
    configure_view,
    fill_row,
    make_table,
    push_button,
    selected_data,
    subheading,
)
from trefas_app.ui.widgets.fields import choice_combo

DEFAULT_THRESHOLD = 100

#: Filter choices: (label sv, label en, action filter; a prefix ends in ".").
ACTION_FILTERS = (
    ("Alla händelser", "All events", ""),
    ("Läsningar av ärenden", "Case reads", "case.read"),
    ("Läsningar av personer", "Person reads", "person.read"),
    ("Anteckningar", "Notes", "note."),
    ("Samtycken", "Consents", "consent."),
    ("Nödåtkomst", "Emergency access", "emergency.access"),
    ("Visad skyddad identitet", "Revealed identity", "identity.reveal"),
    ("Nekad åtkomst", "Access denied", "access.denied"),
    ("Utlämnanden", "Disclosures", "disclosure"),
    ("Inloggningar", "Log-ins", "login"),
    ("Misslyckade inloggningar", "Failed log-ins", "login.failed"),
)


parse_at = entry_time  # a log entry's stored time as an aware instant


person_alias = p_number  # the P-number a person is known by


def log_columns(tr, lang: str) -> list[Column]:
    def subject(r) -> str:
        return subject_text(r.subject_kind, r.subject_id, r.case_number, r.person_id, lang)

    def agency(r) -> str:
        try:
            return enum_label(Agency(r.agency), lang) if r.agency else ""
        except ValueError:
            return r.agency

    def role(r) -> str:
        try:
            return enum_label(Role(r.role), lang) if r.role else ""
        except ValueError:
            return r.role

    return [
        Column(tr("Tid"), lambda r: fmt_datetime(parse_at(r.at))),
        Column(tr("Användare"), lambda r: r.username or ""),
        Column(tr("Myndighet"), agency, tooltip=role),
        Column(tr("Händelse"), lambda r: action_label(r.action, lang),
               tooltip=lambda r: r.action),
        Column(tr("Ärende"), lambda r: case_text(r.case_id, r.case_number, lang)),
        Column(tr("Person"), lambda r: person_alias(r.person_id)),
        Column(tr("Post"), subject),
        Column(tr("Skäl"), lambda r: r.reason or "", tooltip=lambda r: r.reason or None),
    ]


def log_colour(r):
    if r.action in ("access.denied", "login.failed", "emergency.access", "identity.reveal"):
        return OVERDUE
    return None


class Screen(BaseScreen):
    watches = ("emergency",)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Logg")
        self.emergency_rows = []
        self.volumes: VolumeReport | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Loggkontroll"), self))
        top.addStretch(1)
        self.verify_result = QLabel(self)
        self.verify_result.setObjectName("verifyResult")
        self.verify_result.setWordWrap(True)
        self.verify_button = QPushButton(self.tr("Kontrollera loggkedjan"), self)
        self.verify_button.setObjectName("verifyLog")
        self.verify_button.setToolTip(self.tr(
            "Kontrollerar att ingen post i åtkomstloggen har ändrats, tagits bort eller "
            "klippts av, mot de signerade kontrollpunkterna."))
        self.verify_button.clicked.connect(self.verify)
        top.addWidget(self.verify_result, 1)
        top.addWidget(self.verify_button)
        lay.addLayout(top)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("logTabs")
        self.tabs.setDocumentMode(True)
        lay.addWidget(self.tabs, 1)
        self._build_log_tab()
        self._build_emergency_tab()
        self._build_reveals_tab()
        self._build_volume_tab()
        self.tabs.currentChanged.connect(self._tab_changed)

    # -- the log ------------------------------------------------------------------------

    def _build_log_tab(self) -> None:
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 8, 0, 0)
        form = QHBoxLayout()
        self.person_edit = QLineEdit(page)
        self.person_edit.setObjectName("personFilter")
        self.person_edit.setPlaceholderText(self.tr("Person: P-0042 eller personnummer"))
        self.case_edit = QLineEdit(page)
        self.case_edit.setObjectName("caseFilter")
        self.case_edit.setPlaceholderText(self.tr("Ärendenummer"))
        self.user_edit = QLineEdit(page)
        self.user_edit.setObjectName("userFilter")
        self.user_edit.setPlaceholderText(self.tr("Användarnamn"))
        self.action_combo = choice_combo(page, "actionFilter", self.tr("Händelsetyp"))
        for sv, en, value in ACTION_FILTERS:
            self.action_combo.addItem(sv if self.ctx.lang == "sv" else en, value)
        self.since_field = DateField(page, None, optional=True, check_text=self.tr("Från"))
        self.since_field.setObjectName("sinceFilter")
        self.until_field = DateField(page, None, optional=True, check_text=self.tr("Till"))
        self.until_field.setObjectName("untilFilter")
        self.search_button = QPushButton(self.tr("Sök"), page)
        self.search_button.setObjectName("searchLog")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.apply_filters)
        self.reset_button = QPushButton(self.tr("Rensa"), page)
        self.reset_button.clicked.connect(self.reset_filters)
        for w in (self.person_edit, self.case_edit, self.user_edit):
            w.returnPressed.connect(self.apply_filters)
            form.addWidget(w, 1)
        form.addWidget(self.action_combo)
        form.addWidget(self.since_field)
        form.addWidget(self.until_field)
        form.addWidget(self.search_button)
        form.addWidget(self.reset_button)
        pl.addLayout(form)
        self.filter_error = QLabel(page)
        self.filter_error.setProperty("role", "field-error")
        self.filter_error.setObjectName("filterError")
        self.filter_error.hide()
        pl.addWidget(self.filter_error)
        self.log_model = ColouredModel(self._log_loader, log_columns(self.tr, self.ctx.lang),
                                       params=LogParams(), colour=log_colour, parent=self)
        self.log_table = QTableView(page)
        self.log_table.setObjectName("logTable")
        self.log_table.setModel(self.log_model)
        configure_view(self.log_table)
        for i, w in enumerate((130, 130, 120, 220, 80, 80, 110)):
            self.log_table.setColumnWidth(i, w)
        self.log_table.activated.connect(self._log_row_opened)
        pl.addWidget(self.log_table, 1)
        self.log_count = muted("", page)
        self.log_count.setObjectName("logCount")
        pl.addWidget(self.log_count)
        self.log_model.pageLoaded.connect(self._log_loaded)
        self.log_model.loadFailed.connect(self._log_failed)
        self.tabs.addTab(page, self.tr("Åtkomstloggen"))

    def _log_loader(self, params, offset, limit, on_page, on_error):
        if self.ctx.run(audit_log.log_page, params, offset, limit, on_done=on_page,
                        on_error=on_error, key="auditlog.page") is None:
            on_error(None)

    def filters(self) -> LogParams:
        return LogParams(person=self.person_edit.text().strip(),
                         case=self.case_edit.text().strip(),
                         username=self.user_edit.text().strip(),
                         action=self.action_combo.currentData() or "",
                         since=self.since_field.date(), until=self.until_field.date())

    def apply_filters(self) -> None:
        params = self.filters()
        if params.since and params.until and params.until < params.since:
            self.filter_error.setText(self.tr("Datumen är i fel ordning: ”till” ligger före "
                                              "”från”."))
            self.filter_error.show()
            return
        self.filter_error.hide()
        self.log_model.set_params(params)

    def reset_filters(self) -> None:
        for w in (self.person_edit, self.case_edit, self.user_edit):
            w.clear()
        self.action_combo.setCurrentIndex(0)
        self.since_field.set_date(None)
        self.until_field.set_date(None)
        self.apply_filters()

    def set_filters(self, params: LogParams) -> None:
        self.person_edit.setText(params.person)
        self.case_edit.setText(params.case)
        self.user_edit.setText(params.username)
        i = self.action_combo.findData(params.action)
        self.action_combo.setCurrentIndex(max(0, i))
        self.since_field.set_date(params.since)
        self.until_field.set_date(params.until)
        self.tabs.setCurrentIndex(0)
        self.apply_filters()

    def _log_loaded(self, _page=None) -> None:
        total = self.log_model.total or 0
        self.log_count.setText(self.tr("{n} poster").format(n=total) if total != 1
                               else self.tr("1 post"))

    def _log_failed(self, exc) -> None:
        if exc is None:
            return
        self.filter_error.setText(self.ctx.error_text(exc))
        self.filter_error.show()
        self.log_count.clear()

    def _log_row_opened(self, index) -> None:
        row = self.log_model.row_at(index)
        if row is not None and row.case_id is not None:
            self.ctx.open_case(row.case_id)

    # -- emergency accesses ---------------------------------------------------------------

    def _build_emergency_tab(self) -> None:
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        self.unreviewed_check = QCheckBox(self.tr("Bara ogranskade"), page)
        self.unreviewed_check.setObjectName("unreviewedOnly")
        self.unreviewed_check.setChecked(True)
        self.unreviewed_check.toggled.connect(self.load_emergencies)
        row.addWidget(self.unreviewed_check)
        row.addStretch(1)
        self.review_button = push_button(page, self.tr("Markera granskad"),
                                         "markReviewed", self.mark_reviewed)
        self.emergency_log_button = push_button(page, self.tr("Visa i loggen"),
                                                "emergencyInLog", self.emergency_in_log)
        self.emergency_case_button = QPushButton(self.tr("Öppna ärendet"), page)
        self.emergency_case_button.clicked.connect(self.emergency_open_case)
        for b in (self.review_button, self.emergency_log_button, self.emergency_case_button):
            row.addWidget(b)
        pl.addLayout(row)
        pl.addWidget(muted(self.tr(
            "Nödåtkomster som användare på din myndighet har tagit. Kontrollera att skälet "
            "höll och att bara det nödvändiga öppnades (”Visa i loggen”)."), page))
        self.emergency_table = make_table(page, [
            self.tr("Beviljad"), self.tr("Användare"), self.tr("Ärende"), self.tr("Skäl"),
            self.tr("Gäller till"), self.tr("Granskad")], "emergencyTable", stretch=3)
        self.emergency_table.itemSelectionChanged.connect(self._update_emergency_buttons)
        pl.addWidget(self.emergency_table, 1)
        self.emergency_count = muted("", page)
        pl.addWidget(self.emergency_count)
        self.tabs.addTab(page, self.tr("Nödåtkomst"))
        self._update_emergency_buttons()

    def load_emergencies(self, *_a) -> None:
        self.ctx.run(cases.list_emergency_accesses, self.unreviewed_check.isChecked(),
                     on_done=self._show_emergencies, key="auditlog.emergency")

    def _show_emergencies(self, rows) -> None:
        self.emergency_rows = list(rows)
        t = self.emergency_table
        t.setRowCount(len(rows))
        for r, e in enumerate(rows):
            reviewed = (f"{fmt_datetime(e.reviewed_at)} {e.reviewed_by or ''}".strip()
                        if e.reviewed_at else "")
            fill_row(t, r, [fmt_datetime(e.granted_at), e.user, e.case_number, e.reason,
                            fmt_datetime(e.expires_at), reviewed or self.tr("Ej granskad")],
                     data=e, colour=None if e.reviewed_at else OVERDUE, tooltip=e.reason)
        n = len(rows)
        self.emergency_count.setText(self.tr("{n} nödåtkomster").format(n=n) if n != 1
                                     else self.tr("1 nödåtkomst"))
        unreviewed = sum(1 for e in rows if e.reviewed_at is None)
        self.tabs.setTabText(1, self.tr("Nödåtkomst ({n})").format(n=unreviewed)
                             if unreviewed else self.tr("Nödåtkomst"))
        self._update_emergency_buttons()

    def selected_emergency(self):
        return selected_data(self.emergency_table)

    def _update_emergency_buttons(self) -> None:
        e = self.selected_emergency()
        self.review_button.setVisible(self.ctx.may("emergency.review"))
        self.review_button.setEnabled(e is not None and e.reviewed_at is None)
        self.emergency_log_button.setEnabled(e is not None)
        self.emergency_case_button.setEnabled(e is not None)

    def mark_reviewed(self) -> None:
        e = self.selected_emergency()
        if e is None or e.reviewed_at is not None:
            return
        if not common.confirm(self, self.tr(
                "Markera nödåtkomsten till {case} av {user} som granskad? Granskningen loggas "
                "i ditt namn.").format(case=e.case_number, user=e.user),
                self.tr("Markera granskad"), self.tr("Avbryt")):
            return
        self.ctx.run(cases.mark_emergency_reviewed, e.id, on_done=lambda _r: None)

    def emergency_in_log(self) -> None:
        e = self.selected_emergency()
        if e is None:
            return
        start = common.local(e.granted_at).date()
        end = common.local(e.expires_at).date()
        self.set_filters(LogParams(case=e.case_number, since=start, until=end))

    def emergency_open_case(self) -> None:
        e = self.selected_emergency()
        if e is not None:
            self.ctx.open_case(e.case_id)

    # -- reveals -----------------------------------------------------------------------------

    def _build_reveals_tab(self) -> None:
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 8, 0, 0)
        pl.addWidget(muted(self.tr(
            "Visningar av skyddade personuppgifter de senaste 30 dagarna, med skälet som "
            "angavs."), page))
        self.reveal_table = make_table(page, [self.tr("Tid"), self.tr("Användare"),
                                              self.tr("Myndighet"), self.tr("Person"),
                                              self.tr("Skäl"), self.tr("Timmar")],
                                       "revealTable", stretch=4)
        self.reveal_table.itemDoubleClicked.connect(self._reveal_opened)
        pl.addWidget(self.reveal_table, 1)
        self.reveal_count = muted("", page)
        pl.addWidget(self.reveal_count)
        self.tabs.addTab(page, self.tr("Visade identiteter"))

    def load_reveals(self) -> None:
        self.ctx.run(audit_log.recent_reveals, on_done=self._show_reveals, key="auditlog.reveals")

    def _show_reveals(self, page) -> None:
        t = self.reveal_table
        t.setRowCount(len(page.rows))
        for r, row in enumerate(page.rows):
            hours = ""
            try:
                hours = str(json.loads(row.detail or "{}").get("hours", ""))
            except (ValueError, AttributeError):
                pass
            agency = row.agency or ""
            try:
                agency = enum_label(Agency(row.agency), self.ctx.lang) if row.agency else ""
            except ValueError:
                pass
            fill_row(t, r, [fmt_datetime(parse_at(row.at)), row.username or "", agency,
                            person_alias(row.person_id), row.reason or "", hours], data=row,
                     tooltip=row.reason or "")
        self.reveal_count.setText(self.tr("{n} visningar").format(n=page.total)
                                  if page.total != 1 else self.tr("1 visning"))

    def _reveal_opened(self, _item) -> None:
        row = selected_data(self.reveal_table)
        if row is not None and row.person_id is not None:
            at = parse_at(row.at)
            day = common.local(at).date() if at else None
            self.set_filters(LogParams(person=person_alias(row.person_id),
                                       username=row.username or "", since=day))

    # -- volumes --------------------------------------------------------------------------------

    def _build_volume_tab(self) -> None:
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 8, 0, 0)
        form = QFormLayout()
        row = QHBoxLayout()
        self.volume_days = choice_combo(page, "volumeDays", self.tr("Period"),
                                        [(self.tr("Senaste 7 dagarna"), 7),
                                         (self.tr("Senaste 30 dagarna"), 30)])
        self.threshold = QSpinBox(page)
        self.threshold.setObjectName("threshold")
        self.threshold.setRange(5, 100_000)
        self.threshold.setValue(DEFAULT_THRESHOLD)
        self.threshold.setSuffix(self.tr(" läsningar per dag"))
        self.volume_button = push_button(page, self.tr("Räkna"), "countVolumes", self.load_volumes)
        row.addWidget(self.volume_days)
        row.addWidget(QLabel(self.tr("Ovanligt från"), page))
        row.addWidget(self.threshold)
        row.addWidget(self.volume_button)
        row.addStretch(1)
        form.addRow(row)
        pl.addLayout(form)
        self.volume_note = muted(self.tr(
            "Antal läsningar (ärenden, personer, anteckningar, listor och sökningar) per "
            "användare och dag. Staplar över gränsen är röda; klicka för att se posterna."),
            page)
        pl.addWidget(self.volume_note)
        pl.addWidget(subheading(self.tr("Flest läsningar per användare och dag"), page))
        self.volume_chart = BarChart(page, empty_text=self.tr("Inga läsningar under perioden."))
        self.volume_chart.setObjectName("volumeChart")
        self.volume_chart.activated.connect(self._volume_clicked)
        pl.addWidget(self.volume_chart)
        self.volume_status = muted("", page)
        self.volume_status.setObjectName("volumeStatus")
        pl.addWidget(self.volume_status)
        pl.addStretch(1)
        self.threshold.valueChanged.connect(lambda _v: self._show_volumes(self.volumes))
        self.tabs.addTab(page, self.tr("Ovanliga volymer"))

    def load_volumes(self) -> None:
        self.volume_status.setText(self.tr("Räknar …"))
        self.ctx.run(audit_log.volume_report, int(self.volume_days.currentData()),
                     on_done=self._show_volumes, key="auditlog.volumes")

    def _show_volumes(self, report: VolumeReport | None) -> None:
        self.volumes = report
        if report is None:
            return
        limit = self.threshold.value()
        top = report.rows[:15]
        self.volume_chart.marker = (limit, self.tr("gräns {n}").format(n=limit))
        self.volume_chart.max_value = max(limit * 1.15, top[0].reads if top else 0)
        lang = self.ctx.lang
        self.volume_chart.set_data([
            Datum(f"{v.who()} {v.day.isoformat()}", v.reads, key=v,
                  colour=OVERDUE.name() if v.reads >= limit else "#2f6f8f",
                  tooltip=self.tr("{user} ({username}, {agency}) läste {n} gånger {day}").format(
                      user=v.who(), username=v.username,
                      agency=enum_label(v.agency, lang) if v.agency else "–", n=v.reads,
                      day=v.day.isoformat()))
            for v in top])
        unusual = sum(1 for v in report.rows if v.reads >= limit)
        text = (self.tr("1 användardag över gränsen") if unusual == 1 else
                self.tr("{n} användardagar över gränsen").format(n=unusual))
        text += self.tr("; {m} läsningar {since} – {until}.").format(
            m=report.reads, since=report.since.isoformat(), until=report.until.isoformat())
        self.volume_status.setText(text)

    def _volume_clicked(self, volume) -> None:
        if isinstance(volume, Volume):
            self.set_filters(LogParams(username=volume.username, since=volume.day,
                                       until=volume.day))

    # -- verify ---------------------------------------------------------------------------------

    def verify(self) -> None:
        if self.ctx.store is None:
            return
        self.verify_button.setEnabled(False)
        self.verify_result.setText(self.tr("Kontrollerar …"))
        self.verify_result.setStyleSheet("")
        self.ctx.run_plain(audit_log.verify_log, self.ctx.store, self.ctx.actor,
                           on_done=self._verified, on_error=self._verify_failed)

    def _verified(self, report) -> None:
        self.verify_button.setEnabled(True)
        if report.ok:
            self.verify_result.setText(self.tr(
                "Loggen är hel: {n} poster kontrollerade, {c} signerade kontrollpunkter "
                "stämmer.").format(n=report.entries, c=report.checkpoints_verified))
            self.verify_result.setStyleSheet("color: #2e6b34; font-weight: 600;")
        else:
            problem = report.problem_sv if self.ctx.lang == "sv" else report.problem_en
            where = (self.tr(" Första felaktiga post: nr {seq}.").format(seq=report.first_bad_seq)
                     if report.first_bad_seq is not None else "")
            self.verify_result.setText(self.tr("Loggen är inte hel. ") + (problem or "") + where)
            self.verify_result.setStyleSheet("color: #b3261e; font-weight: 600;")

    def _verify_failed(self, exc) -> None:
        self.verify_button.setEnabled(True)
        self.verify_result.setText(self.ctx.error_text(exc))

    # -- protocol ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.log_model.reload()
        self.load_emergencies()
        self.load_reveals()

    def _tab_changed(self, index: int) -> None:
        if index == 3 and self.volumes is None:
            self.load_volumes()

    def clear(self) -> None:
        self.log_model.clear()
        self.emergency_table.setRowCount(0)
        self.reveal_table.setRowCount(0)
        self.volume_chart.clear()
        self.volumes = None
        self.emergency_rows = []
        for w in (self.person_edit, self.case_edit, self.user_edit):
            w.clear()

    def state(self) -> dict:
        p = self.log_model.params
        # Only identifiers survive a lock: an alias, never a typed personnummer or name.
        person = p.person if audit_log.PERSON_ALIAS.match(p.person or "") else ""
        return {"tab": self.tabs.currentIndex(), "case": p.case, "username": p.username,
                "action": p.action, "person": person,
                "since": p.since.isoformat() if p.since else None,
                "until": p.until.isoformat() if p.until else None}

    def restore(self, state: dict) -> None:
        def day(value):
            return dt.date.fromisoformat(value) if value else None

        params = LogParams(person=state.get("person") or "", case=state.get("case") or "",
                           username=state.get("username") or "",
                           action=state.get("action") or "", since=day(state.get("since")),
                           until=day(state.get("until")))
        self.set_filters(params)
        self.tabs.setCurrentIndex(int(state.get("tab", 0)))
