"""SIG referrals (aktualiseringar): received → initial assessment → consent →
decision (granted / declined) → mapping → plan → interventions ⇄ follow-up →
closed, with a closure reason.

The social intervention group is run by social services, so a referral is a
social-services record (owner ``city``, category ``social``) whoever registers
it; ``source_agency`` says who referred. Police and probation may register a
referral themselves on a case they have write scope on, but only social
services work it through its lifecycle.
"""

from __future__ import annotations

from sqlalchemy import func, select

from trefas_app.domain import lifecycles
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, CaseState, Category, ReferralClosure, ReferralState
from trefas_app.domain.errors import ValidationError
from trefas_app.domain import text as text_rules
from trefas_app.domain.text import check_paging, limited_text
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.services.case_records import people_and_numbers, read_record
from trefas_app.services.cases import (
    record_state_change,
    touch_case,
    user_names,
    writable_case,
)
from trefas_app.services.persons import mask_result, project_persons
from trefas_app.services.views import Page
from trefas_app.services.views_casework import ReferralRow, ReferralView
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork
from trefas_app.store.versions import require_version

#: The agency that runs SIG and owns every referral record.
SIG_AGENCY = Agency.CITY
MAX_TEXT = text_rules.TEXT
_DECISIONS = (ReferralState.GRANTED, ReferralState.DECLINED)


def _clean_text(text: str | None, sv_what: str, en_what: str, required: bool) -> str | None:
    return limited_text(text, sv_what, en_what, MAX_TEXT, required)



def _may_move(uow: UnitOfWork, actor: Actor, ref: m.Referral) -> bool:
    """Whether the user may change this referral's state now."""
    if actor.agency != ref.owner_agency or not actor.may("referral.write"):
        return False
    s, now = uow.session, uow.now()
    case = s.get(m.Case, ref.case_id)
    if case is None or case.state == CaseState.CLOSED:
        return False
    return bool(s.scalar(select(func.count()).select_from(m.Referral).where(
        m.Referral.id == ref.id, access.visible(actor, "referral", now, "write"))))


def _view(uow: UnitOfWork, actor: Actor, ref: m.Referral,
          may_move: bool | None = None) -> ReferralView:
    """``may_move``: already known from the change just made (saves a query)."""
    s, now = uow.session, uow.now()
    case = s.get(m.Case, ref.case_id)
    person = project_persons(s, actor, [s.get(m.Person, ref.person_id)], now)[ref.person_id]
    names = user_names(s, (ref.created_by_id, ref.decided_by_id))
    next_states = (tuple(st for st in lifecycles.REFERRAL.states
                         if st in lifecycles.REFERRAL.allowed_next(ref.state))
                   if (_may_move(uow, actor, ref) if may_move is None else may_move)
                   else ())
    return mask_result(s, actor, now, projected={person.id: person}, result=ReferralView(
        id=ref.id, case_id=ref.case_id, case_number=case.number, person_id=ref.person_id,
        person_name=person.display_name, protected=person.protected, state=ref.state,
        source_agency=ref.source_agency, owner_agency=ref.owner_agency,
        received_at=ref.received_at, reason=ref.reason,
        created_by=names.get(ref.created_by_id, ""), decision_note=ref.decision_note,
        decided_at=ref.decided_at, decided_by=names.get(ref.decided_by_id),
        closure=ref.closure, closed_at=ref.closed_at, next_states=next_states,
        version=ref.version))


# --- use cases ------------------------------------------------------------------


def create_referral(uow: UnitOfWork, actor: Actor, case_id: int, reason: str,
                    source_agency: Agency) -> ReferralView:
    """Register a referral to SIG on a case (state: received)."""
    reason = _clean_text(reason, "skälet till aktualiseringen", "the reason for the referral",
                         required=True)
    source_agency = Agency(source_agency)
    with uow:
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, "referral.write")
        if actor.agency != SIG_AGENCY and source_agency != actor.agency:
            raise ValidationError(
                "Du kan bara aktualisera ett ärende från din egen myndighet.",
                "You can only refer a case on behalf of your own agency.")
        ref = m.Referral(case_id=case.id, person_id=case.person_id, owner_agency=SIG_AGENCY,
                         category=Category.SOCIAL, state=lifecycles.REFERRAL.initial,
                         source_agency=source_agency, received_at=now, reason=reason,
                         created_at=now, created_by_id=actor.user_id)
        s.add(ref)
        s.flush()
        record_state_change(s, "referral", ref.id, None, ref.state, now, actor)
        touch_case(case, now)
        uow.log(actor, "referral.create", subject_kind="referral", subject_id=ref.id,
                case_id=case.id, person_id=case.person_id,
                detail={"source": source_agency.value})
        view = _view(uow, actor, ref)
        uow.commit()
        return view


