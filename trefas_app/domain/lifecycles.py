"""State machines for the lifecycles in DESIGN §4.

Each machine lists, for every state of its enum, the states it may move to.
Services call ``MACHINE.check(current, wanted)`` before changing a state;
the refusal is an IllegalTransition with a Swedish and English message that
names both states by their display labels and lists what is possible.

Moving a SIG referral to closed and an exit programme to ended also needs a
reason; ``require_reason`` checks that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from .enums import (
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
from .errors import IllegalTransition, ValidationError
from .labels import label

__all__ = [
    "CASE",
    "EXIT",
    "INCIDENT",
    "MACHINES",
    "NOTE",
    "PLAN",
    "REFERRAL",
    "TASK",
    "StateMachine",
    "require_reason",
]


@dataclass(frozen=True, eq=False)
class StateMachine:
    """A lifecycle: which state may follow which.

    ``transitions`` must name every member of one StrEnum as a key (a final
    state maps to an empty set). ``reasons`` maps a target state to the enum
    of reasons that must accompany a move into it.
    """

    name_sv: str
    name_en: str
    transitions: Mapping[StrEnum, frozenset[StrEnum]]
    initial: StrEnum
    reasons: Mapping[StrEnum, type[StrEnum]] = field(default_factory=dict)
    state_type: type[StrEnum] = field(init=False)

    def __post_init__(self) -> None:
        state_type = type(self.initial)
        members = set(state_type)
        keys = set(self.transitions)
        for state in keys | {s for targets in self.transitions.values() for s in targets}:
            if type(state) is not state_type:
                raise TypeError(f"{self.name_en}: {state!r} is not a {state_type.__name__}")
        if keys != members:
            missing = sorted(s.name for s in members - keys)
            raise ValueError(f"{self.name_en}: no transitions listed for {missing}")
        for state in self.reasons:
            if type(state) is not state_type:
                raise TypeError(f"{self.name_en}: reason target {state!r} is not a {state_type.__name__}")
        frozen = {s: frozenset(self.transitions[s]) for s in state_type}
        object.__setattr__(self, "state_type", state_type)
        object.__setattr__(self, "transitions", MappingProxyType(frozen))
        object.__setattr__(self, "reasons", MappingProxyType(dict(self.reasons)))

    def __repr__(self) -> str:
        return f"StateMachine({self.name_en!r})"

    # --- queries ---------------------------------------------------------

    @property
    def states(self) -> tuple[StrEnum, ...]:
        return tuple(self.state_type)

    def coerce(self, state: StrEnum | str) -> StrEnum:
        """The member of this machine's enum for ``state``.

        A plain string (as read from storage) is converted; a member of a
        different enum is a programming error, even when its value is the
        same string (CaseState.OPEN == TaskState.OPEN as strings).
        """
        if type(state) is self.state_type:
            return state
        if type(state) is str:
            try:
                return self.state_type(state)
            except ValueError:
                raise ValueError(f"{state!r} is not a state of {self.name_en}") from None
        raise TypeError(f"{self.name_en} expects {self.state_type.__name__}, got {type(state).__name__}")

    def allowed_next(self, state: StrEnum | str) -> frozenset[StrEnum]:
        return self.transitions[self.coerce(state)]

    def can(self, from_state: StrEnum | str, to_state: StrEnum | str) -> bool:
        return self.coerce(to_state) in self.allowed_next(from_state)

    def is_final(self, state: StrEnum | str) -> bool:
        return not self.allowed_next(state)

    # --- enforcement -----------------------------------------------------

    def check(self, from_state: StrEnum | str, to_state: StrEnum | str) -> None:
        """Raise IllegalTransition unless ``from_state → to_state`` is allowed."""
        source, target = self.coerce(from_state), self.coerce(to_state)
        allowed = self.transitions[source]
        if target in allowed:
            return
        ordered = [s for s in self.state_type if s in allowed]  # definition order
        src_sv, src_en = label(source, "sv"), label(source, "en")
        tgt_sv, tgt_en = label(target, "sv"), label(target, "en")
        if ordered:
            next_sv = _join((f"”{label(s, 'sv')}”" for s in ordered), "eller")
            next_en = _join((f"“{label(s, 'en')}”" for s in ordered), "or")
            tail_sv = f"Från ”{src_sv}” kan status bara ändras till {next_sv}."
            tail_en = f"From “{src_en}” the status can only change to {next_en}."
        else:
            tail_sv = f"”{src_sv}” är ett slutläge och kan inte ändras."
            tail_en = f"“{src_en}” is a final state and cannot be changed."
        raise IllegalTransition(
            f"{self.name_sv}: status kan inte ändras från ”{src_sv}” till ”{tgt_sv}”. {tail_sv}",
            f"{self.name_en}: the status cannot change from “{src_en}” to “{tgt_en}”. {tail_en}",
        )


def _join(items: Iterable[str], conjunction: str) -> str:
    parts = list(items)
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}"


def require_reason(
    machine: StateMachine, to_state: StrEnum | str, reason: StrEnum | str | None
) -> StrEnum | None:
    """Check the reason that goes with a move into ``to_state``.

    Moving a SIG referral to closed needs a ReferralClosure; ending an exit
    programme needs an ExitEnding. Returns the reason as a member of its
    enum (a stored plain string is converted), or None when the target needs
    no reason. Raises ValidationError when a needed reason is missing or of
    the wrong kind.
    """
    target = machine.coerce(to_state)
    reason_type = machine.reasons.get(target)
    if reason_type is None:
        return None
    if type(reason) is reason_type:
        return reason
    if type(reason) is str and reason:
        try:
            return reason_type(reason)
        except ValueError:
            pass
    options_sv = _join((f"”{label(r, 'sv')}”" for r in reason_type), "eller")
    options_en = _join((f"“{label(r, 'en')}”" for r in reason_type), "or")
    raise ValidationError(
        f"{machine.name_sv}: ange en orsak för att ändra status till ”{label(target, 'sv')}”: {options_sv}.",
        f"{machine.name_en}: give a reason for changing the status to “{label(target, 'en')}”: {options_en}.",
    )


# --- the machines ---------------------------------------------------------


def _with_final(
    transitions: dict[StrEnum, set[StrEnum]], final: StrEnum
) -> dict[StrEnum, frozenset[StrEnum]]:
    """Let every state except ``final`` also move to ``final``."""
    result = {state: frozenset(targets | {final}) for state, targets in transitions.items()}
    result[final] = frozenset()
    return result


_C = CaseState
CASE = StateMachine(
    name_sv="Samverkansärende",
    name_en="Joint case",
    initial=_C.OPEN,
    transitions={
        _C.OPEN: frozenset({_C.ACTIVE, _C.CLOSURE_REQUESTED}),
        _C.ACTIVE: frozenset({_C.CLOSURE_REQUESTED}),
        # back to active = the supervisor rejects the closure
        _C.CLOSURE_REQUESTED: frozenset({_C.ACTIVE, _C.CLOSED}),
        _C.CLOSED: frozenset({_C.ACTIVE}),  # reopened
    },
)

_R = ReferralState
REFERRAL = StateMachine(
    name_sv="SIG-aktualisering",
    name_en="SIG referral",
    initial=_R.RECEIVED,
    transitions=_with_final(
        {
            _R.RECEIVED: {_R.INITIAL_ASSESSMENT},
            _R.INITIAL_ASSESSMENT: {_R.CONSENT},
            _R.CONSENT: {_R.GRANTED, _R.DECLINED},
            _R.GRANTED: {_R.MAPPING},
            _R.DECLINED: set(),
            _R.MAPPING: {_R.PLAN},
            _R.PLAN: {_R.INTERVENTIONS},
            _R.INTERVENTIONS: {_R.FOLLOW_UP},
            _R.FOLLOW_UP: {_R.INTERVENTIONS},
        },
        _R.CLOSED,
    ),
    reasons={_R.CLOSED: ReferralClosure},
)

_E = ExitState
EXIT = StateMachine(
    name_sv="Avhopparstöd",
    name_en="Exit programme",
    initial=_E.REQUESTED,
    transitions=_with_final(
        {
            _E.REQUESTED: {_E.FIRST_CONTACT},
            _E.FIRST_CONTACT: {_E.INTAKE},
            _E.INTAKE: {_E.AGREEMENT},
            _E.AGREEMENT: {_E.PROTECTION_SUPPORT},
            _E.PROTECTION_SUPPORT: {_E.FOLLOW_UP},
            _E.FOLLOW_UP: {_E.PROTECTION_SUPPORT},
        },
        _E.ENDED,
    ),
    reasons={_E.ENDED: ExitEnding},
)

_I = IncidentState
INCIDENT = StateMachine(
    name_sv="Händelse",
    name_en="Incident",
    initial=_I.REPORTED,
    transitions={
        _I.REPORTED: frozenset({_I.ROUTINE}),
        _I.ROUTINE: frozenset({_I.CLOSED}),
        _I.CLOSED: frozenset(),
    },
)

NOTE = StateMachine(
    name_sv="Journalanteckning",
    name_en="Case note",
    initial=NoteState.DRAFT,
    transitions={
        NoteState.DRAFT: frozenset({NoteState.SIGNED}),
        NoteState.SIGNED: frozenset(),  # corrections are new notes
    },
)

TASK = StateMachine(
    name_sv="Åtgärdspunkt",
    name_en="Action item",
    initial=TaskState.OPEN,
    transitions={
        TaskState.OPEN: frozenset({TaskState.DONE, TaskState.CANCELLED}),
        TaskState.DONE: frozenset(),
        TaskState.CANCELLED: frozenset(),
    },
)

_P = PlanState
PLAN = StateMachine(
    name_sv="Åtgärdsplan",
    name_en="Action plan",
    initial=_P.DRAFT,
    transitions={
        _P.DRAFT: frozenset({_P.APPROVED, _P.ENDED}),
        _P.APPROVED: frozenset({_P.FOLLOWED_UP, _P.ENDED}),
        _P.FOLLOWED_UP: frozenset({_P.FOLLOWED_UP, _P.ENDED}),  # followed up again
        _P.ENDED: frozenset(),
    },
)

#: Every machine by the state enum it governs.
MACHINES: Mapping[type[StrEnum], StateMachine] = MappingProxyType(
    {m.state_type: m for m in (CASE, REFERRAL, EXIT, INCIDENT, NOTE, TASK, PLAN)}
)
