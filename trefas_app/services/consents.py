"""Consent to share information, and recorded legal bases, with versions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, Category, ConsentBasis, ConsentForm, ConsentStatus
from trefas_app.domain.errors import Conflict, ValidationError
from trefas_app.security import access
from trefas_app.services.cases import touch_case, writable_case
from trefas_app.services.persons import names_to_mask, project_persons
from trefas_app.services.views import ConsentView, ServerNames, fetch_blanked, mask_identity
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork

#: A consent must end; this is the longest period one may cover.
MAX_CONSENT_DAYS = 366 * 2
ADULT_AGE = 18


@dataclass(frozen=True)
class ConsentInput:
    person_id: int
    purpose: str
    valid_from: dt.date
    valid_until: dt.date | None
    grants: frozenset[tuple[Agency, Category]]
    basis: ConsentBasis = ConsentBasis.CONSENT
    form: ConsentForm = ConsentForm.WRITTEN
    guardian_name: str | None = None  # required for a minor
    legal_reference: str | None = None  # required for a legal basis
    case_id: int | None = None


def consent_status(c: m.Consent, today: dt.date) -> ConsentStatus:
    if c.superseded:
        return ConsentStatus.SUPERSEDED
    if c.withdrawn_at is not None:
        return ConsentStatus.WITHDRAWN
    if c.valid_from > today:
        return ConsentStatus.NOT_YET_VALID
    if c.valid_until < today:
        return ConsentStatus.EXPIRED
    return ConsentStatus.ACTIVE


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _validate(data: ConsentInput, person: m.Person, today: dt.date) -> str:
    """Checks the rules of a valid consent; returns who gave it."""
    if data.valid_until is None:
        raise ValidationError("Ett samtycke måste ha ett slutdatum; ett tidsobegränsat "
                              "samtycke är inte giltigt.",
                              "A consent needs an end date; an open-ended consent is not valid.")
    if data.valid_until < data.valid_from:
        raise ValidationError("Slutdatumet ligger före startdatumet.",
                              "The end date is before the start date.")
    if data.valid_until < today:
        raise ValidationError("Slutdatumet har redan passerat.", "The end date has already passed.")
    if (data.valid_until - data.valid_from).days > MAX_CONSENT_DAYS:
        raise ValidationError("Ett samtycke kan gälla högst två år. Förnya det i stället.",
                              "A consent may cover at most two years. Renew it instead.")
    if not data.grants:
        raise ValidationError("Välj minst en mottagande myndighet och en uppgiftskategori.",
                              "Choose at least one recipient agency and one data category.")
    if not data.purpose.strip():
        raise ValidationError("Ange syftet med samtycket.", "State the purpose of the consent.")
    if data.basis == ConsentBasis.LEGAL_BASIS:
        if not (data.legal_reference or "").strip():
            raise ValidationError("Ange lagrummet (t.ex. OSL 10 kap. 18 a §).",
                                  "State the legal provision (e.g. OSL 10 kap. 18 a §).")
        return "Lagstöd"
    minor = person.birth_date is not None and _age_on(person.birth_date, today) < ADULT_AGE
    if minor and not (data.guardian_name or "").strip():
        raise ValidationError("Personen är under 18 år: ange vårdnadshavaren som lämnat samtycket.",
                              "The person is under 18: name the guardian who gave consent.")
    return (data.guardian_name or "").strip() or "Personen själv"


def view_of(c: m.Consent, obtained_by: str, today: dt.date) -> ConsentView:
    """The consent as stored; readers get it through :func:`project_consents`."""
    return ConsentView(
        id=c.id, person_id=c.person_id, case_id=c.case_id, basis=c.basis,
        legal_reference=c.legal_reference, purpose=c.purpose, form=c.form, given_by=c.given_by,
        obtained_by=obtained_by, owner_agency=c.owner_agency, valid_from=c.valid_from,
        valid_until=c.valid_until, withdrawn_at=c.withdrawn_at,
        withdrawal_reason=c.withdrawal_reason, version=c.version, superseded=c.superseded,
        grants=tuple(sorted((g.agency, g.category) for g in c.grants)),
        status=consent_status(c, today))


def project_consents(s, actor: Actor, now: dt.datetime,
                     rows: list[tuple[m.Consent, str]]) -> list[ConsentView]:
    """Consents as this reader may see them: each with the person's name as the
    reader sees it, and, where the reader may not know who the person is, the
    guardian and every name in the free text masked by the person's mask."""
    today = access.local_date(now)
    person_ids = sorted({c.person_id for c, _ in rows})
    people = {p.id: p for p in s.scalars(select(m.Person).where(m.Person.id.in_(person_ids)))} \
        if person_ids else {}
    shown = project_persons(s, actor, list(people.values()), now)
    masks = names_to_mask(s, [p for p in people.values() if shown[p.id].identity_masked])
    fetch_blanked([(names, [t for c, _ in rows if c.person_id in names.person_ids
                            for t in (c.purpose, c.withdrawal_reason) if t])
                   for names in masks.values() if isinstance(names, ServerNames)])
    views = []
    for c, obtained_by in rows:
        view = dataclasses.replace(view_of(c, obtained_by, today),
                                   person_name=shown[c.person_id].display_name)
        if c.person_id in masks:  # the names every free text about the person loses
            view = mask_identity(view, c.person_id, masks[c.person_id])
        views.append(view)
    return views


