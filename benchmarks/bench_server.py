"""The everyday reads of ``bench_store.py`` on a PostgreSQL server store, and
what the row rules (RLS) cost.

Builds a server store in a private cluster (``bulk_pg.py``: 50,000 persons,
60,000 cases, 1,000,000 notes by default), then for each measured user, logged
in as their own login role, times the service calls — case list first page,
person search, count of visible cases, dashboard, the case view's notes of the
busiest case on the first page, the person list's first page, and the pages as
the window asks them (``*_as_window``: without their count, which it asks
after showing the rows) — and,
interleaved in the same run, replays the very SQL each call ran (same text,
same parameters; the server's person search function as the plain match on
the table, ``without_rule``):

* ``owner``: as the cluster's superuser, to which row-level security never
  applies (the raw baseline: no row rule at all; on the tables' owner it is
  forced),
* ``role``: as the user's login role (the row rules on),

and a third baseline, the program's own rule: the same call made once more by
an actor whose reads carry the access rule in their SQL (as on a local store:
``rows_by_server`` off), its statements replayed where no row rule applies —
as the superuser (a search's or the list's function, which holds the rule,
answered first by the login role: the same call on either side), and a
statement that only calls the server's functions that hold the rule (a
page's categories and open cases, blanking) as the login role:

* ``rule``: the rule enforced by the program's SQL instead of the server.

``rls`` is role / owner: what the whole rule costs against no rule at all.
``rls_vs_rule`` is role / rule: what enforcing the rule by the server's
policies costs against the program enforcing the same rule in its own SQL
(the issue's "RLS cost": the same reads, the rule in one place or the other).

    .venv/bin/python benchmarks/bench_server.py [--persons N --cases N --notes N]
            [--runs 5] [--json FILE] [--explain] [--users LABEL ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import psycopg
from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import bulk_pg  # noqa: E402
from bulk import BENCH_PASSWORD, BulkSpec  # noqa: E402
from trefas_app.security import access  # noqa: E402
from trefas_app.services import cases, dashboard, notes, persons  # noqa: E402
from trefas_app.store import models as m  # noqa: E402
from trefas_app.server.connection import connect  # noqa: E402

LABELS = ("coordinator", "social_worker", "police_liaison", "probation_officer",
          "supervisor_city", "supervisor_police")
SEARCHES = ("lindq", "Ahmed", "karl", "Nils", "19", "Eri")
LIST_PAGES = ("list_cases_first_page", "search_persons", "list_persons_first_page",
              "case_page_as_window", "search_page_as_window", "person_page_as_window")


class Recorder:
    """The SELECTs one service call sends (text and parameters)."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "log_" not in statement:
            self.statements.append((statement, parameters))


#: The server's person search (server/search.py) as the superuser runs it:
#: the same match on the table, without the rule (the function itself finds
#: nothing for a role that is no user).
SEARCH_CALL = re.compile(r"SELECT trefas\.persons_matching\((.+?), (.+?)\) AS (\w+)")
SEARCH_WITHOUT_RULE = (r"SELECT id AS \3 FROM public.persons WHERE search_name LIKE \1 "
                       r"ESCAPE '\\' OR (\2 IS NOT NULL AND "
                       r"replace(personal_number, '-', '') LIKE \2)")


#: The server's person list page (server/person_list.py) likewise: the first
#: persons of the table in the list's index order, without the rule. The
#: service reads the page's ids as ``FROM trefas.person_list_<role>(…) AS
#: page_id`` (its last argument the page's size).
LIST_CALL = re.compile(r"trefas\.person_list_\w+\(((?:[^()]|\([^()]*\))*)\) AS (\w+)")


def LIST_WITHOUT_RULE(found: re.Match) -> str:
    limit, alias = found.group(1).rsplit(", ", 1)[1], found.group(2)
    return ("(SELECT id FROM public.persons ORDER BY (protection_level != 'none'), "
            "(CASE WHEN protection_level != 'none' THEN '' ELSE sort_name END), id "
            f"LIMIT {limit}) AS {alias}({alias})")


#: A page's consented categories and open cases (server/page_reads.py)
#: likewise: the same query on the tables, without the rule.
PARAMETER = r"(%\(\w+\)s)"
CATEGORIES_CALL = re.compile(r"SELECT person_id, category FROM trefas\.consented_categories"
                             rf"\({PARAMETER}, {PARAMETER}\)")
CATEGORIES_WITHOUT_RULE = (r"SELECT DISTINCT c.person_id, g.category FROM public.consents c "
                           r"JOIN public.consent_grants g ON g.consent_id = c.id "
                           r"WHERE c.person_id = ANY(\1) AND g.agency = \2 "
                           r"AND NOT c.superseded AND c.withdrawn_at IS NULL "
                           r"AND c.valid_from <= current_date AND c.valid_until >= current_date")
OPEN_CASES_CALL = re.compile(rf"SELECT \* FROM trefas\.open_case_counts\({PARAMETER}\)")
OPEN_CASES_WITHOUT_RULE = (r"SELECT person_id, count(*) FROM public.cases "
                           r"WHERE person_id = ANY(\1) AND state <> 'closed' GROUP BY person_id")
