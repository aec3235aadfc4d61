"""On a server the session user's reads carry no rule of their own: the login
role's row policies are the rule. What stays the program's, and what must
never be left out."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.dialects import postgresql

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, Role
from trefas_app.security import access
from trefas_app.server.rules import RLS_TABLES, ActorTerms

KINDS = ("case", "person", "consent", "relative", "document", *access.CASE_CONTENT_KINDS)
NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.timezone.utc)


def _sql(clause, literal: bool = False) -> str:
    return str(clause.compile(dialect=postgresql.dialect(),
                              compile_kwargs={"literal_binds": literal}))


def _actor(role=Role.POLICE_LIAISON, agency=Agency.POLICE, on_server=True) -> Actor:
    return Actor(user_id=7, username="petra", display_name="Petra", role=role,
                 agency=agency, unit_id=2, rows_by_server=on_server)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_left_to_the_server_has_its_tables_row_policies(kind):
    assert access._model_of(kind).__tablename__ in RLS_TABLES


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_read_is_the_roles_permission_alone(kind):
    on_server, local = _actor(), _actor(on_server=False)
    permitted = local.may(f"{kind}.read")
    assert _sql(access.visible(on_server, kind, NOW)) == ("true" if permitted else "false")
    if permitted:  # the local store's statement is its only guard
        assert _sql(access.visible(local, kind, NOW)) not in ("true", "false")


def test_a_server_read_of_one_cases_content_still_names_the_case():
    sql = _sql(access.visible(_actor(), "note", NOW, within_case=(41, 12)), literal=True)
    assert sql == "notes.case_id = 41 AND notes.person_id = 12"


def test_a_role_without_the_permission_reads_nothing_on_a_server_either():
    admin = _actor(role=Role.ADMINISTRATOR, agency=Agency.CITY)
    assert all(_sql(access.visible(admin, kind, NOW)) == "false"
               for kind in ("case", "note", "person"))
    assert [_sql(p) for p in access.visible_parts(admin, "case", NOW)] == ["false", "false"]


def test_a_change_on_a_server_keeps_the_whole_rule():
    social_worker = _actor(role=Role.SOCIAL_WORKER, agency=Agency.CITY)
    assert "team_members" in _sql(access.visible(social_worker, "case", NOW, "update"))
    assert "team_members" in _sql(access.visible(social_worker, "note", NOW, "write"))


def test_the_policies_are_compiled_from_the_whole_rule():
    terms = ActorTerms.of_session(Role.POLICE_LIAISON)
    assert terms.rows_by_server is False
    assert "team_members" in _sql(access.visible(terms, "case", NOW))
