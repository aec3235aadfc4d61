"""The exit programme (avhopparverksamhet): request → first contact (target
within 24 hours, tracked) → intake → agreement (written conditions, consent
covering all agencies, supervisor approval) → protection and support ⇄
follow-up → ended, with a reason.

Threat assessments, protective measures and support components are records of
their own kinds, each with its own permission and category (threat, threat,
social); an exit programme shows only those the access rule lets the user see,
and counts the rest.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import func, select

from trefas_app.domain import lifecycles
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ExitEnding,
    ExitState,
    MeasureKind,
    RiskLevel,
    SupportKind,
)
from trefas_app.domain.errors import Conflict, ValidationError
from trefas_app.domain.labels import label
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
from trefas_app.services.views_casework import (
    ExitRow,
    ExitView,
    MeasureView,
    SupportView,
    ThreatAssessmentView,
)
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork
from trefas_app.store.versions import require_version

FIRST_CONTACT_TARGET = dt.timedelta(hours=24)
#: What the person's consent must cover, for every agency, before protection
#: and support start: the programme is run jointly and depends on all three.
EXIT_CONSENT_AGENCIES = tuple(Agency)
EXIT_CONSENT_CATEGORIES = (Category.IDENTITY, Category.SOCIAL, Category.THREAT)
MAX_TEXT = text_rules.TEXT
MAX_DAYS_BACK = 365
MAX_DAYS_AHEAD = 366


# --- checks and helpers -------------------------------------------------------------


def _text(text: str | None, sv_what: str, en_what: str, required: bool = True) -> str | None:
    return limited_text(text, sv_what, en_what, MAX_TEXT, required)


def _check_start(day: dt.date, today: dt.date) -> None:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError("Ange ett giltigt startdatum.", "Give a valid start date.")
    if day < today - dt.timedelta(days=MAX_DAYS_BACK):
        raise ValidationError("Startdatumet ligger mer än ett år bakåt i tiden.",
                              "The start date is more than a year in the past.")
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError("Startdatumet ligger mer än ett år framåt i tiden.",
                              "The start date is more than a year ahead.")


def _check_end(day: dt.date, started_on: dt.date, today: dt.date) -> None:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError("Ange ett giltigt slutdatum.", "Give a valid end date.")
    if day < started_on:
        raise ValidationError("Datumen är i fel ordning: slutdatumet ligger före startdatumet.",
                              "The dates are in the wrong order: the end date is before the "
                              "start date.")
    if day > today:
        raise ValidationError("Slutdatumet ligger i framtiden.", "The end date is in the future.")


def consent_gaps(session, person_id: int, today: dt.date,
                 agencies=EXIT_CONSENT_AGENCIES,
                 categories=EXIT_CONSENT_CATEGORIES) -> tuple[tuple[Agency, Category], ...]:
    """The (agency, category) pairs that no current consent of the person covers.

    Current: the newest version, not withdrawn, valid today. Only the person's
    own consent counts (not a recorded legal basis): the exit programme is
    voluntary. Several consents together may cover the pairs.
    """
    covered = set(session.execute(
        select(m.ConsentGrant.agency, m.ConsentGrant.category)
        .join(m.Consent, m.Consent.id == m.ConsentGrant.consent_id)
        .where(m.Consent.person_id == person_id,
               m.Consent.basis == ConsentBasis.CONSENT,
               access.current_consent(m.Consent, today),
               m.ConsentGrant.agency.in_(list(agencies)),
               m.ConsentGrant.category.in_(list(categories)))).all())
    return tuple((a, c) for a in agencies for c in categories if (a, c) not in covered)


def _describe_gaps(gaps, language: str) -> str:
    by_agency: dict[Agency, list[Category]] = {}
    for agency, category in gaps:
        by_agency.setdefault(agency, []).append(category)
    return "; ".join(f"{label(a, language)} ({', '.join(label(c, language) for c in cats)})"
                     for a, cats in by_agency.items())



def _overdue(ep: m.ExitProgramme, now: dt.datetime) -> bool:
    return (ep.state == ExitState.REQUESTED and ep.first_contact_at is None
            and ep.first_contact_due < now)


def _may(uow: UnitOfWork, actor: Actor, kind: str, model, record_id: int, verb: str) -> bool:
    if not actor.may(f"{kind}.{verb}"):
        return False
    return bool(uow.session.scalar(select(func.count()).select_from(model).where(
        model.id == record_id, access.visible(actor, kind, uow.now(), verb))))


def _writable_exit(uow: UnitOfWork, actor: Actor, exit_id: int, verb: str = "write",
                   expected_version: int | None = None) -> tuple[m.ExitProgramme, m.Case]:
    """The programme, if the user may change it now and (with
    ``expected_version``) nobody changed it since the user read it."""
    ep = access.get_visible(uow.session, actor, "exit", exit_id, uow.now(), verb=verb)
    case = writable_case(uow, actor, ep.case_id, f"exit.{verb}")
    require_version(uow.session, ep, expected_version)
    return ep, case


def _linked_exit(uow: UnitOfWork, actor: Actor, exit_id: int | None,
                 case: m.Case) -> m.ExitProgramme | None:
    """The exit programme a new record is attached to: visible, same case, running."""
    if exit_id is None:
        return None
    ep = access.get_visible(uow.session, actor, "exit", exit_id, uow.now())
    if ep.case_id != case.id:
        raise ValidationError("Avhopparstödet hör till ett annat ärende.",
                              "The exit programme belongs to another case.")
    if ep.state == ExitState.ENDED:
        raise Conflict("Avhopparstödet är avslutat.", "The exit programme has ended.")
    return ep


def _change_state(uow: UnitOfWork, actor: Actor, ep: m.ExitProgramme, case: m.Case,
                  to_state: ExitState, reason: StrEnum | None = None) -> None:
    s, now = uow.session, uow.now()
    from_state = ep.state
    record_state_change(s, "exit", ep.id, from_state, to_state, now, actor,
                        reason.value if reason is not None else None)
    uow.log(actor, "exit.state", subject_kind="exit", subject_id=ep.id, case_id=ep.case_id,
            person_id=ep.person_id,
            detail={"from": from_state.value, "to": to_state.value,
                    "ending": reason.value if reason is not None else None})
    ep.state = to_state
    ep.updated_at, ep.updated_by_id = now, actor.user_id
    touch_case(case, now)


# --- projection ------------------------------------------------------------------------


def _assessment_views(s, rows) -> tuple[ThreatAssessmentView, ...]:
    names = user_names(s, [r.created_by_id for r in rows])
    return tuple(ThreatAssessmentView(
        id=r.id, case_id=r.case_id, exit_programme_id=r.exit_programme_id,
        assessed_at=r.assessed_at, level=r.level, summary=r.summary,
        owner_agency=r.owner_agency, assessed_by=names.get(r.created_by_id, ""))
        for r in rows)


def _measure_view(r: m.ProtectiveMeasure) -> MeasureView:
    return MeasureView(id=r.id, case_id=r.case_id, exit_programme_id=r.exit_programme_id,
                       kind=r.kind, description=r.description, started_on=r.started_on,
                       ended_on=r.ended_on, owner_agency=r.owner_agency)


def _support_view(r: m.SupportComponent) -> SupportView:
    return SupportView(id=r.id, case_id=r.case_id, exit_programme_id=r.exit_programme_id,
                       kind=r.kind, description=r.description, started_on=r.started_on,
                       ended_on=r.ended_on, owner_agency=r.owner_agency)


def _linked(uow: UnitOfWork, actor: Actor, kind: str, exit_id: int, order_col):
    """Records of ``kind`` attached to the programme that the user may see, and
    how many more there are that the access rule hides, per category."""
    s, now = uow.session, uow.now()
    model = access.CASE_CONTENT_KINDS[kind].model
    link = model.exit_programme_id == exit_id
    # Building the access predicate is not free; most programmes lack some kinds.
    if hidden_counts.on_server(s):  # the row rules hide the rows: the server counts them
        rows = s.scalars(select(model).where(link, access.visible(actor, kind, now))
                         .order_by(order_col.desc(), model.id.desc())).all()
        return list(rows), hidden_counts.hidden(s, actor, kind, now, exit_programme_id=exit_id)
    if not s.scalar(select(func.count()).select_from(model).where(link)):
        return [], {}
    # One pass over the in-scope records decides, by the access rule, which
    # are shown and which are only counted (as ``access.hidden_by_category``
    # would); only the shown ones are loaded.
    flags = s.execute(select(model.id, model.category, access.visible(actor, kind, now))
                      .where(link, access.in_scope(actor, kind, now))).all()
    shown = [rid for rid, _, ok in flags if ok]
    hidden: dict[Category, int] = {}
    for _, category, ok in flags:
        if not ok:
            hidden[Category(category)] = hidden.get(Category(category), 0) + 1
    rows = s.scalars(select(model).where(model.id.in_(shown))
                     .order_by(order_col.desc(), model.id.desc())).all() if shown else []
    return list(rows), hidden


def _view(uow: UnitOfWork, actor: Actor, ep: m.ExitProgramme,
          may_write: bool | None = None) -> ExitView:
    """``may_write``: already known from the change just made (saves a query)."""
    s, now = uow.session, uow.now()
    case = s.get(m.Case, ep.case_id)
    person = project_persons(s, actor, [s.get(m.Person, ep.person_id)], now)[ep.person_id]
    assessments, hidden_a = _linked(uow, actor, "threat", ep.id, m.ThreatAssessment.assessed_at)
    measures, hidden_m = _linked(uow, actor, "measure", ep.id, m.ProtectiveMeasure.started_on)
    support, hidden_s = _linked(uow, actor, "support", ep.id, m.SupportComponent.started_on)
    names = user_names(s, [ep.agreement_approved_by_id])
    next_states: tuple[ExitState, ...] = ()
    if may_write is None:
        may_write = _may(uow, actor, "exit", m.ExitProgramme, ep.id, "write")
    if case.state != CaseState.CLOSED and may_write:
        next_states = tuple(st for st in lifecycles.EXIT.states
                            if st in lifecycles.EXIT.allowed_next(ep.state))
    gaps: tuple[tuple[Agency, Category], ...] = ()
    if actor.agency == ep.owner_agency and ep.state != ExitState.ENDED:
        gaps = consent_gaps(s, ep.person_id, access.local_date(now))
    return mask_result(s, actor, now, projected={person.id: person}, result=ExitView(
        id=ep.id, case_id=ep.case_id, case_number=case.number, person_id=ep.person_id,
        person_name=person.display_name, protected=person.protected, state=ep.state,
        owner_agency=ep.owner_agency, requested_at=ep.requested_at,
        first_contact_due=ep.first_contact_due, first_contact_at=ep.first_contact_at,
        overdue=_overdue(ep, now), needs=ep.needs,
        agreement_conditions=ep.agreement_conditions,
        agreement_signed_on=ep.agreement_signed_on,
        agreement_approved_at=ep.agreement_approved_at,
        agreement_approved_by=names.get(ep.agreement_approved_by_id),
        ending=ep.ending, ended_at=ep.ended_at,
        assessments=_assessment_views(s, assessments),
        measures=tuple(_measure_view(r) for r in measures),
        support=tuple(_support_view(r) for r in support),
        hidden_assessments=hidden_a, hidden_measures=hidden_m, hidden_support=hidden_s,
        consent_missing=gaps, next_states=next_states, version=ep.version))


def _commit_view(uow: UnitOfWork, actor: Actor, ep: m.ExitProgramme,
                 may_write: bool | None = True) -> ExitView:
    uow.session.flush()
    view = _view(uow, actor, ep, may_write)
    uow.commit()
    return view


# --- the programme -----------------------------------------------------------------------


def request_exit(uow: UnitOfWork, actor: Actor, case_id: int,
                 needs: str | None = None) -> ExitView:
    """Register a request for exit support; first contact is due within 24 hours."""
    needs = _text(needs, "behoven", "the needs", required=False)
    with uow:
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, "exit.write")
        running = s.scalar(select(func.count()).select_from(m.ExitProgramme).where(
            m.ExitProgramme.case_id == case.id, m.ExitProgramme.state != ExitState.ENDED))
        if running:
            raise Conflict("Det finns redan ett pågående avhopparstöd i ärendet.",
                           "There is already an exit programme running in this case.")
        ep = m.ExitProgramme(case_id=case.id, person_id=case.person_id,
                             owner_agency=actor.agency, category=Category.SOCIAL,
                             state=lifecycles.EXIT.initial, requested_at=now,
                             first_contact_due=now + FIRST_CONTACT_TARGET, needs=needs,
                             created_at=now, created_by_id=actor.user_id)
        s.add(ep)
        s.flush()
        record_state_change(s, "exit", ep.id, None, ep.state, now, actor)
        touch_case(case, now)
        uow.log(actor, "exit.create", subject_kind="exit", subject_id=ep.id, case_id=case.id,
                person_id=case.person_id)
        return _commit_view(uow, actor, ep)


def record_first_contact(uow: UnitOfWork, actor: Actor, exit_id: int,
                         at: dt.datetime | None = None,
                         expected_version: int | None = None) -> ExitView:
    """The first contact with the person took place at ``at`` (default: now)."""
    if at is not None and (not isinstance(at, dt.datetime) or at.tzinfo is None):
        raise ValidationError("Ange tidpunkten för första kontakten med datum och klockslag.",
                              "Give the time of the first contact with date and time of day.")
    with uow:
        now = uow.now()
        at = now if at is None else at.astimezone(dt.timezone.utc)
        ep, case = _writable_exit(uow, actor, exit_id, expected_version=expected_version)
        lifecycles.EXIT.check(ep.state, ExitState.FIRST_CONTACT)
        if at > now:
            raise ValidationError("Tidpunkten för första kontakten ligger i framtiden.",
                                  "The time of the first contact is in the future.")
        if at < ep.requested_at:
            raise ValidationError("Första kontakten kan inte ligga före förfrågan om stöd.",
                                  "The first contact cannot be before the request for support.")
        ep.first_contact_at = at
        _change_state(uow, actor, ep, case, ExitState.FIRST_CONTACT)
        return _commit_view(uow, actor, ep)


def set_agreement(uow: UnitOfWork, actor: Actor, exit_id: int, conditions: str,
                  signed_on: dt.date | None = None,
                  expected_version: int | None = None) -> ExitView:
    """Record the written conditions of the agreement (and when it was signed).
    Changing an approved agreement withdraws the approval. With
    ``expected_version``, only over the agreement the user read."""
    conditions = _text(conditions, "villkoren i överenskommelsen",
                       "the conditions of the agreement")
    with uow:
        now = uow.now()
        ep, case = _writable_exit(uow, actor, exit_id, expected_version=expected_version)
        if ep.state not in (ExitState.INTAKE, ExitState.AGREEMENT):
            raise Conflict("Överenskommelsen kan bara skrivas vid inskrivning eller "
                           "överenskommelse.",
                           "The agreement can only be written at intake or agreement.")
        if signed_on is not None:
            if not isinstance(signed_on, dt.date) or isinstance(signed_on, dt.datetime):
                raise ValidationError("Ange ett giltigt datum för undertecknandet.",
                                      "Give a valid signing date.")
            if signed_on > access.local_date(now):
                raise ValidationError("Datumet för undertecknandet ligger i framtiden.",
                                      "The signing date is in the future.")
            if signed_on < access.local_date(ep.requested_at):
                raise ValidationError("Överenskommelsen kan inte vara undertecknad före "
                                      "förfrågan om stöd.",
                                      "The agreement cannot be signed before the request "
                                      "for support.")
        changed = (conditions != ep.agreement_conditions or signed_on != ep.agreement_signed_on)
        approval_withdrawn = changed and ep.agreement_approved_at is not None
        ep.agreement_conditions, ep.agreement_signed_on = conditions, signed_on
        if approval_withdrawn:
            ep.agreement_approved_at = ep.agreement_approved_by_id = None
        ep.updated_at, ep.updated_by_id = now, actor.user_id
        touch_case(case, now)
        uow.log(actor, "exit.agreement", subject_kind="exit", subject_id=ep.id,
                case_id=ep.case_id, person_id=ep.person_id,
                detail={"approval_withdrawn": approval_withdrawn})
        return _commit_view(uow, actor, ep)


def approve_agreement(uow: UnitOfWork, actor: Actor, exit_id: int,
                      expected_version: int | None = None) -> ExitView:
    """A supervisor of the owning agency approves the written agreement; with
    ``expected_version``, only the conditions as they read them."""
    with uow:
        access.require(actor, "exit.approve")
        ep, case = _writable_exit(uow, actor, exit_id, verb="approve",
                                  expected_version=expected_version)
        if actor.agency != ep.owner_agency:
            raise access.denied(actor, "exit.approve",
                                "Bara en enhetschef på den myndighet som driver avhopparstödet "
                                "kan godkänna överenskommelsen.",
                                "Only a supervisor of the agency running the exit programme "
                                "can approve the agreement.", "exit", exit_id)
        if ep.state != ExitState.AGREEMENT:
            raise Conflict("Bara en överenskommelse i läget ”Överenskommelse” kan godkännas.",
                           "Only an agreement in the state “Agreement” can be approved.")
        if ep.agreement_approved_at is not None:
            raise Conflict("Överenskommelsen är redan godkänd.",
                           "The agreement is already approved.")
        if not ep.agreement_conditions or ep.agreement_signed_on is None:
            raise ValidationError("Överenskommelsen behöver skrivna villkor och datum för "
                                  "undertecknandet innan den kan godkännas.",
                                  "The agreement needs written conditions and a signing date "
                                  "before it can be approved.")
        now = uow.now()
        ep.agreement_approved_at, ep.agreement_approved_by_id = now, actor.user_id
        ep.updated_at, ep.updated_by_id = now, actor.user_id
        touch_case(case, now)
        uow.log(actor, "exit.agreement.approve", subject_kind="exit", subject_id=ep.id,
                case_id=ep.case_id, person_id=ep.person_id)
        return _commit_view(uow, actor, ep, may_write=None)


def move_exit(uow: UnitOfWork, actor: Actor, exit_id: int, to_state: ExitState,
              ending: ExitEnding | None = None,
              expected_version: int | None = None) -> ExitView:
    """Move the programme along its lifecycle, with the rules of each step
    (with ``expected_version``, from the programme as the user read it)."""
    to_state = lifecycles.EXIT.coerce(to_state)
    with uow:
        s, now = uow.session, uow.now()
        ep, case = _writable_exit(uow, actor, exit_id, expected_version=expected_version)
        lifecycles.EXIT.check(ep.state, to_state)
        reason = lifecycles.require_reason(lifecycles.EXIT, to_state, ending)
        if reason is None and ending is not None:
            raise ValidationError("En avslutsorsak anges bara när avhopparstödet avslutas.",
                                  "An ending reason is only given when the programme ends.")
        if to_state == ExitState.FIRST_CONTACT:
            ep.first_contact_at = now
        if to_state == ExitState.AGREEMENT and not (ep.agreement_conditions or "").strip():
            raise ValidationError("Skriv in villkoren i överenskommelsen först.",
                                  "Enter the conditions of the agreement first.")
        if to_state == ExitState.PROTECTION_SUPPORT:
            if ep.agreement_approved_at is None:
                raise ValidationError(
                    "Överenskommelsen måste godkännas av en enhetschef innan skydd och stöd "
                    "kan börja.",
                    "The agreement must be approved by a supervisor before protection and "
                    "support can start.")
            gaps = consent_gaps(s, ep.person_id, access.local_date(now))
            if gaps:
                raise ValidationError(
                    "Skydd och stöd kan inte börja: personens samtycke måste omfatta alla "
                    "myndigheter. Gällande samtycke saknas för " + _describe_gaps(gaps, "sv")
                    + ".",
                    "Protection and support cannot start: the person's consent must cover "
                    "every agency. A current consent is missing for "
                    + _describe_gaps(gaps, "en") + ".")
        if to_state == ExitState.ENDED:
            ep.ending, ep.ended_at = reason, now
        _change_state(uow, actor, ep, case, to_state, reason)
        return _commit_view(uow, actor, ep)


def get_exit(uow: UnitOfWork, actor: Actor, exit_id: int) -> ExitView:
    return read_record(uow, actor, "exit", exit_id, _view)


def list_exits(uow: UnitOfWork, actor: Actor, states: tuple[ExitState, ...] = (),
               waiting_first_contact: bool = False, offset: int = 0,
               limit: int = 200, case_id: int | None = None) -> Page[ExitRow]:
    """The 'Avhoppare' screen: programmes the user may see. Waiting for first
    contact: the most urgent first; otherwise the newest first. With
    ``case_id``, one case's programmes (the case must be visible to the user),
    and how many more of that case the access rule hides."""
    states = tuple(lifecycles.EXIT.coerce(st) for st in states)
    offset, limit = check_paging(offset, limit)
    with uow:
        access.require(actor, "exit.read")
        s, now = uow.session, uow.now()
        case = None
        if case_id is not None:
            case = access.get_visible(s, actor, "case", case_id, now)
        narrowing = {"case_id": case.id if case else None, "state": states or None}
        if waiting_first_contact:
            narrowing["state"] = tuple(st for st in states or (ExitState.REQUESTED,)
                                       if st == ExitState.REQUESTED)
            narrowing["first_contact_at"] = True  # unset
            order = (m.ExitProgramme.first_contact_due.asc(), m.ExitProgramme.id.asc())
        else:
            order = (m.ExitProgramme.requested_at.desc(), m.ExitProgramme.id.desc())
        where = [access.visible(actor, "exit", now),
                 *hidden_counts.narrowed("exit", **narrowing)]
        total = s.scalar(select(func.count()).select_from(m.ExitProgramme).where(*where))
        eps = s.scalars(select(m.ExitProgramme).where(*where).order_by(*order)
                        .offset(offset).limit(limit)).all()
        persons, numbers = people_and_numbers(s, actor, eps, now)
        rows = tuple(
            ExitRow(id=e.id, case_id=e.case_id, case_number=numbers.get(e.case_id, ""),
                    person_id=e.person_id, person_name=persons[e.person_id].display_name,
                    protected=persons[e.person_id].protected, state=e.state,
                    requested_at=e.requested_at, first_contact_due=e.first_contact_due,
                    first_contact_at=e.first_contact_at, overdue=_overdue(e, now))
            for e in eps)
        hidden = hidden_counts.hidden(s, actor, "exit", now, **narrowing) if offset == 0 else {}
        if offset == 0:
            uow.log(actor, "exit.list", subject_kind="case" if case else None,
                    subject_id=case.id if case else None,
                    case_id=case.id if case else None,
                    person_id=case.person_id if case else None,
                    detail={"shown": total, "hidden": sum(hidden.values()),
                            "waiting": waiting_first_contact})
        uow.commit()
        return Page(rows=rows, total=total, offset=offset, hidden=hidden)


# --- threat assessments, protective measures, support ------------------------------------


def add_threat_assessment(uow: UnitOfWork, actor: Actor, case_id: int, exit_id: int | None,
                          level: RiskLevel, summary: str) -> ThreatAssessmentView:
    level = RiskLevel(level)
    summary = _text(summary, "en sammanfattning av hotbilden", "a summary of the threat")
    with uow:
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, "threat.write")
        ep = _linked_exit(uow, actor, exit_id, case)
        row = m.ThreatAssessment(case_id=case.id, person_id=case.person_id,
                                 owner_agency=actor.agency, category=Category.THREAT,
                                 exit_programme_id=ep.id if ep else None, assessed_at=now,
                                 level=level, summary=summary, created_at=now,
                                 created_by_id=actor.user_id)
        s.add(row)
        s.flush()
        touch_case(case, now)
        uow.log(actor, "threat.create", subject_kind="threat", subject_id=row.id,
                case_id=case.id, person_id=case.person_id,
                detail={"exit": row.exit_programme_id})
        view = _assessment_views(s, [row])[0]
        uow.commit()
        return view


def measure_category(kind: MeasureKind) -> Category:
    """Protected housing says where a person lives: location data, hidden behind
    a reveal for protected persons like an address."""
    return Category.LOCATION if MeasureKind(kind) == MeasureKind.PROTECTED_HOUSING \
        else Category.THREAT


def _add_component(uow: UnitOfWork, actor: Actor, kind_name: str, model, case_id: int,
                   exit_id: int | None, kind, category: Category, description: str,
                   started_on: dt.date, view_of):
    """A protective measure or a support component: same rules, own kind."""
    with uow:
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, f"{kind_name}.write")
        _check_start(started_on, access.local_date(now))
        ep = _linked_exit(uow, actor, exit_id, case)
        row = model(case_id=case.id, person_id=case.person_id, owner_agency=actor.agency,
                    category=category, exit_programme_id=ep.id if ep else None, kind=kind,
                    description=description, started_on=started_on, created_at=now,
                    created_by_id=actor.user_id)
        s.add(row)
        s.flush()
        touch_case(case, now)
        uow.log(actor, f"{kind_name}.create", subject_kind=kind_name, subject_id=row.id,
                case_id=case.id, person_id=case.person_id,
                detail={"exit": row.exit_programme_id, "kind": kind.value})
        view = view_of(row)
        uow.commit()
        return view


def _end_component(uow: UnitOfWork, actor: Actor, kind_name: str, row_id: int,
                   ended_on: dt.date, already_sv: str, already_en: str, view_of):
    with uow:
        s, now = uow.session, uow.now()
        row = access.get_visible(s, actor, kind_name, row_id, now, verb="write")
        case = writable_case(uow, actor, row.case_id, f"{kind_name}.write")
        if row.ended_on is not None:
            raise Conflict(already_sv, already_en)
        _check_end(ended_on, row.started_on, access.local_date(now))
        row.ended_on = ended_on
        row.updated_at, row.updated_by_id = now, actor.user_id
        touch_case(case, now)
        uow.log(actor, f"{kind_name}.end", subject_kind=kind_name, subject_id=row.id,
                case_id=row.case_id, person_id=row.person_id)
        view = view_of(row)
        uow.commit()
        return view


def add_measure(uow: UnitOfWork, actor: Actor, case_id: int, exit_id: int | None,
                kind: MeasureKind, description: str, started_on: dt.date) -> MeasureView:
    kind = MeasureKind(kind)
    description = _text(description, "en beskrivning av skyddsåtgärden",
                        "a description of the measure")
    return _add_component(uow, actor, "measure", m.ProtectiveMeasure, case_id, exit_id, kind,
                          measure_category(kind), description, started_on, _measure_view)


def end_measure(uow: UnitOfWork, actor: Actor, measure_id: int,
                ended_on: dt.date) -> MeasureView:
    return _end_component(uow, actor, "measure", measure_id, ended_on,
                          "Skyddsåtgärden är redan avslutad.", "The measure has already ended.",
                          _measure_view)


def add_support(uow: UnitOfWork, actor: Actor, case_id: int, exit_id: int | None,
                kind: SupportKind, description: str, started_on: dt.date) -> SupportView:
    kind = SupportKind(kind)
    description = _text(description, "en beskrivning av stödet", "a description of the support")
    return _add_component(uow, actor, "support", m.SupportComponent, case_id, exit_id, kind,
                          Category.SOCIAL, description, started_on, _support_view)


def end_support(uow: UnitOfWork, actor: Actor, support_id: int,
                ended_on: dt.date) -> SupportView:
    return _end_component(uow, actor, "support", support_id, ended_on,
                          "Stödet är redan avslutat.", "The support has already ended.",
                          _support_view)
