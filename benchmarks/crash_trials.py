"""Crash, concurrency and disk-full trials of a store (issue 9, "Done when").

Kills a process with SIGKILL at a random moment while it adds notes, makes a
backup, re-keys or restores (``--trials`` of each), runs two writers at once,
and — when running as root on Linux — fills a small tmpfs while notes are
written. After every trial it checks, in this process:

* **corrupt**: the store opens (a log-in, which finishes an interrupted
  re-key) and ``check_store`` with a password passes (page HMACs, integrity,
  foreign keys, the log chain against its checkpoints, no standing alarm);
* **lost**: every write the killed process saw committed is there, and every
  log entry that existed before the trial is still there, unchanged (the log
  is never rolled back — not by a restore either);
* **unlogged**: every completed action has its log entry (a note its
  ``note.create``, a backup file its ``backup``, a re-key that changed the key
  its ``rekey``, a restore that replaced the data its ``restore``), and no
  ``.partial`` file outlives the next check.

Run from the project's virtual environment, no display needed::

    .venv/bin/python benchmarks/crash_trials.py --trials 30
    .venv/bin/python benchmarks/crash_trials.py --trials 3 --notes 40 --json

Exit status 0 when every count is 0. Cheap key derivation is used (the
trials are about files, not passwords).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("TREFAS_KDF_PROFILE", "test")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ADMIN_PW = "Solros-vägen-nio-test"
#: The key holder who backs up, re-keys, restores and checks: a supervisor (the
#: administrator holds no data key since issue 11).
KEY_HOLDER = "stina"
PW = "Granskog-och-hav-42"
KINDS = ("note", "backup", "rekey", "restore")


@dataclass
class Tally:
    kind: str
    trials: int = 0
    completed: int = 0  # actions the killed process saw finish
    corrupt: int = 0
    lost: int = 0
    unlogged: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, what: str, text: str) -> None:
        setattr(self, what, getattr(self, what) + 1)
        if len(self.problems) < 10:
            self.problems.append(f"{what}: {text}")


# --- the store ----------------------------------------------------------------------


def make_template(root: Path, notes_count: int) -> int:
    """A store with admin, social worker sara, the key holder stina
    (supervisor, same password), one case and some notes; returns the case id.
    The accounts are made as people get them: a one-time code, their own
    password, confirmed by the founding session."""
    from trefas_app.domain.enums import Agency, Role
    from trefas_app.services import accounts, cases, notes, persons, users
    from trefas_app.store.keyslots import TEST_KDF
    from trefas_app.store.store import create_store, unlock

    store = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                         admin_password=ADMIN_PW, kdf=TEST_KDF).store
    unit = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    for name, role in (("sara", Role.SOCIAL_WORKER), (KEY_HOLDER, Role.SUPERVISOR)):
        view = users.add_user(store.uow(), store.actor, users.UserInput(
            name, name.title(), role, Agency.CITY, unit.id, ""))
        accounts.enrol_account(root, name, view.enrolment_code, PW, clock=store.clock)
        accounts.confirm_at_setup(store, name)
    store.close()
    sara = unlock(root, "sara", PW)
    person = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Test"))
    case = cases.open_case(sara.uow(), sara.actor, person.id, "Försöksärende")
    for i in range(notes_count):
        notes.write_note(sara.uow(), sara.actor, case.id, f"Anteckning {i}", "Samtal. " * 40)
    sara.close()
    return case.id


@dataclass(frozen=True)
class State:
    notes: frozenset[int]
    log: tuple[tuple[int, str], ...]  # (seq, hash)
    actions: dict  # (action, subject_id) -> count
    signing_key: bytes


def read_state(root: Path) -> State:
    """What is on disk, read without logging in (nothing is written)."""
    from trefas_app.store.engine import connect_raw
    from trefas_app.store.keyslots import KeyFile

    keyfile = KeyFile.load(root / "trefas.keys")
    conn = connect_raw(root / "trefas.db", keyfile.unseal(KEY_HOLDER, PW))
    try:
        note_ids = frozenset(r[0] for r in conn.execute("SELECT id FROM notes"))
        rows = conn.execute("SELECT seq, hash, action, subject_id FROM audit_events "
                            "ORDER BY seq").fetchall()
    finally:
        conn.close()
    actions: dict = {}
    for _seq, _hash, action, subject in rows:
        actions[(action, subject)] = actions.get((action, subject), 0) + 1
    return State(note_ids, tuple((r[0], r[1]) for r in rows), actions,
                 keyfile.signing_public_key)


def count(state: State, action: str) -> int:
    return sum(n for (a, _s), n in state.actions.items() if a == action)


def store_opens_and_checks(root: Path, tally: Tally) -> bool:
    """A log-in (crash recovery included) and the full check with a password."""
    from trefas_app.domain.errors import TrefasError
    from trefas_app.services import admin
    from trefas_app.store.store import unlock

    try:
        unlock(root, KEY_HOLDER, PW).close()
        report = admin.check_store(root, KEY_HOLDER, PW)
    except TrefasError as exc:
        tally.fail("corrupt", f"{type(exc).__name__}: {exc.sv}")
        return False
    if not report.ok:
        tally.fail("corrupt", "; ".join(report.problems))
        return False
    leftovers = [p.name for p in (root / "backups").glob("*.partial*")] \
        if (root / "backups").is_dir() else []
    if leftovers:
        tally.fail("unlogged", f"left after check: {leftovers}")
    return True


# --- the process that is killed -------------------------------------------------------


def child(kind: str, root: str, case_id: int, backup: str | None, conn) -> None:
    """Runs in its own process; tells the parent "ready" just before the work
    and "done" after each thing that finished."""
    from trefas_app.services import admin, notes
    from trefas_app.store.store import unlock

    root_path = Path(root)
    try:
        if kind in ("note", "writer"):
            store = unlock(root_path, "sara", PW)
            conn.send(("ready",))
            for i in range(10_000 if kind == "note" else 40):
                note = _retrying(lambda: notes.write_note(
                    store.uow(), store.actor, case_id, f"Försök {i}", "Text. " * 30))
                conn.send(("done", note.id))
            store.close()
        else:
            store = unlock(root_path, KEY_HOLDER, PW)
            conn.send(("ready",))
            started = time.perf_counter()
            if kind == "backup":
                result = admin.backup(store, store.actor).path.name
            elif kind == "rekey":
                admin.rekey(store, store.actor)
                result = None
            else:
                store = admin.restore(store, store.actor, Path(backup))
                result = None
            conn.send(("done", result, time.perf_counter() - started))
            store.close()
        conn.send(("closed",))
    except BaseException as exc:  # reported to the parent, which counts it
        conn.send(("error", type(exc).__name__, getattr(exc, "sv", "")))


def _retrying(action, attempts: int = 50):
    from trefas_app.domain.errors import StoreError

    for attempt in range(attempts):
        try:
            return action()
        except StoreError as exc:
            if "låst" not in getattr(exc, "sv", "") or attempt == attempts - 1:
                raise
            time.sleep(0.02 * (1 + attempt % 5))


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_child(kind: str, root: Path, case_id: int, backup: Path | None,
              kill_after: float | None) -> list[tuple]:
    """Start the child, kill it ``kill_after`` seconds after it is ready (None:
    let it finish); returns the messages it sent."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=child, args=(kind, str(root), case_id,
                                           str(backup) if backup else None, send))
    proc.start()
    send.close()
    messages: list[tuple] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and receive.poll(60):
        try:
            message = receive.recv()
        except EOFError:
            break
        messages.append(message)
        if message[0] == "ready":
            if kill_after is not None:
                time.sleep(kill_after)
                os.kill(proc.pid, signal.SIGKILL) if os.name == "posix" else proc.kill()
                break
        if message[0] in ("closed", "error"):
            break
    proc.join(30)
    if proc.is_alive():
        proc.kill()
        proc.join()
    while True:  # what it managed to send before it died
        try:
            if not receive.poll(0):
                break
            messages.append(receive.recv())
        except (EOFError, OSError):
            break
    receive.close()
    return messages


