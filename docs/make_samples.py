"""Render every kind of PDF document for the demo store, and optionally time them.

    .venv/bin/python docs/make_samples.py                 # docs/samples/*.pdf
    .venv/bin/python docs/make_samples.py --png /tmp/docsamples   # + PNG pages
    .venv/bin/python docs/make_samples.py --benchmark     # + timings

Builds a fresh demo store (``trefas_app.demo.build_demo``, invented data, cheap
key derivation) in a temporary folder, issues the documents through the real
services as the users who would issue them, and writes:

    handover.pdf               social worker → police (limited by consent)
    handover-protected.pdf     a person with protected identity (alias only)
    case-summary.pdf           supervisor
    meeting-minutes.pdf        coordinator, operational group
    subject-extract.pdf        registerutdrag
    access-log-extract.pdf     who read the person's data

The samples are signed with the key of a store that no longer exists, so
``trefas verify-document`` refuses them anywhere ("other store"): they show
layout, not authenticity.

``--benchmark`` adds 2,000 signed notes to one case (inserted as rows — the
services would take minutes to write them one by one) and times a handover of
that case, then times 100 case summaries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["TREFAS_KDF_PROFILE"] = "test"

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from trefas_app.demo import DEMO_PASSWORD, build_demo  # noqa: E402
from trefas_app.domain.enums import (  # noqa: E402
    Agency,
    Category,
    NoteState,
    ProtectionLevel,
)
from trefas_app.services import cases, documents, meetings  # noqa: E402
from trefas_app.store import models as m  # noqa: E402
from trefas_app.store.keyslots import TEST_KDF  # noqa: E402
from trefas_app.store.store import unlock  # noqa: E402

BASE = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)
LATER = BASE + dt.timedelta(hours=2)

SOCIAL_WORKER = "sara.lindqvist"
SUPERVISOR = "erik.sandberg"
COORDINATOR = "layla.haddad"


def login(root: Path, username: str):
    return unlock(root, username, DEMO_PASSWORD, clock=lambda: LATER)


def _disclosed_to_police(s: Session, actor, case_id: int) -> int:
    """How many signed notes of a case the police would get (the rule's own count)."""
    return s.scalar(select(func.count()).select_from(m.Note).where(
        m.Note.case_id == case_id, m.Note.state == NoteState.SIGNED,
        documents.disclosable(actor, Agency.POLICE, "note", LATER)))


def _richness(s: Session, actor, case_id: int) -> tuple[int, int]:
    """(kinds of content the police would get, notes they would get)."""
    kinds = 0
    for kind in ("referral", "plan", "exit", "threat", "measure", "support", "task",
                 "involvement"):
        model = documents.access.CASE_CONTENT_KINDS[kind].model
        kinds += bool(s.scalar(select(func.count()).select_from(model).where(
            model.case_id == case_id,
            documents.disclosable(actor, Agency.POLICE, kind, LATER))))
    return kinds, _disclosed_to_police(s, actor, case_id)


def _pick_cases(store) -> tuple[int, int | None]:
    """(richest case for the police, a case of a protected person or None)."""
    rows = cases.list_cases(store.uow(), store.actor, limit=500).rows
    shareable = []
    protected = None
    with Session(store.engine) as s:
        for row in rows:
            allowed = s.scalar(select(func.count()).select_from(m.Case).where(
                m.Case.id == row.id,
                documents.recipient_allowed(Agency.POLICE, "case", LATER)))
            if not allowed:
                continue
            person = s.get(m.Person, row.person_id)
            if person.protection_level == ProtectionLevel.NONE:
                shareable.append((_richness(s, store.actor, row.id), row.id))
            elif protected is None:
                protected = row.id
    if not shareable:
        raise SystemExit("the demo store has no case shared with the police")
    return max(shareable)[1], protected


def write_samples(root: Path, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(name: str, result) -> None:
        path = out_dir / f"{name}.pdf"
        path.write_bytes(result.pdf_bytes)
        written.append(path)
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: "
              f"{result.number}, {result.pages} sidor, {len(result.omitted)} utelämnade poster")

    sara = login(root, SOCIAL_WORKER)
    try:
        case_id, protected_case = _pick_cases(sara)
        person_id = cases.get_case(sara.uow(), sara.actor, case_id).person.id
        save("handover", documents.issue_handover(
            sara.uow(), sara.actor, case_id, Agency.POLICE, "LPO Rinkeby, kommunpolis",
            DEMO_PASSWORD))
        if protected_case is not None:
            save("handover-protected", documents.issue_handover(
                sara.uow(), sara.actor, protected_case, Agency.POLICE, "LPO Rinkeby",
                DEMO_PASSWORD))
        save("subject-extract", documents.issue_subject_extract(sara.uow(), sara.actor,
                                                                person_id))
    finally:
        sara.close()

    erik = login(root, SUPERVISOR)
    try:
        save("case-summary", documents.issue_case_summary(erik.uow(), erik.actor, case_id))
        save("access-log-extract", documents.issue_access_log_extract(erik.uow(), erik.actor,
                                                                      person_id))
    finally:
        erik.close()

    layla = login(root, COORDINATOR)
    try:
        rows = meetings.list_meetings(layla.uow(), layla.actor).rows
        held = [r for r in rows if r.items_visible] or list(rows)
        meeting = max(held, key=lambda r: (r.items_visible, r.participants, r.id))
        save("meeting-minutes", documents.issue_meeting_minutes(layla.uow(), layla.actor,
                                                                meeting.id))
    finally:
        layla.close()
    return written


def to_png(pdfs: list[Path], png_dir: Path) -> None:
    if not shutil.which("pdftoppm"):
        print("pdftoppm saknas; inga PNG-bilder", file=sys.stderr)
        return
    png_dir.mkdir(parents=True, exist_ok=True)
    for pdf in pdfs:
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(png_dir / pdf.stem)],
                       check=True)
    print(f"PNG: {png_dir}")


