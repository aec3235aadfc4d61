"""PySide6 drops references to True/None on some calls (CPython < 3.12); the
workaround in trefas_app.ui keeps the interpreter alive through many signals."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import trefas_app.ui  # noqa: F401 — applies the workaround
from trefas_app.ui import _pyside_fix


class _Pinger(QObject):
    ping = Signal(object)


def test_many_signals_and_property_reads_do_not_kill_the_interpreter(qapp):
    p = _Pinger()
    got = []
    p.ping.connect(got.append)
    for i in range(200_000):  # far more than True's natural reference count
        p.ping.emit(i)
    for _ in range(50_000):
        p.property("no-such-property")
    assert len(got) == 200_000
    assert sys.getrefcount(True) > 0 and sys.getrefcount(None) > 0


def test_applied_only_where_needed():
    assert _pyside_fix.needed() == (sys.version_info < (3, 12))
    assert _pyside_fix.apply() == _pyside_fix.needed()


def test_every_type_is_made_at_import_not_later_inside_an_event_filter():
    """PySide6 6.12 creating a type lazily, inside an event filter's argument
    conversion, died in shiboken (tests/ui/test_ui_server.py,
    test_screens_second.py and test_case_tabs_lists.py in that order):
    importing trefas_app.ui first makes PySide6 create them all at import."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYSIDE6_OPTION_LAZY"}
    probe = ("import trefas_app.ui\nfrom PySide6 import QtGui\n"
             "print('QTabletEvent' in vars(QtGui))")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    from PySide6 import QtGui  # this test process too (tests/conftest.py imports it first)

    assert os.environ.get("PYSIDE6_OPTION_LAZY") == "0" and "QTabletEvent" in vars(QtGui)