# --- the trials -------------------------------------------------------------------------


def _log_kept(before: State, after: State) -> bool:
    return after.log[:len(before.log)] == before.log


def _duration(kind: str, root: Path, case_id: int, backup: Path | None) -> float:
    """How long one uninterrupted operation of this kind takes here."""
    done = [m for m in run_child(kind, root, case_id, backup, None) if m[0] == "done"]
    return max(0.01, done[0][2]) if done else 0.2


def _fresh_copy(template: Path, work: Path, name: str) -> Path:
    """A copy of the template with a profile of its own: copies of one store
    share its id, and a witness of one copy rightly raises an alarm in
    another."""
    shutil.rmtree(work / name, ignore_errors=True)
    shutil.copytree(template, work / name / "store")
    os.environ["TREFAS_WITNESS_DIR"] = str(work / name / "witness")
    return work / name / "store"


def _restore_source(root: Path) -> Path:
    from trefas_app.services import admin
    from trefas_app.store.store import unlock

    a = unlock(root, KEY_HOLDER, PW)
    path = admin.backup(a, a.actor).path
    a.close()
    return path


def trial_series(kind: str, template: Path, work: Path, case_id: int, trials: int,
                 rng: random.Random) -> Tally:
    from trefas_app.services import admin, notes
    from trefas_app.store.store import unlock

    tally = Tally(kind)
    root = _fresh_copy(template, work, kind)
    backup = _restore_source(root) if kind == "restore" else None
    longest = 0.5 if kind == "note" else 2.0 * _duration(kind, root, case_id, backup) + 0.05
    for _ in range(trials):
        if kind == "restore":  # something to lose: notes written after the backup
            sara = unlock(root, "sara", PW)
            for i in range(3):
                notes.write_note(sara.uow(), sara.actor, case_id, f"Efter {i}", "Text.")
            sara.close()
        before = read_state(root)
        messages = run_child(kind, root, case_id, backup, rng.uniform(0, longest))
        tally.trials += 1
        if any(m[0] == "error" for m in messages):
            tally.fail("corrupt", f"the operation failed: {messages[-1][1:]}")
        if not store_opens_and_checks(root, tally):
            root = _fresh_copy(template, work, kind)
            backup = _restore_source(root) if kind == "restore" else None
            continue
        after = read_state(root)
        done = [m for m in messages if m[0] == "done"]
        tally.completed += len(done)
        if not _log_kept(before, after):
            tally.fail("lost", "log entries from before the trial changed or vanished")
        _judge(kind, tally, before, after, done)
    if kind == "backup":  # a whole copy whose entry the kill prevented: logged now
        a = unlock(root, KEY_HOLDER, PW)
        admin.backup(a, a.actor)
        a.close()
        state = read_state(root)
        for info in admin.list_backups(a):  # file names only; a closed store still has its paths
            if not state.actions.get(("backup", info.path.name)):
                tally.fail("unlogged", f"backup {info.path.name} has no entry")
    return tally


