"""Screenshots of the real Trefas window, for each role and each main screen.

    .venv/bin/python docs/make_screenshots.py [--store DIR] [--small] [--out DIR]

Builds (or reuses, with --store) a demonstration store in a temporary folder,
starts the real main window under Xvfb (re-running itself through
``xvfb-run`` when there is no display; offscreen if Xvfb is missing), logs in
as a few roles and saves ``docs/screenshots/<role>-<screen>.png``.

The demo store comes from ``trefas_app.demo.build_demo``; ``--small`` (or a
missing demo module) builds a small store through the services instead.
Everything in it is invented.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

PASSWORD = "Trefas-demo-2026!"


def _ensure_display() -> None:
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") or \
            os.environ.get("TREFAS_SCREENSHOTS_CHILD"):
        return
    xvfb = shutil.which("xvfb-run")
    if xvfb:
        env = dict(os.environ, TREFAS_SCREENSHOTS_CHILD="1")
        cmd = [xvfb, "-a", "-s", "-screen 0 1600x1000x24 -dpi 96", sys.executable, *sys.argv]
        raise SystemExit(subprocess.call(cmd, env=env))
    os.environ["QT_QPA_PLATFORM"] = "offscreen"


# --- a small store when the demo module is not there ---------------------------------

def build_small_store(root: Path, password: str) -> dict[str, str]:
    """Units, users of every role, a dozen persons and cases, consents, notes."""
    import random

    from trefas_app.domain.enums import (
        Agency,
        CaseState,
        Category,
        ProtectionLevel,
        RiskLevel,
        Role,
    )
    from trefas_app.domain import clock
    from trefas_app.domain.personnummer import luhn_check_digit
    from trefas_app.services import cases, consents, notes, persons, users
    from trefas_app.store.store import create_store, unlock

    rng = random.Random(7)
    created = create_store(root, admin_username="admin", admin_display_name="Tove Ekman",
                           admin_password=password, unit_code="ADM",
                           unit_name="Järva-samordning")
    store = created.store
    admin = store.actor
    rk = users.add_unit(store.uow(), admin, Agency.CITY, "SDF-RK", "Rinkeby-Kista")
    lpo = users.add_unit(store.uow(), admin, Agency.POLICE, "LPO-RI", "LPO Rinkeby")
    kv = users.add_unit(store.uow(), admin, Agency.PROBATION, "KV-N", "Frivården Nord")
    people = {
        "sara.lindqvist": ("Sara Lindqvist", Role.SOCIAL_WORKER, Agency.CITY, rk),
        "layla.haddad": ("Layla Haddad", Role.COORDINATOR, Agency.CITY, rk),
        "erik.sandberg": ("Erik Sandberg", Role.SUPERVISOR, Agency.CITY, rk),
        "deniz.yilmaz": ("Deniz Yilmaz", Role.POLICE_LIAISON, Agency.POLICE, lpo),
        "arash.rahimi": ("Arash Rahimi", Role.PROBATION_OFFICER, Agency.PROBATION, kv),
    }
    ids = {}
    from trefas_app.services import accounts

    for username, (name, role, agency, unit) in people.items():
        # The administrator gets a one-time code; the person enrols; the
        # session that created the store confirms (it holds the recovery key).
        view = users.add_user(store.uow(), admin, users.UserInput(
            username, name, role, agency, unit.id))
        accounts.enrol_account(root, username, view.enrolment_code, password)
        accounts.confirm_at_setup(store, username)
        ids[username] = view.id
    store.close()
    sara = unlock(root, "sara.lindqvist", password)
    first = ["Amir", "Hodan", "Viktor", "Yasmin", "Deniz", "Elin", "Omar", "Mirela", "Liban",
             "Nour", "Anton", "Samira"]
    last = ["Haddad", "Warsame", "Berglund", "Abdi", "Öztürk", "Nilsson", "Farah", "Begić",
            "Hassan", "Salem", "Karlsson", "Mahmoud"]
    titles = ["Risk för våld – kartläggning", "Hot i skolmiljö", "Avhopparstöd",
              "Oro för rekrytering", "Uppföljning efter skjutning", "SIG-samverkan"]
    today = clock.today()
    for i, (f, lname) in enumerate(zip(first, last)):
        birth = dt.date(2001 + i % 7, 1 + i % 12, 1 + (i * 3) % 28)
        nine = f"{birth:%y%m%d}{rng.randint(100, 999)}"
        pn = f"{birth:%Y%m%d}-{nine[6:]}{luhn_check_digit(nine)}"
        p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
            f, lname, personal_number=pn, phone=f"070-{rng.randint(1000000, 9999999)}",
            address=f"Rinkebystråket {i + 3}", postal_code="163 70", city="Spånga",
            protection_level=ProtectionLevel.PROTECTED_REGISTRATION if i % 5 == 4
            else ProtectionLevel.NONE,
            risk_level=(RiskLevel.RED, RiskLevel.YELLOW, RiskLevel.GREEN)[i % 3],
            risk_factors="Kontakter i kriminellt nätverk", protective_factors="Stödjande mamma"))
        case = cases.open_case(sara.uow(), sara.actor, p.id, titles[i % len(titles)])
        if i % 4 != 3:
            cases.move_case(sara.uow(), sara.actor, case.id, CaseState.ACTIVE)
        cases.add_team_member(sara.uow(), sara.actor, case.id, ids["deniz.yilmaz"])
        if i % 3 == 0:
            cases.add_team_member(sara.uow(), sara.actor, case.id, ids["arash.rahimi"])
        if i % 2 == 0:
            grants = {(Agency.POLICE, Category.IDENTITY), (Agency.POLICE, Category.SOCIAL),
                      (Agency.POLICE, Category.THREAT), (Agency.PROBATION, Category.IDENTITY)}
            consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
                person_id=p.id, purpose="Samverkan inom SIG", valid_from=today,
                valid_until=today + dt.timedelta(days=20 if i % 4 == 0 else 300),
                grants=frozenset(grants), case_id=case.id))
        for j, (cat, title, body) in enumerate((
                (Category.SOCIAL, "Hembesök", "Besök i hemmet tillsammans med mamma. Han berättar "
                 "att han vill bort från området och är intresserad av praktik."),
                (Category.HEALTH, "Kontakt med beroendemottagning", "Har fått tid hos "
                 "beroendemottagningen nästa vecka."),
                (Category.THREAT, "Hotbild", "Uppgifter om konflikt med annan grupp. "
                 "Skyddsåtgärder diskuterade."))):
            n = notes.write_note(sara.uow(), sara.actor, case.id, title, body, cat)
            if j < 2 or i % 2:
                notes.sign_note(sara.uow(), sara.actor, n.id)
        if i % 6 == 5:
            cases.move_case(sara.uow(), sara.actor, case.id, CaseState.CLOSURE_REQUESTED,
                            reason="Målen uppnådda")
    sara.close()
    return {"social_worker": "sara.lindqvist", "coordinator": "layla.haddad",
            "supervisor": "erik.sandberg", "police_liaison": "deniz.yilmaz",
            "probation_officer": "arash.rahimi", "administrator": "admin"}


def build_store(root: Path, small: bool) -> dict[str, str]:
    if not small:
        try:
            from trefas_app import demo
        except ImportError:
            demo = None
        if demo is not None:
            users = demo.build_demo(root, PASSWORD)
            chosen: dict[str, str] = {}
            for u in users:
                chosen.setdefault(str(u.role), u.username)
            return chosen
    return build_small_store(root, PASSWORD)


def roles_of_store(root: Path) -> dict[str, str]:
    """For --store: ask the store who is who (as the administrator, from the
    key file's account list: the administrator holds no data key)."""
    from trefas_app.services import accounts
    from trefas_app.store.store import unlock

    store = unlock(root, "admin", PASSWORD)
    try:
        chosen: dict[str, str] = {}
        for u in accounts.list_accounts(store):
            if u.state == "ready":
                chosen.setdefault(str(u.role), u.username)
        return chosen
    finally:
        store.close()


# --- driving the window ------------------------------------------------------------------


def case_with_documents(root: Path, username: str) -> int | None:
    """A case of ``username``'s team with a handover in it (looked up with the
    user's own key, below the services: a screenshot helper only)."""
    from sqlalchemy import select

    from trefas_app.domain.enums import DocumentKind
    from trefas_app.store import models as m
    from trefas_app.store.store import unlock

    try:
        store = unlock(root, username, PASSWORD)
    except Exception:  # noqa: BLE001 - a store without that demo user
        return None
    try:
        with store.engine.connect() as conn:
            return conn.execute(
                select(m.IssuedDocument.case_id)
                .join(m.TeamMember, m.TeamMember.case_id == m.IssuedDocument.case_id)
                .join(m.User, m.User.id == m.TeamMember.user_id)
                .where(m.IssuedDocument.kind == DocumentKind.HANDOVER,
                       m.User.username == username)
                .order_by(m.IssuedDocument.id).limit(1)).scalar()
    finally:
        store.close()


def dialogs_and_banners(window, settle, save, pump) -> int:
    """The main dialogs, a protected person, and the reveal banner."""
    import datetime as dt

    from PySide6.QtCore import QDate

    from trefas_app.domain.enums import Agency, Category
    from trefas_app.ui.dialogs.consent import ConsentDialog
    from trefas_app.ui.dialogs.emergency import EmergencyAccessDialog
    from trefas_app.ui.dialogs.note import NoteDialog
    from trefas_app.ui.dialogs.person import PersonDialog
    from trefas_app.ui.dialogs.reveal import RevealIdentityDialog

    ctx = window.ctx
    shots = 0
    screen = window.show_screen("cases")
    settle(window)
    rows = screen.model.rows()
    if not rows:
        return 0
    ctx.open_case(rows[0].id)
    settle(window)
    view = window.current_screen()

    def show(dlg, name: str) -> None:
        nonlocal shots
        dlg.show()
        pump(0.3)
        save(dlg, name)
        shots += 1
        dlg.mark_clean()
        dlg.reject()

    dlg = PersonDialog(ctx, window)
    dlg.first_edit.setText("Amir")
    dlg.last_edit.setText("Haddad")
    dlg.pn_edit.setText("19900101-0018")
    show(dlg, "dialog-person")
    if view.case is not None:
        dlg = ConsentDialog(ctx, window, view.case.person, view.case.id)
        dlg.purpose_edit.setText("Samverkan inom SIG")
        dlg._set_period(6)
        for cat in (Category.IDENTITY, Category.SOCIAL):
            dlg.checks[(Agency.POLICE, cat)].setChecked(True)
        show(dlg, "dialog-consent")
        dlg = NoteDialog(ctx, window, view.case.id)
        dlg.title_edit.setText("Samtal med vårdnadshavare")
        dlg.body_edit.setPlainText("Samtal på kontoret om skolgång och fritid.")
        show(dlg, "dialog-note")
    dlg = EmergencyAccessDialog(ctx, window, case_number=rows[0].number)
    dlg.reason_edit.setPlainText("Akut hot, personen har ringt")
    show(dlg, "dialog-emergency")

    protected = next((r for r in rows if r.protected), None)
    if protected is not None:
        ctx.open_case(protected.id)
        settle(window)
        view = window.current_screen()
        view.select_tab("overview")
        settle(window)
        save(window, "social-worker-case-protected")
        shots += 1
        if view.case is not None and ctx.may("identity.reveal"):
            dlg = RevealIdentityDialog(ctx, window, view.case.person.id,
                                       view.case.person.display_name)
            dlg.reason_edit.setPlainText("Behöver kontakta vårdnadshavaren om akut hot")
            dlg.show()
            pump(0.3)
            save(dlg, "dialog-reveal")
            shots += 1
            dlg.ok_button.click()
            settle(window)
            settle(window)
            save(window, "social-worker-case-revealed")
            shots += 1
    _ = (dt, QDate)
    return shots



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--store", type=Path, help="reuse this demo store")
    parser.add_argument("--small", action="store_true", help="small built-in data set")
    parser.add_argument("--out", type=Path, default=HERE / "screenshots")
    parser.add_argument("--lang", choices=("sv", "en"), default="sv",
                        help="UI language; English file names get an 'en-' prefix")
    parser.add_argument("--roles", default="social_worker,police_liaison,supervisor,"
                                           "coordinator,administrator")
    args = parser.parse_args()
    _ensure_display()
    os.environ.setdefault("TREFAS_KDF_PROFILE", "test")  # screenshots need no slow KDF

    from PySide6.QtCore import QCoreApplication, QEvent, QSettings
    from PySide6.QtWidgets import QApplication

    from trefas_app.ui.app import make_application
    from trefas_app.ui.context import AppContext
    from trefas_app.ui.i18n import install_translations
    from trefas_app.ui.main_window import MainWindow

    tmp = Path(tempfile.mkdtemp(prefix="trefas-shots-"))
    if args.store:
        root = args.store
        roles = roles_of_store(root)
    else:
        root = tmp / "demo"
        print("building the demo store …", flush=True)
        roles = build_store(root, args.small)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    app = make_application(["trefas"])
    translators = install_translations(app, args.lang)  # noqa: F841
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            # No event loop runs here, so deleteLater() needs a nudge.
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            time.sleep(0.01)

    def wait(cond, timeout: float = 30.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            if cond():
                return True
            time.sleep(0.01)
        return False

    def settle(window) -> None:
        wait(lambda: not window.ctx.worker.busy, 30)
        pump(0.4)
        wait(lambda: not window.ctx.worker.busy, 30)
        pump(0.2)

    def save(widget, name: str) -> None:
        path = out / (f"{name}.png" if args.lang == "sv" else f"en-{name}.png")
        widget.grab().save(str(path))
        print("saved", path.relative_to(REPO) if path.is_relative_to(REPO) else path, flush=True)

    shots = 0
    for role in [r.strip() for r in args.roles.split(",") if r.strip()]:
        username = roles.get(role)
        if not username:
            print(f"no user with role {role} in the store; skipped", flush=True)
            continue
        ctx = AppContext(root, settings=settings, language=args.lang, show_dialogs=False)
        window = MainWindow(ctx)
        window.resize(1360, 820)
        window.start(username=username)
        dlg = window.unlock_dialog
        pump(0.2)
        if role == "social_worker":
            save(dlg, "unlock")
        dlg.password_edit.setText(PASSWORD)
        dlg.try_unlock()
        if not wait(lambda: ctx.is_unlocked and window.isVisible(), 30):
            print(f"could not unlock as {username}", flush=True)
            window.close()
            continue
        settle(window)
        slug = role.replace("_", "-")
        for key in window.nav_keys():
            window.show_screen(key)
            settle(window)
            save(window, f"{slug}-{key}")
            shots += 1
        # The case view for case workers: first case in the list, every tab.
        if "cases" in window.nav_keys():
            screen = window.show_screen("cases")
            settle(window)
            if screen.model.rowCount() > 0:
                row = screen.model.row_at(0)
                ctx.open_case(row.id)
                settle(window)
                view = window.current_screen()
                for tab in ("overview", "consents", "notes", "sig_plan", "exit", "incidents",
                            "meetings_tasks", "documents", "log"):
                    if view.select_tab(tab):
                        settle(window)
                        save(window, f"{slug}-case-{tab}")
                        shots += 1
        if role in ("social_worker", "police_liaison"):
            # A case with issued documents: the Dokument tab's register.
            case_id = case_with_documents(root, username)
            if case_id is not None:
                ctx.open_case(case_id)
                settle(window)
                view = window.current_screen()
                if view.select_tab("documents"):
                    settle(window)
                    save(window, f"{slug}-case-documents-issued")
                    shots += 1
        if role == "social_worker":
            shots += dialogs_and_banners(window, settle, save, pump)
        if "persons" in window.nav_keys() and role == "social_worker":
            screen = window.show_screen("persons")
            settle(window)
            if screen.model.rowCount() > 0:
                ctx.open_person(screen.model.row_at(0).id)
                settle(window)
                save(window, f"{slug}-person")
                shots += 1
        if role == "social_worker":
            window.lock_now()
            pump(0.5)
            save(window, "locked")
        window.close()
        pump(0.3)
    print(f"{shots} screenshots in {out}", flush=True)
    QApplication.quit()
    shutil.rmtree(tmp, ignore_errors=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: PySide can crash collecting Qt objects late.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
