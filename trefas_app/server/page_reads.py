"""What a page of persons shows beside them on a server — the categories
their consents grant, their open cases — for the rows the caller may read,
without those tables' policies.

``access.categories_for_persons`` asks which categories the agency is granted
by the current consents of a page's persons (condition 3 for person-level
data). As the login role that statement named ``consents`` and
``consent_grants``, and each table's read policy computed the whole set of
consents the reader may read to test a page's few hundred: for a police
supervisor two sets of 13,000–14,000 rows, 190 ms. ``trefas.consented_categories
(p_people, p_agency)`` (SECURITY DEFINER, empty ``search_path``, granted to
the groups that read persons) runs the same query
(``access.granted_categories``) with each consent tested against the
consents' own read condition (``masks._readable``: the policies' rule, per
row), so it answers exactly what the statement answered under the policies —
nothing about a person or consent the caller may not read.

``trefas.open_case_counts(p_people)`` likewise counts the open cases of a
page's persons (``persons.open_cases_of``) with each case tested against the
cases' own read condition: the cases' policy computed every case the reader
may read (a police supervisor's 14,000) to count a page's few hundred.
"""

from __future__ import annotations

from sqlalchemy import any_, literal_column
from sqlalchemy.orm import aliased

from trefas_app.security import access
from trefas_app.services.persons import OPEN_CASE_COUNTS, open_cases_of
from trefas_app.store import models as m
from trefas_app.server.masks import _readable
from trefas_app.server.rules import FUNCTION_SCHEMA, SqlClock, compile_sql

CATEGORIES = (access.CONSENTED_CATEGORIES.removeprefix(f"{FUNCTION_SCHEMA}.")
              + "(p_people integer[], p_agency text)")
OPEN_CASES = (OPEN_CASE_COUNTS.removeprefix(f"{FUNCTION_SCHEMA}.")
              + "(p_people integer[])")


def categories_select(office_timezone: str, naive_utc: bool):
    now = SqlClock(office_timezone, naive_utc)
    consent = aliased(m.Consent, name="asked_consent")
    grant = aliased(m.ConsentGrant, name="asked_grant")
    return (access.granted_categories(consent, grant, literal_column("p_agency"),
                                      consent.person_id == any_(literal_column("p_people")), now)
            .where(_readable("consent", consent, now)))


def open_cases_select(office_timezone: str, naive_utc: bool):
    now = SqlClock(office_timezone, naive_utc)
    case = aliased(m.Case, name="counted_case")
    return open_cases_of(case, case.person_id == any_(literal_column("p_people")),
                         _readable("case", case, now))


def install(connection, definer, run, readers: list[str], office_timezone: str,
            naive_utc: bool) -> None:
    """Create the functions (``definer``: ``policies._definer``) and grant them
    to ``readers`` (the groups that read persons)."""
    for signature, returns, select in (
            (CATEGORIES, "TABLE(person_id integer, category varchar)", categories_select),
            (OPEN_CASES, "TABLE(person_id integer, open_cases bigint)", open_cases_select)):
        # Planned once per session: the per-row rule over every role's
        # branch took 15 ms to plan and 2 to run for a page (the result
        # columns' names are the query's columns, not variables).
        body = compile_sql(select(office_timezone, naive_utc))
        definer(connection, signature, returns,
                f"#variable_conflict use_column\nBEGIN RETURN QUERY {body}; END",
                language="plpgsql", generic_plans=True)
        run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.{signature} "
                        f"TO {', '.join(readers)}")
