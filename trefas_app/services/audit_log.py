"""Reading and verifying the access log (DESIGN §6).

``verify_log`` checks the whole hash chain against the signed checkpoints
kept outside the database; it reports sequence numbers only. ``show_log`` is
the supervisor's log review (loggkontroll).

Who sees which entries in ``show_log`` (a supervisor, permission
``audit.read``):

* every entry made by a user of the supervisor's own agency (what their
  people did, whatever it was about), and failed log-ins under a user name
  of their agency;
* every entry about a case the supervisor may see under the access rule
  (who, of any agency, read or changed it), and every entry about a person
  the supervisor may see;
* nothing else: not what other agencies' users did elsewhere, not failed
  log-ins under unknown names (the administrator's store check covers the
  chain as a whole without showing entries).

Entries carry identifiers only, so showing them reveals no case content; the
review is itself logged (``audit.read``, with the filters used).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from sqlalchemy import and_, func, or_, select

from trefas_app.domain.actor import Actor
from trefas_app.domain.errors import ValidationError
from trefas_app.security import access, audit
from trefas_app.security.note_seal import note_seal, seal_key
from trefas_app.security.audit import AuditRow
from trefas_app.security.audit_chain import ChainReport, read_checkpoints, verify_chain
from trefas_app.services.views import Page
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork

MAX_LIMIT = 1000


def _check_signed_notes(session, store, report: ChainReport) -> ChainReport:
    """Every signed note must still say what its ``note.sign`` entry sealed,
    unless a retention run deleted its case (and logged that)."""
    key = seal_key(store.signing_key)
    purged = set(session.scalars(select(m.AuditEvent.case_id).where(
        m.AuditEvent.action == "retention.delete")).all())
    events = session.execute(select(m.AuditEvent.seq, m.AuditEvent.subject_id,
                                    m.AuditEvent.case_id, m.AuditEvent.detail)
                             .where(m.AuditEvent.action == "note.sign")
                             .order_by(m.AuditEvent.seq)).yield_per(5000)
    for seq, note_id, case_id, detail in events:
        sealed = json.loads(detail).get("seal") if detail else None
        if sealed is None:
            continue
        note = session.get(m.Note, int(note_id))
        if note is None and case_id in purged:
            continue
        if note is None or note_seal(key, note) != sealed:
            what = ("saknas" if note is None else "har ändrats")
            return dataclasses.replace(
                report, ok=False, first_bad_seq=seq,
                problem_sv=f"En signerad anteckning {what} efter signeringen "
                           f"(logghändelse {seq}).",
                problem_en=f"A signed note was {'deleted' if note is None else 'changed'} "
                           f"after signing (log entry {seq}).")
        session.expunge(note)
    return report


def verify_log(store, actor: Actor) -> ChainReport:
    """Check every entry of the chain and every checkpoint; the report names
    the first bad sequence number. Permission ``audit.verify`` (administrator)
    or ``audit.read`` (supervisor). Logged as ``audit.verify``.

    A store whose checkpoint file is missing while the log has entries is
    reported as not verified: the file is written at creation and at every
    log-out, so its absence means it was removed.
    """
    with store.uow() as uow:
        if not (actor.may("audit.verify") or actor.may("audit.read")):
            access.require(actor, "audit.verify")  # raises, and is logged
        path = store.paths.checkpoints
        checkpoints = read_checkpoints(path) if path.exists() else []
        report = verify_chain(audit.iter_chain(uow.session), checkpoints,
                              store.keyfile.public_key(), store_id=store.store_id)
        if report.ok:
            report = _check_signed_notes(uow.session, store, report)
        if report.ok and not path.exists() and report.entries:
            report = dataclasses.replace(
                report, ok=False, first_bad_seq=None,
                problem_sv="Kontrollpunktsfilen saknas: loggen kan inte kontrolleras mot "
                           "signerade kontrollpunkter.",
                problem_en="The checkpoint file is missing: the log cannot be checked "
                           "against signed checkpoints.")
        uow.log(actor, "audit.verify",
                detail={"ok": report.ok, "entries": report.entries,
                        "first_bad_seq": report.first_bad_seq})
        uow.commit()
        return report


def _bound(value: dt.datetime | dt.date | None, end: bool) -> str | None:
    """A filter bound as the stored ``at`` text. A date is a Swedish calendar
    day: ``since`` from its start, ``until`` through its end."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        day = value + dt.timedelta(days=1) if end else value
        value = dt.datetime.combine(day, dt.time(0), tzinfo=access.LOCAL_TZ)
        if end:
            value -= dt.timedelta(microseconds=1)
    elif value.tzinfo is None:
        raise ValidationError("Tiden måste ha en tidszon.", "The time must have a time zone.")
    return audit._iso(value)


def _scope(actor: Actor, now: dt.datetime):
    ev = m.AuditEvent
    own_user = select(m.User.id).where(m.User.agency == actor.agency)
    own_name = select(m.User.username).where(m.User.agency == actor.agency)
    visible_case = select(m.Case.id).where(access.visible(actor, "case", now))
    visible_person = select(m.Person.id).where(access.visible(actor, "person", now))
    return or_(
        ev.agency == actor.agency.value,
        ev.user_id.in_(own_user),
        and_(ev.user_id.is_(None), ev.agency.is_(None), ev.username.in_(own_name)),
        ev.case_id.in_(visible_case),
        and_(ev.case_id.is_(None), ev.person_id.in_(visible_person)),
    )


def show_log(uow: UnitOfWork, actor: Actor, person_id: int | None = None,
             case_id: int | None = None, username: str | None = None,
             action: str | None = None, since: dt.datetime | dt.date | None = None,
             until: dt.datetime | dt.date | None = None, offset: int = 0,
             limit: int = 200) -> Page[AuditRow]:
    """Entries of the access log in the supervisor's scope (see the module
    docstring), newest first, filtered by any of person, case, user name,
    action (exact, or a prefix ending in "." such as ``"case."``) and time."""
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("Ogiltig sidindelning.", "Invalid paging.")
    lo, hi = _bound(since, False), _bound(until, True)
    with uow:
        access.require(actor, "audit.read")
        s, now = uow.session, uow.now()
        ev = m.AuditEvent
        where = [_scope(actor, now)]
        if person_id is not None:
            where.append(ev.person_id == person_id)
        if case_id is not None:
            where.append(ev.case_id == case_id)
        if username:
            where.append(ev.username == username.strip())
        if action:
            action = action.strip()
            where.append(ev.action.startswith(action, autoescape=True)
                         if action.endswith(".") else ev.action == action)
        if lo is not None:
            where.append(ev.at >= lo)
        if hi is not None:
            where.append(ev.at <= hi)
        total = s.scalar(select(func.count()).select_from(ev).where(*where))
        rows = s.scalars(select(ev).where(*where).order_by(ev.seq.desc())
                         .offset(offset).limit(limit)).all()
        result = tuple(AuditRow(seq=e.seq, at=e.at, username=e.username, agency=e.agency,
                                role=e.role, action=e.action, subject_kind=e.subject_kind,
                                subject_id=e.subject_id, case_id=e.case_id,
                                person_id=e.person_id, reason=e.reason, detail=e.detail)
                       for e in rows)
        filters = {k: v for k, v in (("person_id", person_id), ("case_id", case_id),
                                     ("username", username), ("action", action),
                                     ("since", lo), ("until", hi)) if v is not None}
        uow.log(actor, "audit.read", case_id=case_id, person_id=person_id,
                detail={"filters": filters, "offset": offset, "hits": total})
        uow.commit()
        return Page(rows=result, total=total, offset=offset)
