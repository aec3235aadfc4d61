"""SIG & plan (case tab): the case's referrals to the social intervention
groups with their state, and its action plans / SIP — goals and actions per
life area with the responsible agency and person, due and follow-up dates —
with the state changes the plan's lifecycle and the user's role allow."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.enums import CaseState, LifeArea, PlanState, ReferralState
from trefas_app.services import plans, referrals
from trefas_app.services.case_tabs import SigPlanData, load_sig_plan
from trefas_app.services.views_casework import PlanActionView, PlanView
from trefas_app.ui import common
from trefas_app.ui.common import enum_label, fmt_date, muted
from trefas_app.ui.dialogs.task_pickers import from_team
from trefas_app.ui.screens.base import BaseTab
from trefas_app.ui.widgets.parts import (
    DONE,
    OVERDUE,
    button_row,
    fill_row,
    fit_table,
    header_row,
    hidden_label,
    open_dialog,
    overdue_text,
    push_button,
    selected_data,
    show_hidden,
    subheading,
    table_block,
)


#: Button text per plan transition.
PLAN_TRANSITIONS = {
    PlanState.APPROVED: QT_TRANSLATE_NOOP("PlanTransitions", "Godkänn planen"),
    PlanState.FOLLOWED_UP: QT_TRANSLATE_NOOP("PlanTransitions", "Följ upp …"),
    PlanState.ENDED: QT_TRANSLATE_NOOP("PlanTransitions", "Avsluta planen …"),
}


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        self.data: SigPlanData | None = None
        self._plan_id: int | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 4, 4)

        # -- referrals
        top = QWidget(self)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 6)
        self.new_referral_button = push_button(top, self.tr("Aktualisera till SIG …"),
                                               "newReferral", self.new_referral)
        self.move_referral_button = push_button(top, self.tr("Öppna aktualisering …"),
                                                "moveReferral", self.move_referral)
        tl.addLayout(header_row(top, self.tr("SIG-aktualiseringar"),
                                right=(self.new_referral_button, self.move_referral_button)))
        self.referrals, self.referrals_empty, self.referrals_hidden = table_block(
            top, tl, [self.tr("Mottagen"), self.tr("Status"), self.tr("Aktualiserad av"),
                      self.tr("Beslut"), self.tr("Avslutsorsak")], "referrals",
            self.tr("Ingen SIG-aktualisering i ärendet."), "referralsHidden", stretch=4,
            empty_name="noReferral")
        self.referrals.itemSelectionChanged.connect(self._update_buttons)
        self.referrals.itemDoubleClicked.connect(lambda _i: self.move_referral())
        lay.addWidget(top)

        # -- plans
        bottom = QWidget(self)
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 6, 0, 0)
        row = QHBoxLayout()
        row.addWidget(subheading(self.tr("Plan"), bottom))
        self.plan_combo = QComboBox(bottom)
        self.plan_combo.setObjectName("planChoice")
        self.plan_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.plan_combo.currentIndexChanged.connect(self._plan_chosen)
        row.addWidget(self.plan_combo)
        row.addStretch(1)
        self.new_plan_button = push_button(bottom, self.tr("Ny plan …"), "newPlan", self.new_plan)
        row.addWidget(self.new_plan_button)
        bl.addLayout(row)
        self.plan_meta = muted("", bottom)
        self.plan_meta.setObjectName("planMeta")
        self.plan_meta.setTextFormat(Qt.TextFormat.PlainText)
        bl.addWidget(self.plan_meta)
        self.goal_button = push_button(bottom, self.tr("Nytt mål …"), "newGoal", self.new_goal)
        self.action_button = push_button(bottom, self.tr("Ny åtgärd …"), "newAction",
                                         self.new_action)
        self.done_button = push_button(bottom, self.tr("Markera åtgärd klar"), "actionDone",
                                       self.complete_action)
        actions = button_row(self.goal_button, self.action_button, self.done_button)
        self.transition_row = QHBoxLayout()
        actions.addLayout(self.transition_row)
        self._transition_buttons: list[QPushButton] = []
        bl.addLayout(actions)
        self.tree = QTreeWidget(bottom)
        self.tree.setObjectName("planTree")
        self.tree.setAccessibleName(self.tr("Planens mål och åtgärder"))
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels([self.tr("Mål och åtgärder"), self.tr("Ansvarig"),
                                   self.tr("Klart senast"), self.tr("Uppföljning"),
                                   self.tr("Klar")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, 5):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        bl.addWidget(self.tree, 1)
        self.plans_hidden = hidden_label(bottom, "plansHidden")
        bl.addWidget(self.plans_hidden)
        self.no_plan = muted(self.tr("Ingen plan i ärendet ännu."), bottom)
        self.no_plan.setObjectName("noPlan")
        bl.addWidget(self.no_plan)
        bl.addStretch(0)
        lay.addWidget(bottom, 1)
        referral_ok = ctx.may("referral.read")
        top.setVisible(referral_ok)
        bottom.setVisible(ctx.may("plan.read"))

    def case_watches(self, case) -> tuple:
        return (("plans", case.id), ("cases", case.id), ("referrals", case.id),
                ("consents", case.person.id))

    # -- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        if self.case is None:
            return
        self.ctx.run(load_sig_plan, self.case.id, self._plan_id, on_done=self._show,
                     key=f"sig_plan.{self.case.id}")

    def _show(self, data: SigPlanData) -> None:
        if self.case is None:
            return
        self.data = data
        lang = self.ctx.lang
        if data.referrals is not None:
            rows = data.referrals.rows
            selected = selected_data(self.referrals)
            self.referrals.setRowCount(len(rows))
            for r, ref in enumerate(rows):
                closed = ref.state in (ReferralState.CLOSED, ReferralState.DECLINED)
                fill_row(self.referrals, r, [
                    fmt_date(ref.received_at), enum_label(ref.state, lang),
                    enum_label(ref.source_agency, lang),
                    fmt_date(ref.decided_at) if ref.decided_at else "",
                    enum_label(ref.closure, lang) if ref.closure else ""], data=ref,
                    colour=DONE if closed else None)
                if selected is not None and ref.id == selected.id:
                    self.referrals.selectRow(r)
            fit_table(self.referrals, self.referrals_empty, max_rows=5)
            show_hidden(self.referrals_hidden, data.referrals.hidden,
                        ("aktualisering", "aktualiseringar", "referral", "referrals"), lang)
        if data.plans is not None:
            self.plan_combo.blockSignals(True)
            self.plan_combo.clear()
            for p in data.plans.rows:
                kind = self.tr("SIP") if p.is_sip else self.tr("Åtgärdsplan")
                self.plan_combo.addItem(self.tr("{kind} från {date} – {state}").format(
                    kind=kind, date=fmt_date(p.created_at), state=enum_label(p.state, lang)),
                    p.id)
            if data.plan is not None:
                self.plan_combo.setCurrentIndex(max(0, self.plan_combo.findData(data.plan.id)))
            self.plan_combo.setVisible(bool(data.plans.rows))
            self.plan_combo.blockSignals(False)
            show_hidden(self.plans_hidden, data.plans.hidden,
                        ("plan", "planer", "plan", "plans"), lang)
            self.show_plan(data.plan)
        self._update_buttons()

    def show_plan(self, plan: PlanView | None) -> None:
        lang = self.ctx.lang
        self.tree.clear()
        self.no_plan.setVisible(plan is None)
        self.tree.setVisible(plan is not None)
        self.plan_meta.setVisible(plan is not None)
        if plan is None:
            self._set_transitions(None)
            return
        self._plan_id = plan.id
        who = plan.overall_user_name or self.tr("ingen utsedd")
        parts = [self.tr("Status: {state}").format(state=enum_label(plan.state, lang)),
                 self.tr("huvudansvar: {agency}, {who}").format(
                     agency=enum_label(plan.overall_agency, lang), who=who)]
        if plan.next_follow_up:
            parts.append(self.tr("nästa uppföljning {date}").format(
                date=fmt_date(plan.next_follow_up)))
        if plan.approved_at:
            parts.append(self.tr("godkänd {date} av {who}").format(
                date=fmt_date(plan.approved_at), who=plan.approved_by or ""))
        self.plan_meta.setText(" · ".join(parts))
        bold = QFont(self.tree.font())
        bold.setWeight(QFont.Weight.DemiBold)
        for area in LifeArea:
            goals = [g for g in plan.goals if g.life_area == area]
            acts = [a for a in plan.actions if a.life_area == area]
            if not goals and not acts:
                continue
            node = QTreeWidgetItem(self.tree, [enum_label(area, lang)])
            node.setFont(0, bold)
            node.setData(0, Qt.ItemDataRole.UserRole, area)
            node.setFirstColumnSpanned(True)
            for g in goals:
                item = QTreeWidgetItem(node, [self.tr("Mål: {goal}").format(goal=g.goal)])
                item.setToolTip(0, g.goal)
                item.setData(0, Qt.ItemDataRole.UserRole, area)
            for a in acts:
                responsible = enum_label(a.responsible_agency, lang)
                if a.responsible_name:
                    responsible += f", {a.responsible_name}"
                item = QTreeWidgetItem(node, [
                    a.description, responsible,
                    overdue_text(fmt_date(a.due_date) or "–") if a.overdue
                    else fmt_date(a.due_date) or "–",
                    fmt_date(a.follow_up_date) or "–",
                    fmt_date(a.done_at) if a.done_at else ""])
                item.setData(0, Qt.ItemDataRole.UserRole, a)
                item.setToolTip(0, a.description)
                colour = OVERDUE if a.overdue else (DONE if a.done_at else None)
                if colour is not None:
                    for c in range(5):
                        item.setForeground(c, QBrush(colour))
                if a.overdue:
                    item.setToolTip(2, self.tr("Försenad"))
            node.setExpanded(True)
        if not plan.goals and not plan.actions:
            QTreeWidgetItem(self.tree, [self.tr("Planen har inga mål eller åtgärder än.")])
        self._set_transitions(plan)

    def _set_transitions(self, plan: PlanView | None) -> None:
        for b in self._transition_buttons:
            self.transition_row.removeWidget(b)
            b.deleteLater()
        self._transition_buttons = []
        if plan is None or (self.case is not None and self.case.read_only):
            return
        for target in plan.next_states:
            text = PLAN_TRANSITIONS.get(target)
            if text is None:
                continue
            b = QPushButton(QCoreApplication.translate("PlanTransitions", text), self)
            b.setObjectName(f"plan-to-{target.value}")
            b.clicked.connect(lambda _=False, t=target: self.move_plan(t))
            self.transition_row.addWidget(b)
            self._transition_buttons.append(b)

    def _plan_chosen(self, _index: int) -> None:
        plan_id = self.plan_combo.currentData()
        if plan_id is None or self.case is None:
            return
        self._plan_id = plan_id
        self.ctx.run(plans.get_plan, plan_id, on_done=self.show_plan,
                     key=f"sig_plan.plan.{self.case.id}")

    # -- state of the buttons ----------------------------------------------------------------

    def plan(self) -> PlanView | None:
        return self.data.plan if self.data else None

    def selected_action(self) -> PlanActionView | None:
        items = self.tree.selectedItems()
        data = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return data if isinstance(data, PlanActionView) else None

    def selected_area(self) -> LifeArea | None:
        items = self.tree.selectedItems()
        data = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        if isinstance(data, PlanActionView):
            return data.life_area
        return LifeArea(data) if isinstance(data, str) and data in set(LifeArea) else None

    def _writable(self) -> bool:
        case = self.case
        return case is not None and not case.read_only and case.state != CaseState.CLOSED

    def _update_buttons(self) -> None:
        ctx = self.ctx
        writable = self._writable()
        self.new_referral_button.setVisible(writable and ctx.may("referral.write"))
        ref = selected_data(self.referrals)
        self.move_referral_button.setVisible(ctx.may("referral.read"))
        self.move_referral_button.setEnabled(ref is not None)
        self.new_plan_button.setVisible(writable and ctx.may("plan.write"))
        plan = self.plan()
        editable = (writable and ctx.may("plan.write") and plan is not None
                    and plan.state != PlanState.ENDED and bool(plan.next_states))
        for b in (self.goal_button, self.action_button, self.done_button):
            b.setVisible(editable)
        action = self.selected_action()
        self.done_button.setEnabled(action is not None and action.done_at is None)

    # -- actions ------------------------------------------------------------------------

    _open = staticmethod(open_dialog)

    def new_referral(self):
        from trefas_app.ui.dialogs.referral import ReferralDialog

        if self.case is not None:
            return self._open(ReferralDialog(self.ctx, self, self.case.id, self.case.number))
        return None

    def move_referral(self) -> None:
        ref = selected_data(self.referrals)
        if ref is None:
            return
        self.ctx.run(referrals.get_referral, ref.id, on_done=self._referral_dialog,
                     key="sig_plan.referral")

    def _referral_dialog(self, view):
        from trefas_app.ui.dialogs.referral import ReferralStateDialog

        self._last_dialog = self._open(ReferralStateDialog(self.ctx, self, view))
        return self._last_dialog

    def _candidates(self):
        return from_team(self.case.team) if self.case is not None else []

    def new_plan(self):
        from trefas_app.ui.dialogs.plan import PlanDialog

        if self.case is not None:
            dlg = PlanDialog(self.ctx, self, self.case.id, self._candidates())
            dlg.succeeded.connect(lambda p: setattr(self, "_plan_id", p.id))
            return self._open(dlg)
        return None

    def new_goal(self):
        from trefas_app.ui.dialogs.plan import GoalDialog

        plan = self.plan()
        if plan is not None:
            return self._open(GoalDialog(self.ctx, self, plan, self.selected_area()))
        return None

    def new_action(self):
        from trefas_app.ui.dialogs.plan import ActionDialog

        plan = self.plan()
        if plan is not None:
            return self._open(ActionDialog(self.ctx, self, plan, self._candidates(),
                                           self.selected_area()))
        return None

    def complete_action(self) -> None:
        plan, action = self.plan(), self.selected_action()
        if plan is None or action is None or action.done_at is not None:
            return
        if not common.confirm(self, self.tr("Markera åtgärden ”{what}” som klar?").format(
                what=action.description), self.tr("Markera klar"), self.tr("Avbryt")):
            return
        self.ctx.run(plans.complete_action, action.id)

    def move_plan(self, target: PlanState):
        from trefas_app.ui.dialogs.plan import FollowUpDialog
        from trefas_app.ui.dialogs.reason import ReasonDialog

        plan = self.plan()
        if plan is None:
            return None
        if target == PlanState.FOLLOWED_UP:
            return self._open(FollowUpDialog(self.ctx, self, plan))
        if target == PlanState.ENDED:
            return self._open(ReasonDialog(
                self.ctx, self, title=self.tr("Avsluta planen"),
                prompt=self.tr("Varför avslutas planen? *"), service=plans.end_plan,
                args=(plan.id,), ok_text=self.tr("Avsluta planen"),
                reason_kw="reason", record=plan, read_service=plans.get_plan))
        if target == PlanState.APPROVED:
            question = self.tr("Godkänna planen? Den har {goals} och {actions}.").format(
                goals=self.tr("%n mål", "", len(plan.goals)),
                actions=self.tr("%n åtgärder", "", len(plan.actions)))
            if not common.confirm(self, question,
                                  self.tr("Godkänn"), self.tr("Avbryt")):
                return None
            self.ctx.run(plans.approve_plan, plan.id, expected_version=plan.version)
        return None

    # -- lock protocol -------------------------------------------------------------------

    def clear(self) -> None:
        self.case = None
        self.data = None
        self.referrals.setRowCount(0)
        self.tree.clear()
        self.plan_combo.clear()
        self.plan_meta.clear()

    def state(self) -> dict:
        return {"plan_id": self._plan_id}

    def restore(self, state: dict) -> None:
        self._plan_id = state.get("plan_id")

