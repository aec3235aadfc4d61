"""``Actor.rows_by_server`` leaves a read's rule to the login role's row
policies. It must stay with the one actor it was set for — the server
session's own user — and never travel: not to an actor made for someone
else (a task's assignee is asked about with the whole rule), not to an
actor made from a key file's profile, and not through a statement kept per
actor (``UnitOfWork.prepared``) to a local actor of the same user."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import pytest
from sqlalchemy.dialects import postgresql

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, Role
from trefas_app.security import access
from trefas_app.store.uow import UnitOfWork

NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.timezone.utc)


def _sql(clause) -> str:
    return str(clause.compile(dialect=postgresql.dialect()))


def _server_actor() -> Actor:
    return Actor(user_id=7, username="petra", display_name="Petra", role=Role.POLICE_LIAISON,
                 agency=Agency.POLICE, unit_id=2, rows_by_server=True)


def test_an_actor_made_for_someone_else_asks_the_whole_rule():
    """``tasks.create_task`` asks whether the assignee could see the task
    with ``actor_of(assignee)``: made from the users row, it has no flag, so
    the rule is written out even in a server session's statement."""
    from trefas_app.store.store import actor_of

    assignee = SimpleNamespace(id=9, username="olle", display_name="Olle",
                               role=Role.SOCIAL_WORKER, agency=Agency.CITY, unit_id=1,
                               unit=None, language="sv")
    other = actor_of(assignee)
    assert other.rows_by_server is False
    assert "team_members" in _sql(access.visible(other, "task", NOW, "write"))
    assert "team_members" in _sql(access.visible(other, "task", NOW))


@pytest.mark.parametrize("made_by", ["warm_up", "keyless"])
def test_an_actor_from_a_key_files_profile_asks_the_whole_rule(made_by):
    """A local store's actors (the page compiled ahead, the key-file
    profile): the statement is their only guard."""
    profile = {"user_id": 7, "role": "police_liaison", "agency": "police", "unit_id": 2}
    if made_by == "warm_up":
        from trefas_app.store.warm_up import actor_from_profile

        actor = actor_from_profile("petra", profile)
    else:
        from trefas_app.store.keyless import actor_from_profile

        actor = actor_from_profile(SimpleNamespace(profile=profile, username="petra"))
    assert actor.rows_by_server is False
    assert _sql(access.visible(actor, "case", NOW)) not in ("true", "false")


def test_a_statement_kept_per_actor_is_not_shared_by_a_server_and_a_local_actor():
    """The same user on a server and on a local store are two actors: a
    statement built without the rule for the first is never handed to the
    second (``UnitOfWork.prepared`` keys by the whole actor)."""
    on_server = _server_actor()
    local = replace(on_server, rows_by_server=False)
    assert on_server != local and hash(on_server) != hash(local)
    store = SimpleNamespace(prepared_statements={})
    uow = UnitOfWork(store)
    built = [uow.prepared("case.read", a, lambda a=a: access.visible(a, "case", NOW))
             for a in (on_server, local, on_server)]
    assert _sql(built[0]) == "true" and _sql(built[1]) not in ("true", "false")
    assert built[2] is built[0] and len(store.prepared_statements) == 2
