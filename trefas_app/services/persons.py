"""Persons: create, read, update, search, reveal a protected identity."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from sqlalchemy import (ARRAY, Boolean, Integer, Select, Text, and_, any_, cast, column, false,
                        func, or_, select, table, text)
from sqlalchemy.orm import aliased

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ProtectionLevel,
    RiskLevel,
)
from trefas_app.domain.errors import Conflict, ValidationError
from trefas_app.domain.personnummer import parse_personal_number
from trefas_app.domain.text import (
    FIELD_RULES,
    SEARCH_QUERY,
    check_paging,
    clean,
    visible_length,
)
from trefas_app.security import access
from trefas_app.services.views import (
    BLANKED_BY_SERVER,
    NON_IDENTIFYING_GIVERS,
    OPEN_COLUMNS_PREFIX,
    SCRUB,
    ServerNames,
    ListCount,
    Page,
    PersonRow,
    PersonView,
    after_clause,
    fetch_blanked,
    fetch_page,
    identifying_fields,
    mask_identity,
    name_words,
)
from trefas_app.store import dialect
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork
from trefas_app.store.versions import require_version

T = TypeVar("T")

REVEAL_HOURS = 1
MAX_REVEAL_HOURS = 8


@dataclass(frozen=True)
class PersonInput:
    first_name: str
    last_name: str
    personal_number: str | None = None
    phone: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    protection_level: ProtectionLevel = ProtectionLevel.NONE
    risk_level: RiskLevel = RiskLevel.GREEN
    risk_factors: str | None = None
    protective_factors: str | None = None


# --- projection: the only place a Person becomes something a user sees -------


def project_person(person: m.Person, categories: set[Category], revealed: bool,
                   names=None) -> PersonView:
    """The person as a reader with ``categories`` of the person's own fields
    sees them; a protected person not revealed by the reader goes through
    :func:`mask_identity`, the one mask every projection uses. ``names``: the
    names to blank out of the person's free text (:func:`names_to_mask`;
    by default their own)."""
    protected = person.protection_level != ProtectionLevel.NONE
    masked = protected and not revealed
    show_identity = Category.IDENTITY in categories
    show_location = Category.LOCATION in categories
    show_threat = Category.THREAT in categories
    show_social = Category.SOCIAL in categories
    withheld = tuple(c for c in (Category.IDENTITY, Category.LOCATION, Category.THREAT,
                                 Category.SOCIAL)
                     if c not in categories or (masked and c in (Category.IDENTITY,
                                                                Category.LOCATION)))
    view = PersonView(
        id=person.id,
        display_name=(f"{person.first_name} {person.last_name}" if show_identity
                      else access.person_alias(person.id)),
        personal_number=person.personal_number if show_identity else None,
        birth_date=person.birth_date if show_identity else None,
        phone=person.phone if show_identity else None,
        address=person.address if show_location else None,
        postal_code=person.postal_code if show_location else None,
        city=person.city if show_location else None,
        protection_level=person.protection_level,
        protected=protected,
        revealed=revealed and protected,
        risk_level=person.risk_level if show_threat else None,
        risk_factors=person.risk_factors if show_threat else None,
        protective_factors=person.protective_factors if show_social else None,
        owner_agency=person.owner_agency,
        unit_id=person.unit_id,
        withheld=withheld,
        first_name=person.first_name if show_identity else None,
        last_name=person.last_name if show_identity else None,
        version=person.version,
    )
    if masked or not show_identity:
        return mask_identity(view, person.id, person_names(person) if names is None else names)
    return view


#: The columns of a person that :func:`project_person` and the masks read.
PERSON_FIELDS = ("id", "first_name", "last_name", "personal_number", "birth_date", "phone",
                 "address", "postal_code", "city", "protection_level", "risk_level",
                 "risk_factors", "protective_factors", "owner_agency", "unit_id", "version")


class PersonRecord(NamedTuple):
    """A person's columns read with a Core select (hot list paths): the same
    attributes :func:`project_person` reads on an ORM ``Person``, without
    the ORM's per-row cost."""

    id: int
    first_name: str
    last_name: str
    personal_number: str | None
    birth_date: dt.date | None
    phone: str | None
    address: str | None
    postal_code: str | None
    city: str | None
    protection_level: ProtectionLevel
    risk_level: RiskLevel
    risk_factors: str | None
    protective_factors: str | None
    owner_agency: Agency
    unit_id: int
    version: int


