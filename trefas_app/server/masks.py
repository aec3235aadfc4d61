"""Protected identities on the server: what a row shows, as the program shows it.

Row-level security decides which rows a user reads; it cannot rewrite a
column. So the columns that name, number, reach or locate a person (the
person's own, a relative's, the guardian who gave a consent) are not granted
to any login role, and a ``security_invoker`` view per table shows them
through a SECURITY DEFINER function — the real value only where the program
would show it (``services.persons.project_person`` and ``mask_identity``):
identity shared with the reader's agency and, for a protected person,
revealed by this reader; otherwise the alias "Skyddad person P-0042", the
masked guardian, or nothing. The person's own free text (risk and
protective factors) comes with their names blanked out where the identity is
masked (``server.blanking``), as the program blanks it.

This module only builds the SELECTs (from ``security.access``'s own
clauses); ``server.policies`` installs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Date, String, Text, and_, case, cast, func, literal, literal_column, or_
from sqlalchemy import null, select, true
from sqlalchemy.orm import aliased

from trefas_app.domain.enums import Category, ProtectionLevel, Role
from trefas_app.security import access
from trefas_app.store import models as m
from trefas_app.server.rules import FUNCTION_SCHEMA, ActorTerms, SqlClock, for_session_role


@dataclass(frozen=True)
class ShownTable:
    """One masked view: the table, the columns any reader of its rows may read
    in the table itself, and the masked columns the function returns."""

    table: str
    kind: str
    open_columns: tuple[str, ...]
    shown_columns: tuple[tuple[str, str], ...]  # (name, SQL type)

    @property
    def function(self) -> str:
        return f"{self.table}_masked"

    @property
    def view(self) -> str:
        return f"{FUNCTION_SCHEMA}.{self.table}_shown"


#: The person's columns the masked columns are made of.
_PERSON_READ = ("id", "first_name", "last_name", "personal_number", "birth_date", "phone",
                "address", "postal_code", "city", "risk_level", "risk_factors",
                "protective_factors", "search_name", "sort_name")

_TRACKED = ("created_at", "created_by_id", "updated_at", "updated_by_id")

PERSONS = ShownTable(
    "persons", "person", ("id", "protection_level", "owner_agency", "unit_id", "version",
                         *_TRACKED),
    (("display_name", "text"), ("first_name", "text"), ("last_name", "text"),
     ("personal_number", "text"), ("birth_date", "date"), ("phone", "text"),
     ("address", "text"), ("postal_code", "text"), ("city", "text"),
     ("risk_level", "text"), ("risk_factors", "text"), ("protective_factors", "text"),
     ("search_name", "text"), ("sort_name", "text")))
RELATIVES = ShownTable(
    "relatives", "relative", ("id", "person_id", "owner_agency", "relation", "is_guardian",
                              *_TRACKED),
    (("name", "text"), ("phone", "text")))
CONSENTS = ShownTable(
    "consents", "consent",
    tuple(c.name for c in m.Consent.__table__.c if c.name != "given_by"),
    (("given_by", "text"),))

SHOWN_TABLES = (PERSONS, RELATIVES, CONSENTS)


#: The reader as the view hands it to its function: the identity functions
#: (``session_user``'s users row) called once per statement by the view, not
#: once per row and column by the function (≈ 80 µs a call: they were nine
#: tenths of a masked row's cost). Only the view can pass them: the function
#: is in the schema no login role may use, so nobody calls it with another
#: reader's agency.
VIEW_READER = ActorTerms(Role.SOCIAL_WORKER, literal_column("reader_id"),
                         literal_column("reader_agency"), null())
#: The view's function's parameters after the row's id, and what the view passes.
VIEW_READER_PARAMETERS = "reader_id integer, reader_agency text"
VIEW_READER_ARGUMENTS = (f"(SELECT {FUNCTION_SCHEMA}.current_user_id()), "
                         f"(SELECT {FUNCTION_SCHEMA}.current_agency())")


class _Reader:
    """The reading user's view of one person row ``p``: which categories are
    shared with their agency, and whether the identity is masked for them."""

    def __init__(self, p, now, user: ActorTerms | None = None):
        self.p, self.now = p, now
        # Only its agency and user id are read (the role is a placeholder).
        self.user = user or ActorTerms.of_session(Role.SOCIAL_WORKER)

    def shared(self, category: Category):
        return access.consent_clause(self.user.agency, self.p.owner_agency, self.p.id,
                                     literal(category.value), self.now)

    @property
    def identity(self):
        masked = and_(self.p.protection_level != ProtectionLevel.NONE.value,
                      ~access.revealed_clause(self.user, self.p.id, self.now))
        return and_(self.shared(Category.IDENTITY), ~masked)


def _readable(kind: str, row, now):
    """The row passes the rule for the reader's role (the policies' own
    condition, so the function never tells more than the table would)."""
    return for_session_role(f"{kind}.read",
                            lambda actor: access.visible(actor, kind, now, alias=row))


def _when(condition, column, as_type=Text):
    return cast(case((condition, column), else_=None), as_type)


def _alias_text(person_id):
    """``access.person_alias`` in SQL: "Skyddad person P-0042"."""
    prefix = access.person_alias(0)[:-4]
    return func.concat(prefix, case((person_id < 10000, func.lpad(cast(person_id, Text), 4, "0")),
                                    else_=cast(person_id, Text)))


def _blanked_unless(identity, text, person_id):
    """The person's free text as written where the reader may identify them,
    else with their names blanked (``server.blanking``, the program's rule)."""
    schema = getattr(func, FUNCTION_SCHEMA)
    return case((identity, text),
                else_=schema.blank_names(text, schema.masked_name_words(person_id)))


def _person_row(p, reader: _Reader, *where):
    """The person's row with what the reader may see of it, each fact decided
    once per row: every masked column tests one of these, and written out per
    column the consent and reveal lookups ran a dozen times a row. ``OFFSET
    0`` keeps PostgreSQL from pulling the facts up into every column again."""
    return select(*(getattr(p, name) for name in _PERSON_READ),
                  reader.identity.label("identity"),
                  reader.shared(Category.LOCATION).label("location"),
                  reader.shared(Category.THREAT).label("threat"),
                  reader.shared(Category.SOCIAL).label("social")
                  ).where(*where).offset(0).subquery("shown_row")


def _person_columns(row) -> list:
    """The masked columns, from :func:`_person_row`'s columns ``row``."""
    p = facts = row
    identity = facts.identity
    located = and_(identity, facts.location)
    return [
        case((identity, func.concat(p.first_name, " ", p.last_name)),
             else_=_alias_text(p.id)).label("display_name"),
        _when(identity, p.first_name).label("first_name"),
        _when(identity, p.last_name).label("last_name"),
        _when(identity, p.personal_number).label("personal_number"),
        _when(identity, p.birth_date, Date).label("birth_date"),
        _when(identity, p.phone).label("phone"),
        _when(located, p.address).label("address"),
        _when(located, p.postal_code).label("postal_code"),
        _when(located, p.city).label("city"),
        _when(facts.threat, cast(p.risk_level, String)).label("risk_level"),
        _when(facts.threat,
              _blanked_unless(identity, p.risk_factors, p.id)).label("risk_factors"),
        _when(facts.social,
              _blanked_unless(identity, p.protective_factors, p.id)).label("protective_factors"),
        _when(identity, p.search_name).label("search_name"),
        # The stored Swedish sort key (0005) spells the name: masked with it.
        _when(identity, p.sort_name).label("sort_name"),
    ]


def masked_select(shown: ShownTable, office_timezone: str, naive_utc: bool,
                  guarded: bool = True):
    """The SELECT behind ``shown``'s function, for the row whose id is the
    function's parameter ``row_id``. ``guarded``: it also tests the row
    against the reader's rule (a function a user may call with any id);
    without, it serves only the view, whose table the policies filter first."""
    from trefas_app.services.views import MASKED_GIVER, NON_IDENTIFYING_GIVERS

    now = SqlClock(office_timezone, naive_utc)
    p = aliased(m.Person, name="shown_person")
    reader = _Reader(p, now, None if guarded else VIEW_READER)
    row_id = literal_column("row_id")
    if shown is PERSONS:
        row = _person_row(p, reader, p.id == row_id,
                          _readable("person", p, now) if guarded else true())
        return select(*_person_columns(row.c))
    model = m.Relative if shown is RELATIVES else m.Consent
    row = aliased(model, name=f"shown_{shown.kind}")
    if shown is RELATIVES:
        columns = [_when(reader.identity, row.name).label("name"),
                   _when(reader.identity, row.phone).label("phone")]
    else:
        plain = or_(reader.identity, row.given_by.in_(NON_IDENTIFYING_GIVERS))
        columns = [cast(case((plain, row.given_by), else_=MASKED_GIVER), Text)
                   .label("given_by")]
    return (select(*columns).select_from(row).join(p, p.id == row.person_id)
            .where(row.id == row_id, _readable(shown.kind, row, now) if guarded else true()))