def _judge(kind: str, tally: Tally, before: State, after: State, done: list) -> None:
    if kind == "note":
        for _tag, note_id in done:
            if note_id not in after.notes:
                tally.fail("lost", f"committed note {note_id} is gone")
        for note_id in after.notes - before.notes:
            if not after.actions.get(("note.create", str(note_id))):
                tally.fail("unlogged", f"note {note_id} has no note.create")
    elif kind == "backup":
        for _tag, name, _secs in done:
            if not after.actions.get(("backup", name)):
                tally.fail("unlogged", f"finished backup {name} has no entry")
        if after.notes != before.notes:
            tally.fail("lost", "notes changed during a backup")
    elif kind == "rekey":
        rekeyed = after.signing_key != before.signing_key
        if count(after, "rekey") != count(before, "rekey") + rekeyed:
            tally.fail("unlogged", f"re-key happened={rekeyed}, entries "
                                   f"{count(before, 'rekey')}→{count(after, 'rekey')}")
        if done and not rekeyed:
            tally.fail("lost", "a finished re-key is not in place")
        if after.notes != before.notes:
            tally.fail("lost", "notes changed during a re-key")
    elif kind == "restore":
        restored = count(after, "restore") - count(before, "restore")
        if restored not in (0, 1) or (done and not restored):
            tally.fail("unlogged", f"{len(done)} restores finished, {restored} logged")
        if not restored and after.notes != before.notes:
            tally.fail("unlogged", "the data changed without a restore entry")
        if restored and after.notes >= before.notes:
            tally.fail("lost", "a logged restore did not put the backup in place")


