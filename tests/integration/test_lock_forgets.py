"""What an unlock costs beyond the key derivation, and what a lock leaves
behind: one Argon2id per unlock, the migrations read once per process, and
after a lock no engine, connection, statement cache or session holds the data
key, a row or a searched name."""

from __future__ import annotations

import gc
import inspect

import pytest
from sqlalchemy.sql.elements import BindParameter

from stores import CASEWORK_PASSWORD, build_casework_store
from trefas_app.domain.errors import StoreError
from trefas_app.services import cases, persons
from trefas_app.store import keyslots, migrate
from trefas_app.store import models as m
from trefas_app.store.store import unlock


@pytest.fixture
def casework(tmp_path):
    root = tmp_path / "store"
    build_casework_store(root)
    return root


def test_an_unlock_derives_the_password_key_once(casework, monkeypatch):
    calls = []
    real = keyslots.derive_kek
    monkeypatch.setattr(keyslots, "derive_kek",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    s = unlock(casework, "sara", CASEWORK_PASSWORD)
    s.close()
    assert len(calls) == 1


def test_an_unlock_of_a_current_store_needs_no_alembic(casework, monkeypatch):
    from alembic.script import ScriptDirectory

    loads = []
    real = ScriptDirectory.from_config
    monkeypatch.setattr(ScriptDirectory, "from_config",
                        lambda cfg: loads.append(1) or real(cfg))
    for _ in range(2):
        unlock(casework, "sara", CASEWORK_PASSWORD).close()
    assert loads == []


def test_when_the_declared_head_differs_alembic_decides(casework, monkeypatch):
    from sqlalchemy import text

    from trefas_app.store.engine import close_engine, open_engine
    from trefas_app.store.keyslots import KeyFile

    key = KeyFile.load(casework / "trefas.keys").unseal("sara", CASEWORK_PASSWORD)
    engine = open_engine(casework / "trefas.db", key)
    try:
        assert migrate._is_at_head(engine)
        monkeypatch.setattr(migrate, "SCHEMA_HEAD", "9999")
        assert not migrate._is_at_head(engine)
        migrate.upgrade_to_head(engine)  # Alembic decides: already at its head
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")
                                ).scalar() == migrate.head_revision()
    finally:
        close_engine(engine)


def _holders(obj) -> list:
    """Objects that refer to ``obj``, but for this test's own frames."""
    return [r for r in gc.get_referrers(obj) if not inspect.isframe(r)]


def test_after_a_lock_nothing_holds_the_key_rows_or_searched_names(casework):
    s = unlock(casework, "sara", CASEWORK_PASSWORD)
    token = "Qzxwv"  # a name nobody has: what the user typed
    persons.list_persons(s.uow(), s.actor, query=token)
    view = cases.get_case(s.uow(), s.actor, 1)
    assert view.person is not None
    engine, key = s.engine, s.data_key
    assert _holders(key)  # held while unlocked
    s.close("lock")
    gc.collect()

    assert _holders(key) == []
    with pytest.raises(StoreError):  # a new connection cannot be keyed
        engine.connect()
    assert engine.pool.checkedin() == 0
    assert not [b for b in gc.get_objects() if isinstance(b, BindParameter)
                and isinstance(b.value, str) and token in b.value]
    assert not [o for o in gc.get_objects() if isinstance(o, (m.Person, m.Case, m.Note))]


def test_a_store_of_a_newer_version_is_still_refused_clearly(casework):
    from trefas_app.store.engine import connect_raw
    from trefas_app.store.keyslots import KeyFile

    key = KeyFile.load(casework / "trefas.keys").unseal("sara", CASEWORK_PASSWORD)
    conn = connect_raw(casework / "trefas.db", key)
    try:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    finally:
        conn.close()
    with pytest.raises(StoreError) as refused:
        unlock(casework, "sara", CASEWORK_PASSWORD)
    assert "nyare version av Trefas" in refused.value.sv
    assert "newer version of Trefas" in refused.value.en


def test_an_older_store_is_upgraded_at_unlock(casework, monkeypatch):
    """The constant decides only "at head"; any other version goes through
    Alembic (here: the store looks one version behind a newer head)."""
    calls = []
    real = migrate.upgrade_to_head

    def spy(engine, stored=None):
        calls.append(stored)
        return real(engine, stored)

    monkeypatch.setattr("trefas_app.store.store.upgrade_to_head", spy)
    monkeypatch.setattr(migrate, "SCHEMA_HEAD", "9999")
    s = unlock(casework, "sara", CASEWORK_PASSWORD)
    s.close()
    assert calls == [[migrate.head_revision()]]  # read once, then Alembic: already at its head


def test_the_log_ins_own_entry_is_checkpointed_without_reading_the_head_again(
        casework, monkeypatch):
    from trefas_app.store import audit
    from trefas_app.store import store as store_module
    from trefas_app.store.audit_chain import read_checkpoints

    monkeypatch.setattr(store_module, "CHECKPOINT_EVERY", 1)  # every entry is "a thousand"
    heads = []
    real = audit.head
    monkeypatch.setattr(audit, "head", lambda session: heads.append(1) or real(session))
    s = unlock(casework, "sara", CASEWORK_PASSWORD)
    reads_at_login = len(heads)
    newest = read_checkpoints(casework / "trefas.checkpoints")[-1]
    with s.uow() as work:
        login_seq = work.session.scalar(
            m.AuditEvent.__table__.select().with_only_columns(m.AuditEvent.seq)
            .where(m.AuditEvent.action == "login").order_by(m.AuditEvent.seq.desc()).limit(1))
    s.close()
    assert newest.seq == login_seq
    # 4 before: after the log-in committed, a new Session read the head it had
    # just written to decide whether a checkpoint was due
    assert reads_at_login == 3
