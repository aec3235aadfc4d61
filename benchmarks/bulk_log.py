"""A store with millions of chained access-log entries, generated fast.

Nothing here is part of the program. ``build_log_store(root, events)`` makes a
fresh store (test KDF) with an administrator and one supervisor (``chef``,
``LOG_PASSWORD``, a key holder who may verify the log) and one social worker
(``sara``) with one case, then appends
``events`` entries hashed exactly as ``store.audit.append`` does and
inserted with the driver's ``executemany`` in chunks (one transaction each, the
append-only triggers in place), signs a checkpoint every
``CHECKPOINT_EVERY`` entries as the program does, and logs the supervisor
out. Used by ``bench_audit.py``::

    .venv/bin/python benchmarks/bulk_log.py --events 2000000 --out benchmarks/out/log2m
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trefas_app.domain.enums import Agency, Role  # noqa: E402
from trefas_app.store.audit_chain import (  # noqa: E402
    canonical_bytes, checkpoint_line, entry_hash, format_at, line_digest, read_checkpoints,
    sign_checkpoint)
from trefas_app.services import accounts, cases, persons, users  # noqa: E402
from trefas_app.store.engine import connect_raw  # noqa: E402
from trefas_app.store.keyslots import TEST_KDF  # noqa: E402
from trefas_app.store.store import CHECKPOINT_EVERY, create_store, unlock  # noqa: E402

LOG_PASSWORD = "Bänk-logg-kedja-2026"
SUPERVISOR = "chef"
SOCIAL_WORKER = "sara"

_USERS = ([(f"sw{u:02d}-{k:02d}", "city", "social_worker") for u in range(8) for k in range(15)]
          + [(f"pol{u:02d}-{k:02d}", "police", "police_liaison") for u in range(4)
             for k in range(10)])
_ACTIONS = [("case.read", "case", 30), ("case.list", None, 12), ("note.list", "case", 20),
            ("person.read", "person", 10), ("person.search", None, 8), ("note.read", "note", 6),
            ("note.create", "note", 5), ("login", None, 3), ("logout", None, 3),
            ("consent.read", "consent", 3)]

INSERT = ("INSERT INTO audit_events (seq, at, user_id, username, agency, role, action, "
          "subject_kind, subject_id, case_id, person_id, reason, detail, prev_hash, hash) "
          "VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def event_rows(first_seq: int, prev: str, count: int, start: dt.datetime, seed: int = 11):
    """``count`` chained rows (INSERT's parameters) after (first_seq - 1, prev)."""
    rng = random.Random(seed)
    kinds = [(a, k) for a, k, w in _ACTIONS for _ in range(w)]
    at = start
    for seq in range(first_seq, first_seq + count):
        at += dt.timedelta(microseconds=rng.randint(1_000, 4_000_000))
        user, agency, role = rng.choice(_USERS)
        action, kind = rng.choice(kinds)
        case_id = rng.randint(1, 60_000) if kind in ("case", "note") else None
        person_id = rng.randint(1, 50_000) if kind in ("case", "person", "consent") else None
        subject_id = (None if kind is None else
                      str(case_id if kind == "case" else person_id if kind == "person"
                          else rng.randint(1, 1_000_000)))
        reason = "Uppföljning efter möte" if seq % 97 == 0 else None
        detail = (json.dumps({"hits": rng.randint(0, 500)}, sort_keys=True, ensure_ascii=False)
                  if action in ("case.list", "person.search") else None)
        fields = {"seq": seq, "at": format_at(at), "user": user, "agency": agency,
                  "role": role, "action": action, "subject_kind": kind,
                  "subject_id": subject_id,
                  "case_id": None if case_id is None else str(case_id),
                  "person_id": None if person_id is None else str(person_id),
                  "reason": reason, "detail": detail, "prev_hash": prev}
        digest = entry_hash(prev, canonical_bytes(fields))
        yield (seq, fields["at"], user, agency, role, action, kind, subject_id, case_id,
               person_id, reason, detail, prev, digest)
        prev = digest


def _add_users(store) -> None:
    """The supervisor and the social worker, enrolled and confirmed."""
    unit = users.add_unit(store.uow(), store.actor, Agency.CITY, "BL", "Bänkloggen")
    for username, name, role in ((SUPERVISOR, "Chef Bänk", Role.SUPERVISOR),
                                 (SOCIAL_WORKER, "Sara Bänk", Role.SOCIAL_WORKER)):
        data = users.UserInput(username, name, role, Agency.CITY, unit.id, "")
        view = users.add_user(store.uow(), store.actor, data)
        accounts.enrol_account(store.paths.root, view.username, view.enrolment_code,
                               LOG_PASSWORD, clock=store.clock)
        accounts.confirm_at_setup(store, view.username)


def _open_case(root: Path) -> int:
    """One person with one case, opened by the social worker (who reads it in
    bench_audit.py)."""
    s = unlock(root, SOCIAL_WORKER, LOG_PASSWORD)
    try:
        person = persons.create_person(s.uow(), s.actor, persons.PersonInput("Amir", "Haddad"))
        return cases.open_case(s.uow(), s.actor, person.id, "Risk för våld").id
    finally:
        s.close()


def _sign_heads(store, heads) -> None:
    """Append one signed, chained checkpoint line per head, in one write."""
    path = store.paths.checkpoints
    lines = read_checkpoints(path) if path.exists() else []
    prev = lines[-1].line_digest if lines else "0" * 64
    at = format_at(store.clock())
    out = []
    for seq, digest in heads:
        line = checkpoint_line(sign_checkpoint(store.signing_key, store.store_id, seq, digest,
                                               at, prev))
        out.append(line + b"\n")
        prev = line_digest(line)
    with open(path, "ab") as fh:
        fh.write(b"".join(out))


def build_log_store(root: Path, events: int, chunk: int = 50_000) -> dict:
    """A fresh store at ``root`` whose log holds ``events`` generated entries."""
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    founding = create_store(root, admin_username="admin", admin_display_name="Bänk Admin",
                            admin_password=LOG_PASSWORD, kdf=TEST_KDF).store
    _add_users(founding)
    founding.close()
    case_id = _open_case(root)
    store = unlock(root, SUPERVISOR, LOG_PASSWORD)
    conn = connect_raw(store.paths.db, store.data_key)
    seq, prev = conn.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
                             ).fetchone()
    rows = event_rows(seq + 1, prev, events, store.clock() - dt.timedelta(days=365 * 3))
    hash_s = insert_s = 0.0
    done = 0
    heads = []  # (seq, hash) at every multiple of CHECKPOINT_EVERY, as the program signs
    while done < events:
        t = time.perf_counter()
        batch = [next(rows) for _ in range(min(chunk, events - done))]
        heads += [(r[0], r[-1]) for r in batch if r[0] % CHECKPOINT_EVERY == 0]
        hash_s += time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(INSERT, batch)
        conn.execute("COMMIT")
        insert_s += time.perf_counter() - t
        done += len(batch)
        if done % 500_000 == 0:
            print(f"  {time.strftime('%H:%M:%S')} audit_events +{done:,}", flush=True)
    conn.close()
    _sign_heads(store, heads)
    store.close()  # logs the log-out and signs the head
    return {"events": events, "case_id": case_id, "hash_s": round(hash_s, 1), "insert_s": round(insert_s, 1),
            "build_s": round(time.perf_counter() - t0, 1),
            "store_bytes": sum(p.stat().st_size for p in root.iterdir() if p.is_file())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "log2m")
    args = ap.parse_args()
    print(json.dumps(build_log_store(args.out, args.events)))


if __name__ == "__main__":
    main()