def person_columns(prefix: str = "") -> list:
    """The :data:`PERSON_FIELDS` columns of ``persons``, labelled ``prefix + name``."""
    return [getattr(m.Person, name).label(prefix + name) for name in PERSON_FIELDS]


def person_record(row, prefix: str = "") -> PersonRecord:
    mapping = row._mapping
    return PersonRecord(*(mapping[prefix + name] for name in PERSON_FIELDS))


def person_names(person: m.Person) -> frozenset[str]:
    """The words of a person's own name, to blank out of free text about them
    (on a server, whose masked view withheld them, the person's own free text
    comes blanked already)."""
    if _names_withheld(person):
        return frozenset({BLANKED_BY_SERVER})
    return name_words(person.first_name, person.last_name)


def _names_withheld(person) -> bool:
    return person.first_name is None and person.last_name is None


def project_persons(session, actor: Actor, persons: list[m.Person],
                    now: dt.datetime) -> dict[int, PersonView]:
    ids = [p.id for p in persons]
    categories = access.categories_for_persons(session, actor.agency, ids, now,
                                               owners={p.id: p.owner_agency for p in persons})
    # A reveal changes the projection of a protected person only.
    revealed = access.revealed_persons(session, actor, [
        p.id for p in persons if p.protection_level != ProtectionLevel.NONE], now)
    views = {p.id: project_person(p, categories[p.id], p.id in revealed) for p in persons}
    # The person's free text loses every name free text about them loses
    # (the server's masked view blanks it so itself).
    masked = [p for p in persons if views[p.id].identity_masked and not _names_withheld(p)]
    if masked:
        names = names_to_mask(session, masked)
        views.update({p.id: project_person(p, categories[p.id], p.id in revealed, names[p.id])
                      for p in masked})
    return views


def identity_masks(session, actor: Actor, person_ids, now: dt.datetime,
                   projected: dict[int, PersonView] | None = None,
                   people: dict[int, m.Person] | None = None
                   ) -> dict[int, frozenset[str]]:
    """For each of the persons the reader may not identify: the names to blank
    out of free text about them — their own, a guardian's who gave consent,
    their relatives'. ``projected``: the persons as already projected for this
    reader (saves projecting them again)."""
    ids = sorted(set(person_ids))
    if projected is not None and all(i in projected for i in ids):
        ids = [i for i in ids if projected[i].identity_masked]
    if not ids:
        return {}
    if people is not None and all(i in people for i in ids):
        loaded = [people[i] for i in ids]
    else:
        loaded = list(session.scalars(select(m.Person).where(m.Person.id.in_(ids))).all())
    shown = projected or {}
    if any(p.id not in shown for p in loaded):
        shown = project_persons(session, actor, loaded, now)
    return names_to_mask(session, [p for p in loaded if shown[p.id].identity_masked])


def names_to_mask(session, people: list[m.Person]) -> dict[int, frozenset[str]]:
    """The names to blank out of free text about each of ``people`` (masked
    for the reader): their own, a guardian's who gave consent, relatives'."""
    withheld = {p.id: ServerNames(session, {p.id}) for p in people if _names_withheld(p)}
    names = {p.id: person_names(p) for p in people if p.id not in withheld}
    if not names:
        return withheld
    for pid, given_by in session.execute(
            select(m.Consent.person_id, m.Consent.given_by).distinct()
            .where(m.Consent.person_id.in_(list(names)),
                   m.Consent.given_by.not_in(NON_IDENTIFYING_GIVERS))).all():
        names[pid] |= name_words(given_by)
    for pid, name in session.execute(select(m.Relative.person_id, m.Relative.name)
                                     .where(m.Relative.person_id.in_(list(names)))).all():
        names[pid] |= name_words(name)
    return {**names, **withheld}


