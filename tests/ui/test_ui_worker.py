"""The one background worker: results on the GUI thread, superseding by key,
errors shown calmly and logged without case content."""

from __future__ import annotations

import logging
import threading

import pytest

from trefas_app.domain.errors import ValidationError
from trefas_app.ui.worker import UNEXPECTED_SV, Worker


@pytest.fixture
def worker(qapp):
    shown = []
    w = Worker(show_error=lambda text, unexpected: shown.append((text, unexpected)))
    w.shown = shown
    yield w
    w.cancel_all()
    w.shutdown()


def test_result_arrives_on_the_gui_thread_and_work_runs_elsewhere(qtbot, worker):
    gui = threading.get_ident()
    ran_in, got = [], []

    def work(a, b):
        ran_in.append(threading.get_ident())
        return a + b

    worker.submit(work, 2, 3, on_done=lambda r: got.append((r, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(got))
    assert got == [(5, gui)]
    assert ran_in and ran_in[0] != gui


def test_operations_run_one_at_a_time_in_order(qtbot, worker):
    order, active, overlap = [], [0], []
    lock = threading.Lock()

    def work(i):
        with lock:
            active[0] += 1
            if active[0] > 1:
                overlap.append(i)
        order.append(i)
        with lock:
            active[0] -= 1
        return i

    done = []
    for i in range(20):
        worker.submit(work, i, on_done=done.append)
    qtbot.waitUntil(lambda: bool(len(done) == 20))
    assert order == list(range(20)) and done == list(range(20))
    assert overlap == []


def test_a_newer_operation_with_the_same_key_supersedes_a_queued_one(qtbot, worker):
    gate = threading.Event()
    calls, done = [], []
    worker.submit(gate.wait, 5)  # keeps the thread busy
    worker.submit(lambda: calls.append("old") or "old", on_done=done.append, key="search")
    worker.submit(lambda: calls.append("new") or "new", on_done=done.append, key="search")
    gate.set()
    qtbot.waitUntil(lambda: bool(done))
    qtbot.wait(50)
    assert done == ["new"]
    assert calls == ["new"]  # the stale search never ran


def test_a_running_operation_that_is_superseded_delivers_nothing(qtbot, worker):
    started, gate = threading.Event(), threading.Event()
    done = []

    def slow():
        started.set()
        gate.wait(5)
        return "stale"

    worker.submit(slow, on_done=done.append, key="k")
    assert started.wait(5)
    worker.submit(lambda: "fresh", on_done=done.append, key="k")
    gate.set()
    qtbot.waitUntil(lambda: bool(done))
    qtbot.wait(50)
    assert done == ["fresh"]


def test_other_keys_are_not_superseded(qtbot, worker):
    done = []
    worker.submit(lambda: 1, on_done=done.append, key="a")
    worker.submit(lambda: 2, on_done=done.append, key="b")
    qtbot.waitUntil(lambda: bool(len(done) == 2))
    assert sorted(done) == [1, 2]


def test_user_error_is_shown_in_swedish_without_on_error(qtbot, worker):
    def fail():
        raise ValidationError("Anteckningen är tom.", "The note is empty.")

    with qtbot.waitSignal(worker.errorShown) as sig:
        worker.submit(fail, on_done=lambda r: pytest.fail("no result expected"))
    assert sig.args == ["Anteckningen är tom."]
    assert worker.shown == [("Anteckningen är tom.", False)]


def test_user_error_goes_to_on_error_and_is_not_shown(qtbot, worker):
    errors = []

    def fail():
        raise ValidationError("Fel.", "Wrong.")

    worker.submit(fail, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ValidationError)
    assert worker.shown == []


def test_unexpected_error_is_calm_and_logged_without_its_message(qtbot, worker, caplog):
    errors = []

    def bug():
        raise RuntimeError("INSERT ... parameters: ('Amir', 'Haddad', '19900101-0017')")

    with caplog.at_level(logging.ERROR, logger="trefas.ui"):
        worker.submit(bug, on_error=errors.append)
        qtbot.waitUntil(lambda: bool(errors))
    assert worker.shown == [(UNEXPECTED_SV, True)]
    assert UNEXPECTED_SV == "Något gick fel. Ingenting har sparats. Felet har loggats."
    assert isinstance(errors[0], RuntimeError)  # the caller may re-enable its buttons
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "bug" in logged  # type and stack
    assert "Amir" not in logged and "19900101" not in logged  # never the message


def test_a_failing_callback_is_logged_and_reported(qtbot, worker, caplog):
    def broken_callback(_result):
        raise KeyError("secret name")

    with caplog.at_level(logging.ERROR, logger="trefas.ui"):
        worker.submit(lambda: 1, on_done=broken_callback)
        qtbot.waitUntil(lambda: bool(worker.shown))
    assert worker.shown == [(UNEXPECTED_SV, True)]
    assert "secret name" not in "\n".join(r.getMessage() for r in caplog.records)


def test_cancel_all_drops_queued_and_running_work(qtbot, worker):
    gate = threading.Event()
    done, ran = [], []
    worker.submit(gate.wait, 5, on_done=lambda r: done.append("running"))
    worker.submit(lambda: ran.append(1), on_done=lambda r: done.append("queued"))
    worker.cancel_all()
    gate.set()
    qtbot.waitUntil(lambda: bool(not worker.busy))
    qtbot.wait(50)
    assert done == [] and ran == []
    worker.submit(lambda: "after", on_done=done.append)
    qtbot.waitUntil(lambda: bool(done))
    assert done == ["after"]


def test_busy_signal(qtbot, worker):
    states = []
    worker.busyChanged.connect(states.append)
    finished = []
    worker.submit(lambda: 1, on_done=finished.append)
    qtbot.waitUntil(lambda: bool(finished and states and states[-1] is False))
    assert states[0] is True and states[-1] is False


def test_a_full_disk_anywhere_is_shown_as_a_full_disk_not_a_bug(qtbot, worker):
    import errno

    def work():
        raise OSError(errno.ENOSPC, "No space left on device")

    worker.submit(work)
    qtbot.waitUntil(lambda: bool(worker.shown))
    text, unexpected = worker.shown[0]
    assert text.startswith("Disken är full.") and not unexpected
