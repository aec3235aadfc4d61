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
from collections import namedtuple
from dataclasses import dataclass
from dataclasses import astuple as dataclasses_astuple
from dataclasses import fields as dataclass_fields
from typing import Iterator

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from trefas_app.domain.actor import Actor
from trefas_app.domain.text import LOGGED_REASON, clean
from trefas_app.store.audit_chain import GENESIS, ChainEntry, canonical_bytes, entry_hash
from trefas_app.store.models import AuditEvent


def _iso(now: dt.datetime) -> str:
    return now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: Where a Session keeps the chain head its open transaction has written.
_HEAD_KEY = "trefas.audit_head"
_AUDIT_TABLE = AuditEvent.__table__
#: The append's two statements, built once: each call reuses the object and
#: its cache key, and runs on the Session's connection, past the ORM's
#: execution machinery (≈ half the append's cost, issue 12).
_HEAD_SQLITE = (select(_AUDIT_TABLE.c.seq, _AUDIT_TABLE.c.hash)
                .order_by(_AUDIT_TABLE.c.seq.desc()).limit(1))
_INSERT = insert(_AUDIT_TABLE)


def append(session: Session, now: dt.datetime, actor: Actor | None, action: str, *,
           subject_kind: str | None = None, subject_id: object = None,
           case_id: int | None = None, person_id: int | None = None,
           reason: str | None = None, detail: dict | None = None,
           username: str | None = None) -> tuple[int, str]:
    """Append one entry to the chain inside the caller's transaction and
    return the new head (seq, hash). A reason is stored under the one text
    rule, as the record it explains is.

    The head is read once per transaction, inside it: every transaction
    starts with ``BEGIN IMMEDIATE`` (store/engine.py), so the write lock is
    already held and no other writer can append between that read and our
    commit — the chain cannot fork. Later appends in the same transaction
    continue from the head kept on the Session (one INSERT each, no ORM
    object, no second read)."""
    if reason is not None:
        reason = clean(reason, LOGGED_REASON)
    if actor is not None and not actor.is_person:  # the recovery key: a name, no user
        actor, username = None, actor.username
    if session.get_bind().dialect.name == "postgresql":
        return _append_on_server(session, now, actor, action, subject_kind=subject_kind,
                                 subject_id=subject_id, case_id=case_id,
                                 person_id=person_id, reason=reason, detail=detail,
                                 username=username)
    seq, prev = transaction_head(session)
    seq += 1
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
    session.connection().execute(_INSERT, {
        "seq": seq, "at": fields["at"], "user_id": actor.user_id if actor else None,
        "username": fields["user"], "agency": fields["agency"], "role": fields["role"],
        "action": action, "subject_kind": subject_kind, "subject_id": fields["subject_id"],
        "case_id": case_id, "person_id": person_id, "reason": reason,
        "detail": fields["detail"], "prev_hash": prev, "hash": digest})
    session.info[_HEAD_KEY] = (session.get_transaction(), (seq, digest))
    return seq, digest


def append_alone(engine, now: dt.datetime, actor: Actor | None, action: str) -> None:
    """One entry in a transaction of its own (log-out, lock)."""
    with Session(engine) as session:
        append(session, now, actor, action)
        session.commit()


def _append_on_server(session: Session, now: dt.datetime, actor: Actor | None, action: str,
                      **f) -> tuple[int, str]:
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
    session.info[_HEAD_KEY] = (session.get_transaction(), (row.seq, row.hash))
    return row.seq, row.hash


def transaction_head(session: Session) -> tuple[int, str]:
    """The chain head as this Session's open transaction sees it: kept from
    its last append, else read (and the transaction begun)."""
    return appended_head(session) or head(session)


def appended_head(session: Session) -> tuple[int, str] | None:
    """The head this Session's open transaction has appended, if any."""
    kept = session.info.get(_HEAD_KEY)
    if kept is not None and kept[0] is session.get_transaction() and kept[0] is not None:
        return kept[1]
    return None


@event.listens_for(Session, "after_soft_rollback")
def _forget_head(session: Session, previous_transaction) -> None:
    """A rolled-back append never happened: read the head again next time."""
    session.info.pop(_HEAD_KEY, None)


def to_chain_entry(e: AuditEvent) -> ChainEntry:
    return ChainEntry(seq=e.seq, at=e.at, user=e.username, agency=e.agency, role=e.role,
                      action=e.action, subject_kind=e.subject_kind, subject_id=e.subject_id,
                      case_id=None if e.case_id is None else str(e.case_id),
                      person_id=None if e.person_id is None else str(e.person_id),
                      reason=e.reason, detail=e.detail, prev_hash=e.prev_hash, hash=e.hash)


#: One log row as the chain check reads it: ChainEntry's fields, as a tuple
#: (made from a driver row in one C call; a dataclass per row costs more).
ChainRow = namedtuple("ChainRow", [f.name for f in dataclass_fields(ChainEntry)])


# The ids become the text the hash covers in SQLite (CAST gives str(int)'s digits).
_CHAIN_SELECT = (
    "SELECT seq, at, username, agency, role, action, subject_kind, subject_id, "
    "CAST(case_id AS TEXT), CAST(person_id AS TEXT), reason, detail, prev_hash, hash "
    "FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq")
_LAST_SEQ = 2 ** 63 - 1


def iter_chain(session: Session, batch: int = 20_000, *, after: int = 0,
               upto: int | None = None) -> Iterator[ChainRow]:
    """Entries with ``after < seq <= upto`` in sequence order, in constant
    memory: one statement on the driver's cursor, rows fetched in batches and
    made tuples with the entry's field names — no ORM object per row (millions
    of rows: the ORM made verification four times slower than its hashing).
    Yields exactly the values :func:`to_chain_entry` gives for the same row.
    On a server through ``trefas.log_chain``: the whole chain, whatever the
    reader's row rules."""
    if session.get_bind().dialect.name == "postgresql":
        yield from _server_chain(session, batch, after, _LAST_SEQ if upto is None else upto)
        return
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(_CHAIN_SELECT, (after, _LAST_SEQ if upto is None else upto))
        make = ChainRow._make
        while rows := cursor.fetchmany(batch):
            yield from map(make, rows)
    finally:
        cursor.close()


def _server_chain(session: Session, batch: int, after: int, upto: int) -> Iterator[ChainRow]:
    while after < upto:
        rows = session.execute(text("SELECT * FROM trefas.log_chain(:after, :n)"),
                               {"after": after, "n": batch}).all()
        if not rows:
            return
        for row in rows:
            if row.seq > upto:
                return
            yield ChainRow(*dataclasses_astuple(to_chain_entry(row)))
        after = rows[-1].seq


def head(session: Session) -> tuple[int, str]:
    if session.get_bind().dialect.name == "postgresql":
        seq, digest = session.execute(text("SELECT seq, hash FROM trefas.log_head()")).one()
        return seq, digest
    session.flush()  # as the ORM's own select did: pending rows go first
    last = session.connection().execute(_HEAD_SQLITE).first()
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
