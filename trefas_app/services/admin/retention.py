"""Retention (gallring): deleting closed cases whose retention time has run
out, each in its own transaction with its ``retention.delete`` entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Collection

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import CaseState
from trefas_app.security import access
from trefas_app.store import models as m
from trefas_app.store.store import OpenStore


@dataclass(frozen=True)
class RetentionReport:
    cases_deleted: int
    case_ids: tuple[int, ...] = ()


# --- retention (gallring) ------------------------------------------------------------


def _kind_names(model) -> set[str]:
    """Names a state change may use for rows of ``model`` (services record
    the access-rule kind, e.g. "referral"; table names are accepted too)."""
    names = {model.__tablename__, model.__tablename__.rstrip("s")}
    kind = access.KIND_OF_MODEL.get(model)
    if kind:
        names.add(kind)
    return names


def _content_tables_in_delete_order():
    content = {model.__table__: model for model in m.CASE_CONTENT_MODELS}
    return [content[t] for t in reversed(m.Base.metadata.sorted_tables) if t in content]


def case_purge_statements(case_id) -> list:
    """The deletes of everything recorded in one case — not its consents, the
    case row or the person. ``case_id`` is a value, or a SQL expression (the
    server's purge function, server/retention.py, builds its body from
    these)."""
    content_models = _content_tables_in_delete_order()
    content_tables = {model.__table__ for model in content_models}
    statements = []
    # Rows in non-content tables that hang off content rows (plan goals and
    # actions; found from the schema so that a new child table is covered).
    for table in m.Base.metadata.sorted_tables:
        if table in content_tables:
            continue
        for fk in table.foreign_keys:
            if fk.column.table in content_tables:
                parent = fk.column.table
                statements.append(table.delete().where(fk.parent.in_(
                    select(parent.c.id).where(parent.c.case_id == case_id))))
    for model in content_models:
        ids = select(model.id).where(model.case_id == case_id)
        statements.append(delete(m.StateChange).where(
            m.StateChange.entity.in_(sorted(_kind_names(model))),
            m.StateChange.entity_id.in_(ids)))
        statements.append(delete(model).where(model.case_id == case_id))
    docs = select(m.IssuedDocument.id).where(m.IssuedDocument.case_id == case_id)
    return statements + [
        delete(m.Disclosure).where((m.Disclosure.case_id == case_id)
                                   | m.Disclosure.document_id.in_(docs)),
        delete(m.IssuedDocument).where(m.IssuedDocument.case_id == case_id),
        delete(m.TeamMember).where(m.TeamMember.case_id == case_id),
        delete(m.EmergencyAccess).where(m.EmergencyAccess.case_id == case_id),
        delete(m.StateChange).where(m.StateChange.entity == "case",
                                    m.StateChange.entity_id == case_id)]


def person_purge_statements(person_id) -> list:
    """The deletes of a person nothing else refers to any more, and what only
    they were about (as :func:`case_purge_statements`: a value or SQL)."""
    person_docs = select(m.IssuedDocument.id).where(m.IssuedDocument.person_id == person_id)
    return [delete(m.Disclosure).where((m.Disclosure.person_id == person_id)
                                       | m.Disclosure.document_id.in_(person_docs)),
            delete(m.IssuedDocument).where(m.IssuedDocument.person_id == person_id),
            delete(m.Relative).where(m.Relative.person_id == person_id),
            delete(m.IdentityReveal).where(m.IdentityReveal.person_id == person_id),
            delete(m.Person).where(m.Person.id == person_id)]


def _purge_case(s: Session, case: m.Case) -> bool:
    """Delete one case and everything about it; the person too when nothing
    else refers to them. Returns whether the person was deleted."""
    case_id, person_id = case.id, case.person_id
    for statement in case_purge_statements(case_id):
        s.execute(statement)

    other_cases = s.scalar(select(m.Case.id).where(m.Case.person_id == person_id,
                                                   m.Case.id != case_id).limit(1))
    other_content = any(
        s.scalar(select(model.id).where(model.person_id == person_id).limit(1))
        for model in m.CASE_CONTENT_MODELS)
    delete_person = other_cases is None and not other_content

    if delete_person:
        consent_ids = select(m.Consent.id).where(m.Consent.person_id == person_id)
    else:
        consent_ids = select(m.Consent.id).where(m.Consent.case_id == case_id)
    consent_list = list(s.scalars(consent_ids).all())
    # A consent still relied on by a disclosure that stays is kept, without
    # its link to the deleted case.
    kept = set(s.scalars(select(m.Disclosure.consent_id)
                         .where(m.Disclosure.consent_id.in_(consent_list))).all())
    if delete_person and kept:
        delete_person = False
    to_delete = [c for c in consent_list if c not in kept]
    # Versions point at their predecessors: a version that stays must not
    # point at one that goes.
    s.execute(update(m.Consent).where(m.Consent.previous_id.in_(to_delete),
                                      m.Consent.id.not_in(to_delete))
              .values(previous_id=None))
    s.execute(update(m.Consent).where(m.Consent.case_id == case_id)
              .values(case_id=None))
    s.execute(delete(m.ConsentGrant).where(m.ConsentGrant.consent_id.in_(to_delete)))
    s.execute(delete(m.Consent).where(m.Consent.id.in_(to_delete)))

    s.execute(delete(m.Case).where(m.Case.id == case_id))
    if delete_person:
        for statement in person_purge_statements(person_id):
            s.execute(statement)
    return delete_person


@dataclass(frozen=True)
class RetentionCandidate:
    """A closed case whose retention time has run out: what a run would delete
    (number and dates only; no content)."""
    case_id: int
    number: str
    closed_at: dt.datetime | None
    retain_until: dt.date


def _due_cases(session, today: dt.date):
    return select(m.Case).where(m.Case.state == CaseState.CLOSED,
                                m.Case.retain_until.is_not(None),
                                m.Case.retain_until < today).order_by(m.Case.id)


def _on_server(store: OpenStore) -> bool:
    return bool(getattr(store, "is_server", False))


def _due(session, today: dt.date) -> list[RetentionCandidate]:
    """The due cases. On a server the row rules hide cases outside the
    reader's scope: ``trefas.retention_due`` (server/retention.py) lists
    them, number and dates only."""
    if session.get_bind().dialect.name != "postgresql":
        return [RetentionCandidate(c.id, c.number, c.closed_at, c.retain_until)
                for c in session.scalars(_due_cases(session, today))]
    rows = session.execute(text("SELECT id, number, closed_at, retain_until "
                                "FROM trefas.retention_due(:today)"), {"today": today}).all()
    return [RetentionCandidate(r.id, r.number, r.closed_at and r.closed_at.replace(
        tzinfo=dt.timezone.utc), r.retain_until) for r in rows]


def _purge_on_server(store: OpenStore, actor: Actor, candidate: RetentionCandidate,
                     today: dt.date) -> bool:
    """One case, by the server's purge function (login roles may not delete
    cases), logged in the same transaction. False when it is no longer due."""
    with store.uow() as uow:
        person_deleted = uow.session.scalar(
            text("SELECT trefas.retention_purge(:case_id, :today)"),
            {"case_id": candidate.case_id, "today": today})
        if person_deleted is None:
            return False
        uow.log(actor, "retention.delete", subject_kind="case", subject_id=candidate.case_id,
                case_id=candidate.case_id, detail={"number": candidate.number,
                                                   "person_deleted": person_deleted})
        uow.commit()
    return True


def retention_due(store: OpenStore, actor: Actor, today: dt.date) -> list[RetentionCandidate]:
    """The cases :func:`run_retention` would delete on ``today``, so that they
    can be shown (and confirmed) first. Logged as ``retention.list``."""
    with store.uow() as uow:
        access.require(actor, "system.retention")
        due = _due(uow.session, today)
        uow.log(actor, "retention.list", detail={"today": today.isoformat(),
                                                 "cases": len(due)})
        uow.commit()
        return due


def run_retention(store: OpenStore, actor: Actor, today: dt.date,
                  only: Collection[int] | None = None) -> RetentionReport:
    """Delete (gallra) every closed case whose retention time has run out
    (``retain_until`` before ``today``), with everything recorded in it:
    notes (signed ones too), plans, referrals, exit support, tasks, the team,
    consents and disclosures tied to it, and the person when no other case or
    record refers to them.

    This deliberately bypasses the access rule: it is a system action of the
    administrator (``system.retention``), sees no content, and returns only
    counts. Each case is deleted in its own transaction together with its
    ``retention.delete`` log entry (case id and number only), so a run that
    stops half-way leaves whole cases either deleted and logged or untouched.
    The access log itself is never touched. The signed-note trigger lets a
    signed note go only while a ``retention_purges`` row names its case; the
    row is removed again in the same transaction.

    ``only`` limits the run to those case ids (the ones shown and confirmed
    with :func:`retention_due`): a case that fell due in between waits for
    the next run.
    """
    with store.uow() as uow:
        access.require(actor, "system.retention")
        due = [c for c in _due(uow.session, today) if only is None or c.case_id in only]
    deleted: list[int] = []
    for candidate in due:
        case_id = candidate.case_id
        if _on_server(store):
            if _purge_on_server(store, actor, candidate, today):
                deleted.append(case_id)
            continue
        with store.uow() as uow:
            s = uow.session
            case = s.get(m.Case, case_id)
            if case is None or case.state != CaseState.CLOSED or case.retain_until is None \
                    or case.retain_until >= today:
                continue
            number = case.number
            s.add(m.RetentionPurge(case_id=case_id))
            s.flush()
            person_deleted = _purge_case(s, case)
            s.expunge_all()
            uow.log(actor, "retention.delete", subject_kind="case", subject_id=case_id,
                    case_id=case_id, detail={"number": number,
                                             "person_deleted": person_deleted})
            s.execute(delete(m.RetentionPurge).where(m.RetentionPurge.case_id == case_id))
            uow.commit()
        deleted.append(case_id)
    with store.uow() as uow:
        uow.log(actor, "retention.run", detail={"today": today.isoformat(),
                                                "cases": len(deleted)})
        uow.commit()
    return RetentionReport(cases_deleted=len(deleted), case_ids=tuple(deleted))

