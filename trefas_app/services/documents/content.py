"""The content of a document, section by section (person, case, consents,
referrals, plans, exit support, measures, threats, incidents, tasks, notes).

Each section queries through a :class:`~.disclosure.Scope` and adds renderer
blocks (``trefas_app.documents.model``) to a :class:`Content`, together with
what it disclosed (category → owning agencies) and what it left out and why
(counts only, never content).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from trefas_app.documents.model import Block, Heading, KeyValues, NoteBlock, Paragraph, Table
from trefas_app.domain import clock
from trefas_app.domain.actor import Actor
from trefas_app.domain.address import format_address
from trefas_app.domain.enums import (
    Agency,
    Category,
    ConsentBasis,
    ConsentStatus,
    NoteState,
    TaskState,
)
from trefas_app.domain.labels import label
from trefas_app.domain.routine import involvement_label
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.services.consents import consent_status, view_of
from trefas_app.services.documents.disclosure import (
    FREE_TEXT_END,
    FREE_TEXT_START,
    Scope,
    disclosable,
)
from trefas_app.services.persons import names_to_mask
from trefas_app.services.views import (
    SERVER_NAME_WORDS,
    PersonView,
    ServerNames,
    fetch_blanked,
    mask_identity,
    scrub_names,
)
from trefas_app.store import models as m


#: Formal agency names as printed in documents.
AGENCY_NAMES: dict[Agency, str] = {
    Agency.CITY: "Socialtjänsten",
    Agency.POLICE: "Polismyndigheten",
    Agency.PROBATION: "Kriminalvården",
}


# Singular and plural Swedish nouns of each kind of case content.
_NOUNS: dict[str, tuple[str, str]] = {
    "note": ("anteckning", "anteckningar"),
    "referral": ("SIG-aktualisering", "SIG-aktualiseringar"),
    "plan": ("plan", "planer"),
    "exit": ("avhopparärende", "avhopparärenden"),
    "threat": ("hotbedömning", "hotbedömningar"),
    "measure": ("skyddsåtgärd", "skyddsåtgärder"),
    "support": ("stödinsats", "stödinsatser"),
    "involvement": ("händelsekoppling", "händelsekopplingar"),
    "task": ("åtgärdspunkt", "åtgärdspunkter"),
    "meeting_item": ("mötespunkt", "mötespunkter"),
}

#: The person's own fields, by category (as project_person shows them).
_PERSON_FIELDS: dict[Category, str] = {
    Category.IDENTITY: "personens namn, personnummer och telefon",
    Category.LOCATION: "personens adress",
    Category.THREAT: "personens risknivå och riskfaktorer",
    Category.SOCIAL: "personens skyddsfaktorer",
}


# --- collecting content --------------------------------------------------------------


@dataclass
class Content:
    """Blocks of a document being built, with what they disclose and omit."""

    blocks: list[Block] = field(default_factory=list)
    #: Category -> agencies owning the rows of that category that were included.
    included: dict[Category, set[Agency]] = field(default_factory=dict)
    #: (category, reason) -> what was left out, e.g. ["3 anteckningar"].
    omitted: dict[tuple[Category, str], list[str]] = field(default_factory=dict)
    notes_omitted: list[str] = field(default_factory=list)  # sentences not per category
    #: Where the "Ej med i dokumentet" box goes: near the top, so that a reader
    #: sees what is missing before reading what is there.
    omitted_at: int = 0

    def include(self, category: Category, owner: Agency) -> None:
        self.included.setdefault(Category(category), set()).add(Agency(owner))

    def omit(self, category: Category, reason: str, what: str) -> None:
        self.omitted.setdefault((Category(category), reason), []).append(what)

    def omitted_items(self) -> tuple[str, ...]:
        order = list(Category)
        items = [f"{label(cat)} ({', '.join(what)}): {reason}"
                 for (cat, reason), what in sorted(self.omitted.items(),
                                                   key=lambda kv: (order.index(kv[0][0]),
                                                                   kv[0][1]))]
        return tuple(items + self.notes_omitted)

    def owners(self) -> set[Agency]:
        return set().union(*self.included.values()) if self.included else set()


def count_of(n: int, kind: str) -> str:
    singular, plural = _NOUNS[kind]
    return f"{n} {singular if n == 1 else plural}"


# --- formatting ------------------------------------------------------------------------


def local_time(value: dt.datetime | None) -> str:
    if value is None:
        return "–"
    return clock.format_local(value)


def local_day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        return access.local_date(value).isoformat()
    return value.isoformat()


def agency_name(agency: Agency | None) -> str:
    return AGENCY_NAMES.get(agency, "–") if agency is not None else "–"


def users_by_id(s, ids: Iterable[int | None]) -> dict[int, m.User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in s.scalars(select(m.User).where(m.User.id.in_(ids))).all()}


def user_label(users: dict[int, m.User], user_id: int | None, with_agency: bool = True) -> str:
    user = users.get(user_id) if user_id is not None else None
    if user is None:
        return "–"
    return f"{user.display_name}, {agency_name(user.agency)}" if with_agency else user.display_name


def author_agency(actor: Actor) -> str:
    name = agency_name(actor.agency)
    return f"{name}, {actor.unit_name}" if actor.unit_name else name


# --- sections ------------------------------------------------------------------------------


def person_blocks(s, scope: Scope, person: m.Person, content: Content,
                  heading: str = "Personen") -> PersonView:
    view = scope.project(s, person)
    shown, author_sees = scope.person_categories(s, person.id)
    rows = [("Namn", view.display_name)]
    if view.personal_number:
        rows.append(("Personnummer", view.personal_number))
    elif view.birth_date:
        rows.append(("Födelsedatum", view.birth_date.isoformat()))
    if view.phone:
        rows.append(("Telefon", view.phone))
    address = format_address(view.address, view.postal_code, view.city)
    if address:
        rows.append(("Adress", address))
    if view.protected:
        rows.append(("Skyddade personuppgifter",
                     f"{label(view.protection_level)} – personen anges med alias {view.alias}"
                     if not view.revealed else
                     f"{label(view.protection_level)} – identiteten visas efter "
                     f"upprättarens motiverade beslut"))
    if view.risk_level is not None:
        rows.append(("Risknivå", label(view.risk_level)))
    if view.risk_factors:
        rows.append(("Riskfaktorer", scope.free(view.risk_factors)))
    if view.protective_factors:
        rows.append(("Skyddsfaktorer", scope.free(view.protective_factors)))
    content.blocks += [Heading(heading), KeyValues(tuple(rows))]
    content.include(Category.IDENTITY, person.owner_agency)
    if address:
        content.include(Category.LOCATION, person.owner_agency)
    if view.risk_level is not None:
        content.include(Category.THREAT, person.owner_agency)
    if view.protective_factors:
        content.include(Category.SOCIAL, person.owner_agency)
    masked = view.protected and not view.revealed
    if masked:
        content.notes_omitted.append(
            f"Namn, personnummer, kontakt- och adressuppgifter: skyddade personuppgifter – "
            f"personen anges med alias {view.alias}")
    if scope.recipient is not None:
        has_value = {
            Category.IDENTITY: bool(person.personal_number or person.phone),
            Category.LOCATION: bool(person.address or person.postal_code or person.city),
            Category.THREAT: True,
            Category.SOCIAL: bool(person.protective_factors),
        }
        for category, what in _PERSON_FIELDS.items():
            if category in author_sees and category not in shown and has_value[category] \
                    and not (masked and category in (Category.IDENTITY, Category.LOCATION)):
                content.omit(category, no_basis(scope.recipient), what)
    return view


def no_basis(recipient: Agency) -> str:
    return f"inget gällande samtycke eller lagstöd för {agency_name(recipient)}"


def _not_shared(author: Actor) -> str:
    return f"delas inte med {agency_name(author.agency)} och kan inte lämnas vidare"


def _any(s, kind: str, *where) -> bool:
    """Whether any row of ``kind`` matches ``where`` at all. Building the access
    predicates is not free, and most cases lack some kinds of content."""
    model = access.CASE_CONTENT_KINDS[kind].model
    return s.scalar(select(model.id).where(*where).limit(1)) is not None


#: Why location content of a revealed protected person is not in a handover.
REVEAL_LEFT_OUT = ("skyddad identitet – upprättaren valde att inte ta med den visade "
                   "identiteten")


_FREE_TEXT = re.compile(f"{FREE_TEXT_START}([0-9]+){FREE_TEXT_END}")


def scrubbed(blocks: list, scope: Scope) -> list:
    """The blocks with their stored free text put back (:meth:`Scope.free`)
    and the names of every person the document shows masked blanked out:
    locally out of every text — the free-text rule of ``views.mask_identity``
    applied to a whole document; on a server, which blanks only text stored
    about those persons (``server.blanking``), out of the free texts and out
    of any other text that is such stored text as it stands, and the words
    of the text the program writes itself (staff, units, meetings, other
    persons' names) that the server names as names of those persons."""
    names, free = scope.masked_names, scope.free_texts
    if isinstance(names, ServerNames):
        # The server picks the masked among them; text about the others counts.
        names = ServerNames(names.session, names.person_ids | scope.people)
        plain: list[str] = []
        _map_texts(blocks, lambda t: plain.append(t) or t)
        fetch_blanked([(names, free + [t for t in plain if not _FREE_TEXT.search(t)])])
        blanked = [names.blank(t) for t in free]
        own = server_name_words(names, {span for t in plain
                                        for span in word_spans(_FREE_TEXT.sub(" ", t))})

        def scrub(text: str) -> str:
            if _FREE_TEXT.search(text):
                text = _FREE_TEXT.sub(lambda found: blanked[int(found[1])], text)
            else:
                text = names.blanked(text) or text
            return (scrub_names(text, own) or text) if own else text
    else:
        def scrub(text: str) -> str:
            text = _FREE_TEXT.sub(lambda found: free[int(found[1])], text)
            return (scrub_names(text, names) or text) if names else text
    return _map_texts(blocks, scrub)


_RUN = re.compile(r"[\w'-]+")
_WORD_CHARACTER = re.compile(r"\w")


def word_spans(text: str) -> set[str]:
    """Every part of ``text`` that a name word could match as
    ``views.scrub_names`` matches it: from a word character after a non-word
    one to a word character before one, with only word characters, ' and -
    between (so "Åsa-Lena" gives Åsa, Lena and Åsa-Lena)."""
    spans = set()
    for run in _RUN.finditer(text):
        part = run.group()
        word = [bool(_WORD_CHARACTER.match(ch)) for ch in part]
        starts = [i for i in range(len(part)) if word[i] and (i == 0 or not word[i - 1])]
        ends = [j for j in range(1, len(part) + 1)
                if word[j - 1] and (j == len(part) or not word[j])]
        spans.update(part[i:j] for i in starts for j in ends
                     if j - i >= 2 and not part[i:j].isdigit())
    return spans


def server_name_words(names: ServerNames, spans: set[str]) -> frozenset[str]:
    """Those of ``spans`` that the server names as names of the persons of
    ``names`` the reader may not identify — only words of the staff, units,
    meetings and persons a document about them shows (``server.blanking``),
    so that no guessed word can be tested."""
    from sqlalchemy import bindparam, text as sql_text
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.types import Integer, Text

    if not spans or not names.person_ids:
        return frozenset()
    found = names.session.execute(
        sql_text(f"SELECT {SERVER_NAME_WORDS}(:people, :words)").bindparams(
            bindparam("people", type_=ARRAY(Integer)), bindparam("words", type_=ARRAY(Text))),
        {"people": sorted(names.person_ids), "words": sorted(spans)}).scalar()
    return frozenset(found or ())


def _map_texts(blocks: list, change) -> list:
    """The blocks with ``change`` applied to every text a reader reads (not a
    note's line of author and time)."""
    out = []
    for b in blocks:
        if isinstance(b, (Heading, Paragraph)):
            b = type(b)(change(b.text))
        elif isinstance(b, NoteBlock):
            b = NoteBlock(change(b.title), b.meta, change(b.body))
        elif isinstance(b, KeyValues):
            b = KeyValues(tuple((k, change(v)) for k, v in b.rows))
        elif isinstance(b, Table):
            b = dataclasses.replace(b, rows=tuple(tuple(change(c) for c in row)
                                                  for row in b.rows))
        out.append(b)
    return out


def count_omissions(s, scope: Scope, content: Content, kind: str, **narrowing) -> None:
    """Count, per category, what of ``kind`` (narrowed as the section's rows
    are: ``hidden_counts.NARROWINGS``) is left out and why: rows the author
    may not see (in scope only: on a server, whose row rules hide them from
    the author, counted by the server), and rows the recipient may not get."""
    where = hidden_counts.narrowed(kind, **narrowing)
    any_row = _any(s, kind, *where)
    if any_row or hidden_counts.on_server(s):
        for category, n in hidden_counts.hidden(s, scope.author, kind, scope.now,
                                                **narrowing).items():
            content.omit(category, _not_shared(scope.author), count_of(n, kind))
    if not any_row or scope.recipient is None:
        return
    model = access.CASE_CONTENT_KINDS[kind].model
    rows = s.execute(select(model.category, func.count())
                     .where(scope.withheld(kind), *where)
                     .group_by(model.category)).all()
    for category, n in rows:
        if n:
            content.omit(Category(category), no_basis(scope.recipient), count_of(n, kind))
    if not scope.reveals:
        held = s.scalar(select(func.count()).select_from(model).where(
            disclosable(scope.author, scope.recipient, kind, scope.now),
            scope.held_back(kind), *where))
        if held:
            content.omit(Category.LOCATION, REVEAL_LEFT_OUT, count_of(held, kind))


def shown_rows(s, scope: Scope, kind: str, order=(), **narrowing):
    """The rows of ``kind`` the scope shows, narrowed (``hidden_counts.NARROWINGS``)."""
    model = access.CASE_CONTENT_KINDS[kind].model
    where = hidden_counts.narrowed(kind, **narrowing)
    if not _any(s, kind, *where):
        return []
    return list(s.scalars(select(model).where(scope.shown(kind), *where)
                          .order_by(*order, model.id)).all())


def case_blocks(s, scope: Scope, case: m.Case, content: Content, *,
                open_tasks_only: bool, with_person: bool = True,
                with_consents: bool = True, consents_active_only: bool = True,
                heading: str = "Ärendet") -> None:
    """Everything about one case the scope allows, section by section."""
    if with_person:
        person_blocks(s, scope, case.person, content)
    unit = s.get(m.Unit, case.unit_id)
    rows = [("Ärendenummer", case.number), ("Rubrik", scope.free(case.title)),
            ("Status", label(case.state)), ("Enhet", unit.name if unit else "–"),
            ("Ansvarig myndighet", agency_name(case.owner_agency)),
            ("Öppnat", local_time(case.opened_at)),
            ("Senast ändrat", local_time(case.last_entry_at))]
    if case.closure_requested_at:
        rows.append(("Avslut begärt", local_time(case.closure_requested_at)))
    if case.closed_at:
        rows.append(("Avslutat", local_time(case.closed_at)))
    content.blocks += [Heading(heading), KeyValues(tuple(rows))]
    content.include(Category.IDENTITY, case.owner_agency)

    # Team and contacts: staff, not case content.
    team = sorted(case.team, key=lambda t: (not t.responsible, t.user.display_name))
    phones = any(t.user.phone for t in team)
    content.blocks += [Heading("Team och kontaktuppgifter"), Table(
        ("Namn", "Roll", "Myndighet och enhet") + (("Telefon",) if phones else ())
        + ("E-post",),
        tuple((t.user.display_name + (" (ärendeansvarig)" if t.responsible else ""),
               label(t.user.role), f"{agency_name(t.user.agency)}, {t.user.unit.name}")
              + ((t.user.phone or "–",) if phones else ()) + (t.user.email or "–",)
              for t in team),
        (2.0, 1.9, 2.3) + ((1.3,) if phones else ()) + (2.9,))]

    if with_consents:
        consent_blocks(s, scope, case.person, content, active_only=consents_active_only)

    _referral_section(s, scope, content, case.id)
    _plan_section(s, scope, content, case.id)
    _exit_section(s, scope, content, case.id)
    _period_section(s, scope, content, case.id, "measure", m.ProtectiveMeasure,
                    "Skyddsåtgärder", "Åtgärd")
    _period_section(s, scope, content, case.id, "support", m.SupportComponent,
                    "Stödinsatser", "Insats")
    _threat_section(s, scope, content, case.id)
    _involvement_section(s, scope, content, case.id)
    _task_section(s, scope, content, case.id, open_tasks_only)
    note_blocks(s, scope, case, content)


def _referral_section(s, scope: Scope, content: Content, case_id: int) -> None:
    """SIG referrals."""
    refs = shown_rows(s, scope, "referral", order=(m.Referral.received_at,), case_id=case_id)
    if refs:
        users = users_by_id(s, [r.decided_by_id for r in refs])
        content.blocks += [Heading("SIG – aktualiseringar"), Table(
            ("Mottagen", "Från", "Status", "Skäl", "Beslut"),
            tuple((local_day(r.received_at), agency_name(r.source_agency),
                   label(r.state) + (f" ({label(r.closure)})" if r.closure else ""),
                   scope.free(r.reason),
                   (f"{local_day(r.decided_at)}, {user_label(users, r.decided_by_id, False)}"
                    + (f": {scope.free(r.decision_note)}" if r.decision_note else ""))
                   if r.decided_at else "–") for r in refs),
            (1.35, 1.3, 1.4, 3.0, 2.6))]
        for r in refs:
            content.include(r.category, r.owner_agency)
    count_omissions(s, scope, content, "referral", case_id=case_id)


def _plan_section(s, scope: Scope, content: Content, case_id: int) -> None:
    """Plans and SIP, with goals and actions."""
    plans = shown_rows(s, scope, "plan", order=(m.Plan.created_at,), case_id=case_id)
    if plans:
        content.blocks.append(Heading("Åtgärdsplan och SIP"))
    for plan in plans:
        users = users_by_id(s, [plan.overall_user_id, plan.approved_by_id]
                            + [a.responsible_user_id for a in plan.actions])
        overall = agency_name(plan.overall_agency)
        if plan.overall_user_id:
            overall += f" – {user_label(users, plan.overall_user_id, False)}"
        kv = [("Typ", "SIP (samordnad individuell plan)" if plan.is_sip else "Åtgärdsplan"),
              ("Status", label(plan.state)), ("Övergripande ansvar", overall),
              ("Upprättad", local_day(plan.created_at))]
        if plan.approved_at:
            kv.append(("Godkänd", f"{local_day(plan.approved_at)} av "
                                  f"{user_label(users, plan.approved_by_id, False)}"))
        if plan.next_follow_up:
            kv.append(("Nästa uppföljning", local_day(plan.next_follow_up)))
        content.blocks.append(KeyValues(tuple(kv)))
        if plan.goals:
            content.blocks.append(Table(("Livsområde", "Mål"),
                                        tuple((label(g.life_area), scope.free(g.goal))
                                              for g in plan.goals),
                                        (1.2, 4.0)))
        if plan.actions:
            content.blocks.append(Table(
                ("Livsområde", "Åtgärd", "Ansvarig", "Klar senast", "Följs upp", "Status"),
                tuple((label(a.life_area), scope.free(a.description),
                       agency_name(a.responsible_agency) + (
                           f" – {user_label(users, a.responsible_user_id, False)}"
                           if a.responsible_user_id else ""),
                       local_day(a.due_date), local_day(a.follow_up_date),
                       f"Klar\n{local_day(a.done_at)}" if a.done_at else "Pågår")
                      for a in plan.actions),
                (1.6, 2.5, 1.85, 1.25, 1.25, 1.25)))
        content.include(plan.category, plan.owner_agency)
    count_omissions(s, scope, content, "plan", case_id=case_id)


def _exit_section(s, scope: Scope, content: Content, case_id: int) -> None:
    """Exit programme (avhoppare)."""
    exits = shown_rows(s, scope, "exit", order=(m.ExitProgramme.requested_at,),
                       case_id=case_id)
    if exits:
        content.blocks.append(Heading("Avhopparverksamhet"))
    for ep in exits:
        users = users_by_id(s, [ep.agreement_approved_by_id])
        kv = [("Status", label(ep.state)), ("Förfrågan", local_time(ep.requested_at)),
              ("Första kontakt", local_time(ep.first_contact_at) if ep.first_contact_at
               else f"Ej tagen (mål senast {local_time(ep.first_contact_due)})")]
        if ep.needs:
            kv.append(("Behov", scope.free(ep.needs)))
        if ep.agreement_conditions:
            kv.append(("Överenskommelse", scope.free(ep.agreement_conditions)))
        if ep.agreement_signed_on:
            kv.append(("Undertecknad", local_day(ep.agreement_signed_on)))
        if ep.agreement_approved_at:
            kv.append(("Godkänd", f"{local_day(ep.agreement_approved_at)} av "
                                  f"{user_label(users, ep.agreement_approved_by_id, False)}"))
        if ep.ending:
            kv.append(("Avslutad", f"{local_day(ep.ended_at)} – {label(ep.ending)}"))
        content.blocks.append(KeyValues(tuple(kv)))
        content.include(ep.category, ep.owner_agency)
    count_omissions(s, scope, content, "exit", case_id=case_id)


def _period_section(s, scope: Scope, content: Content, case_id: int, kind: str, model,
                    heading: str, first_column: str) -> None:
    """Protective measures or support components: one row per period."""
    rows = shown_rows(s, scope, kind, order=(model.started_on,), case_id=case_id)
    if rows:
        content.blocks += [Heading(heading), Table(
            (first_column, "Beskrivning", "Ansvarig", "Från", "Till"),
            tuple((label(r.kind), scope.free(r.description), agency_name(r.owner_agency),
                   local_day(r.started_on), local_day(r.ended_on) if r.ended_on else "Pågår")
                  for r in rows),
            (1.4, 3.0, 1.7, 1.2, 1.2))]
        for r in rows:
            content.include(r.category, r.owner_agency)
    count_omissions(s, scope, content, kind, case_id=case_id)


def _threat_section(s, scope: Scope, content: Content, case_id: int) -> None:
    """Threat assessments."""
    threats = shown_rows(s, scope, "threat", order=(m.ThreatAssessment.assessed_at,),
                         case_id=case_id)
    if threats:
        users = users_by_id(s, [t.created_by_id for t in threats])
        content.blocks += [Heading("Hotbild och riskbedömningar"), Table(
            ("Datum", "Nivå", "Sammanfattning", "Bedömd av"),
            tuple((local_day(t.assessed_at), label(t.level), scope.free(t.summary),
                   user_label(users, t.created_by_id)) for t in threats),
            (1.25, 0.8, 4.75, 2.0))]
        for t in threats:
            content.include(t.category, t.owner_agency)
    count_omissions(s, scope, content, "threat", case_id=case_id)


def _involvement_section(s, scope: Scope, content: Content, case_id: int) -> None:
    """Incidents the person is linked to."""
    involvements = shown_rows(s, scope, "involvement",
                              order=(m.IncidentInvolvement.created_at,), case_id=case_id)
    if involvements:
        incidents = {i.id: i for i in s.scalars(select(m.Incident).where(
            m.Incident.id.in_({r.incident_id for r in involvements}))).all()}
        content.blocks += [Heading("Händelser"), Table(
            ("Händelse", "Typ", "Tidpunkt", "Personens koppling", "Registrerad av"),
            tuple((incidents[r.incident_id].number, label(incidents[r.incident_id].kind),
                   local_time(incidents[r.incident_id].occurred_at),
                   involvement_label(r.involvement), agency_name(r.owner_agency))
                  for r in involvements),
            (1.3, 1.2, 1.4, 1.6, 1.6))]
        for r in involvements:
            content.include(r.category, r.owner_agency)
    count_omissions(s, scope, content, "involvement", case_id=case_id)


def _task_section(s, scope: Scope, content: Content, case_id: int,
                  open_tasks_only: bool) -> None:
    """Tasks (only the open ones in a handover)."""
    narrowing = {"case_id": case_id, "state": (TaskState.OPEN,) if open_tasks_only else None}
    tasks = shown_rows(s, scope, "task", order=(m.Task.due_on.is_(None), m.Task.due_on),
                       **narrowing)
    if tasks:
        users = users_by_id(s, [t.assignee_id for t in tasks])
        columns = ("Åtgärdspunkt", "Ansvarig", "Klar senast")
        if not open_tasks_only:
            columns += ("Status",)
        content.blocks += [Heading("Öppna åtgärdspunkter" if open_tasks_only
                                   else "Åtgärdspunkter"), Table(
            columns,
            tuple((scope.free(t.title)
                   + (f"\n{scope.free(t.description)}" if t.description else ""),
                   user_label(users, t.assignee_id) if t.assignee_id
                   else agency_name(t.assignee_agency),
                   local_day(t.due_on)) + (() if open_tasks_only else (label(t.state),))
                  for t in tasks),
            (4.0, 2.2, 1.2) if open_tasks_only else (4.0, 2.2, 1.25, 1.0))]
        for t in tasks:
            content.include(t.category, t.owner_agency)
    count_omissions(s, scope, content, "task", **narrowing)


def consent_blocks(s, scope: Scope, person: m.Person, content: Content,
                   active_only: bool) -> None:
    today = access.local_date(scope.now)
    consents = s.scalars(select(m.Consent)
                         .where(m.Consent.person_id == person.id,
                                access.visible(scope.author, "consent", scope.now))
                         .order_by(m.Consent.valid_until.desc(), m.Consent.id.desc())).all()
    rows = []
    masked = scope.project(s, person).identity_masked
    names = names_to_mask(s, [person])[person.id] if masked else frozenset()
    for stored in consents:
        status = consent_status(stored, today)
        if active_only and status != "active":
            continue
        c = view_of(stored, "", today)
        if masked:  # the same mask as every other projection of the person
            c = mask_identity(c, person.id, names)
        basis = label(c.basis)
        if c.basis == ConsentBasis.LEGAL_BASIS and c.legal_reference:
            basis += f" ({c.legal_reference})"
        elif c.form:
            basis += f", {label(c.form).lower()}"
        by_agency: dict[Agency, list[str]] = {}
        for agency, category in sorted(c.grants, key=lambda g: (list(Agency).index(g[0]),
                                                                list(Category).index(g[1]))):
            by_agency.setdefault(agency, []).append(label(category))
        grants = "\n".join(f"{agency_name(a)}: {', '.join(cats)}" for a, cats in by_agency.items())
        row = (f"{basis}\nLämnat av: {c.given_by}",
               f"{local_day(c.valid_from)} – {local_day(c.valid_until)}", grants,
               scope.free(c.purpose))
        if not active_only:
            row += (label(ConsentStatus(status)),)
        rows.append(row)
    heading = "Gällande samtycken och lagstöd" if active_only else "Samtycken och lagstöd"
    columns = ("Grund", "Giltigt", "Mottagare och uppgifter", "Syfte")
    widths = (2.2, 1.7, 3.0, 2.4)
    if not active_only:
        columns += ("Status",)
        widths += (1.1,)
    content.blocks += [Heading(heading), Table(columns, tuple(rows), widths)]
    if rows:
        content.include(Category.IDENTITY, person.owner_agency)


def note_blocks(s, scope: Scope, case: m.Case, content: Content) -> None:
    signed = {"case_id": case.id, "state": (NoteState.SIGNED,)}
    notes = shown_rows(s, scope, "note", order=(m.Note.created_at,), **signed)
    content.blocks.append(Heading(f"Journalanteckningar ({len(notes)})"))
    if not notes:
        content.blocks.append(Paragraph("Inga signerade anteckningar finns med."))
    users = users_by_id(s, [n.author_id for n in notes] + [n.signed_by_id for n in notes])
    ids = [n.id for n in notes]
    corrected: dict[int, list[int]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for original, fix in s.execute(select(m.Note.corrects_id, m.Note.id).where(
                m.Note.corrects_id.in_(chunk), m.Note.state == NoteState.SIGNED)).all():
            corrected.setdefault(original, []).append(fix)
    for n in notes:
        meta = [f"Nr {n.id}", local_time(n.created_at), user_label(users, n.author_id),
                label(n.category)]
        if n.signed_at:
            meta.append(f"signerad {local_time(n.signed_at)}")
        if n.corrects_id:
            meta.append(f"rättar nr {n.corrects_id}")
        if n.id in corrected:
            meta.append("rättad genom nr " + ", ".join(str(i) for i in sorted(corrected[n.id])))
        content.blocks.append(NoteBlock(scope.free(n.title), " · ".join(meta),
                                        scope.free(n.body)))
        content.include(n.category, n.owner_agency)
    count_omissions(s, scope, content, "note", **signed)
    drafts = s.scalar(select(func.count()).select_from(m.Note).where(
        m.Note.case_id == case.id, m.Note.state == NoteState.DRAFT,
        access.visible(scope.author, "note", scope.now)))
    if drafts:
        content.notes_omitted.append(
            f"Osignerade utkast ({count_of(drafts, 'note')}): endast signerade anteckningar "
            f"tas med")