def _store_consent(uow: UnitOfWork, actor: Actor, data: ConsentInput, version: int,
                   previous: m.Consent | None) -> m.Consent:
    s, now = uow.session, uow.now()
    today = access.local_date(now)
    person = access.get_visible(s, actor, "person", data.person_id, now, verb="update")
    if data.case_id is not None:
        case = writable_case(uow, actor, data.case_id, "consent.write")
        if case.person_id != person.id:
            raise ValidationError("Ärendet gäller en annan person.",
                                  "The case is about another person.")
        touch_case(case, now)
    given_by = _validate(data, person, today)
    consent = m.Consent(
        person_id=person.id, case_id=data.case_id, basis=data.basis,
        legal_reference=(data.legal_reference or "").strip() or None,
        purpose=data.purpose.strip(),
        form=ConsentForm.NOT_APPLICABLE if data.basis == ConsentBasis.LEGAL_BASIS else data.form,
        given_by=given_by, obtained_by_id=actor.user_id, owner_agency=actor.agency,
        valid_from=data.valid_from, valid_until=data.valid_until, version=version,
        previous_id=previous.id if previous else None, created_at=now,
        created_by_id=actor.user_id)
    consent.grants = [m.ConsentGrant(agency=a, category=c) for a, c in sorted(data.grants)]
    s.add(consent)
    s.flush()
    return consent


def record_consent(uow: UnitOfWork, actor: Actor, data: ConsentInput) -> ConsentView:
    with uow:
        access.require(actor, "consent.write")
        consent = _store_consent(uow, actor, data, 1, None)
        uow.log(actor, "consent.create", subject_kind="consent", subject_id=consent.id,
                person_id=consent.person_id, case_id=consent.case_id,
                detail={"grants": [f"{g.agency.value}:{g.category.value}"
                                   for g in consent.grants],
                        "basis": consent.basis.value,
                        "until": consent.valid_until.isoformat()})
        view, = project_consents(uow.session, actor, uow.now(), [(consent, actor.display_name)])
        uow.commit()
        return view


def amend_consent(uow: UnitOfWork, actor: Actor, consent_id: int,
                  data: ConsentInput) -> ConsentView:
    """A change is a new version; the old one stops counting at once."""
    with uow:
        access.require(actor, "consent.write")
        s = uow.session
        old = access.get_visible(s, actor, "consent", consent_id, uow.now(), verb="write")
        if old.superseded or old.withdrawn_at is not None:
            raise Conflict("Bara ett gällande samtycke kan ändras.",
                           "Only a current consent can be changed.")
        if data.person_id != old.person_id:
            raise ValidationError("En ny version av ett samtycke måste gälla samma person.",
                                  "A new version of a consent must be about the same person.")
        old.superseded = True
        old.updated_at, old.updated_by_id = uow.now(), actor.user_id
        s.flush()
        consent = _store_consent(uow, actor, data, old.version + 1, old)
        uow.log(actor, "consent.amend", subject_kind="consent", subject_id=consent.id,
                person_id=consent.person_id, case_id=consent.case_id,
                detail={"previous": old.id,
                        "grants": [f"{g.agency.value}:{g.category.value}"
                                   for g in consent.grants]})
        view, = project_consents(uow.session, actor, uow.now(), [(consent, actor.display_name)])
        uow.commit()
        return view