def move_referral(uow: UnitOfWork, actor: Actor, referral_id: int, to_state: ReferralState,
                  closure: ReferralClosure | None = None,
                  note: str | None = None,
                  expected_version: int | None = None) -> ReferralView:
    """Move a referral along its lifecycle. Closing needs a closure reason; a
    decision (granted / declined) records who decided and when. With
    ``expected_version``, only from the referral as the user read it."""
    to_state = lifecycles.REFERRAL.coerce(to_state)
    note = _clean_text(note, "en kommentar", "a comment", required=False)
    with uow:
        s, now = uow.session, uow.now()
        ref = access.get_visible(s, actor, "referral", referral_id, now, verb="write")
        if actor.agency != ref.owner_agency:
            raise access.denied(actor, "referral.write",
                                "Bara socialtjänsten handlägger en SIG-aktualisering.",
                                "Only social services handle a SIG referral.",
                                "referral", referral_id)
        case = writable_case(uow, actor, ref.case_id, "referral.write")
        require_version(s, ref, expected_version)
        lifecycles.REFERRAL.check(ref.state, to_state)
        reason = lifecycles.require_reason(lifecycles.REFERRAL, to_state, closure)
        if reason is None and closure is not None:
            raise ValidationError(
                "En avslutsorsak anges bara när aktualiseringen avslutas.",
                "A closure reason is only given when the referral is closed.")
        from_state = ref.state
        if to_state in _DECISIONS:
            ref.decided_at, ref.decided_by_id = now, actor.user_id
            ref.decision_note = note
        if to_state == ReferralState.CLOSED:
            ref.closure, ref.closed_at = reason, now
        ref.state = to_state
        ref.updated_at, ref.updated_by_id = now, actor.user_id
        record_state_change(s, "referral", ref.id, from_state, to_state, now, actor,
                            reason.value if reason is not None else note)
        touch_case(case, now)
        uow.log(actor, "referral.state", subject_kind="referral", subject_id=ref.id,
                case_id=ref.case_id, person_id=ref.person_id,
                detail={"from": from_state.value, "to": to_state.value,
                        "closure": reason.value if reason is not None else None})
        s.flush()
        view = _view(uow, actor, ref, may_move=True)
        uow.commit()
        return view


def get_referral(uow: UnitOfWork, actor: Actor, referral_id: int) -> ReferralView:
    return read_record(uow, actor, "referral", referral_id, _view)


def list_referrals(uow: UnitOfWork, actor: Actor, case_id: int | None = None,
                   states: tuple[ReferralState, ...] = (), offset: int = 0,
                   limit: int = 200) -> Page[ReferralRow]:
    """Referrals the user may see, newest first. For one case, also how many
    exist there that are not shared with the user's agency."""
    states = tuple(lifecycles.REFERRAL.coerce(st) for st in states)
    offset, limit = check_paging(offset, limit)
    with uow:
        s, now = uow.session, uow.now()
        if case_id is not None:
            access.get_visible(s, actor, "case", case_id, now)
        else:
            access.require(actor, "referral.read")
        narrowing = {"case_id": case_id, "state": states or None}
        filters = hidden_counts.narrowed("referral", **narrowing)
        where = [access.visible(actor, "referral", now), *filters]
        total = s.scalar(select(func.count()).select_from(m.Referral).where(*where))
        refs = s.scalars(select(m.Referral).where(*where)
                         .order_by(m.Referral.received_at.desc(), m.Referral.id.desc())
                         .offset(offset).limit(limit)).all()
        persons, numbers = people_and_numbers(s, actor, refs, now)
        rows = tuple(
            ReferralRow(id=r.id, case_id=r.case_id, case_number=numbers.get(r.case_id, ""),
                        person_id=r.person_id, person_name=persons[r.person_id].display_name,
                        protected=persons[r.person_id].protected, state=r.state,
                        source_agency=r.source_agency, received_at=r.received_at,
                        decided_at=r.decided_at, closure=r.closure)
            for r in refs)
        hidden = {}
        if case_id is not None and offset == 0:
            hidden = hidden_counts.hidden(s, actor, "referral", now, **narrowing)
        if offset == 0:
            uow.log(actor, "referral.list", subject_kind="case" if case_id else None,
                    subject_id=case_id, case_id=case_id,
                    detail={"shown": total, "hidden": sum(hidden.values())})
        uow.commit()
        return Page(rows=rows, total=total, offset=offset, hidden=hidden)
