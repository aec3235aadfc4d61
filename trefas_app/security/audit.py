"""Appending to, and reading, the hash-chained access log (DESIGN §6).

Entries are written in the same transaction as the change they record, so a
change without its log entry (or the reverse) cannot be committed. The hash of
each entry covers the previous hash, so an edit, deletion or insertion breaks
the chain; signed checkpoints outside the database catch a cut-off tail.

Only identifiers go into entries (user, case id, person id, record id) and a
short reason the user typed — never names, numbers or note text.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from trefas_app.domain.actor import Actor
from trefas_app.domain.text import LOGGED_REASON, clean
from trefas_app.security.audit_chain import GENESIS, ChainEntry, canonical_bytes, entry_hash
from trefas_app.store.models import AuditEvent


def _iso(now: dt.datetime) -> str:
    return now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append(session: Session, now: dt.datetime, actor: Actor | None, action: str, *,
           subject_kind: str | None = None, subject_id: object = None,
           case_id: int | None = None, person_id: int | None = None,
           reason: str | None = None, detail: dict | None = None,
           username: str | None = None) -> AuditEvent:
    """Append one entry to the chain inside the caller's transaction. A reason
    is stored under the one text rule, as the record it explains is."""
    if reason is not None:
        reason = clean(reason, LOGGED_REASON)
    if session.get_bind().dialect.name == "postgresql":
        return _append_on_server(session, now, actor, action, subject_kind=subject_kind,
                                 subject_id=subject_id, case_id=case_id,
                                 person_id=person_id, reason=reason, detail=detail,
                                 username=username)
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    fields = {
        "seq": seq,
        "at": _iso(now),
        "user": actor.username if actor else username,
        "agency": actor.agency.value if actor else None,
        "role": actor.role.value if actor else None,
        "action": action,
        "subject_kind": subject_kind,
        "subject_id": None if subject_id is None else str(subject_id),
        "case_id": None if case_id is None else str(case_id),
        "person_id": None if person_id is None else str(person_id),
        "reason": reason,
        "detail": json.dumps(detail, sort_keys=True, ensure_ascii=False) if detail else None,
        "prev_hash": prev,
    }
    digest = entry_hash(prev, canonical_bytes(fields))
    event = AuditEvent(seq=seq, at=fields["at"], user_id=actor.user_id if actor else None,
                       username=fields["user"], agency=fields["agency"], role=fields["role"],
                       action=action, subject_kind=subject_kind, subject_id=fields["subject_id"],
                       case_id=case_id, person_id=person_id, reason=reason,
                       detail=fields["detail"], prev_hash=prev, hash=digest)
    session.add(event)
    session.flush()
    return event


def append_alone(engine, now: dt.datetime, actor: Actor | None, action: str) -> None:
    """One entry in a transaction of its own (log-out, lock)."""
    with Session(engine) as session:
        append(session, now, actor, action)
        session.commit()


def _append_on_server(session: Session, now: dt.datetime, actor: Actor | None, action: str,
                      **f) -> AuditEvent:
    """On a server store the log has one way in, ``trefas.log_append``: it
    takes the log's lock, reads the head and hashes the entry itself, and it
    takes user, agency and role from the connection's own login role."""
    detail = json.dumps(f["detail"], sort_keys=True, ensure_ascii=False) \
        if f["detail"] else None
    subject_id = None if f["subject_id"] is None else str(f["subject_id"])
    session.flush()  # the change the entry records goes first
    row = session.execute(text(
        "SELECT seq, hash, prev_hash FROM trefas.log_append(:at, :action, :kind, :sid, "
        ":case_id, :person_id, :reason, :detail, :user, :agency, :role)"),
        {"at": _iso(now), "action": action, "kind": f["subject_kind"], "sid": subject_id,
         "case_id": f["case_id"], "person_id": f["person_id"], "reason": f["reason"],
         "detail": detail, "user": actor.username if actor else f["username"],
         "agency": actor.agency.value if actor else None,
         "role": actor.role.value if actor else None}).one()
    return AuditEvent(seq=row.seq, at=_iso(now), user_id=actor.user_id if actor else None,
                      username=actor.username if actor else f["username"], action=action,
                      subject_kind=f["subject_kind"], subject_id=subject_id,
                      case_id=f["case_id"], person_id=f["person_id"], reason=f["reason"],
                      detail=detail, prev_hash=row.prev_hash, hash=row.hash)


def to_chain_entry(e: AuditEvent) -> ChainEntry:
    return ChainEntry(seq=e.seq, at=e.at, user=e.username, agency=e.agency, role=e.role,
                      action=e.action, subject_kind=e.subject_kind, subject_id=e.subject_id,
                      case_id=None if e.case_id is None else str(e.case_id),
                      person_id=None if e.person_id is None else str(e.person_id),
                      reason=e.reason, detail=e.detail, prev_hash=e.prev_hash, hash=e.hash)


def iter_chain(session: Session, batch: int = 20_000) -> Iterator[ChainEntry]:
    """Every entry in sequence order, in constant memory (on a server through
    ``trefas.log_chain``: the whole chain, whatever the reader's row rules)."""
    if session.get_bind().dialect.name == "postgresql":
        yield from _server_chain(session, batch)
        return
    after = 0
    while True:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.seq > after)
                               .order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield to_chain_entry(row)
        after = rows[-1].seq
        session.expunge_all()


def _server_chain(session: Session, batch: int) -> Iterator[ChainEntry]:
    after = 0
    while True:
        rows = session.execute(text("SELECT * FROM trefas.log_chain(:after, :n)"),
                               {"after": after, "n": batch}).all()
        if not rows:
            return
        for row in rows:
            yield to_chain_entry(row)
        after = rows[-1].seq


def head(session: Session) -> tuple[int, str]:
    if session.get_bind().dialect.name == "postgresql":
        seq, digest = session.execute(text("SELECT seq, hash FROM trefas.log_head()")).one()
        return seq, digest
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: str
    username: str | None
    agency: str | None
    role: str | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    case_id: int | None
    person_id: int | None
    reason: str | None
    detail: str | None
    #: The case's number (K-2026-00012) when the reader may see the case.
    case_number: str | None = None
