"""A page's consented categories on a server, for the consents the caller may
read, without the consents' and grants' policies.

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
"""

from __future__ import annotations

from sqlalchemy import any_, literal_column
from sqlalchemy.orm import aliased

from trefas_app.security import access
from trefas_app.store import models as m
from trefas_app.server.masks import _readable
from trefas_app.server.rules import FUNCTION_SCHEMA, SqlClock, compile_sql

NAME = access.CONSENTED_CATEGORIES.removeprefix(f"{FUNCTION_SCHEMA}.")
SIGNATURE = f"{NAME}(p_people integer[], p_agency text)"


def categories_select(office_timezone: str, naive_utc: bool):
    now = SqlClock(office_timezone, naive_utc)
    consent = aliased(m.Consent, name="asked_consent")
    grant = aliased(m.ConsentGrant, name="asked_grant")
    return (access.granted_categories(consent, grant, literal_column("p_agency"),
                                      consent.person_id == any_(literal_column("p_people")), now)
            .where(_readable("consent", consent, now)))


def install(connection, definer, run, readers: list[str], office_timezone: str,
            naive_utc: bool) -> None:
    """Create the function (``definer``: ``policies._definer``) and grant it to
    ``readers``."""
    definer(connection, SIGNATURE, "TABLE(person_id integer, category text)",
            compile_sql(categories_select(office_timezone, naive_utc)))
    run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.{SIGNATURE} "
                    f"TO {', '.join(readers)}")
