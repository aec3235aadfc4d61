"""Twenty desktops writing at once against one PostgreSQL server store.

Each process logs in as a real user's own login role and goes through the
services, for ``--seconds`` (default 60): it writes notes, signs drafts that
other processes of the same user try to sign at the same moment, records
consents and amends consents others are amending too, and reads the dashboard
(a log entry per read). Afterwards, as the cluster's superuser and through
``audit verify``, it checks that every write a process reported as committed
is in the database, that no draft was signed twice and no consent has two
current versions, that the chain has no fork, and that every loser of a
conflict got a Swedish/English message (never a traceback).

    .venv/bin/python benchmarks/pg_concurrency.py [--seconds 60] [--processes 20]

``tests/integration/test_server_concurrency.py`` runs the same code for ten seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import random
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from trefas_app.domain import clock  # noqa: E402
from trefas_app.domain.enums import Agency, Category  # noqa: E402
from trefas_app.domain.errors import Conflict, TrefasError  # noqa: E402
from trefas_app.services import audit_log, cases, consents, dashboard, notes, persons  # noqa: E402
from trefas_app.server.connection import connect  # noqa: E402

#: The writers: (user, processes). Several processes per user are the same
#: person at several desktops — the ones who can collide on one draft.
WRITERS = (("sara", 10), ("olle", 10))
GRANTS = frozenset({(Agency.POLICE, Category.IDENTITY)})


@dataclass
class Outcome:
    """What one process says it did (only what its commit returned for)."""
    user: str
    notes_written: list[int] = field(default_factory=list)
    notes_signed: list[int] = field(default_factory=list)
    consents_written: list[int] = field(default_factory=list)
    reads: int = 0
    conflicts: int = 0
    conflict_messages: set[str] = field(default_factory=set)
    refusals: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return len(self.notes_written) + len(self.notes_signed) + len(self.consents_written)


def _consent_input(person_id: int, n: int) -> consents.ConsentInput:
    today = clock.today()
    return consents.ConsentInput(person_id=person_id, purpose=f"Samverkan {n}",
                                 valid_from=today, valid_until=today + dt.timedelta(days=200),
                                 grants=GRANTS)


def prepare(url: str, password: str, draft_count: int) -> dict:
    """Per writing user: a person, a case, a current consent and a pool of drafts."""
    plan = {}
    for user, _count in WRITERS:
        with connect(url, user, password) as s:
            person = persons.create_person(s.uow(), s.actor,
                                           persons.PersonInput("Samtidig", user.capitalize()))
            case = cases.open_case(s.uow(), s.actor, person.id, "Samtidigt arbete")
            consent = consents.record_consent(s.uow(), s.actor, _consent_input(person.id, 0))
            drafts = [notes.write_note(s.uow(), s.actor, case.id, f"Utkast {i}", "Text").id
                      for i in range(draft_count)]
        plan[user] = {"person": person.id, "case": case.id, "consent": consent.id,
                      "drafts": drafts}
    return plan


def _current_consent(s, person_id: int) -> int:
    current = consents.list_consents(s.uow(), s.actor, person_id, include_history=False)
    return current[0].id


def _one_step(s, rng: random.Random, mine: dict, out: Outcome, n: int) -> None:
    choice = rng.random()
    if choice < 0.30:
        out.notes_written.append(notes.write_note(
            s.uow(), s.actor, mine["case"], f"Anteckning {n}", "Samtal med familjen.").id)
    elif choice < 0.55:
        # Drafts are taken in the same order by every desktop of the user:
        # they collide on the same draft all the time.
        draft = mine["drafts"][min(n // 2 + rng.randrange(2), len(mine["drafts"]) - 1)]
        out.notes_signed.append(notes.sign_note(s.uow(), s.actor, draft).id)
    elif choice < 0.70:
        out.consents_written.append(consents.record_consent(
            s.uow(), s.actor, _consent_input(mine["person"], n)).id)
    elif choice < 0.85:
        current = _current_consent(s, mine["person"])
        out.consents_written.append(consents.amend_consent(
            s.uow(), s.actor, current, _consent_input(mine["person"], n)).id)
    else:
        dashboard.dashboard(s.uow(), s.actor)
        out.reads += 1


def writer(url: str, password: str, user: str, mine: dict, seconds: float, seed: int,
           results) -> None:
    """One desktop: log in as ``user``, write until the time is up."""
    out = Outcome(user)
    rng = random.Random(seed)
    try:
        with connect(url, user, password) as s:
            end, n = time.monotonic() + seconds, 0
            while time.monotonic() < end:
                n += 1
                try:
                    _one_step(s, rng, mine, out, n)
                except Conflict as exc:
                    out.conflicts += 1
                    out.conflict_messages.add(f"{exc.sv} / {exc.en}")
                except TrefasError as exc:
                    out.refusals.append(f"{type(exc).__name__}: {exc.sv} / {exc.en}")
    except BaseException:  # noqa: BLE001 — counted: any traceback fails the proof
        out.tracebacks.append(traceback.format_exc())
    results.put(out)


def run_writers(url: str, password: str, plan: dict, seconds: float,
                processes: int) -> list[Outcome]:
    """Fork the writers (no re-import: they all start at once) and collect."""
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    users = [u for u, count in WRITERS for _ in range(count)]
    users = (users * (processes // len(users) + 1))[:processes]
    procs = [ctx.Process(target=writer, args=(url, password, u, plan[u], seconds, i, results))
             for i, u in enumerate(users)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=seconds + 300) for _ in procs]
    for p in procs:
        p.join(60)
    return outcomes


def check(superuser_url: str, plan: dict, outcomes: list[Outcome]) -> dict:
    """Everything reported as committed is there; no draft signed twice; one
    current consent per person; the log has one entry per write."""
    problems: list[str] = []
    written = [i for o in outcomes for i in o.notes_written]
    signed = [i for o in outcomes for i in o.notes_signed]
    consents_made = [i for o in outcomes for i in o.consents_written]
    with psycopg.connect(superuser_url) as conn:
        found = {r[0] for r in conn.execute("SELECT id FROM notes WHERE id = ANY(%s)",
                                            (written,))}
        if len(found) != len(set(written)):
            problems.append(f"lost notes: {sorted(set(written) - found)[:10]}")
        if len(signed) != len(set(signed)):
            problems.append("a draft was reported signed by two processes")
        state = dict(conn.execute("SELECT id, state FROM notes WHERE id = ANY(%s)",
                                  (signed,)).fetchall())
        if any(state.get(i) != "signed" for i in signed):
            problems.append("a signature reported as committed is missing")
        twice = conn.execute(
            "SELECT subject_id, count(*) FROM audit_events WHERE action = 'note.sign' "
            "GROUP BY subject_id HAVING count(*) > 1").fetchall()
        if twice:
            problems.append(f"notes signed twice in the log: {twice[:5]}")
        found_c = {r[0] for r in conn.execute("SELECT id FROM consents WHERE id = ANY(%s)",
                                              (consents_made,))}
        if len(found_c) != len(set(consents_made)):
            problems.append(f"lost consents: {sorted(set(consents_made) - found_c)[:10]}")
        forks = conn.execute(
            "SELECT previous_id, count(*) FROM consents WHERE previous_id IS NOT NULL "
            "GROUP BY previous_id HAVING count(*) > 1").fetchall()
        if forks:
            problems.append(f"consent versions forked: {forks[:5]}")
        for action, ids in (("note.create", written), ("note.sign", signed)):
            logged = conn.execute(
                "SELECT count(DISTINCT subject_id) FROM audit_events "
                "WHERE action = %s AND subject_id = ANY(%s)",
                (action, [str(i) for i in ids])).fetchone()[0]
            if logged != len(set(ids)):
                problems.append(f"{action}: {len(set(ids))} committed, {logged} logged")
        chain = conn.execute("SELECT count(*), count(DISTINCT prev_hash), max(seq) "
                             "FROM audit_events").fetchone()
        if not (chain[0] == chain[1] == chain[2]):
            problems.append(f"chain fork or gap: rows/prev hashes/max seq = {chain}")
    for o in outcomes:
        problems += [f"{o.user}: traceback …{t.strip().splitlines()[-1][:300]}"
                     for t in o.tracebacks]
        problems += [f"{o.user}: {r}" for r in o.refusals]
    return {"writes": sum(o.writes for o in outcomes), "reads": sum(o.reads for o in outcomes),
            "conflicts": sum(o.conflicts for o in outcomes),
            "conflict_messages": sorted({m for o in outcomes for m in o.conflict_messages}),
            "chain_length": chain[2], "problems": problems}


def verify(url: str, user: str, password: str):
    with connect(url, user, password) as s:
        return audit_log.verify_log(s, s.actor)


def prove(world, seconds: float, processes: int = 20) -> dict:
    """The whole proof on a server world (``tests/server_world.py``)."""
    from server_world import PW

    plan = prepare(world.url, PW, draft_count=max(20, int(seconds * 6)))
    started = time.monotonic()
    outcomes = run_writers(world.url, PW, plan, seconds, processes)
    figures = check(world.superuser_url, plan, outcomes)
    figures["seconds"] = round(time.monotonic() - started, 1)
    report = verify(world.url, "stina", PW)
    figures["verify_ok"] = report.ok
    figures["verify_problem"] = report.problem_en
    figures["processes"] = len(outcomes)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=20)
    args = parser.parse_args(argv)
    import pg_cluster
    from server_world import build_server_world

    cluster = pg_cluster.start(extra_conf="max_connections = 200")
    try:
        t0 = time.monotonic()
        world = build_server_world(cluster)
        print(f"server store with users: {time.monotonic() - t0:.1f} s")
        figures = prove(world, args.seconds, args.processes)
    finally:
        cluster.stop()
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    ok = figures["verify_ok"] and not figures["problems"]
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
