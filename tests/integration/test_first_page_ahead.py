"""The window's first page is compiled before the key is known (issue 12):
``unlock(first_page=)`` runs the page's service once through the store's own
engine against an empty in-memory stand-in — never the store's file, which
it cannot open without the key — and the real run after the unlock finds
its statements compiled; a lock empties that cache like any other. Where a
core is free this runs while Argon2id runs; a window runs it before, while
its dialog waits for the password (``warm_up.prepare_page``): the unlock of
that user takes the engine it compiled on, and nobody else's unlock does."""

from __future__ import annotations

import dataclasses

import pytest

from stores import CASEWORK_PASSWORD, build_casework_store
from trefas_app.services import cases, dashboard
from trefas_app.store.store import unlock


@pytest.fixture
def casework(tmp_path, monkeypatch):
    from trefas_app.store import warm_up

    root = tmp_path / "store"
    build_casework_store(root)
    monkeypatch.setattr(warm_up, "worth_running_ahead", lambda kdf: True)
    return root


def test_the_page_runs_ahead_on_nothing_and_then_on_the_store(casework):
    seen = []

    def page(uow, actor):
        seen.append(cases.list_cases(uow, actor))
        return seen[-1]

    s = unlock(casework, "sara", CASEWORK_PASSWORD, first_page=page)
    try:
        (ahead,) = seen  # ran once, during the unlock, on the empty stand-in
        assert ahead.rows == ()
        compiled = len(s.engine._compiled_cache)
        real = cases.list_cases(s.uow(), s.actor)
        assert [c.id for c in real.rows] == [1]
        assert not s.engine._trefas_key.warming
    finally:
        s.close("lock")
    assert compiled > 0
    assert len(s.engine._compiled_cache) == 0  # the lock empties it


def test_the_start_page_is_the_same_with_or_without_running_ahead(casework):
    plain = unlock(casework, "sara", CASEWORK_PASSWORD)
    try:
        expected = dashboard.dashboard(plain.uow(), plain.actor)
    finally:
        plain.close()
    s = unlock(casework, "sara", CASEWORK_PASSWORD, first_page=dashboard.dashboard)
    try:
        assert len(s.engine._compiled_cache) > 0  # compiled before the first real call
        got = dashboard.dashboard(s.uow(), s.actor)
    finally:
        s.close()
    assert dataclasses.replace(got, generated_at=expected.generated_at) == expected


def test_a_page_that_fails_ahead_changes_nothing(casework):
    def broken(uow, actor):
        raise RuntimeError("not today")

    s = unlock(casework, "sara", CASEWORK_PASSWORD, first_page=broken)
    try:
        assert cases.get_case(s.uow(), s.actor, 1).id == 1
    finally:
        s.close()


def test_a_wrong_password_is_refused_as_before(casework):
    from trefas_app.domain.errors import TrefasError

    with pytest.raises(TrefasError):
        unlock(casework, "sara", "fel-lösenord-helt-fel", first_page=dashboard.dashboard)
    with pytest.raises(TrefasError):
        unlock(casework, "nobody", CASEWORK_PASSWORD, first_page=dashboard.dashboard)


def test_not_behind_a_key_derivation_too_cheap_to_hide_it(tmp_path):
    """The test suite's Argon2id takes milliseconds: the unlock would wait."""
    root = tmp_path / "store"
    build_casework_store(root)
    seen = []
    s = unlock(root, "sara", CASEWORK_PASSWORD, first_page=lambda uow, actor: seen.append(1))
    s.close()
    assert seen == []


def test_only_where_argon2ids_lanes_leave_a_core_free(monkeypatch):
    from trefas_app.store import warm_up
    from trefas_app.store.keyslots import PRODUCTION_KDF, TEST_KDF

    monkeypatch.setattr(warm_up.os, "cpu_count", lambda: 2)
    assert not warm_up.worth_running_ahead(PRODUCTION_KDF)  # 4 lanes on 2 cores
    monkeypatch.setattr(warm_up.os, "cpu_count", lambda: 8)
    assert warm_up.worth_running_ahead(PRODUCTION_KDF)
    assert not warm_up.worth_running_ahead(TEST_KDF)


def test_a_page_prepared_before_the_unlock_is_taken_by_it(tmp_path):
    """The test suite's cheap Argon2id runs nothing ahead itself (above): the
    compiled statements come from the preparation."""
    from trefas_app.store import warm_up

    root = tmp_path / "store"
    build_casework_store(root)
    seen = []

    def page(uow, actor):
        seen.append(cases.list_cases(uow, actor))
        return seen[-1]

    assert warm_up.prepare_page(root, "sara", page)
    (ahead,) = seen  # on the empty stand-in: no file, no key
    assert ahead.rows == ()
    s = unlock(root, "sara", CASEWORK_PASSWORD, first_page=page)
    try:
        assert len(seen) == 1  # not again during the unlock
        assert len(s.engine._compiled_cache) > 0
        real = cases.list_cases(s.uow(), s.actor)
        assert [c.id for c in real.rows] == [1]
        assert warm_up.take_prepared(s.paths.db, "sara") is None  # taken once
    finally:
        s.close("lock")
    assert len(s.engine._compiled_cache) == 0


def test_a_page_prepared_for_someone_else_is_not_taken(tmp_path):
    from trefas_app.store import warm_up

    root = tmp_path / "store"
    build_casework_store(root, supervisor=True)
    assert warm_up.prepare_page(root, "stina", dashboard.dashboard)
    prepared = warm_up._prepared[(root / "trefas.db", "stina")]
    s = unlock(root, "sara", CASEWORK_PASSWORD, first_page=dashboard.dashboard)
    try:
        assert s.engine is not prepared
        assert warm_up._prepared == {}  # dropped, not kept for later
        assert dashboard.dashboard(s.uow(), s.actor).cases_total == 1
    finally:
        s.close()


def test_nothing_is_prepared_without_a_data_key_or_an_account(tmp_path):
    from trefas_app.store import warm_up

    root = tmp_path / "store"
    build_casework_store(root)
    assert not warm_up.prepare_page(root, "admin", dashboard.dashboard)  # no data key
    assert not warm_up.prepare_page(root, "nobody", dashboard.dashboard)
    assert not warm_up.prepare_page(tmp_path / "none", "sara", dashboard.dashboard)
    assert warm_up._prepared == {}
