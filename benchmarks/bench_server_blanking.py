"""Free text about a protected person on a server: the cost of having the
server blank the person's names out of it (``trefas.blanked_texts``,
server/blanking.py). A case of a protected person and one of anyone else,
each with N signed notes; the coordinator (who may not identify the
protected person) lists a page of notes and opens each case; then the
function alone, called by that login role. A private cluster, as the tests
start one. Run as root: .venv/bin/python benchmarks/bench_server_blanking.py [N]."""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
os.environ["TREFAS_KDF_PROFILE"] = "test"
from pg_cluster import start
from server_world import build_server_world
from trefas_app.domain.enums import Category, ProtectionLevel
from trefas_app.services import cases, notes, persons
N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
c = start()
try:
    w = build_server_world(c)
    ids = {}
    with w.login("sara") as s:
        for kind, level in (("plain", ProtectionLevel.NONE), ("masked", ProtectionLevel.PROTECTED_REGISTRATION)):
            p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Åsa-Lena", "Öberg", protection_level=level))
            k = cases.open_case(s.uow(), s.actor, p.id, "Åsa-Lena i skolan")
            ids[kind] = k.id
    # bulk notes as the set-up role
    import psycopg
    with psycopg.connect(w.superuser_url, autocommit=True) as conn:
        for kind, cid in ids.items():
            conn.execute("""INSERT INTO public.notes (case_id, person_id, owner_agency, category, title, body, state, author_id, created_at, signed_at, signed_by_id, version)
              SELECT c.id, c.person_id, c.owner_agency, 'social', 'Samtal ' || g, 'Åsa-Lena berättade om dag ' || g || ' och skolan.', 'signed', u.id, now() at time zone 'UTC', now() at time zone 'UTC', u.id, 1
              FROM public.cases c, public.users u, generate_series(1, %s) g WHERE c.id = %s AND u.username = 'sara'""", (N, cid))
    with w.login("kalle") as k:
        for kind, cid in ids.items():
            times = []
            for _ in range(5):
                t = time.perf_counter()
                rows = notes.list_notes(k.uow(), k.actor, cid).rows
                times.append(time.perf_counter() - t)
            print(kind, "list_notes", len(rows), "rows; median ms", round(statistics.median(times) * 1000, 1), rows[0].body)
            times = []
            for _ in range(5):
                t = time.perf_counter()
                cases.get_case(k.uow(), k.actor, cid)
                times.append(time.perf_counter() - t)
            print(kind, "get_case median ms", round(statistics.median(times) * 1000, 1))
    import psycopg
    from server_world import PW
    with psycopg.connect(w.url, user="kalle", password=PW, autocommit=True) as conn:
        pid = conn.execute("SELECT person_id FROM public.cases WHERE id = %s", (ids["masked"],)).fetchone()[0]
        for label, texts in (("title", ["Åsa-Lena i skolan"]), ("guess", ["nothing stored"]),
                             ("100 bodies", [f"Åsa-Lena berättade om dag {g} och skolan." for g in range(1, 101)])):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                conn.execute("SELECT trefas.blanked_texts(%s, %s)", ([pid], texts)).fetchone()
                times.append(time.perf_counter() - t)
            print("blanked_texts", label, "median ms", round(statistics.median(times) * 1000, 1))
        t = time.perf_counter()
        conn.execute("SELECT risk_factors FROM trefas.persons_shown WHERE id = %s", (pid,)).fetchone()
        print("persons_shown one", round((time.perf_counter() - t) * 1000, 1))
finally:
    c.stop()
