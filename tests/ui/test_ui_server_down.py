"""The server goes away under an open dialog (issue 13): the window says so
calmly, the dialog keeps what was typed, nothing is half-written, and once
the server is back the banner goes and the same save succeeds.

A cluster of its own: stopping it must not disturb the other tests' one."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from server_world import PW, build_server_world
from trefas_app.services import cases, persons
from trefas_app.server.connection import connect
from trefas_app.ui.dialogs.note import NoteDialog
from trefas_app.ui.main_window import MainWindow

WAIT = 20_000
TITLE = "Samtal under avbrottet"


@pytest.fixture(scope="module")
def own_cluster():
    from pg_cluster import start

    cluster = start()
    yield cluster
    cluster.stop()


def _stop(cluster) -> None:
    cluster.run("pg_ctl", "-D", str(cluster.data_dir), "-m", "fast", "-w", "stop")


def _start(cluster) -> None:
    cluster.run("pg_ctl", "-D", str(cluster.data_dir), "-l", str(cluster.base / "server.log"),
                "-w", "-t", "60", "start")


def _notes_titled(world, title: str) -> int:
    engine = create_engine(world.superuser_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM notes WHERE title = :t"),
                                {"t": title}).scalar()
    finally:
        engine.dispose()


def test_server_stopped_under_an_open_dialog_keeps_the_text_and_saves_after_restart(
        qtbot, ctx_factory, tmp_path, own_cluster):
    world = build_server_world(own_cluster)
    with world.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Amir", "Haddad"))
        case_id = cases.open_case(s.uow(), s.actor, p.id, "Risk för våld").id
    ctx = ctx_factory(tmp_path / "no-store")
    ctx.server_url = world.url
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    got = []
    ctx.run_plain(connect, world.url, "sara", PW, on_done=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT)
    ctx.set_store(got[0])
    qtbot.waitUntil(lambda: ctx.server_watch.listening and not ctx.worker.busy, timeout=WAIT)

    dlg = NoteDialog(ctx, window, case_id)
    qtbot.addWidget(dlg)
    dlg.open()
    dlg.title_edit.setText(TITLE)
    dlg.body_edit.setPlainText("Amir berättade om helgen.")
    _stop(own_cluster)
    try:
        dlg.ok_button.click()
        qtbot.waitUntil(lambda: not dlg._busy and dlg.problem_label.isVisible(), timeout=WAIT)
        assert dlg.isVisible()
        assert dlg.title_edit.text() == TITLE
        assert dlg.body_edit.toPlainText() == "Amir berättade om helgen."
        assert "Ingenting har sparats" in dlg.problem_label.text()
        qtbot.waitUntil(window.server_banner.isVisible, timeout=WAIT)
        assert "försöker ansluta igen" in window.server_banner.text()
        assert ctx.messages == []  # said in the dialog and the banner, no error box
        assert ctx.is_unlocked  # still logged in: the server is gone, not the user
    finally:
        _start(own_cluster)
    qtbot.waitUntil(lambda: not window.server_banner.isVisible(), timeout=WAIT)
    assert ctx.server_watch.listening
    assert _notes_titled(world, TITLE) == 0  # nothing half-written
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=WAIT)
    assert _notes_titled(world, TITLE) == 1
    window.close()
