"""Benchmark: memory and time of a process that unlocks and lists, against
the raw equivalent, each in a fresh child process.

Nothing here is part of the program. Uses the store from ``bulk_log.py``
(test KDF, so no 256 MiB Argon2id in the figures: what is measured is all
"beyond the KDF")::

    .venv/bin/python benchmarks/bench_memory.py [--log-store DIR] [--runs N]

* **project**: import the services, ``unlock`` as the social worker, one page
  of ``cases.list_cases`` and of ``persons.list_persons``.
* **raw**: import sqlcipher3, open the database with the data key, SELECT the
  same pages' rows.

Printed: resident memory (VmRSS, MiB) after the imports, after the unlock and
after the lists, for both, with ratios; the unlock's time beyond the key
derivation (the project's Argon2id calls are timed and subtracted; the raw
side is given the data key) and the first case page's time; modules loaded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = Path(__file__).parent / "out"

#: The start of both children: resident memory in MiB, from the kernel.
PROLOGUE = r'''
import json, sys
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
out = {{"start": rss()}}
'''

PROJECT = PROLOGUE + r'''
import time
sys.path.insert(0, {root!r})
from trefas_app.store.store import unlock
from trefas_app.store import keyslots
from trefas_app.services import cases, persons
out["imports"] = rss()
kdf = []
derive = keyslots.derive_kek
def timed_derive(*a, **k):
    t = time.perf_counter()
    try:
        return derive(*a, **k)
    finally:
        kdf.append(time.perf_counter() - t)
keyslots.derive_kek = timed_derive
t = time.perf_counter()
s = unlock({store!r}, {user!r}, {password!r})
out["unlock_s"] = time.perf_counter() - t - sum(kdf)
out["unlock"] = rss()
t = time.perf_counter()
cases.list_cases(s.uow(), s.actor)
out["first_page_s"] = time.perf_counter() - t
persons.list_persons(s.uow(), s.actor)
out["listed"] = rss()
out["modules"] = len(sys.modules)
s.close()
print(json.dumps(out))
'''

RAW = PROLOGUE + r'''
import time
import sqlcipher3
out["imports"] = rss()
t = time.perf_counter()
conn = sqlcipher3.connect({db!r})
conn.execute("PRAGMA key = \"x'{key}'\"")
conn.execute("PRAGMA cache_size = -65536")
conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
out["unlock_s"] = time.perf_counter() - t
out["unlock"] = rss()
t = time.perf_counter()
conn.execute("SELECT * FROM cases JOIN persons ON persons.id = cases.person_id "
             "ORDER BY cases.last_entry_at DESC LIMIT 200").fetchall()
out["first_page_s"] = time.perf_counter() - t
conn.execute("SELECT * FROM persons ORDER BY id LIMIT 200").fetchall()
out["listed"] = rss()
out["modules"] = len(sys.modules)
print(json.dumps(out))
'''


def child(code: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    from benchmarks.bulk_log import LOG_PASSWORD, SOCIAL_WORKER
    from trefas_app.store.keyslots import KeyFile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log-store", type=Path, default=OUT / "log2m")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    store = args.log_store.resolve()
    key = KeyFile.load(store / "trefas.keys").unseal(SOCIAL_WORKER, LOG_PASSWORD).hex()
    project_code = PROJECT.format(root=str(ROOT), store=str(store), user=SOCIAL_WORKER,
                                  password=LOG_PASSWORD)
    raw_code = RAW.format(db=str(store / "trefas.db"), key=key)
    runs = {"project": [], "raw": []}
    for _ in range(args.runs):  # interleaved
        runs["project"].append(child(project_code))
        runs["raw"].append(child(raw_code))
    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
           for name, rs in runs.items()}
    for step in ("start", "imports", "unlock", "listed"):
        p, r = med["project"][step], med["raw"][step]
        print(f"RSS after {step:<8} project {p:7.1f} MiB   raw {r:7.1f} MiB   ratio {p / r:5.2f}")
    for step in ("unlock_s", "first_page_s"):
        p, r = med["project"][step] * 1000, med["raw"][step] * 1000
        print(f"{step[:-2]:<16} project {p:7.1f} ms    raw {r:7.1f} ms    ratio {p / r:5.1f}")
    print(f"modules loaded: project {med['project']['modules']:.0f}, "
          f"raw {med['raw']['modules']:.0f}")


if __name__ == "__main__":
    main()