def concurrency(template: Path, work: Path, case_id: int, runs: int) -> Tally:
    """Two writers at once, to the end; nothing may be lost or unlogged."""
    tally = Tally("two writers")
    root = _fresh_copy(template, work, "writers")
    for _ in range(runs):
        before = read_state(root)
        results: list[list[tuple]] = []
        import threading

        threads = [threading.Thread(target=lambda: results.append(
            run_child("writer", root, case_id, None, None))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        tally.trials += 1
        for messages in results:
            if any(m[0] == "error" for m in messages):
                tally.fail("lost", f"a writer failed: {messages[-1][1:]}")
        if not store_opens_and_checks(root, tally):
            continue
        after = read_state(root)
        done = [m for messages in results for m in messages if m[0] == "done"]
        tally.completed += len(done)
        _judge("note", tally, before, after, done)
        if not _log_kept(before, after):
            tally.fail("lost", "log entries changed or vanished")
    return tally


def disk_full(template: Path, work: Path, case_id: int, runs: int) -> Tally | str:
    """Notes written until a small tmpfs is full (root on Linux only)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return "skipped: mounting a small tmpfs needs root on Linux"
    tally = Tally("disk full")
    mount = work / "tmpfs"
    mount.mkdir()
    size = template.stat().st_size + sum(p.stat().st_size for p in template.rglob("*")
                                         if p.is_file())
    mb = max(8, size // (1 << 20) * 2 + 4)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={mb}m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        mount.rmdir()
        return "skipped: tmpfs could not be mounted here (no permission in this container)"
    try:
        os.environ["TREFAS_WITNESS_DIR"] = str(work / "disk-full-witness")
        for _ in range(runs):
            root = mount / "store"
            shutil.rmtree(work / "disk-full-witness", ignore_errors=True)
            shutil.copytree(template, root)
            filler = mount / "filler"
            free = shutil.disk_usage(mount).free
            with open(filler, "wb") as fh:
                fh.write(b"\0" * max(0, free - 256 * 1024))
            before = read_state(root)
            messages = run_child("note", root, case_id, None, None)  # until the disk is full
            tally.trials += 1
            filler.unlink()
            errors = [m for m in messages if m[0] == "error"]
            if errors and "full" not in (errors[0][2] or "").lower() \
                    and "disk" not in (errors[0][2] or "").lower():
                tally.problems.append(f"message at full disk: {errors[0][1:]}")
            if store_opens_and_checks(root, tally):
                after = read_state(root)
                done = [m for m in messages if m[0] == "done"]
                tally.completed += len(done)
                _judge("note", tally, before, after, done)
            shutil.rmtree(root)
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
    return tally


# --- main --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=30, help="kills of each kind (30)")
    parser.add_argument("--notes", type=int, default=300, help="notes in the store (300)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--kinds", default=",".join(KINDS), help="note,backup,rekey,restore")
    parser.add_argument("--workdir", default=None, help="where the stores go (a RAM disk "
                        "if there is one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    base = args.workdir or ("/dev/shm" if os.path.isdir("/dev/shm") else None)
    work = Path(tempfile.mkdtemp(prefix="trefas-crash-", dir=base))
    os.environ["TREFAS_WITNESS_DIR"] = str(work / "witness")
    os.environ["TREFAS_LOG_DIR"] = str(work / "log")
    started = time.monotonic()
    try:
        template = work / "template"
        case_id = make_template(template, args.notes)
        tallies: list[Tally] = [trial_series(kind, template, work, case_id, args.trials, rng)
                                for kind in args.kinds.split(",") if kind]
        runs = max(1, args.trials // 10)
        tallies.append(concurrency(template, work, case_id, runs))
        full = disk_full(template, work, case_id, runs)
        skipped = full if isinstance(full, str) else None
        if not isinstance(full, str):
            tallies.append(full)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    totals = {k: sum(getattr(t, k) for t in tallies) for k in ("corrupt", "lost", "unlogged")}
    if args.json:
        print(json.dumps({"seed": seed, "tallies": [asdict(t) for t in tallies],
                          "totals": totals, "disk_full": skipped or "run",
                          "seconds": round(time.monotonic() - started, 1)}, indent=1))
    else:
        print(f"seed {seed}, {time.monotonic() - started:.0f} s")
        print(f"{'kind':<12} {'trials':>6} {'done':>6} {'corrupt':>7} {'lost':>5} "
              f"{'unlogged':>8}")
        for t in tallies:
            print(f"{t.kind:<12} {t.trials:>6} {t.completed:>6} {t.corrupt:>7} {t.lost:>5} "
                  f"{t.unlogged:>8}")
            for problem in t.problems:
                print(f"    {problem}")
        if skipped:
            print(f"disk full: {skipped}")
        print(f"total: {totals['corrupt']} corrupt, {totals['lost']} lost, "
              f"{totals['unlogged']} unlogged")
    return 0 if not any(totals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
