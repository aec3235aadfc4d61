"""Benchmark: memory and time of a process that unlocks and lists, against
the raw equivalent, each in a fresh child process.

Nothing here is part of the program. Uses the store from ``bulk_log.py``
(test KDF, so no 256 MiB Argon2id in the figures: what is measured is all
"beyond the KDF")::

    .venv/bin/python benchmarks/bench_memory.py [--log-store DIR] [--runs N] [--code DIR]

``--code DIR``: also run the project's child on another checkout's code
(e.g. ``git archive main | tar -x -C DIR``), interleaved, as "before".

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
if {other!r}:  # another checkout: past the venv's editable hook
    sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f)]
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
    ap.add_argument("--code", type=Path, help="another checkout, measured as 'before'")
    args = ap.parse_args()
    store = args.log_store.resolve()
    key = KeyFile.load(store / "trefas.keys").unseal(SOCIAL_WORKER, LOG_PASSWORD).hex()
    codes = {"project": PROJECT.format(root=str(ROOT), other=False, store=str(store),
                                       user=SOCIAL_WORKER, password=LOG_PASSWORD)}
    if args.code:
        codes["before"] = PROJECT.format(root=str(args.code.resolve()), other=True,
                                         store=str(store), user=SOCIAL_WORKER,
                                         password=LOG_PASSWORD)
    codes["raw"] = RAW.format(db=str(store / "trefas.db"), key=key)
    runs = {name: [] for name in codes}
    for _ in range(args.runs):  # interleaved
        for name, code in codes.items():
            runs[name].append(child(code))
    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
           for name, rs in runs.items()}
    sides = [n for n in codes if n != "raw"]
    for step in ("start", "imports", "unlock", "listed"):
        r = med["raw"][step]
        print(f"RSS after {step:<8} " + "   ".join(
            f"{n} {med[n][step]:7.1f} MiB ({med[n][step] / r:4.2f}×)" for n in sides)
            + f"   raw {r:7.1f} MiB")
    for step in ("unlock_s", "first_page_s"):
        r = med["raw"][step] * 1000
        print(f"{step[:-2]:<16} " + "   ".join(
            f"{n} {med[n][step] * 1000:7.1f} ms" for n in sides) + f"   raw {r:7.1f} ms")
        print("    runs: " + "; ".join(
            f"{n} " + ", ".join(f"{x[step] * 1000:.0f}" for x in runs[n]) for n in sides))
    print("modules loaded: " + ", ".join(f"{n} {med[n]['modules']:.0f}" for n in codes))


if __name__ == "__main__":
    main()