def withdraw_consent(uow: UnitOfWork, actor: Actor, consent_id: int, reason: str) -> ConsentView:
    """Withdrawal takes effect immediately for every list, search and document."""
    if not reason.strip():
        raise ValidationError("Ange orsaken till återkallelsen.",
                              "Give the reason for the withdrawal.")
    with uow:
        access.require(actor, "consent.write")
        s, now = uow.session, uow.now()
        consent = access.get_visible(s, actor, "consent", consent_id, now, verb="write")
        if consent.withdrawn_at is not None:
            raise Conflict("Samtycket är redan återkallat.", "The consent is already withdrawn.")
        if consent.superseded:
            raise Conflict("Det här är en äldre version; återkalla den gällande versionen.",
                           "This is an old version; withdraw the current one.")
        consent.withdrawn_at, consent.withdrawn_by_id = now, actor.user_id
        consent.withdrawal_reason = reason.strip()
        consent.updated_at, consent.updated_by_id = now, actor.user_id
        uow.log(actor, "consent.withdraw", subject_kind="consent", subject_id=consent.id,
                person_id=consent.person_id, case_id=consent.case_id, reason=reason.strip())
        obtained = s.get(m.User, consent.obtained_by_id)
        view, = project_consents(s, actor, now,
                                 [(consent, obtained.display_name if obtained else "")])
        uow.commit()
        return view


def list_consents(uow: UnitOfWork, actor: Actor, person_id: int,
                  include_history: bool = True) -> list[ConsentView]:
    with uow:
        s, now = uow.session, uow.now()
        access.get_visible(s, actor, "person", person_id, now)
        stmt = (select(m.Consent, m.User.display_name)
                .join(m.User, m.User.id == m.Consent.obtained_by_id)
                .where(m.Consent.person_id == person_id, access.visible(actor, "consent", now))
                .order_by(m.Consent.valid_until.desc(), m.Consent.version.desc()))
        if not include_history:
            stmt = stmt.where(m.Consent.superseded.is_(False))
        views = project_consents(s, actor, now, list(s.execute(stmt).unique().all()))
        uow.log(actor, "consent.list", subject_kind="person", subject_id=person_id,
                person_id=person_id)
        uow.commit()
        return views


def expiring_clause(actor: Actor, now: dt.datetime, within_days: int):
    """Active consents of persons the user may see that end within ``within_days``;
    the dashboard counts with the same conditions."""
    today = access.local_date(now)
    # Both ends of the window as index terms: the current consents are read
    # from ix_consents_current_until in end-date order, only those in it.
    return (access.visible(actor, "consent", now), access.current_consent(m.Consent, today),
            m.Consent.valid_until >= today,
            m.Consent.valid_until <= today + dt.timedelta(days=within_days))


def expiring_consents(uow: UnitOfWork, actor: Actor, within_days: int = 30) -> list[ConsentView]:
    """Active consents of persons the user may see that end within
    ``within_days``, soonest first, each with the person's name as this user
    may see it (the alias for a protected person). Logged once
    (``consent.expiring``, with the count)."""
    with uow:
        s, now = uow.session, uow.now()
        stmt = (select(m.Consent, m.User.display_name)
                .join(m.User, m.User.id == m.Consent.obtained_by_id)
                .where(*expiring_clause(actor, now, within_days))
                .order_by(m.Consent.valid_until, m.Consent.id))
        views = project_consents(s, actor, now, list(s.execute(stmt).unique().all()))
        uow.log(actor, "consent.expiring",
                detail={"count": len(views), "within_days": within_days})
        uow.commit()
        return views
