"""The unlock configures SQLAlchemy's mappers on another thread while the key
derivation runs (issue 12: the unlock beyond the KDF), finished before the
first query, and a failure there stays quiet (the first query raises it)."""

from __future__ import annotations

import threading
import time

import sqlalchemy.orm

from trefas_app.store.engine import mappers_configured_meanwhile


def test_mappers_are_configured_on_another_thread_during_the_block(monkeypatch):
    ran: list[tuple[str, float]] = []

    def configure():
        time.sleep(0.05)
        ran.append((threading.current_thread().name, time.perf_counter()))

    monkeypatch.setattr(sqlalchemy.orm, "configure_mappers", configure)
    with mappers_configured_meanwhile():
        time.sleep(0.01)  # the key derivation
        during = list(ran)
    assert during == []  # not before the block, and not by the caller
    (name, _), = ran  # finished when the block is left
    assert name != threading.current_thread().name


def test_a_failure_there_is_left_to_the_first_query(monkeypatch, capsys):
    def broken():
        raise RuntimeError("mapper trouble")

    monkeypatch.setattr(sqlalchemy.orm, "configure_mappers", broken)
    with mappers_configured_meanwhile():
        pass
    assert "mapper trouble" not in capsys.readouterr().err


def test_the_modules_are_imported_and_then_run_on_that_thread():
    import sys

    from trefas_app.store import engine

    ran = []
    with mappers_configured_meanwhile(then=lambda: ran.append(threading.current_thread().name)):
        pass
    assert all(name in sys.modules for name in engine.UNLOCK_IMPORTS)
    assert ran and ran[0] != threading.current_thread().name
