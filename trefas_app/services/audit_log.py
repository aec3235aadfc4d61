"""Reading and verifying the access log (DESIGN §6).

``verify_log`` checks the hash chain against the signed checkpoints kept
outside the database — in full, or (``full=False``, ``trefas audit
verify``) only what is new since the last verified mark plus a random window
of older entries (see ``store/audit_verify.py``); it reports sequence
numbers only. ``show_log`` is
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

The scope is ``access.log_scope``, the same for every reading of the log
(the log extract PDF too). A reason in an entry is shown only to the agency
whose user gave it (``access.log_reason``).

Entries carry identifiers only, so showing them reveals no case content; the
review is itself logged (``audit.read``, with the filters used).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass

from sqlalchemy import func, literal, or_, select
from sqlalchemy import case as sql_case

from trefas_app.domain import clock
from trefas_app.domain.actor import Actor
from trefas_app.domain.audit_labels import actions_matching
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import NotFound, ValidationError
from trefas_app.domain.text import MAX_PAGE_LIMIT, check_paging
from trefas_app.security import access
from trefas_app.services import cases, persons
from trefas_app.services.joined import one_transaction
from trefas_app.store import audit, audit_verify
from trefas_app.store.audit import AuditRow
from trefas_app.store.audit_chain import ChainReport, read_checkpoints
from trefas_app.store.note_seal import note_seal
from trefas_app.services.views import Page
from trefas_app.services.views_ops import ReadVolume
from trefas_app.store import models as m
from trefas_app.store.dialect import local_date
from trefas_app.store.uow import UnitOfWork
from trefas_app.store.witness import (
    ACKNOWLEDGE_ACTION,
    pending_alarm,
)

MAX_LIMIT = MAX_PAGE_LIMIT


def _check_signed_notes(session, store, report: ChainReport) -> ChainReport:
    """Every signed note must still say what its ``note.sign`` entry sealed,
    unless a retention run deleted its case (and logged that)."""
    key = store.note_seal_key
    # case id -> the entry that deleted it: every note of the case signed
    # before that is gone, and (SQLite reuses the highest ids) a note or case
    # made later may carry the same id.
    purged = dict(session.execute(select(m.AuditEvent.case_id, func.max(m.AuditEvent.seq))
                                  .where(m.AuditEvent.action == "retention.delete")
                                  .group_by(m.AuditEvent.case_id)).all())
    # A restore keeps the log but not what was written after the backup: a
    # note signed between the backup's head and the restore is gone (and its
    # id may since have been given to another note).
    undone = [(json.loads(detail or "{}").get("restored_seq") or seq, seq)
              for seq, detail in session.execute(
                  select(m.AuditEvent.seq, m.AuditEvent.detail)
                  .where(m.AuditEvent.action == "restore"))]
    events = session.execute(select(m.AuditEvent.seq, m.AuditEvent.subject_id,
                                    m.AuditEvent.case_id, m.AuditEvent.detail)
                             .where(m.AuditEvent.action == "note.sign")
                             .order_by(m.AuditEvent.seq)).yield_per(5000)
    for seq, note_id, case_id, detail in events:
        sealed = json.loads(detail).get("seal") if detail else None
        if sealed is None or any(low < seq < high for low, high in undone):
            continue
        if seq < purged.get(case_id, 0):
            continue
        note = session.get(m.Note, int(note_id))
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


def verify_log(store, actor: Actor, full: bool = True) -> ChainReport:
    """Check every entry of the chain and every checkpoint (``full=False``:
    only what is new since the last verified mark and a random window of
    older entries, falling back to the full check on any problem; see
    ``audit_verify``); the report names the first bad sequence number.
    Permission ``audit.verify`` (administrator) or ``audit.read``
    (supervisor). Logged as ``audit.verify``; a check that passes signs its
    head as the new verified mark.

    A store whose checkpoint file is missing while the log has entries is
    reported as not verified: the file is written at creation and at every
    log-out, so its absence means it was removed.
    """
    # A server store keeps no verified mark (its store_meta is not the login
    # roles' to write): every check there is the full one.
    on_server = getattr(store, "is_server", False)
    full = full or on_server
    with store.uow() as uow:
        if not (actor.may("audit.verify") or actor.may("audit.read")):
            access.require(actor, "audit.verify")  # raises, and is logged
        path = store.paths.checkpoints
        checkpoints = read_checkpoints(path) if path.exists() else []
        report = audit_verify.verify(uow.session, checkpoints, store.keyfile.public_key(),
                                     store.store_id, full=full)
        # A server session without the store's key (the administrator) cannot
        # read notes either: the seals are checked by those who can.
        if report.ok and store.note_seal_key is not None:
            report = _check_signed_notes(uow.session, store, report)
        # (A server store's checkpoints are kept by the desktops that wrote
        # them, docs/server.md: a desktop that never wrote one has no file.)
        if report.ok and not path.exists() and report.entries and not on_server:
            report = dataclasses.replace(
                report, ok=False, first_bad_seq=None,
                problem_sv="Kontrollpunktsfilen saknas: loggen kan inte kontrolleras mot "
                           "signerade kontrollpunkter.",
                problem_en="The checkpoint file is missing: the log cannot be checked "
                           "against signed checkpoints.")
        alarm = pending_alarm(uow.session)
        if report.ok and alarm is not None:
            report = dataclasses.replace(report, ok=False, first_bad_seq=None,
                                         problem_sv=alarm.sv, problem_en=alarm.en)
        if report.ok and not on_server:
            audit_verify.write_mark(uow.session, store.signing_key, store.store_id,
                                    report.last_seq, report.last_hash, checkpoints)
        uow.log(actor, "audit.verify",
                detail={"ok": report.ok, "entries": report.entries,
                        "first_bad_seq": report.first_bad_seq,
                        "incremental": report.incremental})
        uow.commit()
        return report


def acknowledge_alarm(store, actor: Actor, reason: str) -> int:
    """A key holder — a supervisor, or a session opened with the recovery
    key; never an administrator alone — has looked at the standing alarm about
    the access log and its checkpoints and accepts the store as it now is.
    Logged (``checkpoints.acknowledge``, with the reason and the alarm's
    entry); a fresh checkpoint is signed and this profile's witness renewed.
    Returns the alarm's sequence number."""
    reason = " ".join((reason or "").split())
    with store.uow() as uow:
        if not (actor.role == Role.SUPERVISOR or getattr(store, "via_recovery_key", False)):
            raise access.denied(
                actor, "audit.acknowledge",
                "Bara en arbetsledare eller den som har återställningsnyckeln kan kvittera "
                "ett larm om åtkomstloggen.",
                "Only a supervisor or the holder of the recovery key can acknowledge an "
                "alarm about the access log.")
        alarm = pending_alarm(uow.session)
        if alarm is None:
            raise ValidationError("Det finns inget larm att kvittera.",
                                  "There is no alarm to acknowledge.")
        if len(reason) < 10 or len(reason) > 500:
            raise ValidationError(
                "Skriv vad du har granskat och varför larmet kan kvitteras (10–500 tecken).",
                "Write what you reviewed and why the alarm can be acknowledged "
                "(10–500 characters).")
        alarm_seq = uow.session.scalar(select(func.max(m.AuditEvent.seq)).where(
            m.AuditEvent.action == "checkpoints.alarm"))
        uow.log(actor, ACKNOWLEDGE_ACTION, reason=reason,
                detail={"alarm_seq": alarm_seq,
                        "recovery_key": bool(getattr(store, "via_recovery_key", False))})
        uow.commit()
    store.alarms = []
    store.write_checkpoint()
    store.write_witness()
    return alarm_seq


