"""Searching persons by name or number on a server, without reading every
person in scope through the masked view.

A login role reads names only through ``trefas.persons_shown``, whose masked
columns come from a function called once per row. A search that filters the
view's ``search_name`` therefore ran that function for every person the
reader may read (a city supervisor: the whole agency, ≈ 8 s at 10,000
persons) to keep a handful.

``trefas.persons_matching(name_pattern, number_pattern)`` (SECURITY DEFINER,
empty ``search_path``, granted to the groups that read persons) matches the
table's own ``search_name`` (and, given a pattern, the personal number without
its dash) and returns the ids of the matches whose row the reader may read and
whose identity they may see — both decided by the access rule as the masked
view decides them (``masks._Reader.identity``, ``masks._readable``), so the
answer is exactly the persons whose *shown* name or number matches: a masked
person (protected and not revealed by this reader, or identity not shared) is
never found by their real name, and a person outside the reader's scope is
never found at all. The service then reads the view for those ids only.
"""

from __future__ import annotations

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from trefas_app.store import models as m
from trefas_app.server.masks import _Reader, _readable
from trefas_app.server.rules import FUNCTION_SCHEMA, SqlClock

#: The function's name in ``FUNCTION_SCHEMA`` (the service calls it by it).
NAME = "persons_matching"
SIGNATURE = f"{NAME}(name_pattern text, number_pattern text)"
#: The matches a caller's plan expects (``ROWS``).
MATCHES_EXPECTED = 100


def matching_select(office_timezone: str, naive_utc: bool):
    """The function's body: ids of persons whose shown name matches the LIKE
    pattern ``name_pattern`` (escape ``\\``), or whose shown personal number
    without dashes matches ``number_pattern`` when that is not NULL."""
    now = SqlClock(office_timezone, naive_utc)
    p = aliased(m.Person, name="matched_person")
    name_pattern = literal_column("name_pattern")
    number_pattern = literal_column("number_pattern")
    matches = or_(p.search_name.like(name_pattern, escape="\\"),
                  and_(number_pattern.is_not(None),
                       func.replace(p.personal_number, "-", "").like(number_pattern)))
    return select(p.id).where(matches, _Reader(p, now).identity, _readable("person", p, now))


def install(connection, definer, run, readers: list[str], office_timezone: str,
            naive_utc: bool) -> None:
    """Create the function (``definer``: ``policies._definer``) and grant it to
    ``readers`` (the groups that may read persons)."""
    from trefas_app.server.rules import compile_sql

    # Planned with the pattern's value: as a SQL function's parameter it has
    # a fixed guess of matches, for which PostgreSQL first listed every
    # person whose identity any current consent shares with the agency
    # (33,000 for the police: 60 of a police liaison's 64 ms for 'lindq');
    # with the value it tests the few matches one by one (28 ms).
    # A search finds tens or hundreds of names, not PostgreSQL's guess of
    # 1,000 for any function: with that guess the caller's statement read the
    # whole persons table through its policy to join the matches (the
    # coordinator's count for 'lindq': 41 ms; looked up by key, 152 matches).
    body = compile_sql(matching_select(office_timezone, naive_utc))
    definer(connection, SIGNATURE, "SETOF integer", f"BEGIN RETURN QUERY {body}; END",
            language="plpgsql", custom_plans=True, rows=MATCHES_EXPECTED)
    run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.{SIGNATURE} "
                    f"TO {', '.join(readers)}")
