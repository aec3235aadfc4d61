"""The server's row-level security, roughly: the cost of the generated policies
for each login role against the same queries by the superuser without RLS, on a
synthetic PostgreSQL store of 2,000 persons/cases and 100,000 notes (a private
cluster, as the tests start one). Run as root: .venv/bin/python
benchmarks/bench_server_rls.py. Not the issue's full benchmark (that runs the
services on 1,000,000 notes)."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
os.environ["TREFAS_KDF_PROFILE"] = "test"
import psycopg, pg_cluster, rls_world as sw
c = pg_cluster.start()
try:
    url = sw.create_database(c, "bench")
    eng = sw.build_schema(url)
    with psycopg.connect(c.dsn(dbname="bench"), autocommit=True) as db:
        db.execute("INSERT INTO units (id, agency, code, name) VALUES (1,'city','U1','U1'),(2,'police','P1','P1')")
        db.execute("""INSERT INTO users (id, username, display_name, role, agency, unit_id, active, language, created_at) VALUES
          (1,'sw','S','social_worker','city',1,true,'sv',now()),(2,'sup','Sup','supervisor','city',1,true,'sv',now()),
          (3,'pol','P','police_liaison','police',2,true,'sv',now()),(4,'coord','C','coordinator','city',1,true,'sv',now())""")
        db.execute("""INSERT INTO persons (id, first_name, last_name, search_name, protection_level, risk_level, owner_agency, unit_id, created_at, created_by_id)
          SELECT g, 'F'||g, 'E'||g, 'f'||g||' e'||g, CASE WHEN g % 10 = 0 THEN 'protected_registration' ELSE 'none' END, 'green', 'city', 1, now(), 2 FROM generate_series(1,2000) g""")
        db.execute("""INSERT INTO cases (id, number, person_id, unit_id, owner_agency, state, title, opened_at, last_entry_at, created_at)
          SELECT g, 'K-'||g, g, 1, 'city', 'active', 'T', now(), now(), now() FROM generate_series(1,2000) g""")
        db.execute("""INSERT INTO team_members (case_id, user_id, responsible, added_at) SELECT g, 1, false, now() FROM generate_series(1,2000,40) g""")
        db.execute("""INSERT INTO team_members (case_id, user_id, responsible, added_at) SELECT g, 3, false, now() FROM generate_series(1,2000,40) g""")
        db.execute("""INSERT INTO consents (id, person_id, basis, purpose, form, given_by, obtained_by_id, owner_agency, valid_from, valid_until, version, superseded, created_at)
          SELECT g, g, 'consent', 'p', 'written', 'Personen', 1, 'city', current_date - 5, current_date + 50, 1, false, now() FROM generate_series(1,2000,2) g""")
        db.execute("""INSERT INTO consent_grants (consent_id, agency, category) SELECT g, 'police', c FROM generate_series(1,2000,2) g, unnest(array['identity','social']) c""")
        db.execute("""INSERT INTO notes (case_id, person_id, owner_agency, category, title, body, state, author_id, created_at)
          SELECT (g % 2000) + 1, (g % 2000) + 1, CASE WHEN g % 3 = 0 THEN 'police' ELSE 'city' END,
                 (array['identity','location','social','health','criminal','threat'])[g % 6 + 1], 't', 'b', 'signed', 1, now() - (g || ' seconds')::interval
          FROM generate_series(1,100000) g""")
        db.execute("ANALYZE")
    t = time.perf_counter(); sw.install_policies(eng); print(f"install: {time.perf_counter()-t:.1f} s")
    sw.create_login_roles(eng, "Bench-pass-12345")
    queries = {
        "count notes": "SELECT count(*) FROM public.notes",
        "case page (50 newest of case 41)": "SELECT id FROM public.notes WHERE case_id = 41 ORDER BY created_at DESC LIMIT 50",
        "case list page": "SELECT id FROM public.cases ORDER BY last_entry_at DESC, id LIMIT 50",
        "count cases": "SELECT count(*) FROM public.cases",
        "persons_shown page": "SELECT id, display_name FROM trefas.persons_shown ORDER BY id LIMIT 50",
    }
    def timed(conn, q, n=3):
        best = 1e9
        for _ in range(n):
            t = time.perf_counter(); rows = conn.execute(q).fetchall(); best = min(best, time.perf_counter() - t)
        return best, len(rows)
    with psycopg.connect(c.dsn(dbname="bench"), autocommit=True) as su:
        base = {name: timed(su, q.replace("trefas.persons_shown", "public.persons").replace("display_name", "first_name")) for name, q in queries.items()}
    for user in ("sw", "pol", "sup", "coord"):
        with psycopg.connect(c.dsn(user, "Bench-pass-12345", "bench"), autocommit=True) as conn:
            for name, q in queries.items():
                secs, n = timed(conn, q)
                print(f"{user:5} {name:34} {secs*1000:8.1f} ms  rows={n:6}  owner-without-RLS {base[name][0]*1000:6.1f} ms  ratio {secs/base[name][0]:6.1f}x")
finally:
    c.stop()