def _person_of(view) -> int | None:
    if isinstance(view, (PersonView, PersonRow)):
        return view.id
    person = getattr(view, "person", None)
    if isinstance(person, PersonView):
        return person.id
    return getattr(view, "person_id", None)


def _is_view(value) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _persons_in(value, found: set[int]) -> None:
    if isinstance(value, (list, tuple)):
        for item in value:
            _persons_in(item, found)
    elif _is_view(value):
        pid = _person_of(value)
        if pid is not None:
            found.add(pid)
        for f in dataclasses.fields(value):
            inner = getattr(value, f.name)
            if isinstance(inner, (list, tuple)) or _is_view(inner):
                _persons_in(inner, found)


def _apply_masks(value, person_id: int | None, masks: dict[int, frozenset[str]]):
    if _is_view(value):
        pid = _person_of(value) or person_id
        changes = {}
        for f in dataclasses.fields(value):
            inner = getattr(value, f.name)
            if isinstance(inner, (list, tuple)) or _is_view(inner):
                changes[f.name] = _apply_masks(inner, pid, masks)
        value = dataclasses.replace(value, **changes) if changes else value
        if pid in masks and identifying_fields(type(value)):
            value = mask_identity(value, pid, masks[pid])
        return value
    if isinstance(value, list):
        return [_apply_masks(item, person_id, masks) for item in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_apply_masks(item, person_id, masks) for item in value)
    return value


def mask_result(session, actor: Actor, now: dt.datetime, result: T,
                projected: dict[int, PersonView] | None = None,
                people: dict[int, m.Person] | None = None) -> T:
    """``result`` (a view, or a list or tuple of them) with every view about a
    person the reader may not identify masked by :func:`mask_identity` — the
    free text of case content included (a view inside another is about the
    outer view's person). Services call it on what they return."""
    found: set[int] = set()
    _persons_in(result, found)
    masks = identity_masks(session, actor, found, now, projected, people)
    if not masks:
        return result
    if any(isinstance(names, ServerNames) for names in masks.values()):
        texts: dict[int, set[str]] = {}
        _texts_to_scrub(result, None, masks, texts)
        fetch_blanked([(masks[pid], sorted(t)) for pid, t in texts.items()
                       if isinstance(masks[pid], ServerNames)])
    return _apply_masks(result, None, masks)


def _texts_to_scrub(value, person_id: int | None, masks: dict, found: dict[int, set[str]]):
    """The free text :func:`_apply_masks` will blank, per person (asked of a
    server in one round trip)."""
    if _is_view(value):
        pid = _person_of(value) or person_id
        for f in dataclasses.fields(value):
            inner = getattr(value, f.name)
            if isinstance(inner, (list, tuple)) or _is_view(inner):
                _texts_to_scrub(inner, pid, masks, found)
        if pid in masks:
            for name, rule in identifying_fields(type(value)).items():
                if rule == SCRUB and getattr(value, name):
                    found.setdefault(pid, set()).add(getattr(value, name))
    elif isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        for item in value:
            _texts_to_scrub(item, person_id, masks, found)


def _validated(data: PersonInput, today: dt.date):
    first, last = (data.first_name or "").strip(), (data.last_name or "").strip()
    if not first or not last:
        raise ValidationError("För- och efternamn måste fyllas i.",
                              "First and last name are required.")
    pn = parse_personal_number(data.personal_number, today) if data.personal_number else None
    return first, last, pn


def _duplicate(actor: Actor, attempted: str, existing_id: int) -> Conflict:
    """The answer tells that the number exists, so asking is logged, with the
    person it points to, like any other look at that person."""
    return access.on_record(
        Conflict("Det finns redan en person med det personnumret.",
                 "A person with that personal identity number already exists."),
        actor, f"{attempted}.duplicate_number", "person", existing_id)


def _search_name(first: str, last: str) -> str:
    return f"{first} {last}".casefold()


# --- use cases ------------------------------------------------------------------


