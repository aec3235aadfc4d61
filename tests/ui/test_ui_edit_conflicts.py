"""Two people editing the same record (issue 13), in the window: the dialog
passes the version it opened with; when someone saved first, the save is
refused, the dialog stays open with the user's text and says who changed the
record and when, and "Öppna igen" shows the record as saved now."""

from __future__ import annotations

import pytest

from trefas_app.domain import clock
from trefas_app.domain.enums import Category
from trefas_app.services import cases, notes, persons
from trefas_app.store.store import unlock
from trefas_app.ui.dialogs.note import NoteDialog
from trefas_app.ui.dialogs.person import PersonDialog

PW = "Granskog-och-hav-42"


@pytest.fixture
def amir(sara_ctx, run_sync, world):
    """A person with a case of sara's, olle on its team."""
    person = run_sync(sara_ctx, persons.create_person, persons.PersonInput("Amir", "Haddad"))
    case = run_sync(sara_ctx, cases.open_case, person.id, "Risk för våld")
    run_sync(sara_ctx, cases.add_team_member, case.id, world.user_ids["olle"])
    return person, case


def _elsewhere(world, username: str):
    """Another desktop: the same store, a session of its own."""
    return unlock(world.root, username, PW)


def _refused(qtbot, dlg, noun: str, who: str) -> None:
    qtbot.waitUntil(lambda: dlg.problem_label.isVisible(), timeout=10_000)
    hour = clock.format_local(clock.now_utc())[-5:-3]  # minutes may tick
    text = dlg.problem_label.text()
    assert text.startswith(f"{noun} ändrades av {who} kl. {hour}"), text
    assert text.endswith("– din ändring har inte sparats; öppna igen.")
    assert dlg.isVisible() and dlg.reopen_button.isVisible()


def test_a_draft_saved_on_another_desktop_is_not_overwritten(qtbot, sara_ctx, amir, run_sync,
                                                             world):
    _person, case = amir
    draft = run_sync(sara_ctx, notes.write_note, case.id, "Samtal", "Första texten.",
                     Category.SOCIAL)
    dlg = NoteDialog(sara_ctx, None, case.id, draft=draft)
    qtbot.addWidget(dlg)
    dlg.show()
    reloads = []
    sara_ctx.changed.connect(reloads.append)
    with _elsewhere(world, "sara") as other:  # the same author, at another desk
        notes.update_draft(other.uow(), other.actor, draft.id, "Samtal", "Skrivet där borta.",
                           expected_version=draft.version)
    dlg.body_edit.setPlainText("Skrivet här.")
    dlg.ok_button.click()
    _refused(qtbot, dlg, "Anteckningen", "Sara Lind")
    assert dlg.body_edit.toPlainText() == "Skrivet här."  # the user's text is kept
    assert sara_ctx.messages == []  # in the dialog, no message box, no traceback
    saved = run_sync(sara_ctx, notes.get_note, draft.id)
    assert saved.body == "Skrivet där borta."  # nothing overwritten
    # The case's notes tab behind the dialog reloads: it shows the newer version.
    assert any(c.touches("notes", case.id) for c in reloads)

    dlg.reopen_button.click()  # "Öppna igen" (the question is answered yes)
    qtbot.waitUntil(lambda: not dlg.reopen_button.isVisible(), timeout=10_000)
    assert dlg.body_edit.toPlainText() == "Skrivet där borta."
    assert dlg.version == saved.version and not dlg.problem_label.isVisible()
    dlg.body_edit.setPlainText("Skrivet här, efter att ha läst.")
    with qtbot.waitSignal(dlg.succeeded, timeout=10_000):
        dlg.ok_button.click()
    assert run_sync(sara_ctx, notes.get_note, draft.id).body == "Skrivet här, efter att ha läst."


def test_a_sign_after_a_refused_save_is_not_attempted(qtbot, sara_ctx, amir, run_sync, world):
    _person, case = amir
    draft = run_sync(sara_ctx, notes.write_note, case.id, "Samtal", "Ett.", Category.SOCIAL)
    dlg = NoteDialog(sara_ctx, None, case.id, draft=draft)
    qtbot.addWidget(dlg)
    dlg.show()
    with _elsewhere(world, "sara") as other:
        notes.update_draft(other.uow(), other.actor, draft.id, "Samtal", "Två.",
                           expected_version=draft.version)
    dlg.body_edit.setPlainText("Tre.")
    dlg.sign_button.click()
    _refused(qtbot, dlg, "Anteckningen", "Sara Lind")
    kept = run_sync(sara_ctx, notes.get_note, draft.id)
    assert kept.body == "Två." and kept.state.value == "draft"


def test_a_person_saved_by_a_colleague_is_not_overwritten(qtbot, sara_ctx, amir, run_sync,
                                                          world):
    person, _case = amir
    opened = run_sync(sara_ctx, persons.get_person, person.id)
    dlg = PersonDialog(sara_ctx, None, person=opened)
    qtbot.addWidget(dlg)
    dlg.show()
    with _elsewhere(world, "olle") as other:
        persons.update_person(other.uow(), other.actor, person.id,
                              persons.PersonInput("Amir", "Haddad", phone="070-111 11 11"),
                              expected_version=opened.version)
    dlg.phone_edit.setText("070-222 22 22")
    dlg.ok_button.click()
    _refused(qtbot, dlg, "Personuppgifterna", "Olle Berg")
    assert dlg.phone_edit.text() == "070-222 22 22"
    assert run_sync(sara_ctx, persons.get_person, person.id).phone == "070-111 11 11"
    dlg.reopen_button.click()
    qtbot.waitUntil(lambda: dlg.phone_edit.text() == "070-111 11 11", timeout=10_000)