def _bound_time(value: dt.datetime | dt.date | None, end: bool) -> dt.datetime | None:
    """A filter bound as an aware time. A date is a Swedish calendar day:
    ``since`` from its start, ``until`` through its end."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        day = value + dt.timedelta(days=1) if end else value
        value = dt.datetime.combine(day, dt.time(0), tzinfo=clock.office_zone())
        if end:
            value -= dt.timedelta(microseconds=1)
    elif value.tzinfo is None:
        raise ValidationError("Tiden måste ha en tidszon.", "The time must have a time zone.")
    return value


def _bound(value: dt.datetime | dt.date | None, end: bool) -> str | None:
    """A filter bound as the stored ``at`` text (see :func:`_bound_time`)."""
    value = _bound_time(value, end)
    return None if value is None else audit._iso(value)


def _action_words_match(text: str):
    """Codes that start with ``text``, that have a word starting with it, or
    whose label does (see :func:`audit_labels.actions_matching`)."""
    ev = m.AuditEvent
    text = text.strip().lower()
    return or_(ev.action.startswith(text, autoescape=True),
               ev.action.contains("." + text, autoescape=True),
               ev.action.contains("_" + text, autoescape=True),
               ev.action.in_(sorted(actions_matching(text))))


def _visible_case_numbers(session, actor: Actor, now: dt.datetime,
                          case_ids: set) -> dict[int, str]:
    """Numbers of the cases among ``case_ids`` the reader may see; an entry
    about any other case keeps only its internal id."""
    ids = sorted(i for i in case_ids if i is not None)
    if not ids:
        return {}
    return dict(session.execute(select(m.Case.id, m.Case.number).where(
        m.Case.id.in_(ids), access.visible(actor, "case", now))).all())


def show_log(uow: UnitOfWork, actor: Actor, person_id: int | None = None,
             case_id: int | None = None, username: str | None = None,
             action: str | None = None, since: dt.datetime | dt.date | None = None,
             until: dt.datetime | dt.date | None = None, offset: int = 0,
             limit: int = 200, action_words: str | None = None) -> Page[AuditRow]:
    """Entries of the access log in the supervisor's scope (see the module
    docstring), newest first, filtered by any of person, case, user name,
    action (exact, or a prefix ending in "." such as ``"case."``), action
    words (the start of a word of the code or of its label, as a person types
    it: "lo", "läste") and time. Each row carries the case number when the
    reader may see that case."""
    offset, limit = check_paging(offset, limit)
    lo, hi = _bound(since, False), _bound(until, True)
    with uow:
        access.require(actor, "audit.read")
        s, now = uow.session, uow.now()
        ev = m.AuditEvent
        where = [access.log_scope(actor, now)]
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
        if action_words and action_words.strip():
            where.append(_action_words_match(action_words))
        if lo is not None:
            where.append(ev.at >= lo)
        if hi is not None:
            where.append(ev.at <= hi)
        total = s.scalar(select(func.count()).select_from(ev).where(*where))
        rows = s.scalars(select(ev).where(*where).order_by(ev.seq.desc())
                         .offset(offset).limit(limit)).all()
        numbers = _visible_case_numbers(s, actor, now, {e.case_id for e in rows})
        result = tuple(AuditRow(seq=e.seq, at=e.at, username=e.username, agency=e.agency,
                                role=e.role, action=e.action, subject_kind=e.subject_kind,
                                subject_id=e.subject_id, case_id=e.case_id,
                                person_id=e.person_id,
                                reason=access.log_reason(actor, e.agency, e.reason),
                                detail=e.detail, case_number=numbers.get(e.case_id))
                       for e in rows)
        filters = {k: v for k, v in (("person_id", person_id), ("case_id", case_id),
                                     ("username", username), ("action", action),
                                     ("action_words", action_words),
                                     ("since", lo), ("until", hi)) if v is not None}
        uow.log(actor, "audit.read", case_id=case_id, person_id=person_id,
                detail={"filters": filters, "offset": offset, "hits": total})
        uow.commit()
        return Page(rows=result, total=total, offset=offset)


# --- unusual read volumes ------------------------------------------------------------

#: Longest period one volume count may cover.
MAX_VOLUME_DAYS = 366
#: Actions that end like a read but show no case content: the log review
#: itself, the user list, the review list of emergency accesses, the dashboard's
#: figures.
NOT_CONTENT_READS = ("audit.read", "user.list", "emergency.review.list", "dashboard.read")


def _utc_offset_minutes(epoch: int) -> int:
    moment = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    return int(clock.to_local(moment).utcoffset().total_seconds() // 60)


def _local_day(at_col, lo: dt.datetime, hi: dt.datetime):
    """SQL for the Swedish calendar day (``YYYY-MM-DD``) of a stored UTC ``at``
    text between ``lo`` and ``hi``: SQLite's ``date()`` with the UTC offset of
    the stretch of the period the entry falls in (summer time changes it)."""
    start, stop = int(lo.timestamp()), int(hi.timestamp()) + 1
    current = _utc_offset_minutes(start)
    stretches: list[tuple[str, int]] = []  # (first moment, offset) after the first
    day = start
    while day < stop:
        nxt = min(day + 86_400, stop)
        if _utc_offset_minutes(nxt) != current:
            a, b = day, nxt  # the offset changes after a, at b at the latest
            while b - a > 1:
                mid = (a + b) // 2
                if _utc_offset_minutes(mid) == current:
                    a = mid
                else:
                    b = mid
            current = _utc_offset_minutes(b)
            stretches.append((audit._iso(dt.datetime.fromtimestamp(b, dt.timezone.utc)),
                              current))
        day = nxt
    first = _utc_offset_minutes(start)
    modifier = literal(f"{first:+d} minutes")
    if stretches:
        bounds = [s for s, _ in stretches]
        offsets = [first] + [o for _, o in stretches]
        modifier = sql_case(*[(at_col < bound, f"{offsets[i]:+d} minutes")
                              for i, bound in enumerate(bounds)],
                            else_=f"{offsets[-1]:+d} minutes")
    return local_date(at_col, modifier)


def read_volumes(uow: UnitOfWork, actor: Actor, since: dt.datetime | dt.date,
                 until: dt.datetime | dt.date) -> list[ReadVolume]:
    """How many reads (entries whose action ends in ``.read``, ``.list`` or
    ``.search``, but for :data:`NOT_CONTENT_READS`) each user made per Swedish
    calendar day between ``since`` and ``until`` (dates: whole days), counted
    over the entries in the supervisor's scope (as :func:`show_log`), the most
    first. One grouped query; logged once (``audit.read``)."""
    lo, hi = _bound_time(since, False), _bound_time(until, True)
    if lo is None or hi is None:
        raise ValidationError("Ange både från- och tilldatum.",
                              "Give both a from and an until date.")
    if hi < lo:
        raise ValidationError("Datumen är i fel ordning: tilldatumet ligger före "
                              "fråndatumet.",
                              "The dates are in the wrong order: the until date is before "
                              "the from date.")
    if hi - lo > dt.timedelta(days=MAX_VOLUME_DAYS):
        raise ValidationError(f"Välj en period på högst {MAX_VOLUME_DAYS} dagar.",
                              f"Choose a period of at most {MAX_VOLUME_DAYS} days.")
    with uow:
        access.require(actor, "audit.read")
        s, now = uow.session, uow.now()
        ev = m.AuditEvent
        day = _local_day(ev.at, lo, hi).label("day")
        reads = func.count().label("reads")
        rows = s.execute(
            select(ev.username, m.User.display_name, ev.agency, day, reads)
            .outerjoin(m.User, m.User.id == ev.user_id)
            .where(access.log_scope(actor, now), ev.username.is_not(None),
                   ev.at >= audit._iso(lo), ev.at <= audit._iso(hi),
                   or_(ev.action.endswith(".read"), ev.action.endswith(".list"),
                       ev.action.endswith(".search")),
                   ev.action.not_in(NOT_CONTENT_READS))
            .group_by(ev.username, m.User.display_name, ev.agency, day)
            .order_by(reads.desc(), ev.username, day)).all()
        result = [ReadVolume(username=username, display_name=name,
                             agency=_agency(agency), day=dt.date.fromisoformat(d), reads=n)
                  for username, name, agency, d, n in rows]
        uow.log(actor, "audit.read",
                detail={"volumes": {"since": audit._iso(lo), "until": audit._iso(hi)},
                        "hits": len(result)})
        uow.commit()
        return result


def _agency(value: str | None) -> Agency | None:
    try:
        return Agency(value) if value else None
    except ValueError:
        return None


# --- the log review as the supervisor asks for it -----------------------------------------

#: Rows per page of the log review.
REVIEW_PAGE = 200
#: How far back the list of revealed protected identities goes.
REVEALS_DAYS = 30

#: A person as the log names them: their P-number (P-0042, p42).
PERSON_ALIAS = re.compile(r"^\s*p-?(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class LogParams:
    """The log review's filters as typed: a person by alias (P-0042),
    personnummer or name, a case by number."""
    person: str = ""
    case: str = ""
    username: str = ""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def _resolve_person(uow, actor: Actor, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    alias = PERSON_ALIAS.match(text)
    if alias:
        return int(alias.group(1))
    page = persons.list_persons(uow, actor, text, 0, 2)
    if page.total == 1:
        return page.rows[0].id
    raise ValidationError(
        "Ange personen som alias (P-0042) eller med ett personnummer eller namn som ger "
        "exakt en träff bland de personer du får se.",
        "Give the person as an alias (P-0042) or a personal number or name that matches "
        "exactly one of the persons you may see.")


def _resolve_case(uow, actor: Actor, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return cases.find_by_number(uow, actor, text)
    except NotFound:
        raise access.on_record(
            ValidationError("Det finns inget ärende med det numret som du får se.",
                            "There is no case with that number that you may see."),
            actor, "case.read", "case", text) from None


def log_page(uow: UnitOfWork, actor: Actor, params: LogParams, offset: int = 0,
             limit: int = REVIEW_PAGE) -> Page[AuditRow]:
    """One page of the access log for the filters (person and case given as the
    supervisor knows them: an alias or personnummer, a case number), in one
    transaction."""
    with one_transaction(uow) as tx:
        person_id = _resolve_person(tx, actor, params.person)
        case_id = _resolve_case(tx, actor, params.case)
        return show_log(tx, actor, person_id=person_id, case_id=case_id,
                        username=params.username.strip() or None,
                        action=params.action or None, since=params.since,
                        until=params.until, offset=offset, limit=limit)


@dataclass(frozen=True)
class Volume:
    username: str
    day: dt.date
    reads: int
    display_name: str = ""
    agency: Agency | None = None

    def who(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class VolumeReport:
    rows: tuple[Volume, ...]
    since: dt.date
    until: dt.date

    @property
    def reads(self) -> int:
        return sum(v.reads for v in self.rows)


def volume_report(uow: UnitOfWork, actor: Actor, days: int) -> VolumeReport:
    """Reads per user and Swedish calendar day over the last ``days`` days
    (today by the unit of work's instant included), the most first (see
    :func:`read_volumes`)."""
    with one_transaction(uow) as tx:
        until = clock.local_date(tx.now())
        since = until - dt.timedelta(days=days - 1)
        rows = read_volumes(tx, actor, since, until)
        return VolumeReport(rows=tuple(Volume(r.username, r.day, r.reads, r.display_name or "",
                                              r.agency) for r in rows),
                            since=since, until=until)


def recent_reveals(uow: UnitOfWork, actor: Actor, days: int = REVEALS_DAYS) -> Page[AuditRow]:
    """Reveals of protected identities over the last ``days`` days."""
    with one_transaction(uow) as tx:
        since = clock.local_date(tx.now()) - dt.timedelta(days=days)
        return show_log(tx, actor, action="identity.reveal", since=since, limit=500)