def create_person(uow: UnitOfWork, actor: Actor, data: PersonInput) -> PersonView:
    with uow:
        access.require(actor, "person.create")
        now = uow.now()
        first, last, pn = _validated(data, access.local_date(now))
        s = uow.session
        existing = s.scalar(select(m.Person.id).where(m.Person.personal_number == pn.canonical)) \
            if pn else None
        if existing:
            raise _duplicate(actor, "person.create", existing)
        person = m.Person(
            personal_number=pn.canonical if pn else None, first_name=first, last_name=last,
            birth_date=pn.birth_date if pn else None, phone=data.phone, address=data.address,
            postal_code=data.postal_code, city=data.city,
            protection_level=data.protection_level, risk_level=data.risk_level,
            risk_factors=data.risk_factors, protective_factors=data.protective_factors,
            owner_agency=actor.agency, unit_id=actor.unit_id,
            search_name=_search_name(first, last), created_at=now, created_by_id=actor.user_id)
        s.add(person)
        s.flush()
        uow.log(actor, "person.create", subject_kind="person", subject_id=person.id,
                person_id=person.id)
        view = project_persons(s, actor, [person], now)[person.id]
        uow.commit()
        return view


def update_person(uow: UnitOfWork, actor: Actor, person_id: int,
                  data: PersonInput, expected_version: int | None = None) -> PersonView:
    """Save the person form; with ``expected_version`` (the version the form
    opened) only if nobody saved the person since (store/versions.py)."""
    with uow:
        now = uow.now()
        s = uow.session
        person = access.get_visible(s, actor, "person", person_id, now, verb="update")
        require_version(s, person, expected_version)
        first, last, pn = _validated(data, access.local_date(now))
        existing = s.scalar(select(m.Person.id).where(m.Person.personal_number == pn.canonical,
                                                      m.Person.id != person_id)) if pn else None
        if existing:
            raise _duplicate(actor, "person.update", existing)
        changed = []
        for attr, value in (("first_name", first), ("last_name", last),
                            ("personal_number", pn.canonical if pn else None),
                            ("birth_date", pn.birth_date if pn else None),
                            ("phone", data.phone), ("address", data.address),
                            ("postal_code", data.postal_code), ("city", data.city),
                            ("protection_level", data.protection_level),
                            ("risk_level", data.risk_level), ("risk_factors", data.risk_factors),
                            ("protective_factors", data.protective_factors)):
            if getattr(person, attr) != value:
                setattr(person, attr, value)
                changed.append(attr)
        person.search_name = _search_name(first, last)
        person.updated_at, person.updated_by_id = now, actor.user_id
        uow.log(actor, "person.update", subject_kind="person", subject_id=person.id,
                person_id=person.id, detail={"fields": changed})
        s.flush()  # the view carries the version just written
        view = project_persons(s, actor, [person], now)[person.id]
        uow.commit()
        return view


def get_person(uow: UnitOfWork, actor: Actor, person_id: int) -> PersonView:
    with uow:
        now = uow.now()
        person = access.get_visible(uow.session, actor, "person", person_id, now)
        uow.log(actor, "person.read", subject_kind="person", subject_id=person_id,
                person_id=person_id)
        view = project_persons(uow.session, actor, [person], now)[person_id]
        uow.commit()
        return view


def name_contains(session, fragment: str):
    """Persons whose lower-cased name contains ``fragment``. Three letters or
    more (without LIKE's wildcards) are looked up in the trigram index on
    SQLite; shorter text scans the covering index on ``search_name`` (a
    server matches in ``trefas.persons_matching``, see :func:`_search_clause`)."""
    if (len(fragment) >= 3 and not any(ch in fragment for ch in "%_\\")
            and session.get_bind().dialect.name == "sqlite"):
        return m.Person.id.in_(select(m.PERSON_NAME_INDEX.c.rowid).where(
            m.PERSON_NAME_INDEX.c.search_name.like(f"%{fragment}%")))
    return m.Person.search_name.like(f"%{escape_like(fragment)}%", escape="\\")


