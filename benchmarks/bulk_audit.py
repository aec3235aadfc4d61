"""The benchmark store's access log, generated and chained in bulk.

Nothing here is used by the program. ``audit_rows`` yields the entries as
plain tuples in ``AUDIT_COLUMNS`` order, each hash computed over exactly the
bytes ``audit_chain.canonical_bytes`` gives (checked every 100,000 entries,
with the ``at`` text against ``audit_chain.format_at``).

``write_log_file`` runs in a second process while the first one loads the
rest of the store (the chain only needs the head the store was created
with), handing the entries over through a plain SQLite file (``bulk_child``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import bulk_child
from trefas_app.store.audit_chain import canonical_bytes, format_at

#: (action, subject kind, weight) of the generated access-log entries.
AUDIT_ACTIONS = [("case.read", "case", 30), ("case.list", None, 12), ("note.list", "case", 20),
                 ("person.read", "person", 10), ("person.search", None, 8),
                 ("note.read", "note", 6), ("note.create", "note", 5), ("login", None, 3),
                 ("logout", None, 3), ("consent.read", "consent", 3)]
AUDIT_USERS = ([(f"sw{u:02d}-{k:02d}", "city", "social_worker")
                for u in range(8) for k in range(15)]
               + [(f"pol{u:02d}-{k:02d}", "police", "police_liaison")
                  for u in range(4) for k in range(10)]
               + [(f"coord{u:02d}", "city", "coordinator") for u in range(8)])
#: The columns ``audit_rows`` fills, in its tuples' order (user_id and
#: reason stay NULL).
AUDIT_COLUMNS = ("seq", "at", "username", "agency", "role", "action", "subject_kind",
                 "subject_id", "case_id", "person_id", "detail", "prev_hash", "hash")
#: Entries between two checks against the program's canonical form.
CHECK_EVERY = 100_000


def fast_below(rng: random.Random) -> Callable[[int], int]:
    """``rng``'s own ``_randbelow`` without the call chain of ``randint`` /
    ``choice`` around it: the same draws from the same generator (so a seed
    gives the same data as ``rng.randint(a, b)`` = ``a + below(b - a + 1)``
    and ``rng.choice(s)`` = ``s[below(len(s))]``), in one Python call."""
    getrandbits = rng.getrandbits

    def below(n: int) -> int:
        k = n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return r
    return below


def _check_entry(row: tuple, payload: bytes, at: dt.datetime) -> None:
    """The hand-written canonical JSON and ``at`` text against the program's."""
    fields = dict(zip(AUDIT_COLUMNS, row))
    del fields["hash"]
    fields |= {"user": fields.pop("username"), "reason": None,
               "case_id": None if row[8] is None else str(row[8]),
               "person_id": None if row[9] is None else str(row[9])}
    if fields["at"] != format_at(at.replace(tzinfo=dt.timezone.utc)):
        raise AssertionError("the access log's time format has changed")
    if payload != canonical_bytes(fields):
        raise AssertionError("the access log's canonical form has changed")


def audit_rows(first_seq: int, prev: str, count: int, start: dt.datetime, seed: int = 11,
               persons: int = 50_000, cases: int = 60_000) -> Iterator[tuple]:
    """``count`` chained access-log entries after (first_seq - 1, prev), as
    ``AUDIT_COLUMNS`` tuples, the chain computed here in one pass."""
    rng = random.Random(seed)
    below = fast_below(rng)
    kinds = [(a, k) for a, k, w in AUDIT_ACTIONS for _ in range(w)]
    n_kinds, n_users = len(kinds), len(AUDIT_USERS)
    quote = json.JSONEncoder(ensure_ascii=False).encode
    sha256 = hashlib.sha256
    step = dt.timedelta
    at = start.astimezone(dt.timezone.utc).replace(tzinfo=None)  # naive UTC: cheap isoformat
    raw_prev = bytes.fromhex(prev)
    for seq in range(first_seq, first_seq + count):
        at += step(0, 0, 1_000 + below(3_999_001))
        user, agency, role = AUDIT_USERS[below(n_users)]
        action, kind = kinds[below(n_kinds)]
        case_id = 1 + below(cases) if kind == "case" or kind == "note" else None
        person_id = (1 + below(persons) if kind == "case" or kind == "person"
                     or kind == "consent" else None)
        subject_id = (None if kind is None else str(
            case_id if kind == "case" else person_id if kind == "person"
            else 1 + below(1_000_000)))
        detail = (f'{{"hits":{below(501)}}}'
                  if action == "case.list" or action == "person.search" else None)
        at_text = at.isoformat("T", "microseconds") + "Z"
        # The canonical JSON (keys sorted, no spaces) written out field by
        # field: every value is plain ASCII but ``detail``, quoted as JSON.
        payload = (
            f'{{"action":"{action}","agency":"{agency}","at":"{at_text}",'
            f'"case_id":{"null" if case_id is None else f"{chr(34)}{case_id}{chr(34)}"},'
            f'"detail":{"null" if detail is None else quote(detail)},'
            f'"person_id":{"null" if person_id is None else f"{chr(34)}{person_id}{chr(34)}"},'
            f'"prev_hash":"{prev}","reason":null,"role":"{role}","seq":{seq},'
            f'"subject_id":{"null" if subject_id is None else f"{chr(34)}{subject_id}{chr(34)}"},'
            f'"subject_kind":{"null" if kind is None else f"{chr(34)}{kind}{chr(34)}"},'
            f'"user":"{user}"}}').encode()
        h = sha256(raw_prev)
        h.update(payload)
        raw_prev = h.digest()
        digest = raw_prev.hex()
        row = (seq, at_text, user, agency, role, action, kind, subject_id, case_id, person_id,
               detail, prev, digest)
        if (seq - first_seq) % CHECK_EVERY == 0:
            _check_entry(row, payload, at)
        yield row
        prev = digest


# --- the log in a second process --------------------------------------------------------


def write_log_file(path: Path, first_seq: int, prev: str, count: int, start: dt.datetime,
                   seed: int, persons: int, cases: int) -> str:
    """``audit_rows`` into a ``bulk_child`` file (made with ``AUDIT_COLUMNS``;
    run in a second process); returns the last entry's hash."""
    bulk_child.write_rows(path, "audit_events", AUDIT_COLUMNS,
                          audit_rows(first_seq, prev, count, start, seed, persons, cases))
    conn = sqlite3.connect(path)
    try:
        last = conn.execute("SELECT hash FROM audit_events ORDER BY rowid DESC LIMIT 1"
                            ).fetchone()
    finally:
        conn.close()
    return last[0] if last else prev