WITHOUT_RULE = ((SEARCH_CALL, SEARCH_WITHOUT_RULE), (LIST_CALL, LIST_WITHOUT_RULE),
                (CATEGORIES_CALL, CATEGORIES_WITHOUT_RULE),
                (OPEN_CASES_CALL, OPEN_CASES_WITHOUT_RULE))


def without_rule(sql: str) -> str:
    """A recorded statement as the owner's baseline runs it."""
    for call, plain in WITHOUT_RULE:
        sql = call.sub(plain, sql)
    return sql


#: A statement that only calls server functions (a page's categories, its
#: open cases, blanking): they hold the rule inside (SECURITY DEFINER, so the
#: row rules do not apply in them), the same call whoever's baseline.
FROM_NAME = re.compile(r"\bFROM\s+([\w.]+)\s*(\()?")


def calls_only_functions(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT TREFAS.") and "FROM" not in sql.upper() \
        or bool(FROM_NAME.search(sql)) and all(paren for _name, paren in FROM_NAME.findall(sql))


def _ids_literal(rows) -> str:
    return "'{" + ",".join(str(int(r[0])) for r in rows if r[0] is not None) + "}'::integer[]"


def with_functions_answered(role: psycopg.Connection, sql: str, params) -> str:
    """``sql`` with each call of a rule-holding function that a page reads
    its rows from (the search's matches, the list's page ids) replaced by its
    answer, asked as the login role: the same call on either side, and what
    the statement reads around it (the rows, the rule in its SQL) is then the
    superuser's."""
    for found in {m.group(0): m for m in SEARCH_CALL.finditer(sql)}.values():
        answer = role.execute(found.group(0), params).fetchall()
        sql = sql.replace(found.group(0),
                          f"SELECT unnest({_ids_literal(answer)}) AS {found.group(3)}")
    for found in {m.group(0): m for m in LIST_CALL.finditer(sql)}.values():
        answer = role.execute("SELECT * FROM " + found.group(0), params).fetchall()
        sql = sql.replace(found.group(0), f"unnest({_ids_literal(answer)}) AS {found.group(2)}")
    return sql


def replay_with_rule(owner: psycopg.Connection, role: psycopg.Connection,
                     statements) -> float:
    """Statements that carry the program's rule, where no row rule applies:
    the superuser's, with a search's or list's function answered first by the
    login role (it holds the rule, whichever side); a statement that only
    calls the server's functions, the role's."""
    t = time.perf_counter()
    for sql, params in statements:
        only_functions = calls_only_functions(sql)
        if only_functions:
            role.execute(sql, params).fetchall()
        else:
            owner.execute(with_functions_answered(role, sql, params), params).fetchall()
    owner.rollback()
    role.rollback()
    return time.perf_counter() - t


def replay(conn: psycopg.Connection, statements, owner: bool = False) -> float:
    """The same statements on another connection, in a transaction rolled back."""
    t = time.perf_counter()
    with conn.cursor() as cur:
        for sql, params in statements:
            cur.execute(without_rule(sql) if owner else sql, params)
            cur.fetchall()
    conn.rollback()
    return time.perf_counter() - t


def count_visible(uow, actor):
    with uow:
        return uow.session.scalar(select(func.count()).select_from(m.Case)
                                  .where(access.visible(actor, "case", uow.now())))


def busiest_case(store, page) -> tuple[int, int] | None:
    with store.uow() as uow:
        ids = [r.id for r in page.rows]
        return uow.session.execute(
            select(m.Note.case_id, func.count()).where(m.Note.case_id.in_(ids))
            .group_by(m.Note.case_id).order_by(func.count().desc()).limit(1)).first()


def calls_of(store) -> dict:
    page = cases.list_cases(store.uow(), store.actor)
    calls = {"list_cases_first_page": [(cases.list_cases, ())],
             "search_persons": [(persons.list_persons, (q,)) for q in SEARCHES],
             "list_persons_first_page": [(persons.list_persons, ())],
             "count": [(count_visible, ())],
             "dashboard": [(dashboard.dashboard, ())],
             # What the window waits for: a page, its count asked after it.
             "case_page_as_window": [(partial(cases.list_cases, count=False), ())],
             "search_page_as_window": [(partial(persons.list_persons, count=False), (q,))
                                       for q in SEARCHES],
             "person_page_as_window": [(partial(persons.list_persons, count=False), ())],
             "case_count_as_window": [(cases.count_cases, ())]}
    busiest = busiest_case(store, page) if page.rows else None
    if busiest:
        calls["case_view_notes"] = [(notes.list_notes, (busiest[0],))]
    return calls, busiest


def _ms(samples):
    return round(statistics.median(samples) * 1000, 1)


def measure_user(world, username: str, runs: int, with_plans: bool = False) -> dict:
    # The cluster's superuser: row-level security never applies to it (it is
    # forced on the tables' owner, which then refuses row_security = off).
    owner = psycopg.connect(world.owner_url)
    role = psycopg.connect(world.url, user=username, password=BENCH_PASSWORD)
    result = {}
    with connect(world.url, username, BENCH_PASSWORD) as store:
        calls, busiest = calls_of(store)
        # The same user with the rule in the program's own SQL (the local store's way).
        rule_actor = dataclasses.replace(store.actor, rows_by_server=False)
        for name, variants in calls.items():
            project, raw_owner, raw_role, raw_rule = [], [], [], []
            # Recorded once: run by the login role, the rule in the SQL is
            # tested again under the policies (a liaison's search took 7-15 s).
            ruled = []
            for fn, args in variants:
                with Recorder(store.engine) as rec:
                    fn(store.uow(), rule_actor, *args)
                ruled.append(rec.statements)
            for _ in range(runs):
                # interleaved: call, owner, role, rule
                for (fn, args), rule_statements in zip(variants, ruled):
                    with Recorder(store.engine) as rec:
                        t = time.perf_counter()
                        fn(store.uow(), store.actor, *args)
                        project.append(time.perf_counter() - t)
                    raw_owner.append(replay(owner, rec.statements, owner=True))
                    raw_role.append(replay(role, rec.statements))
                    raw_rule.append(replay_with_rule(owner, role, rule_statements))
            result[name] = {"project_ms": _ms(project), "owner_sql_ms": _ms(raw_owner),
                            "role_sql_ms": _ms(raw_role), "rule_sql_ms": _ms(raw_rule),
                            "rls": round(_ms(raw_role) / max(_ms(raw_owner), 0.1), 2),
                            "rls_vs_rule": round(_ms(raw_role) / max(_ms(raw_rule), 0.1), 2),
                            "statements": len(rec.statements)}
            if with_plans and name in LIST_PAGES:
                result[name]["plans"] = explain(world, username, rec.statements)
        if busiest:
            result["case_view_notes"]["notes_in_case"] = busiest[1]
        result["visible_cases"] = cases.list_cases(store.uow(), store.actor).total
    owner.close()
    role.close()
    return result


def explain(world, username: str, statements) -> list[str]:
    """EXPLAIN ANALYZE of each statement as the login role."""
    with psycopg.connect(world.url, user=username, password=BENCH_PASSWORD) as conn:
        out = []
        for sql, params in statements:
            rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
            out.append("\n".join(r[0] for r in rows))
        conn.rollback()
    return out


def row_rules(world) -> dict:
    """What the ratio measures: the row rules this build installed (a build
    without ``server/policies.py`` installs plain grants only)."""
    with psycopg.connect(world.owner_url) as conn:
        policies = conn.execute("SELECT count(*) FROM pg_policies").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM pg_class WHERE relrowsecurity "
                              "AND relnamespace = 'public'::regnamespace").fetchone()[0]
    return {"policies": policies, "tables_with_rls": tables}


