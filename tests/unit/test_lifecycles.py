"""Lifecycle state machines (DESIGN §4)."""

from __future__ import annotations

from enum import StrEnum

import pytest

from trefas_app.domain import lifecycles
from trefas_app.domain.enums import (
    CaseState,
    ExitEnding,
    ExitState,
    IncidentState,
    NoteState,
    PlanState,
    ReferralClosure,
    ReferralState,
    TaskState,
)
from trefas_app.domain.errors import IllegalTransition, ValidationError
from trefas_app.domain.labels import label
from trefas_app.domain.lifecycles import (
    CASE,
    EXIT,
    INCIDENT,
    MACHINES,
    NOTE,
    PLAN,
    REFERRAL,
    TASK,
    StateMachine,
    require_reason,
)

# The expected tables, written out by hand from DESIGN §4 and the brief,
# as "from -> to" on the enum values.

CASE_ALLOWED = {
    ("open", "active"),
    ("open", "closure_requested"),
    ("active", "closure_requested"),
    ("closure_requested", "active"),  # closure rejected
    ("closure_requested", "closed"),
    ("closed", "active"),  # reopened
}

REFERRAL_ALLOWED = {
    ("received", "initial_assessment"),
    ("initial_assessment", "consent"),
    ("consent", "granted"),
    ("consent", "declined"),
    ("granted", "mapping"),
    ("mapping", "plan"),
    ("plan", "interventions"),
    ("interventions", "follow_up"),
    ("follow_up", "interventions"),
    # closure (with a reason) from every state that is not closed
    ("received", "closed"),
    ("initial_assessment", "closed"),
    ("consent", "closed"),
    ("granted", "closed"),
    ("declined", "closed"),
    ("mapping", "closed"),
    ("plan", "closed"),
    ("interventions", "closed"),
    ("follow_up", "closed"),
}

EXIT_ALLOWED = {
    ("requested", "first_contact"),
    ("first_contact", "intake"),
    ("intake", "agreement"),
    ("agreement", "protection_support"),
    ("protection_support", "follow_up"),
    ("follow_up", "protection_support"),
    ("requested", "ended"),
    ("first_contact", "ended"),
    ("intake", "ended"),
    ("agreement", "ended"),
    ("protection_support", "ended"),
    ("follow_up", "ended"),
}

INCIDENT_ALLOWED = {("reported", "routine"), ("routine", "closed")}

NOTE_ALLOWED = {("draft", "signed")}

TASK_ALLOWED = {("open", "done"), ("open", "cancelled")}

PLAN_ALLOWED = {
    ("draft", "approved"),
    ("draft", "ended"),
    ("approved", "followed_up"),
    ("approved", "ended"),
    ("followed_up", "followed_up"),
    ("followed_up", "ended"),
}

EXPECTED: dict[str, tuple[StateMachine, type[StrEnum], set[tuple[str, str]]]] = {
    "case": (CASE, CaseState, CASE_ALLOWED),
    "referral": (REFERRAL, ReferralState, REFERRAL_ALLOWED),
    "exit": (EXIT, ExitState, EXIT_ALLOWED),
    "incident": (INCIDENT, IncidentState, INCIDENT_ALLOWED),
    "note": (NOTE, NoteState, NOTE_ALLOWED),
    "task": (TASK, TaskState, TASK_ALLOWED),
    "plan": (PLAN, PlanState, PLAN_ALLOWED),
}

ALL_PAIRS = [
    pytest.param(name, a, b, id=f"{name}:{a.value}->{b.value}")
    for name, (_, enum, _) in EXPECTED.items()
    for a in enum
    for b in enum
]


@pytest.mark.parametrize(("name", "source", "target"), ALL_PAIRS)
def test_every_pair(name, source, target):
    machine, _, allowed = EXPECTED[name]
    expected = (source.value, target.value) in allowed
    assert machine.can(source, target) is expected
    assert (target in machine.allowed_next(source)) is expected
    if expected:
        machine.check(source, target)  # does not raise
    else:
        with pytest.raises(IllegalTransition) as info:
            machine.check(source, target)
        err = info.value
        # Swedish, naming the target and the current state by their Swedish labels.
        assert f"”{label(target, 'sv')}”" in err.sv
        assert f"”{label(source, 'sv')}”" in err.sv
        assert "status kan inte ändras" in err.sv
        assert f"“{label(target, 'en')}”" in err.en
        assert err.message("sv") == err.sv
        assert str(err) == err.en


def test_expected_tables_only_name_real_states():
    for machine, enum, allowed in EXPECTED.values():
        values = {m.value for m in enum}
        for a, b in allowed:
            assert a in values and b in values, (machine, a, b)


def test_every_machine_is_registered_and_covers_its_enum():
    assert set(MACHINES) == {enum for _, enum, _ in EXPECTED.values()}
    for machine, enum, _ in EXPECTED.values():
        assert MACHINES[enum] is machine
        assert machine.state_type is enum
        assert set(machine.states) == set(enum)
        assert set(machine.transitions) == set(enum)


def test_initial_states():
    assert CASE.initial is CaseState.OPEN
    assert REFERRAL.initial is ReferralState.RECEIVED
    assert EXIT.initial is ExitState.REQUESTED
    assert INCIDENT.initial is IncidentState.REPORTED
    assert NOTE.initial is NoteState.DRAFT
    assert TASK.initial is TaskState.OPEN
    assert PLAN.initial is PlanState.DRAFT


