"""Names blanked out of free text by the server, as the program blanks them.

On a local store the program knows a protected person's names and blanks
them out of free text about the person (``services.views.scrub_names``: every
whole word that is one of the names, case-insensitively, becomes "[skyddat
namn]"). A login role reads such a person through the masked views
(``server.masks``) and never receives the names, so the blanking is done
where the names may be: in SECURITY DEFINER functions owned by the owner role.

The rule is not written a second time. Its three parts are generated here
from Python's own regular-expression semantics, so PostgreSQL's answer does
not depend on the server's locale:

* a word character is what Python's ``\\w`` matches (``str.isalnum`` or
  ``_``): a bracket of explicit code-point ranges;
* a name word is what ``views.name_words`` finds (``\\w[\\w'-]*`` outside
  brackets, not all digits by ``str.isdigit``);
* letters equal under ``re.IGNORECASE`` (simple lower case plus the few
  extra equivalences of ``re._casefix``) are a bracket per letter, kept in
  the owner's table ``trefas.name_letters``.

``trefas.blanked_texts(people, texts)`` is the one entry a login role may
call. It blanks a text only when the text is stored free text (or its blanked
form) of a row about one of ``people`` that the caller may read — the same
row rule as the table's policies — so it cannot be used to test guessed
names against arbitrary text; for any other text it returns NULL (and
every text unchanged when none of ``people`` is masked for the caller).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

from sqlalchemy import String, and_, cast, func, literal_column, or_, select, union_all
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from trefas_app.domain.enums import Category, Role
from trefas_app.domain.permissions import role_may
from trefas_app.security import access
from trefas_app.server.rules import (
    FUNCTION_SCHEMA,
    TABLE_SCHEMA,
    ActorTerms,
    SqlClock,
    compile_sql,
)
from trefas_app.services.views import SERVER_BLANKING, SERVER_NAME_WORDS
from trefas_app.store import models as m

#: The owner's table of case-insensitive letter brackets.
LETTER_TABLE = f"{FUNCTION_SCHEMA}.name_letters"
#: The functions a login role calls (the program's names for them).
PUBLIC_FUNCTION = SERVER_BLANKING.removeprefix(f"{FUNCTION_SCHEMA}.")
WORDS_FUNCTION = SERVER_NAME_WORDS.removeprefix(f"{FUNCTION_SCHEMA}.")

_LAST_CODE_POINT = sys.maxunicode


def code_point(cp: int) -> str:
    """One code point as a PostgreSQL regular-expression escape."""
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def _ranges(member: Callable[[str], bool]) -> list[tuple[int, int]]:
    """The code points (no surrogates) for which ``member`` holds, as ranges."""
    found, start = [], None
    for cp in range(_LAST_CODE_POINT + 2):
        inside = cp <= _LAST_CODE_POINT and not 0xD800 <= cp <= 0xDFFF and member(chr(cp))
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            found.append((start, cp - 1))
            start = None
    return found


def _bracket_body(ranges: list[tuple[int, int]]) -> str:
    return "".join(code_point(lo) if lo == hi else f"{code_point(lo)}-{code_point(hi)}"
                   for lo, hi in ranges)


@functools.lru_cache(maxsize=1)
def word_characters() -> str:
    """The inside of a bracket matching what Python's ``\\w`` matches in a str."""
    return _bracket_body(_ranges(lambda ch: ch.isalnum() or ch == "_"))


@functools.lru_cache(maxsize=1)
def digit_characters() -> str:
    """The inside of a bracket matching what ``str.isdigit`` accepts."""
    return _bracket_body(_ranges(str.isdigit))