def table(results: dict) -> str:
    lines = [f"{'user':18} {'call':22} {'project':>9} {'owner SQL':>10} {'role SQL':>9} "
             f"{'rule SQL':>9} {'RLS':>6} {'vs rule':>7}  target"]
    for label in (lbl for lbl in LABELS if lbl in results):
        for name, r in results[label].items():
            if not isinstance(r, dict):
                continue
            target = ""
            if name in LIST_PAGES:
                # ≤ 150 ms, and the policies ≤ 1.5× the same rule in the program's SQL.
                target = "ok" if r["project_ms"] <= 150 and r["rls_vs_rule"] <= 1.5 \
                    else "MISSED"
            lines.append(f"{label:18} {name:22} {r['project_ms']:>7.1f}ms "
                         f"{r['owner_sql_ms']:>8.1f}ms {r['role_sql_ms']:>7.1f}ms "
                         f"{r['rule_sql_ms']:>7.1f}ms {r['rls']:>6.2f} "
                         f"{r['rls_vs_rule']:>7.2f}  {target}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--cases", type=int, default=60_000)
    parser.add_argument("--notes", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN ANALYZE of the list pages' SQL as each login role")
    parser.add_argument("--pg-conf", default="",
                        help="extra postgresql.conf lines, e.g. 'jit = off'")
    parser.add_argument("--users", nargs="+", choices=LABELS, default=list(LABELS),
                        help="measure only these users")
    args = parser.parse_args(argv)
    import pg_cluster

    cluster = pg_cluster.start(extra_conf="shared_buffers = 512MB\n" + args.pg_conf)
    try:
        spec = BulkSpec(persons=args.persons, cases=args.cases, notes=args.notes)
        world = bulk_pg.build_server_store(cluster, spec, progress=print)
        print("generation seconds:", {k: round(v, 1) for k, v in world.seconds.items()})
        results = {"generation_seconds": world.seconds, "counts": world.counts,
                   "row_rules": row_rules(world)}
        print("row rules:", results["row_rules"])
        for label in args.users:
            results[label] = measure_user(world, world.users[label], args.runs, args.explain)
            print(label, json.dumps({call: {k: v for k, v in r.items() if k != "plans"}
                                     if isinstance(r, dict) else r
                                     for call, r in results[label].items()}), flush=True)
    finally:
        cluster.stop()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