def test_final_states():
    assert NOTE.is_final(NoteState.SIGNED)
    assert TASK.is_final(TaskState.DONE) and TASK.is_final(TaskState.CANCELLED)
    assert REFERRAL.is_final(ReferralState.CLOSED)
    assert EXIT.is_final(ExitState.ENDED)
    assert INCIDENT.is_final(IncidentState.CLOSED)
    assert PLAN.is_final(PlanState.ENDED)
    assert not CASE.is_final(CaseState.CLOSED)  # a closed case may be reopened


def test_refusal_lists_what_is_allowed():
    with pytest.raises(IllegalTransition) as info:
        REFERRAL.check(ReferralState.CONSENT, ReferralState.MAPPING)
    sv = info.value.sv
    assert sv.startswith("SIG-aktualisering:")
    for state in (ReferralState.GRANTED, ReferralState.DECLINED, ReferralState.CLOSED):
        assert f"”{label(state, 'sv')}”" in sv.split("bara ändras till")[1]
    assert " eller " in sv


def test_refusal_from_a_final_state_says_so():
    with pytest.raises(IllegalTransition) as info:
        NOTE.check(NoteState.SIGNED, NoteState.DRAFT)
    assert "slutläge" in info.value.sv
    assert "final state" in info.value.en


def test_illegal_transition_is_a_validation_error():
    with pytest.raises(ValidationError):
        TASK.check(TaskState.DONE, TaskState.OPEN)


def test_plain_strings_from_storage_are_accepted():
    assert CASE.can("open", "active")
    CASE.check("closed", "active")
    with pytest.raises(IllegalTransition):
        CASE.check("closed", "open")
    with pytest.raises(ValueError):
        CASE.check("open", "no_such_state")


def test_a_state_of_another_enum_is_a_programming_error():
    # CaseState.OPEN == TaskState.OPEN == "open" as strings; the machine must
    # not be fooled by that.
    assert CaseState.OPEN == TaskState.OPEN
    with pytest.raises(TypeError):
        CASE.check(TaskState.OPEN, CaseState.ACTIVE)
    with pytest.raises(TypeError):
        TASK.allowed_next(CaseState.OPEN)


def test_transitions_cannot_be_changed_at_runtime():
    with pytest.raises(TypeError):
        CASE.transitions[CaseState.CLOSED] = frozenset({CaseState.OPEN})  # type: ignore[index]
    with pytest.raises(AttributeError):
        CASE.transitions[CaseState.CLOSED].add(CaseState.OPEN)  # type: ignore[attr-defined]


def test_a_machine_must_list_every_state():
    with pytest.raises(ValueError):
        StateMachine("X", "X", {TaskState.OPEN: frozenset({TaskState.DONE})}, initial=TaskState.OPEN)
    with pytest.raises(TypeError):
        StateMachine(
            "X",
            "X",
            {NoteState.DRAFT: frozenset({TaskState.DONE}), NoteState.SIGNED: frozenset()},
            initial=NoteState.DRAFT,
        )


def test_a_small_custom_machine():
    m = StateMachine(
        "Prov",
        "Trial",
        {NoteState.DRAFT: frozenset({NoteState.SIGNED}), NoteState.SIGNED: frozenset()},
        initial=NoteState.DRAFT,
    )
    assert m.allowed_next(NoteState.DRAFT) == {NoteState.SIGNED}
    with pytest.raises(IllegalTransition) as info:
        m.check(NoteState.DRAFT, NoteState.DRAFT)
    assert info.value.sv.startswith("Prov:")


# --- reasons -------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(ReferralClosure))
def test_referral_closure_with_reason(reason):
    assert require_reason(REFERRAL, ReferralState.CLOSED, reason) is reason
    assert require_reason(REFERRAL, "closed", reason.value) is reason


@pytest.mark.parametrize("reason", list(ExitEnding))
def test_exit_ending_with_reason(reason):
    assert require_reason(EXIT, ExitState.ENDED, reason) is reason
    assert require_reason(EXIT, "ended", reason.value) is reason


@pytest.mark.parametrize(
    ("machine", "target", "reason"),
    [
        (REFERRAL, ReferralState.CLOSED, None),
        (REFERRAL, ReferralState.CLOSED, ""),
        (REFERRAL, ReferralState.CLOSED, "because"),
        (REFERRAL, ReferralState.CLOSED, ExitEnding.MOVED),  # same value, wrong kind
        (EXIT, ExitState.ENDED, None),
        (EXIT, ExitState.ENDED, ReferralClosure.MOVED),
        (EXIT, ExitState.ENDED, "completed"),
    ],
)
def test_missing_or_wrong_reason(machine, target, reason):
    with pytest.raises(ValidationError) as info:
        require_reason(machine, target, reason)
    err = info.value
    assert not isinstance(err, IllegalTransition)
    assert "ange en orsak" in err.sv
    assert f"”{label(target, 'sv')}”" in err.sv
    reason_enum = machine.reasons[target]
    for option in reason_enum:
        assert label(option, "sv") in err.sv
        assert label(option, "en") in err.en


@pytest.mark.parametrize(
    ("machine", "target"),
    [(REFERRAL, ReferralState.MAPPING), (EXIT, ExitState.INTAKE), (CASE, CaseState.CLOSED),
     (NOTE, NoteState.SIGNED), (PLAN, PlanState.ENDED)],
)
def test_other_targets_need_no_reason(machine, target):
    assert require_reason(machine, target, None) is None


def test_only_referral_and_exit_need_reasons():
    needing = {(m.name_en, s) for m in MACHINES.values() for s in m.reasons}
    assert needing == {(REFERRAL.name_en, ReferralState.CLOSED), (EXIT.name_en, ExitState.ENDED)}


def test_module_has_no_qt_or_sqlalchemy():
    source = open(lifecycles.__file__, encoding="utf-8").read()
    assert "PySide" not in source and "sqlalchemy" not in source.lower()