@functools.lru_cache(maxsize=1)
def letter_classes() -> dict[str, str]:
    """Every letter that ``re.IGNORECASE`` matches to another: letter → all
    the letters it matches (itself included), as Python's ``sre`` decides:
    equal simple lower case, joined by ``re._casefix``'s extra cases."""
    import _sre
    from re import _casefix

    groups: dict[int, set[int]] = {}
    for cp in range(_LAST_CODE_POINT + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        lower = _sre.unicode_tolower(cp)
        if lower != cp or cp in groups:
            groups.setdefault(lower, {lower}).add(cp)
    for lower, extras in _casefix._EXTRA_CASES.items():
        for extra in extras:
            merged = groups.get(lower, {lower}) | groups.get(extra, {extra})
            for member in list(merged):
                groups[_sre.unicode_tolower(member)] = merged
    classes: dict[str, str] = {}
    for members in groups.values():
        if len(members) > 1:
            letters = "".join(chr(cp) for cp in sorted(members))
            for cp in members:
                classes[chr(cp)] = letters
    return classes


def letter_pattern(letters: str) -> str:
    return "[" + "".join(code_point(ord(ch)) for ch in letters) + "]"


# --- the SQL -------------------------------------------------------------------------


def _name_words_sql() -> str:
    word, digits = word_characters(), digit_characters()
    apostrophe, hyphen = code_point(ord("'")), code_point(ord("-"))
    # Python: re.findall(r"\w[\w'-]*", re.sub(r"\([^)]*\)", " ", name)), not isdigit.
    return (f"SELECT coalesce(array_agg(DISTINCT t.m[1]), '{{}}'::text[]) "
            f"FROM unnest(p_names) AS n(name), LATERAL regexp_matches("
            f"regexp_replace(n.name, '\\([^)]*\\)', ' ', 'g'), "
            f"'[{word}][{word}{apostrophe}{hyphen}]*', 'g') AS t(m) "
            f"WHERE t.m[1] !~ '^[{digits}]+$'")


def _name_pattern_sql() -> str:
    word = word_characters()
    # Longest first, as scrub_names sorts them; each letter as its case bracket.
    return (f"SELECT '(?<![{word}])(?:' || string_agg(p.pattern, '|' "
            f"ORDER BY length(p.word) DESC, p.word) || ')(?![{word}])' "
            f"FROM (SELECT w.word, (SELECT string_agg(coalesce(l.pattern, CASE "
            f"WHEN ascii(c.ch) <= 65535 THEN '\\u' || lpad(to_hex(ascii(c.ch)), 4, '0') "
            f"ELSE '\\U' || lpad(to_hex(ascii(c.ch)), 8, '0') END), '' ORDER BY c.i) "
            f"FROM regexp_split_to_table(w.word, '') WITH ORDINALITY AS c(ch, i) "
            f"LEFT JOIN {LETTER_TABLE} l ON l.letter = c.ch) AS pattern "
            f"FROM (SELECT DISTINCT u.word FROM unnest(p_words) AS u(word) "
            f"WHERE length(u.word) >= 2) AS w) AS p")


def _blank_sql() -> str:
    from trefas_app.services.views import NAME_MASK

    assert "\\" not in NAME_MASK and "&" not in NAME_MASK  # a plain replacement
    return (f"SELECT CASE WHEN p_text IS NULL OR p_text = '' THEN p_text ELSE coalesce("
            f"regexp_replace(p_text, {FUNCTION_SCHEMA}.name_pattern(p_words), "
            f"'{NAME_MASK}', 'g'), p_text) END")


def _masked_words_sql() -> str:
    """``services.persons.names_to_mask`` for one person: their own name, the
    guardians who gave a consent, their relatives."""
    from trefas_app.services.views import NON_IDENTIFYING_GIVERS

    plain = ", ".join(f"'{g}'" for g in NON_IDENTIFYING_GIVERS)
    return (f"SELECT {FUNCTION_SCHEMA}.name_words(ARRAY[p.first_name, p.last_name] "
            f"|| ARRAY(SELECT c.given_by FROM {TABLE_SCHEMA}.consents c "
            f"WHERE c.person_id = p.id AND c.given_by NOT IN ({plain})) "
            f"|| ARRAY(SELECT r.name FROM {TABLE_SCHEMA}.relatives r "
            f"WHERE r.person_id = p.id)) FROM {TABLE_SCHEMA}.persons p WHERE p.id = p_person")


#: Free text the program blanks (the view fields declared ``identifying(SCRUB)``),
#: by the kind whose row rule decides who reads it: (kind, model, columns).
SCRUBBED_TEXT: tuple[tuple[str, type, tuple[str, ...]], ...] = (
    ("case", m.Case, ("title", "closure_reason")),
    ("consent", m.Consent, ("purpose", "withdrawal_reason")),
    ("note", m.Note, ("title", "body")),
    ("referral", m.Referral, ("reason", "decision_note")),
    ("threat", m.ThreatAssessment, ("summary",)),
    ("measure", m.ProtectiveMeasure, ("description",)),
    ("support", m.SupportComponent, ("description",)),
    ("exit", m.ExitProgramme, ("needs", "agreement_conditions")),
    ("meeting_item", m.MeetingItem, ("discussion", "decision")),
    ("task", m.Task, ("title", "description")),
)
#: Rows of a plan: read with their plan.
PLAN_TEXT: tuple[tuple[type, str], ...] = ((m.PlanGoal, "goal"), (m.PlanAction, "description"))
#: A person's own free text: read where the category is shared.
PERSON_TEXT: tuple[tuple[str, Category], ...] = (("risk_factors", Category.THREAT),
                                                  ("protective_factors", Category.SOCIAL))


def stored_texts_select(role: Role, now: SqlClock, matching: Callable):
    """Every stored free text about ``p_people`` that ``role`` (the caller's)
    may read and for which ``matching(column)`` holds (tested first: the row
    rule is the costly part). The row rule is the policies' own, for this
    role only: one function per role keeps the plan small."""
    from trefas_app.server.masks import _Reader

    actor = ActorTerms.of_session(role)
    people = literal_column("p_people")
    parts = []

    def readable(kind, row):
        return access.visible(actor, kind, now, alias=row)  # a draft: its author's only

    for kind, model, columns in SCRUBBED_TEXT:
        if not role_may(role, f"{kind}.read"):
            continue
        row = aliased(model, name=f"text_{kind}")
        for column in columns:
            parts.append(select(cast(getattr(row, column), String).label("t")).where(
                row.person_id == people.any_(), matching(getattr(row, column)),
                readable(kind, row)))
    plan = aliased(m.Plan, name="text_plan")
    for model, column in PLAN_TEXT if role_may(role, "plan.read") else ():
        row = aliased(model, name=f"text_{model.__tablename__}")
        parts.append(select(cast(getattr(row, column), String).label("t"))
                     .join(plan, plan.id == row.plan_id)
                     .where(plan.person_id == people.any_(), matching(getattr(row, column)),
                            readable("plan", plan)))
    if role_may(role, "document.log_extract"):
        # Reasons in the access log, shown to the reasons' own agency (access.log_reason).
        event, case = aliased(m.AuditEvent, name="text_event"), aliased(m.Case, name="text_case")
        parts.append(select(event.reason.label("t")).where(
            matching(event.reason), event.agency == actor.agency,
            or_(event.person_id == people.any_(),
                event.case_id.in_(select(case.id).where(case.person_id == people.any_())))))
    person = aliased(m.Person, name="text_person")
    reader = _Reader(person, now)
    for column, category in PERSON_TEXT:
        parts.append(select(cast(getattr(person, column), String).label("t")).where(
            person.id == people.any_(), matching(getattr(person, column)),
            readable("person", person), reader.shared(category)))
    return union_all(*parts)


def masked_people_select(role: Role, now: SqlClock):
    """The ``p_people`` the caller (of ``role``) may read and may not identify."""
    from trefas_app.server.masks import _Reader

    person = aliased(m.Person, name="masked_person")
    return select(person.id).where(
        person.id == literal_column("p_people").any_(),
        access.visible(ActorTerms.of_session(role), "person", now, alias=person),
        ~_Reader(person, now).identity)


def _user_columns(model) -> list:
    """The columns of ``model`` that name a user (a foreign key to users.id)."""
    return [column for column in model.__table__.columns
            if any(fk.column.table.name == "users" for fk in column.foreign_keys)]


def linked_values_select(role: Role, now: SqlClock):
    """The stored values a document about the persons ``masked`` shows beside
    their free text, as far as the caller (of ``role``) may read them: the
    names of the staff its rows name (the cases' teams, who wrote, decided,
    approved or is assigned, the meetings' chairs and participants; for who
    may extract the access log, who is in it about them), the
    units of those cases, meetings and staff, the meetings' titles and
    places, and the names of the other persons those meetings discussed whom
    the caller may identify."""
    from trefas_app.server.masks import _Reader

    actor = ActorTerms.of_session(role)
    masked = literal_column("masked")

    def readable(kind, row):
        return access.visible(actor, kind, now, alias=row)

    case = aliased(m.Case, name="linked_case")
    cases = select(case.id).where(case.person_id == masked.any_(), readable("case", case))
    item = aliased(m.MeetingItem, name="linked_item")
    meetings = select(item.meeting_id).where(item.person_id == masked.any_(),
                                             readable("meeting_item", item))
    team, member = (aliased(m.TeamMember, name="linked_team"),
                    aliased(m.MeetingParticipant, name="linked_participant"))
    meeting = aliased(m.Meeting, name="linked_meeting")
    users = [select(team.user_id).where(team.case_id.in_(cases)),
             select(meeting.chair_id).where(meeting.id.in_(meetings)),
             select(member.user_id).where(member.meeting_id.in_(meetings))]
    for kind, model in (("case", m.Case), *((k, s.model) for k, s in
                                            access.CASE_CONTENT_KINDS.items())):
        row = aliased(model, name=f"linked_{model.__tablename__}")
        named_here = postgresql.array([getattr(row, c.name) for c in _user_columns(model)])
        users.append(select(func.unnest(named_here)).where(row.person_id == masked.any_(),
                                                           readable(kind, row)))
    plan, action = aliased(m.Plan, name="linked_plan"), aliased(m.PlanAction, name="linked_action")
    users.append(select(action.responsible_user_id).join(plan, plan.id == action.plan_id)
                 .where(plan.person_id == masked.any_(), readable("plan", plan)))
    if role_may(role, "document.log_extract"):  # who read or changed them (the log extract)
        event = aliased(m.AuditEvent, name="linked_event")
        users.append(select(event.user_id).where(or_(event.person_id == masked.any_(),
                                                     event.case_id.in_(cases))))
    user, unit = aliased(m.User, name="linked_user"), aliased(m.Unit, name="linked_unit")
    named = select(union_all(*users).subquery().c[0])
    units = union_all(select(case.unit_id).where(case.id.in_(cases)),
                      select(meeting.unit_id).where(meeting.id.in_(meetings)),
                      select(user.unit_id).where(user.id.in_(named)))
    other = aliased(m.MeetingItem, name="linked_other_item")
    task = aliased(m.Task, name="linked_task")
    discussed = union_all(
        select(other.person_id).where(other.meeting_id.in_(meetings),
                                      readable("meeting_item", other)),
        select(task.person_id).where(task.meeting_id.in_(meetings), readable("task", task)))
    person = aliased(m.Person, name="linked_person")
    identified = and_(person.id.in_(select(discussed.subquery().c[0])),
                      readable("person", person), _Reader(person, now).identity)
    return union_all(
        select(user.display_name.label("t")).where(user.id.in_(named)),
        select(unit.name.label("t")).where(unit.id.in_(select(units.subquery().c[0]))),
        select(meeting.title.label("t")).where(meeting.id.in_(meetings)),
        select(meeting.place.label("t")).where(meeting.id.in_(meetings)),
        select(person.first_name.label("t")).where(identified),
        select(person.last_name.label("t")).where(identified))


def _words_body(role: Role, now: SqlClock) -> str:
    """PL/pgSQL: the asked words that are names of the persons the caller may
    read and may not identify, and that are words of a stored value linked
    to them (:func:`linked_values_select`); no other word."""
    schema = FUNCTION_SCHEMA
    return f"""DECLARE masked integer[]; words text[]; pattern text; linked text[];
BEGIN
  masked := ARRAY({compile_sql(masked_people_select(role, now))});
  IF cardinality(masked) = 0 THEN
    RETURN '{{}}'::text[];
  END IF;
  words := ARRAY(SELECT DISTINCT w FROM unnest(masked) AS m(id),
                 unnest({schema}.masked_name_words(m.id)) AS w);
  pattern := {schema}.name_pattern(words);
  IF pattern IS NULL THEN
    RETURN '{{}}'::text[];
  END IF;
  linked := ARRAY({compile_sql(linked_values_select(role, now))});
  RETURN ARRAY(SELECT DISTINCT x.w FROM unnest(p_words) AS x(w)
               WHERE x.w ~ ('^(?:' || pattern || ')$')
                 AND EXISTS (SELECT 1 FROM unnest(linked) AS v(t)
                             WHERE v.t ~ {schema}.name_pattern(ARRAY[x.w])));
END"""


def _role_body(role: Role, now: SqlClock) -> str:
    """PL/pgSQL: each asked text blanked if it is stored free text about the
    persons that the caller may read — as stored, or as blanked already (the
    person's own free text comes blanked from ``persons_shown``); else NULL.
    The second, costlier look (blanking every stored text) only when the
    first leaves a text unmatched."""
    from trefas_app.services.views import NAME_MASK

    schema = FUNCTION_SCHEMA
    asked = literal_column("p_texts")
    as_stored = stored_texts_select(role, now, lambda column: column == asked.any_())
    as_blanked = stored_texts_select(
        role, now, lambda column: func.regexp_replace(
            column, literal_column("pattern"), NAME_MASK, "g") == asked.any_())
    return f"""DECLARE masked integer[]; words text[]; pattern text; found text[];
BEGIN
  masked := ARRAY({compile_sql(masked_people_select(role, now))});
  IF cardinality(masked) = 0 THEN
    RETURN p_texts;
  END IF;
  words := ARRAY(SELECT DISTINCT w FROM unnest(masked) AS m(id),
                 unnest({schema}.masked_name_words(m.id)) AS w);
  pattern := {schema}.name_pattern(words);
  IF pattern IS NULL THEN
    RETURN p_texts;
  END IF;
  found := ARRAY({compile_sql(as_stored)});
  IF EXISTS (SELECT 1 FROM unnest(p_texts) AS x(t)
             WHERE x.t IS NOT NULL AND x.t <> ALL(found)) THEN
    found := found || ARRAY(SELECT regexp_replace(q.t, pattern, '{NAME_MASK}', 'g')
                            FROM ({compile_sql(as_blanked)}) AS q);
  END IF;
  RETURN ARRAY(SELECT CASE WHEN x.t = ANY(found)
                           THEN regexp_replace(x.t, pattern, '{NAME_MASK}', 'g') END
               FROM unnest(p_texts) WITH ORDINALITY AS x(t, i) ORDER BY x.i);
END"""


def _plpgsql(run, connection, signature: str, returns: str, body: str, owner: str,
             volatility: str = "STABLE", generic_plans: bool = False) -> None:
    """A PL/pgSQL SECURITY DEFINER function of the owner's, callable by nobody
    until granted. PL/pgSQL keeps its plans for the session; a SQL function
    that cannot be inlined (a SECURITY DEFINER one) is planned on every call.
    ``generic_plans``: never a plan made for the call's values (planning the
    row rule costs more than running it)."""
    run(connection, f"CREATE OR REPLACE FUNCTION {FUNCTION_SCHEMA}.{signature} "
                    f"RETURNS {returns} LANGUAGE plpgsql {volatility} SECURITY DEFINER "
                    "SET search_path = '' SET jit = off "
                    + ("SET plan_cache_mode = force_generic_plan " if generic_plans else "")
                    + f"AS $trefas_fn$\n{body}\n$trefas_fn$")
    run(connection, f"ALTER FUNCTION {FUNCTION_SCHEMA}.{signature} OWNER TO {owner}")
    run(connection, f"REVOKE ALL ON FUNCTION {FUNCTION_SCHEMA}.{signature} FROM PUBLIC")


def install(connection, run, groups: list[str], *, office_timezone: str,
            naive_utc: bool, owner: str) -> None:
    """The owner's letter table, the rule's helpers, and the two functions
    login roles call (blanked_texts, masked_document_words), each with one
    function per role behind it. ``run`` is ``server.policies``'."""
    run(connection, f"CREATE TABLE IF NOT EXISTS {LETTER_TABLE} "
                    "(letter text PRIMARY KEY, pattern text NOT NULL)")
    run(connection, f"ALTER TABLE {LETTER_TABLE} OWNER TO {owner}")
    run(connection, f"REVOKE ALL ON {LETTER_TABLE} FROM PUBLIC")
    run(connection, f"TRUNCATE {LETTER_TABLE}")
    rows = sorted(letter_classes().items())
    for start in range(0, len(rows), 500):
        values = ", ".join(f"('{code_point_literal(letter)}', '{letter_pattern(letters)}')"
                           for letter, letters in rows[start:start + 500])
        run(connection, f"INSERT INTO {LETTER_TABLE} (letter, pattern) VALUES {values}")
    helpers = (("name_words(p_names text[])", "text[]", _name_words_sql(), "IMMUTABLE"),
               ("name_pattern(p_words text[])", "text", _name_pattern_sql(), "STABLE"),
               ("blank_names(p_text text, p_words text[])", "text", _blank_sql(), "STABLE"),
               ("masked_name_words(p_person integer)", "text[]", _masked_words_sql(),
                "STABLE"))
    for signature, returns, body, volatility in helpers:
        _plpgsql(run, connection, signature, returns, f"BEGIN\nRETURN ({body});\nEND", owner,
                 volatility)
    now = SqlClock(office_timezone, naive_utc)
    for public, second, body in ((PUBLIC_FUNCTION, "p_texts", _role_body),
                                 (WORDS_FUNCTION, "p_words", _words_body)):
        _per_role(run, connection, public, second, lambda role: body(role, now), groups, owner)


def _per_role(run, connection, public: str, second: str, body, groups: list[str],
              owner: str) -> None:
    """One function per role that reads persons (granted to nobody), and the
    one function login roles call, ``public(p_people, <second>)``, which runs
    the caller's role's."""
    parameters = f"(p_people integer[], {second} text[])"
    branches = []
    for role in Role:
        if role_may(role, "person.read"):
            name = f"{public}_{role.value}"
            _plpgsql(run, connection, name + parameters, "text[]", body(role), owner,
                     generic_plans=True)
            branches.append(f"WHEN '{role.value}' THEN RETURN {FUNCTION_SCHEMA}.{name}"
                            f"(p_people, {second});")
    signature = public + parameters
    _plpgsql(run, connection, signature, "text[]",
             f"BEGIN\nCASE {FUNCTION_SCHEMA}.current_role_name()\n" + "\n".join(branches)
             + "\nELSE RETURN NULL;\nEND CASE;\nEND", owner)
    run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.{signature} "
                    f"TO {', '.join(groups)}")


def code_point_literal(letter: str) -> str:
    """A letter inside a SQL string literal (a quote doubled)."""
    return letter.replace("'", "''")
