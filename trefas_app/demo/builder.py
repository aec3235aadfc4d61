"""Building the demo store: a new store, its organisation, the stories and
the case work played in time order, a few issued documents; a build that fails
half-way leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

from trefas_app.demo.casework import schedule_casework
from trefas_app.demo.organisation import (
    DEMO_PASSWORD,
    DemoUser,
    ADMIN_UNIT,
    UNITS,
    USERS,
    create_organisation,
)
from trefas_app.demo.timeline import (
    SimClock,
    Timeline,
    Story,
    HISTORY_DAYS,
    plan_stories,
    schedule_story,
)
from trefas_app.domain.enums import Agency, CaseState, Role
from trefas_app.domain.errors import TrefasError
from trefas_app.domain.passwords import check_password_policy
from trefas_app.store.keyslots import KdfParams, default_kdf
from trefas_app.store.store import OpenStore, create_store, unlock
from trefas_app.store.uow import utc_now


def build_demo(root: Path, password: str | None = None, seed: int = 2026,
               kdf: KdfParams | None = None,
               clock: Callable[[], dt.datetime] | None = None) -> list[DemoUser]:
    """Create a new demo store at ``root``; returns its users (all with ``password``).

    ``clock`` gives "now" once, at the start; the whole history is placed
    before it. With the same ``seed`` and clock the store is the same.
    """
    password = password or DEMO_PASSWORD
    kdf = kdf or default_kdf()
    base = (clock or utc_now)()
    if base.tzinfo is None:
        raise ValueError("the demo clock must give an aware datetime")
    base = base.astimezone(dt.timezone.utc)
    for username, *_ in USERS:
        check_password_policy(password, username)
    rng = random.Random(seed)
    sim = SimClock(base - dt.timedelta(days=HISTORY_DAYS + 10))

    root = Path(root)
    root_existed = root.exists()
    # Refuses (and touches nothing) when a store is already there.
    created = create_store(root, admin_username="admin", admin_display_name=USERS[0][1],
                           admin_password=password, unit_code=ADMIN_UNIT[0],
                           unit_name=ADMIN_UNIT[1], agency=ADMIN_UNIT[2], kdf=kdf, clock=sim)
    sessions: dict[str, OpenStore] = {}
    try:
        try:
            demo_users = create_organisation(created.store, password, kdf, sim)
        finally:
            created.store.close()
        sim.now += dt.timedelta(hours=1)
        for u in demo_users:
            if u.role != Role.ADMINISTRATOR:
                sessions[u.username] = unlock(root, u.username, password, clock=sim)
        stories = plan_stories(rng, base)
        timeline = Timeline(sim)
        for story in stories:
            schedule_story(timeline, sessions, story, rng, base)
        schedule_casework(timeline, sessions, stories, rng, base)
        timeline.run()
        _issue_documents(sessions, stories, password)
    except BaseException:
        # A half-built demo is of no use and would block the next attempt.
        for s in sessions.values():
            try:
                s.close()
            except Exception:  # noqa: BLE001 - removing the files matters more
                pass
        _remove_demo_store(root, root_existed)
        raise
    sim.now = base
    for s in sessions.values():
        s.close()
    return demo_users


def _issue_documents(sessions: dict[str, OpenStore], stories: list[Story],
                     password: str) -> None:
    """Two handovers to the police and a supervisor's case summary, so that
    the Dokument tab and the register have something to show."""
    from trefas_app.services import documents

    issued = 0
    for st in stories:
        if issued == 2:
            break
        if st.police is None or st.final_state == CaseState.CLOSED or st.case_id is None:
            continue
        sw = sessions[st.social_worker]
        police_unit = next(code for name, _d, _r, _a, code in USERS if name == st.police)
        recipient = next(name for code, name, _a in UNITS if code == police_unit)
        try:
            documents.issue_handover(sw.uow(), sw.actor, st.case_id, Agency.POLICE,
                                     recipient, password)
        except TrefasError:
            continue  # no basis to hand this one over: the next story
        issued += 1
        if issued == 1:
            boss = next(s for s in sessions.values() if s.actor.role == Role.SUPERVISOR
                        and s.actor.agency == Agency.CITY)
            documents.issue_case_summary(boss.uow(), boss.actor, st.case_id)


def _remove_demo_store(root: Path, root_existed: bool) -> None:
    """Delete the files this build created (and the folder, if it made it)."""
    for name in ("trefas.db", "trefas.db-wal", "trefas.db-shm", "trefas.db-journal",
                 "trefas.keys", "trefas.keys.lock", "trefas.checkpoints",
                 "trefas.checkpoints.lock"):
        try:
            (root / name).unlink()
        except OSError:
            pass
    if not root_existed:
        try:
            root.rmdir()  # only if empty
        except OSError:
            pass