def _on_server(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


#: A server's persons table itself, for reading ids alone (they are granted;
#: ``m.Person`` is read through the masked view, whose row function a list of
#: ids does not need).
_SERVER_PERSON_IDS = table("persons", column("id", Integer), schema="public")


def _search_clause(session, actor: Actor, query: str, now: dt.datetime, person_id=None):
    """Names and numbers match only where the user could see them: a protected
    person is found by alias (P-0042), never by real name or number.
    ``person_id``: the id column the terms test (default ``m.Person.id``)."""
    person_id = m.Person.id if person_id is None else person_id
    q = clean(query, SEARCH_QUERY).strip().casefold()
    digits = "".join(ch for ch in q if ch.isdigit())
    number = f"%{digits}%" if len(digits) >= 6 else None
    if _on_server(session):
        # The server matches the stored name and number itself, where the
        # reader may see them (server/search.py): through the masked view,
        # every person in scope went through its row function.
        server = getattr(func, "trefas")
        parts = [person_id.in_(select(server.persons_matching(
            f"%{escape_like(q)}%", number)))]
    else:
        unmasked = or_(m.Person.protection_level == ProtectionLevel.NONE,
                       access.revealed_clause(actor, m.Person.id, now))
        parts = [and_(unmasked, name_contains(session, q))]
        if number is not None:
            parts.append(and_(unmasked, func.replace(m.Person.personal_number, "-", "")
                              .like(number)))
    alias = q.upper().removeprefix("P-").lstrip("0")
    if q.upper().startswith("P-") and alias.isdigit():
        parts.append(person_id == int(alias))
    return or_(*parts)


def person_match_ids(session, actor: Actor, query: str, now: dt.datetime):
    """:func:`matching_person_ids` as a subquery, for a statement that counts."""
    ids = _SERVER_PERSON_IDS.c.id if _on_server(session) else m.Person.id
    return select(ids).where(_search_clause(session, actor, query, now, ids))


def matching_person_ids(session, actor: Actor, query: str, now: dt.datetime) -> list[int]:
    """Persons whose name, number or alias matches the search text, whether or
    not the user may see them: one cheap pass, after which the access rule
    only has to judge the matches (the rule per row is what makes a search slow)."""
    # Core, not ORM rows: a one-letter search matches tens of thousands.
    return session.connection().scalars(person_match_ids(session, actor, query, now)).all()


def id_set(ids: list[int]):
    """A list of ids as one bound value, for ``column.in_(...)``; a plain IN
    list would need a variable per id (SQL per store: store/dialect.py)."""
    return dialect.id_set(ids)


def check_reason(reason: str) -> None:
    """Reveals and emergency access need a real reason, not a keystroke: ten
    visible characters under the one text rule (twelve NULs are not a reason)."""
    if visible_length(clean(reason or "", FIELD_RULES["emergency_accesses.reason"]).strip()) < 10:
        raise ValidationError("Ange ett skäl med minst 10 tecken.",
                              "Give a reason of at least 10 characters.")


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _person_conditions(s, actor: Actor, query: str, now: dt.datetime,
                       matches_inline: bool = False, person=None) -> list:
    """The WHERE terms of a person list or count. ``matches_inline``: the
    search as a term of the same statement, placed first (SQLite tests it
    before the rule, which then judges the matches only) instead of the
    matching ids read into Python and sent back — for a count, where a
    one-letter search matches tens of thousands. ``person``: the persons
    table or an alias of it (on a server only: SQLite's search terms name
    the table)."""
    person = m.Person if person is None else person
    where = [access.visible(actor, "person", now, alias=person)]
    # A server plans the search function's few ids as a hashed subquery; a
    # list of ids sent back it would test against every person in scope.
    matches_inline = matches_inline or _on_server(s)
    if query.strip() and matches_inline:
        where.insert(0, _search_clause(s, actor, query, now, person.id))
    elif query.strip():
        where.append(person.id.in_(id_set(matching_person_ids(s, actor, query, now))))
    return where


def list_persons(uow: UnitOfWork, actor: Actor, query: str = "", offset: int = 0,
                 limit: int = 200, count: bool = True,
                 after: int | None = None) -> Page[PersonRow]:
    """Persons the user may see, one page at a time: by name, protected persons
    last and by id (``Person.list_order``, read in index order, so a page costs
    the same for 500 persons as for 50,000). ``count=False`` leaves the total
    to :func:`count_persons` (``Page.total`` None, ``Page.more`` set).
    ``after``: the id of the previous page's last row — the page is read from
    there (keyset) instead of by skipping ``offset`` rows, so a deep page
    costs what the first does; ``offset`` is then only echoed in the page."""
    offset, limit = check_paging(offset, limit)
    with uow:
        access.require(actor, "person.read")
        now = uow.now()
        s = uow.session
        where = _person_conditions(s, actor, query, now)
        order = _list_order(s)
        stmt = select(*person_columns()).where(*where).order_by(*order)
        anchor = None if after is None else _person_anchor(s, actor, now, after)
        if after is not None:
            stmt = stmt.where(false() if anchor is None else
                              after_clause([(expr, False) for expr in order], anchor))
        if _on_server(s) and not query.strip():
            # Only the page's persons through the masked view (server/person_list.py).
            stmt = stmt.where(m.Person.id == any_(_server_page_ids(
                actor, anchor, offset + limit + 1)))
        records, more = fetch_page(s, stmt, offset, limit, keyset=after is not None, core=True)
        persons = [person_record(r) for r in records]
        views = project_persons(s, actor, persons, now)
        open_counts = _open_case_counts(s, actor, [p.id for p in persons], now)
        rows = tuple(PersonRow(id=p.id, display_name=views[p.id].display_name,
                               personal_number=views[p.id].personal_number,
                               protected=views[p.id].protected,
                               risk_level=views[p.id].risk_level,
                               open_cases=open_counts.get(p.id, 0))
                     for p in persons)
        total = _count_persons(s, actor, query, now, where) if count else None
        if offset == 0 and after is None:
            uow.log(actor, "person.search" if query.strip() else "person.list",
                    detail={"rows": len(rows)} if total is None else {"hits": total})
        uow.commit()
        return Page(rows=rows, total=total, offset=offset, more=more)


#: The server's function of :func:`open_cases_of`, for the cases the caller
#: may read (``server/page_reads.py``).
OPEN_CASE_COUNTS = "trefas.open_case_counts"


def open_cases_of(case, persons, readable) -> Select:
    """(person id, how many open cases) of the persons ``persons`` (a
    condition on ``case.person_id``), counting the cases ``readable`` lets
    the reader see."""
    return (select(case.person_id, func.count())
            .where(persons, case.state != CaseState.CLOSED, readable)
            .group_by(case.person_id))


def _open_case_counts(s, actor: Actor, person_ids: list[int], now: dt.datetime) -> dict:
    if not person_ids:
        return {}
    if _on_server(s):
        # The cases' policy would compute every case the reader may read to
        # count a page's (a police supervisor: 14,000 for 200 persons).
        return dict(s.execute(text(f"SELECT * FROM {OPEN_CASE_COUNTS}(:people)"),
                              {"people": person_ids}).all())
    return dict(s.execute(open_cases_of(m.Case, m.Case.person_id.in_(person_ids),
                                        access.visible(actor, "case", now))).all())


def _person_anchor(s, actor: Actor, now: dt.datetime, after: int) -> tuple | None:
    """Person ``after``'s values of the list order, read through the rule (an
    id the user may not see ends the list: None); they never leave the
    service (a server's list function gets them back, the values its masked
    view showed)."""
    anchor = s.execute(select(*_list_order(s)).where(
        m.Person.id == after, access.visible(actor, "person", now))).first()
    return None if anchor is None else tuple(anchor)


def _list_order(s) -> list:
    """``Person.list_order``; on a server with the name's NULLs (a name the
    masked view does not show) sorted last by an explicit ``IS NULL`` term —
    the order PostgreSQL gives anyway, said so that a keyset page after the
    last named person goes on with the unnamed ones (``after_clause`` reads a
    NULL as sorted by such a term; without it they were skipped)."""
    masked, name, person_id = m.Person.list_order()
    if not _on_server(s):
        return [masked, name, person_id]
    return [masked, name.is_(None), name, person_id]


def person_list_function(role: Role) -> str:
    """The server function that reads a page of ``role``'s person list
    (``server/person_list.py``)."""
    return f"trefas.person_list_{role.value}"


def _server_page_ids(actor: Actor, anchor: tuple | None, limit: int):
    """The ids of the first ``limit`` persons of the list after ``anchor``, as
    the server's list function finds them without the masked view: one
    array, computed once before the persons are read (as a subquery joined
    to the view, PostgreSQL ran the function again for every person in
    scope, and the view's row function for each of them)."""
    protected, name, after_id = (anchor[0], anchor[-2], anchor[-1]) if anchor is not None \
        else (None, None, None)
    schema, _, name_of = person_list_function(actor.role).partition(".")
    page = getattr(getattr(func, schema), name_of)(
        cast(protected, Boolean), cast(name, Text), cast(after_id, Integer), limit)
    ids = select(func.array_agg(page.column_valued("page_id"))).scalar_subquery()
    return cast(ids, ARRAY(Integer))


def _count_persons(s, actor: Actor, query: str, now: dt.datetime, where=None) -> int:
    """How many persons the list finds. On a server from the table itself
    (the rule reads only its open columns): through the masked view every
    person in scope would pass its row function to be counted. ``where``:
    the list's own terms, used on a local store (its matches read already)."""
    person = m.Person
    if _on_server(s):
        person = aliased(m.Person, name=OPEN_COLUMNS_PREFIX + "persons")
        where = _person_conditions(s, actor, query, now, person=person)
    elif where is None:
        where = _person_conditions(s, actor, query, now, matches_inline=True)
    return s.scalar(select(func.count()).select_from(person).where(*where))


def count_persons(uow: UnitOfWork, actor: Actor, query: str = "") -> ListCount:
    """How many persons :func:`list_persons` finds. Reads no person data."""
    with uow:
        access.require(actor, "person.read")
        now = uow.now()
        total = _count_persons(uow.session, actor, query, now)
        uow.commit()
        return ListCount(total=total)


def reveal_identity(uow: UnitOfWork, actor: Actor, person_id: int, reason: str,
                    hours: int = REVEAL_HOURS) -> PersonView:
    """Show a protected person's real identity to this user, for a while, with a reason."""
    check_reason(reason)
    if not 1 <= hours <= MAX_REVEAL_HOURS:
        raise ValidationError(f"Skyddade uppgifter kan visas i 1–{MAX_REVEAL_HOURS} timmar.",
                              f"Protected data can be revealed for 1–{MAX_REVEAL_HOURS} hours.")
    with uow:
        access.require(actor, "identity.reveal")
        now = uow.now()
        s = uow.session
        person = access.get_visible(s, actor, "person", person_id, now)
        if person.protection_level == ProtectionLevel.NONE:
            raise ValidationError("Personen har inga skyddade personuppgifter.",
                                  "The person has no protected identity.")
        s.add(m.IdentityReveal(user_id=actor.user_id, person_id=person_id,
                               reason=reason.strip(), granted_at=now,
                               expires_at=now + dt.timedelta(hours=hours)))
        s.flush()
        # A server store read the row through its masked view: read it again,
        # now revealed (on a local store the same values come back).
        s.refresh(person)
        uow.log(actor, "identity.reveal", subject_kind="person", subject_id=person_id,
                person_id=person_id, reason=reason.strip(), detail={"hours": hours})
        view = project_persons(s, actor, [person], now)[person_id]
        uow.commit()
        return view


def active_reveals(uow: UnitOfWork, actor: Actor) -> dict[int, dt.datetime]:
    """This user's current reveals: person id → expiry, for the GUI's banner."""
    with uow:
        now = uow.now()
        rows = uow.session.execute(
            select(m.IdentityReveal.person_id, func.max(m.IdentityReveal.expires_at))
            .where(m.IdentityReveal.user_id == actor.user_id,
                   m.IdentityReveal.expires_at > now)
            .group_by(m.IdentityReveal.person_id)).all()
        return {pid: exp.replace(tzinfo=dt.timezone.utc) if exp.tzinfo is None else exp
                for pid, exp in rows}