# --- benchmark -----------------------------------------------------------------------------

_WORDS = ("samtal", "hembesök", "skolan", "kontaktpersonen", "planen", "uppföljning",
          "familjen", "fritidsgården", "insatsen", "riskbedömning", "överenskommelse",
          "arbetsmarknadsenheten", "vårdnadshavare", "behandling", "boendet", "polisen")


def _add_notes(root: Path, case_id: int, count: int) -> None:
    """``count`` signed notes on the case, as rows (benchmark data only)."""
    store = login(root, SOCIAL_WORKER)
    rnd = random.Random(5)
    try:
        with Session(store.engine) as s:
            case = s.get(m.Case, case_id)
            start = case.last_entry_at - dt.timedelta(days=400)
            categories = (Category.SOCIAL, Category.SOCIAL, Category.THREAT, Category.HEALTH,
                          Category.CRIMINAL, Category.IDENTITY)
            for i in range(count):
                at = start + dt.timedelta(hours=4 * i)
                body = "\n\n".join(
                    " ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(25, 70))).capitalize()
                    + "." for _ in range(rnd.randint(1, 3)))
                s.add(m.Note(case_id=case.id, person_id=case.person_id,
                             owner_agency=store.actor.agency, category=rnd.choice(categories),
                             title=f"Anteckning {i + 1}", body=body, state=NoteState.SIGNED,
                             author_id=store.actor.user_id, signed_at=at,
                             signed_by_id=store.actor.user_id, created_at=at,
                             created_by_id=store.actor.user_id))
            s.commit()
    finally:
        store.close()


def benchmark(root: Path) -> None:
    sara = login(root, SOCIAL_WORKER)
    try:
        case_id, _ = _pick_cases(sara)
    finally:
        sara.close()
    _add_notes(root, case_id, 2000)
    sara = login(root, SOCIAL_WORKER)
    try:
        with Session(sara.engine) as s:
            shown = _disclosed_to_police(s, sara.actor, case_id)
        t0 = time.perf_counter()
        result = documents.issue_handover(sara.uow(), sara.actor, case_id, Agency.POLICE,
                                          "LPO Rinkeby", DEMO_PASSWORD)
        took = time.perf_counter() - t0
    finally:
        sara.close()
    print(f"Överlämning, ärende med 2 000+ anteckningar ({shown} delas med polisen): "
          f"{took:.1f} s, {result.pages} sidor, {len(result.pdf_bytes) / 1e6:.1f} MB")

    erik = login(root, SUPERVISOR)
    try:
        ids = [r.id for r in cases.list_cases(erik.uow(), erik.actor, limit=500).rows
               if r.id != case_id]
        times = []
        pages = 0
        t0 = time.perf_counter()
        for i in range(100):
            t1 = time.perf_counter()
            pages += documents.issue_case_summary(erik.uow(), erik.actor,
                                                  ids[i % len(ids)]).pages
            times.append(time.perf_counter() - t1)
        total = time.perf_counter() - t0
    finally:
        erik.close()
    print(f"100 ärendesammanställningar ({len(ids)} olika ärenden): {total:.1f} s totalt, "
          f"median {statistics.median(times):.2f} s, max {max(times):.2f} s, "
          f"{pages} sidor")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "samples")
    parser.add_argument("--png", type=Path, help="also write PNG pages (pdftoppm -r 60) here")
    parser.add_argument("--benchmark", action="store_true",
                        help="time a 2,000-note handover and 100 case summaries")
    parser.add_argument("--keep", type=Path, help="build the demo store here and keep it")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="trefas-samples-"))
    root = args.keep or work / "demo"
    try:
        t0 = time.perf_counter()
        build_demo(root, kdf=TEST_KDF, clock=lambda: BASE)
        print(f"Demolagringsplats byggd på {time.perf_counter() - t0:.0f} s")
        pdfs = write_samples(root, args.out)
        if args.png:
            to_png(pdfs, args.png)
        if args.benchmark:
            benchmark(root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