def test_an_agreement_written_meanwhile_is_kept_and_shown_again(qtbot, sara_ctx, amir,
                                                                 run_sync, world):
    from trefas_app.domain.enums import ExitState
    from trefas_app.services import exits
    from trefas_app.ui.dialogs.exit import AgreementDialog

    _person, case = amir
    programme = run_sync(sara_ctx, exits.request_exit, case.id)
    run_sync(sara_ctx, exits.record_first_contact, programme.id)
    programme = run_sync(sara_ctx, exits.move_exit, programme.id, ExitState.INTAKE)
    dlg = AgreementDialog(sara_ctx, None, programme)
    qtbot.addWidget(dlg)
    dlg.show()
    with _elsewhere(world, "olle") as other:
        exits.set_agreement(other.uow(), other.actor, programme.id, "Olles villkor.",
                            expected_version=programme.version)
    dlg.conditions_edit.setPlainText("Saras villkor.")
    dlg.ok_button.click()
    _refused(qtbot, dlg, "Avhopparärendet", "Olle Berg")
    assert dlg.conditions_edit.toPlainText() == "Saras villkor."
    assert run_sync(sara_ctx, exits.get_exit, programme.id).agreement_conditions == \
        "Olles villkor."
    dlg.reopen_button.click()
    qtbot.waitUntil(lambda: dlg.conditions_edit.toPlainText() == "Olles villkor.",
                    timeout=10_000)


def test_a_referral_moved_meanwhile_offers_its_next_steps_again(qtbot, sara_ctx, amir,
                                                                run_sync, world):
    from trefas_app.domain.enums import Agency, ReferralState
    from trefas_app.services import referrals
    from trefas_app.ui.dialogs.referral import ReferralStateDialog

    _person, case = amir
    referral = run_sync(sara_ctx, referrals.create_referral, case.id, "Oro i skolan",
                        Agency.CITY)
    dlg = ReferralStateDialog(sara_ctx, None, referral)
    qtbot.addWidget(dlg)
    dlg.show()
    with _elsewhere(world, "olle") as other:
        referrals.move_referral(other.uow(), other.actor, referral.id,
                                ReferralState.INITIAL_ASSESSMENT,
                                expected_version=referral.version)
    dlg.state_combo.setCurrentIndex(dlg.state_combo.findData(ReferralState.INITIAL_ASSESSMENT))
    dlg.note_edit.setPlainText("Min bedömning.")
    dlg.ok_button.click()
    _refused(qtbot, dlg, "Aktualiseringen", "Olle Berg")
    assert dlg.note_edit.toPlainText() == "Min bedömning."
    dlg.reopen_button.click()
    qtbot.waitUntil(lambda: not dlg.reopen_button.isVisible(), timeout=10_000)
    offered = [dlg.state_combo.itemData(i) for i in range(dlg.state_combo.count())]
    assert ReferralState.CONSENT in offered
    assert ReferralState.INITIAL_ASSESSMENT not in offered


def test_a_step_given_an_owner_meanwhile_keeps_the_choice_and_says_who(
        qtbot, world, ctx_factory, unlock_sync, run_sync):
    import datetime as dt

    from trefas_app.domain.enums import Agency, IncidentKind, Role
    from trefas_app.services import incidents
    from trefas_app.ui.dialogs.incident import AssignStepDialog
    from trefas_app.ui.dialogs.task_pickers import Candidate

    ctx = ctx_factory(world.root)
    unlock_sync(ctx, "kalle")  # the coordinator, who runs the routine
    incident = run_sync(ctx, incidents.report_incident, IncidentKind.SHOOTING,
                        (clock.now_utc() - dt.timedelta(hours=1)).replace(microsecond=0),
                        world.unit_ids["city"], "Torget", "Skottlossning vid torget.")
    step = next(s for s in incident.steps if s.owner_agency == Agency.CITY)
    olle = Candidate(world.user_ids["olle"], "Olle Berg", Role.SOCIAL_WORKER, Agency.CITY)
    dlg = AssignStepDialog(ctx, None, step, [olle])
    qtbot.addWidget(dlg)
    dlg.show()
    with _elsewhere(world, "kalle") as other:
        incidents.assign_step(other.uow(), other.actor, step.id, world.user_ids["sara"],
                              expected_version=step.version)
    assert dlg.user_combo.select(world.user_ids["olle"])
    dlg.ok_button.click()
    _refused(qtbot, dlg, "Rutinsteget", "Kalle Nyström")
    assert dlg.user_combo.user_id() == world.user_ids["olle"]
    now = run_sync(ctx, incidents.get_incident, incident.id)
    assert next(s for s in now.steps if s.id == step.id).owner_name == "Sara Lind"
    dlg.reopen_button.click()
    qtbot.waitUntil(lambda: not dlg.reopen_button.isVisible(), timeout=10_000)
    assert dlg.version == next(s for s in now.steps if s.id == step.id).version
    with qtbot.waitSignal(dlg.succeeded, timeout=10_000):
        dlg.ok_button.click()  # olle, over the owner the dialog now knows
