"""PDF documents (DESIGN §7): handover, case summary, meeting minutes, subject
access extract, access-log extract; verification; printing.

What a document contains is decided here, with the access rule, and nowhere
else: the renderer (``trefas_app.documents``) prints exactly what it is given.

* A **handover** goes to another agency. Its content is what the author may
  see (``access.visible``) *and* what the recipient agency may receive: the
  recipient's condition 3 of the rule (``access.consent_clause`` — its own
  records, or a current consent / recorded legal basis naming it for the
  category), and the case's identity must be shared with it. That is
  :func:`disclosable`, the one helper every handover query goes through. The
  person is shown by alias when protected and not revealed by the author.
  Nothing else is printed; a box lists what was left out and why, without
  content.
* A **case summary** (supervisor), **meeting minutes** and the **subject
  extract** contain what the author may see; the **access-log extract** lists
  who read a person's data, when and why (identifiers and user names only).

Every issued document is numbered (``D-YYYY-NNNNN``), signed and sealed with
the installation's key, stored as an :class:`IssuedDocument` row (hashes,
pages — never the PDF itself) with one :class:`Disclosure` row per basis it
relied on (consent, legal basis, the recipient's own records, internal use),
and logged. A handover needs the author's password once more before it leaves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, false, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from trefas_app.domain import clock
from trefas_app.documents.model import (
    Block,
    Document,
    DocumentHeader,
    Heading,
    KeyValues,
    NoteBlock,
    OmittedSection,
    Paragraph,
    Table,
    canonical_json,
)
from trefas_app.domain.audit_labels import action_label
from trefas_app.domain.address import format_address
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import (
    Agency,
    Category,
    ConsentBasis,
    ConsentStatus,
    DocumentKind,
    NoteState,
    Role,
    TaskState,
)
from trefas_app.domain.errors import NotFound, ValidationError, WrongPassword
from trefas_app.domain.labels import label
from trefas_app.domain.routine import involvement_label
from trefas_app.security import access
from trefas_app.services.cases import next_number, writable_case
from trefas_app.services.consents import consent_status, view_of
from trefas_app.services.persons import names_to_mask, person_names, project_person
from trefas_app.services.views import (
    PersonView,
    mask_identity,
    name_words,
    scrub_names,
)
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork

#: Formal agency names as printed in documents.
AGENCY_NAMES: dict[Agency, str] = {
    Agency.CITY: "Socialtjänsten",
    Agency.POLICE: "Polismyndigheten",
    Agency.PROBATION: "Kriminalvården",
}

#: The secrecy provision protecting each agency's records about individuals.
OSL_PROVISIONS: dict[Agency, str] = {
    Agency.CITY: "26 kap. 1 § OSL (socialtjänst)",
    Agency.POLICE: "35 kap. 1 § OSL (polis)",
    Agency.PROBATION: "35 kap. 15 § OSL (kriminalvård)",
}

#: A password for a PDF file leaves the program with the file (the recipient
#: gets it by another channel) and can be attacked offline: not too short.
MIN_PDF_PASSWORD = 12
#: What AES-256 PDF encryption (R6) reads of a password.
MAX_PDF_PASSWORD_BYTES = 127

DOCUMENT_PREFIX = "D"

#: Legal bases written on Disclosure rows that rest on no consent.
BASIS_OWN_RECORDS = "Mottagande myndighets egna uppgifter"
BASIS_INTERNAL = "Intern användning inom den egna myndigheten (ingen överföring)"
BASIS_SUBJECT_EXTRACT = "Art. 15 dataskyddsförordningen (registerutdrag)"
BASIS_LOG_EXTRACT = "Art. 15 dataskyddsförordningen (utdrag ur åtkomstloggen)"

#: Permission each document kind needs (trefas_app.domain.permissions).
PERMISSION = {
    DocumentKind.HANDOVER: "document.handover",
    DocumentKind.CASE_SUMMARY: "document.summary",
    DocumentKind.MEETING_MINUTES: "document.minutes",
    DocumentKind.SUBJECT_EXTRACT: "document.extract",
    DocumentKind.ACCESS_LOG_EXTRACT: "document.log_extract",
}

#: Audit action of each document kind.
ACTION = {
    DocumentKind.HANDOVER: "document.handover",
    DocumentKind.CASE_SUMMARY: "document.summary",
    DocumentKind.MEETING_MINUTES: "document.minutes",
    DocumentKind.SUBJECT_EXTRACT: "document.extract",
    DocumentKind.ACCESS_LOG_EXTRACT: "document.log_extract",
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


# --- results ----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedDocumentResult:
    number: str
    kind: DocumentKind
    pdf_bytes: bytes = field(repr=False)
    pages: int
    #: Hex SHA-256 of the PDF file exactly as issued.
    sha256: str
    #: Hex SHA-256 of the canonical content (the signed verification record's hash).
    content_sha256: str
    #: What was left out and why, one sentence each (no content).
    omitted: tuple[str, ...]
    recipient: str
    issued_at: dt.datetime
    password_protected: bool


@dataclass(frozen=True)
class DocumentCheck:
    """The answer of :func:`verify_document`."""

    ok: bool
    #: Stable reason code (see trefas_app.documents.verification), e.g. "ok",
    #: "file_changed", "other_store", "other_key", "not_trefas".
    code: str
    reason_sv: str
    reason_en: str
    number: str | None = None
    kind: DocumentKind | None = None
    case_number: str | None = None
    recipient: str | None = None
    issued_at: dt.datetime | None = None
    issued_by: str | None = None
    issued_by_agency: Agency | None = None
    pages: int | None = None
    #: The exact bytes are those of a file recorded as issued by this store.
    known: bool = False

    def message(self, language: str = "sv") -> str:
        return self.reason_sv if language == "sv" else self.reason_en


@dataclass(frozen=True)
class IssuedDocumentRow:
    """A register entry: what was issued, to whom, by whom — not the content
    (Trefas keeps no copy of an issued PDF, only its number and hashes)."""

    number: str
    kind: DocumentKind
    recipient: str
    recipient_agency: Agency | None
    issued_at: dt.datetime
    issued_by: str
    issued_by_agency: Agency
    pages: int
    password_protected: bool


@dataclass(frozen=True)
class PrintRecord:
    number: str
    printed_at: dt.datetime
    disclosures: int


# --- the disclosure rule: one helper over the access rule --------------------------


def recipient_allowed(recipient: Agency, kind: str, now: dt.datetime) -> ColumnElement[bool]:
    """Rows of ``kind`` that ``recipient`` (an agency) may receive."""
    return access.agency_may_receive(Agency(recipient), kind, now)


def disclosable(author: Actor, recipient: Agency, kind: str,
                now: dt.datetime) -> ColumnElement[bool]:
    """Rows of ``kind`` that ``author`` may hand over to ``recipient``: what the
    author may read (the whole access rule) ∩ what the recipient agency may
    receive (:func:`recipient_allowed`)."""
    return and_(access.visible(author, kind, now), recipient_allowed(recipient, kind, now))


@dataclass
class _Scope:
    """What a document may contain: what the author sees, narrowed to what the
    recipient agency may receive when the document leaves the agency."""

    author: Actor
    now: dt.datetime
    recipient: Agency | None = None  # None: as the author sees it
    #: Words of the names of every person projected masked (for the whole text).
    masked_names: set[str] = field(default_factory=set)
    #: The author's reveals of protected identities count (their answer to
    #: "include the revealed identity?" for a handover; else always).
    reveals: bool = True

    def shown(self, kind: str) -> ColumnElement[bool]:
        if self.recipient is None:
            return access.visible(self.author, kind, self.now)
        shown = disclosable(self.author, self.recipient, kind, self.now)
        return shown if self.reveals else and_(shown, not_(self.held_back(kind)))

    def held_back(self, kind: str) -> ColumnElement[bool]:
        """Location content of a protected person that the author sees only
        through a reveal they chose to leave out of the document."""
        spec = access.CASE_CONTENT_KINDS.get(kind)
        if self.reveals or spec is None:
            return false()
        return not_(access.protection_clause(self.author, spec.model.person_id,
                                             spec.category_expr(), self.now, reveals=False))

    def withheld(self, kind: str) -> ColumnElement[bool]:
        """Rows the author sees that the recipient may not receive."""
        return and_(access.visible(self.author, kind, self.now),
                    not_(recipient_allowed(self.recipient, kind, self.now)))

    def person_categories(self, s, person_id: int) -> tuple[set[Category], set[Category]]:
        """(categories of the person's own fields shown, those the author sees)."""
        author = access.categories_for_persons(s, self.author.agency, [person_id], self.now)[person_id]
        if self.recipient is None:
            return set(author), set(author)
        recipient = access.categories_for_persons(s, Agency(self.recipient), [person_id],
                                                  self.now)[person_id]
        return author & recipient, set(author)

    def project(self, s, person: m.Person) -> PersonView:
        shown, _ = self.person_categories(s, person.id)
        revealed = self.reveals and person.id in access.revealed_persons(
            s, self.author, [person.id], self.now)
        view = project_person(person, shown, revealed)
        if view.identity_masked:
            # Every text of the document is scrubbed of these (see _issue).
            self.masked_names |= names_to_mask(s, [person])[person.id]
        return view


# --- collecting content --------------------------------------------------------------


@dataclass
class _Content:
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


def _count(n: int, kind: str) -> str:
    singular, plural = _NOUNS[kind]
    return f"{n} {singular if n == 1 else plural}"


# --- formatting ------------------------------------------------------------------------


def _time(value: dt.datetime | None) -> str:
    if value is None:
        return "–"
    return clock.format_local(value)


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        return access.local_date(value).isoformat()
    return value.isoformat()


def _agency(agency: Agency | None) -> str:
    return AGENCY_NAMES.get(agency, "–") if agency is not None else "–"


def _users(s, ids: Iterable[int | None]) -> dict[int, m.User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in s.scalars(select(m.User).where(m.User.id.in_(ids))).all()}


def _who(users: dict[int, m.User], user_id: int | None, with_agency: bool = True) -> str:
    user = users.get(user_id) if user_id is not None else None
    if user is None:
        return "–"
    return f"{user.display_name}, {_agency(user.agency)}" if with_agency else user.display_name


def _author_agency(actor: Actor) -> str:
    name = _agency(actor.agency)
    return f"{name}, {actor.unit_name}" if actor.unit_name else name


def _secrecy_line(kind: DocumentKind, agencies: Iterable[Agency]) -> str:
    present = set(agencies)
    provisions = " / ".join(OSL_PROVISIONS[a] for a in Agency if a in present)
    if kind in (DocumentKind.SUBJECT_EXTRACT, DocumentKind.ACCESS_LOG_EXTRACT):
        return (f"Sekretess enligt {provisions} gäller mot andra än den registrerade – "
                f"sekretessprövas före utlämnande")
    return f"Sekretess enligt {provisions} – får inte lämnas ut utan sekretessprövning"


def _check_pdf_password(password: str | None) -> None:
    if password is None:
        return
    if len(password) < MIN_PDF_PASSWORD:
        raise ValidationError(
            f"Lösenordet för PDF-filen måste ha minst {MIN_PDF_PASSWORD} tecken.",
            f"The password for the PDF file must have at least {MIN_PDF_PASSWORD} characters.")
    try:
        size = len(password.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValidationError("Lösenordet för PDF-filen är inte giltig UTF-8.",
                              "The password for the PDF file is not valid UTF-8.") from None
    # AES-256 PDF encryption (R6) uses only the first 127 bytes: a longer
    # password would silently open with its first part alone.
    if size > MAX_PDF_PASSWORD_BYTES:
        raise ValidationError(
            f"Lösenordet för PDF-filen får vara högst {MAX_PDF_PASSWORD_BYTES} byte långt "
            f"(å, ä, ö och andra tecken utanför A–Z räknas som två eller fler).",
            f"The password for the PDF file may be at most {MAX_PDF_PASSWORD_BYTES} bytes long "
            f"(characters outside A–Z count as two or more).")


# --- sections ------------------------------------------------------------------------------


def _person_blocks(s, scope: _Scope, person: m.Person, content: _Content,
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
        rows.append(("Riskfaktorer", view.risk_factors))
    if view.protective_factors:
        rows.append(("Skyddsfaktorer", view.protective_factors))
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
                content.omit(category, _no_basis(scope.recipient), what)
    return view


def _no_basis(recipient: Agency) -> str:
    return f"inget gällande samtycke eller lagstöd för {_agency(recipient)}"


def _not_shared(author: Actor) -> str:
    return f"delas inte med {_agency(author.agency)} och kan inte lämnas vidare"


def _any(s, kind: str, *where) -> bool:
    """Whether any row of ``kind`` matches ``where`` at all. Building the access
    predicates is not free, and most cases lack some kinds of content."""
    model = access.CASE_CONTENT_KINDS[kind].model
    return s.scalar(select(model.id).where(*where).limit(1)) is not None


#: Why location content of a revealed protected person is not in a handover.
REVEAL_LEFT_OUT = ("skyddad identitet – upprättaren valde att inte ta med den visade "
                   "identiteten")


def _scrubbed(blocks: list, names: frozenset[str]) -> list:
    """The blocks with ``names`` blanked out of every text — the free-text
    rule of ``views.mask_identity`` applied to a whole document."""
    def scrub(text: str) -> str:
        return scrub_names(text, names) or text

    out = []
    for b in blocks:
        if isinstance(b, (Heading, Paragraph)):
            b = type(b)(scrub(b.text))
        elif isinstance(b, NoteBlock):
            b = NoteBlock(scrub(b.title), b.meta, scrub(b.body))
        elif isinstance(b, KeyValues):
            b = KeyValues(tuple((k, scrub(v)) for k, v in b.rows))
        elif isinstance(b, Table):
            b = dataclasses.replace(b, rows=tuple(tuple(scrub(c) for c in row)
                                                  for row in b.rows))
        out.append(b)
    return out


def _omissions(s, scope: _Scope, content: _Content, kind: str, *where) -> None:
    """Count, per category, what of ``kind`` is left out and why: rows the
    author may not see (in scope only), and rows the recipient may not get."""
    if not _any(s, kind, *where):
        return
    for category, n in access.hidden_by_category(s, scope.author, kind, scope.now,
                                                 *where).items():
        content.omit(category, _not_shared(scope.author), _count(n, kind))
    if scope.recipient is None:
        return
    model = access.CASE_CONTENT_KINDS[kind].model
    rows = s.execute(select(model.category, func.count())
                     .where(scope.withheld(kind), *where)
                     .group_by(model.category)).all()
    for category, n in rows:
        if n:
            content.omit(Category(category), _no_basis(scope.recipient), _count(n, kind))
    if not scope.reveals:
        held = s.scalar(select(func.count()).select_from(model).where(
            disclosable(scope.author, scope.recipient, kind, scope.now),
            scope.held_back(kind), *where))
        if held:
            content.omit(Category.LOCATION, REVEAL_LEFT_OUT, _count(held, kind))


def _rows(s, scope: _Scope, kind: str, *where, order=()):
    model = access.CASE_CONTENT_KINDS[kind].model
    if not _any(s, kind, *where):
        return []
    return list(s.scalars(select(model).where(scope.shown(kind), *where)
                          .order_by(*order, model.id)).all())


def _case_blocks(s, scope: _Scope, case: m.Case, content: _Content, *,
                 open_tasks_only: bool, with_person: bool = True,
                 with_consents: bool = True, consents_active_only: bool = True,
                 heading: str = "Ärendet") -> None:
    """Everything about one case the scope allows, section by section."""
    if with_person:
        _person_blocks(s, scope, case.person, content)
    unit = s.get(m.Unit, case.unit_id)
    rows = [("Ärendenummer", case.number), ("Rubrik", case.title),
            ("Status", label(case.state)), ("Enhet", unit.name if unit else "–"),
            ("Ansvarig myndighet", _agency(case.owner_agency)),
            ("Öppnat", _time(case.opened_at)), ("Senast ändrat", _time(case.last_entry_at))]
    if case.closure_requested_at:
        rows.append(("Avslut begärt", _time(case.closure_requested_at)))
    if case.closed_at:
        rows.append(("Avslutat", _time(case.closed_at)))
    content.blocks += [Heading(heading), KeyValues(tuple(rows))]
    content.include(Category.IDENTITY, case.owner_agency)

    # Team and contacts: staff, not case content.
    team = sorted(case.team, key=lambda t: (not t.responsible, t.user.display_name))
    phones = any(t.user.phone for t in team)
    content.blocks += [Heading("Team och kontaktuppgifter"), Table(
        ("Namn", "Roll", "Myndighet och enhet") + (("Telefon",) if phones else ())
        + ("E-post",),
        tuple((t.user.display_name + (" (ärendeansvarig)" if t.responsible else ""),
               label(t.user.role), f"{_agency(t.user.agency)}, {t.user.unit.name}")
              + ((t.user.phone or "–",) if phones else ()) + (t.user.email or "–",)
              for t in team),
        (2.0, 1.9, 2.3) + ((1.3,) if phones else ()) + (2.9,))]

    if with_consents:
        _consent_blocks(s, scope, case.person, content, active_only=consents_active_only)

    case_filter = {kind: access.CASE_CONTENT_KINDS[kind].model.case_id == case.id
                   for kind in access.CASE_CONTENT_KINDS}

    # SIG referrals.
    refs = _rows(s, scope, "referral", case_filter["referral"],
                 order=(m.Referral.received_at,))
    if refs:
        users = _users(s, [r.decided_by_id for r in refs])
        content.blocks += [Heading("SIG – aktualiseringar"), Table(
            ("Mottagen", "Från", "Status", "Skäl", "Beslut"),
            tuple((_day(r.received_at), _agency(r.source_agency),
                   label(r.state) + (f" ({label(r.closure)})" if r.closure else ""),
                   r.reason,
                   (f"{_day(r.decided_at)}, {_who(users, r.decided_by_id, False)}"
                    + (f": {r.decision_note}" if r.decision_note else ""))
                   if r.decided_at else "–") for r in refs),
            (1.35, 1.3, 1.4, 3.0, 2.6))]
        for r in refs:
            content.include(r.category, r.owner_agency)
    _omissions(s, scope, content, "referral", case_filter["referral"])

    # Plans / SIP.
    plans = _rows(s, scope, "plan", case_filter["plan"], order=(m.Plan.created_at,))
    if plans:
        content.blocks.append(Heading("Åtgärdsplan och SIP"))
    for plan in plans:
        users = _users(s, [plan.overall_user_id, plan.approved_by_id]
                       + [a.responsible_user_id for a in plan.actions])
        overall = _agency(plan.overall_agency)
        if plan.overall_user_id:
            overall += f" – {_who(users, plan.overall_user_id, False)}"
        kv = [("Typ", "SIP (samordnad individuell plan)" if plan.is_sip else "Åtgärdsplan"),
              ("Status", label(plan.state)), ("Övergripande ansvar", overall),
              ("Upprättad", _day(plan.created_at))]
        if plan.approved_at:
            kv.append(("Godkänd", f"{_day(plan.approved_at)} av "
                                  f"{_who(users, plan.approved_by_id, False)}"))
        if plan.next_follow_up:
            kv.append(("Nästa uppföljning", _day(plan.next_follow_up)))
        content.blocks.append(KeyValues(tuple(kv)))
        if plan.goals:
            content.blocks.append(Table(("Livsområde", "Mål"),
                                        tuple((label(g.life_area), g.goal) for g in plan.goals),
                                        (1.2, 4.0)))
        if plan.actions:
            content.blocks.append(Table(
                ("Livsområde", "Åtgärd", "Ansvarig", "Klar senast", "Följs upp", "Status"),
                tuple((label(a.life_area), a.description,
                       _agency(a.responsible_agency) + (
                           f" – {_who(users, a.responsible_user_id, False)}"
                           if a.responsible_user_id else ""),
                       _day(a.due_date), _day(a.follow_up_date),
                       f"Klar\n{_day(a.done_at)}" if a.done_at else "Pågår")
                      for a in plan.actions),
                (1.6, 2.5, 1.85, 1.25, 1.25, 1.25)))
        content.include(plan.category, plan.owner_agency)
    _omissions(s, scope, content, "plan", case_filter["plan"])

    # Exit programme, protective measures and support.
    exits = _rows(s, scope, "exit", case_filter["exit"], order=(m.ExitProgramme.requested_at,))
    if exits:
        content.blocks.append(Heading("Avhopparverksamhet"))
    for ep in exits:
        users = _users(s, [ep.agreement_approved_by_id])
        kv = [("Status", label(ep.state)), ("Förfrågan", _time(ep.requested_at)),
              ("Första kontakt", _time(ep.first_contact_at) if ep.first_contact_at
               else f"Ej tagen (mål senast {_time(ep.first_contact_due)})")]
        if ep.needs:
            kv.append(("Behov", ep.needs))
        if ep.agreement_conditions:
            kv.append(("Överenskommelse", ep.agreement_conditions))
        if ep.agreement_signed_on:
            kv.append(("Undertecknad", _day(ep.agreement_signed_on)))
        if ep.agreement_approved_at:
            kv.append(("Godkänd", f"{_day(ep.agreement_approved_at)} av "
                                  f"{_who(users, ep.agreement_approved_by_id, False)}"))
        if ep.ending:
            kv.append(("Avslutad", f"{_day(ep.ended_at)} – {label(ep.ending)}"))
        content.blocks.append(KeyValues(tuple(kv)))
        content.include(ep.category, ep.owner_agency)
    _omissions(s, scope, content, "exit", case_filter["exit"])

    measures = _rows(s, scope, "measure", case_filter["measure"],
                     order=(m.ProtectiveMeasure.started_on,))
    if measures:
        content.blocks += [Heading("Skyddsåtgärder"), Table(
            ("Åtgärd", "Beskrivning", "Ansvarig", "Från", "Till"),
            tuple((label(r.kind), r.description, _agency(r.owner_agency), _day(r.started_on),
                   _day(r.ended_on) if r.ended_on else "Pågår") for r in measures),
            (1.4, 3.0, 1.7, 1.2, 1.2))]
        for r in measures:
            content.include(r.category, r.owner_agency)
    _omissions(s, scope, content, "measure", case_filter["measure"])

    support = _rows(s, scope, "support", case_filter["support"],
                    order=(m.SupportComponent.started_on,))
    if support:
        content.blocks += [Heading("Stödinsatser"), Table(
            ("Insats", "Beskrivning", "Ansvarig", "Från", "Till"),
            tuple((label(r.kind), r.description, _agency(r.owner_agency), _day(r.started_on),
                   _day(r.ended_on) if r.ended_on else "Pågår") for r in support),
            (1.4, 3.0, 1.7, 1.2, 1.2))]
        for r in support:
            content.include(r.category, r.owner_agency)
    _omissions(s, scope, content, "support", case_filter["support"])

    # Threat assessments.
    threats = _rows(s, scope, "threat", case_filter["threat"],
                    order=(m.ThreatAssessment.assessed_at,))
    if threats:
        users = _users(s, [t.created_by_id for t in threats])
        content.blocks += [Heading("Hotbild och riskbedömningar"), Table(
            ("Datum", "Nivå", "Sammanfattning", "Bedömd av"),
            tuple((_day(t.assessed_at), label(t.level), t.summary,
                   _who(users, t.created_by_id)) for t in threats),
            (1.25, 0.8, 4.75, 2.0))]
        for t in threats:
            content.include(t.category, t.owner_agency)
    _omissions(s, scope, content, "threat", case_filter["threat"])

    # Incidents the person is linked to.
    involvements = _rows(s, scope, "involvement", case_filter["involvement"],
                         order=(m.IncidentInvolvement.created_at,))
    if involvements:
        incidents = {i.id: i for i in s.scalars(select(m.Incident).where(
            m.Incident.id.in_({r.incident_id for r in involvements}))).all()}
        content.blocks += [Heading("Händelser"), Table(
            ("Händelse", "Typ", "Tidpunkt", "Personens koppling", "Registrerad av"),
            tuple((incidents[r.incident_id].number, label(incidents[r.incident_id].kind),
                   _time(incidents[r.incident_id].occurred_at),
                   involvement_label(r.involvement), _agency(r.owner_agency))
                  for r in involvements),
            (1.3, 1.2, 1.4, 1.6, 1.6))]
        for r in involvements:
            content.include(r.category, r.owner_agency)
    _omissions(s, scope, content, "involvement", case_filter["involvement"])

    # Tasks.
    task_where = [case_filter["task"]]
    if open_tasks_only:
        task_where.append(m.Task.state == TaskState.OPEN)
    tasks = _rows(s, scope, "task", *task_where,
                  order=(m.Task.due_on.is_(None), m.Task.due_on))
    if tasks:
        users = _users(s, [t.assignee_id for t in tasks])
        columns = ("Åtgärdspunkt", "Ansvarig", "Klar senast")
        if not open_tasks_only:
            columns += ("Status",)
        content.blocks += [Heading("Öppna åtgärdspunkter" if open_tasks_only
                                   else "Åtgärdspunkter"), Table(
            columns,
            tuple((t.title + (f"\n{t.description}" if t.description else ""),
                   _who(users, t.assignee_id) if t.assignee_id
                   else _agency(t.assignee_agency),
                   _day(t.due_on)) + (() if open_tasks_only else (label(t.state),))
                  for t in tasks),
            (4.0, 2.2, 1.2) if open_tasks_only else (4.0, 2.2, 1.25, 1.0))]
        for t in tasks:
            content.include(t.category, t.owner_agency)
    _omissions(s, scope, content, "task", *task_where)

    _note_blocks(s, scope, case, content)


def _consent_blocks(s, scope: _Scope, person: m.Person, content: _Content,
                    active_only: bool) -> None:
    today = access.local_date(scope.now)
    consents = s.scalars(select(m.Consent)
                         .where(m.Consent.person_id == person.id,
                                access.visible(scope.author, "consent", scope.now))
                         .order_by(m.Consent.valid_until.desc(), m.Consent.id.desc())).all()
    rows = []
    masked = scope.project(s, person).identity_masked
    for stored in consents:
        status = consent_status(stored, today)
        if active_only and status != "active":
            continue
        c = view_of(stored, "", today)
        if masked:  # the same mask as every other projection of the person
            c = mask_identity(c, person.id, person_names(person) | name_words(stored.given_by))
        basis = label(c.basis)
        if c.basis == ConsentBasis.LEGAL_BASIS and c.legal_reference:
            basis += f" ({c.legal_reference})"
        elif c.form:
            basis += f", {label(c.form).lower()}"
        by_agency: dict[Agency, list[str]] = {}
        for agency, category in sorted(c.grants, key=lambda g: (list(Agency).index(g[0]),
                                                                list(Category).index(g[1]))):
            by_agency.setdefault(agency, []).append(label(category))
        grants = "\n".join(f"{_agency(a)}: {', '.join(cats)}" for a, cats in by_agency.items())
        row = (f"{basis}\nLämnat av: {c.given_by}",
               f"{_day(c.valid_from)} – {_day(c.valid_until)}", grants, c.purpose)
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


def _note_blocks(s, scope: _Scope, case: m.Case, content: _Content) -> None:
    where = [m.Note.case_id == case.id, m.Note.state == NoteState.SIGNED]
    notes = _rows(s, scope, "note", *where, order=(m.Note.created_at,))
    content.blocks.append(Heading(f"Journalanteckningar ({len(notes)})"))
    if not notes:
        content.blocks.append(Paragraph("Inga signerade anteckningar finns med."))
    users = _users(s, [n.author_id for n in notes] + [n.signed_by_id for n in notes])
    ids = [n.id for n in notes]
    corrected: dict[int, list[int]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for original, fix in s.execute(select(m.Note.corrects_id, m.Note.id).where(
                m.Note.corrects_id.in_(chunk), m.Note.state == NoteState.SIGNED)).all():
            corrected.setdefault(original, []).append(fix)
    for n in notes:
        meta = [f"Nr {n.id}", _time(n.created_at), _who(users, n.author_id), label(n.category)]
        if n.signed_at:
            meta.append(f"signerad {_time(n.signed_at)}")
        if n.corrects_id:
            meta.append(f"rättar nr {n.corrects_id}")
        if n.id in corrected:
            meta.append("rättad genom nr " + ", ".join(str(i) for i in sorted(corrected[n.id])))
        content.blocks.append(NoteBlock(n.title, " · ".join(meta), n.body))
        content.include(n.category, n.owner_agency)
    _omissions(s, scope, content, "note", *where)
    drafts = s.scalar(select(func.count()).select_from(m.Note).where(
        m.Note.case_id == case.id, m.Note.state == NoteState.DRAFT,
        access.visible(scope.author, "note", scope.now)))
    if drafts:
        content.notes_omitted.append(
            f"Osignerade utkast ({_count(drafts, 'note')}): endast signerade anteckningar "
            f"tas med")


# --- issuing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Basis:
    """One Disclosure row to write."""

    categories: tuple[Category, ...]
    recipient: str
    recipient_agency: Agency | None
    case_id: int | None = None
    person_id: int | None = None
    consent_id: int | None = None
    legal_basis: str | None = None
    purpose: str | None = None


def _page_count(pdf: bytes, password: str | None) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf), password=password or "") as doc:
        return len(doc.pages)


def _issue(uow: UnitOfWork, actor: Actor, kind: DocumentKind, *, title: str, recipient: str,
           recipient_agency: Agency | None, content: _Content, secrecy_agencies: set[Agency],
           bases: list[_Basis], case: m.Case | None = None, person_id: int | None = None,
           meeting_id: int | None = None, pdf_password: str | None = None,
           log_detail: dict | None = None, scope: _Scope | None = None
           ) -> IssuedDocumentResult:
    """Number, render, sign, seal, record and log one document; commits. With
    ``scope``, the names of every person it projected masked are blanked out
    of all the document's text (free text of notes, tasks, plans …)."""
    from trefas_app.documents.render import render_pdf
    from trefas_app.documents.verification import DocumentSigner, pdf_sha256

    s, now = uow.session, uow.now()
    number = next_number(s, now, DOCUMENT_PREFIX, m.IssuedDocument)
    omitted = content.omitted_items()
    blocks = list(content.blocks)
    if scope is not None and scope.masked_names:
        blocks = _scrubbed(blocks, frozenset(scope.masked_names))
    if kind in (DocumentKind.HANDOVER, DocumentKind.CASE_SUMMARY,
                DocumentKind.SUBJECT_EXTRACT, DocumentKind.MEETING_MINUTES):
        blocks.insert(content.omitted_at, OmittedSection(omitted))
    header = DocumentHeader(
        doc_number=number, kind=kind.value, title=title, author_name=actor.display_name,
        author_agency=_author_agency(actor), recipient=recipient, created_at=now,
        secrecy_line=_secrecy_line(kind, secrecy_agencies | {actor.agency}),
        case_number=case.number if case is not None else None)
    doc = Document(header, tuple(blocks))
    signer = DocumentSigner(uow.store.signing_key, uow.store.store_id, clock=lambda: now)
    pdf = render_pdf(doc, signer, password=pdf_password)
    pages = _page_count(pdf, pdf_password)
    content_sha = hashlib.sha256(canonical_json(doc)).hexdigest()
    file_sha = pdf_sha256(pdf)
    case_id = case.id if case is not None else None
    person_id = person_id if person_id is not None else (case.person_id if case else None)
    row = m.IssuedDocument(
        number=number, kind=kind, case_id=case_id, person_id=person_id, meeting_id=meeting_id,
        recipient=recipient[:200], recipient_agency=recipient_agency, issued_at=now,
        issued_by_id=actor.user_id, content_sha256=content_sha, pdf_sha256=file_sha,
        pages=pages, password_protected=pdf_password is not None)
    s.add(row)
    s.flush()
    for b in bases:
        s.add(m.Disclosure(
            case_id=b.case_id, person_id=b.person_id, recipient_agency=b.recipient_agency,
            recipient=b.recipient[:200],
            categories=",".join(c.value for c in sorted(b.categories,
                                                        key=list(Category).index)),
            consent_id=b.consent_id, legal_basis=b.legal_basis, document_id=row.id,
            purpose=b.purpose, disclosed_at=now, disclosed_by_id=actor.user_id))
    s.flush()
    categories = sorted({c.value for c in content.included})
    uow.log(actor, ACTION[kind], subject_kind="document", subject_id=row.id, case_id=case_id,
            person_id=person_id,
            detail={"number": number, "pages": pages, "categories": categories,
                    "omitted": len(omitted), "password": pdf_password is not None,
                    **(log_detail or {})})
    uow.log(actor, "disclosure", subject_kind="document", subject_id=row.id, case_id=case_id,
            person_id=person_id,
            detail={"number": number,
                    "recipient_agency": recipient_agency.value if recipient_agency else None,
                    "bases": [{"categories": [c.value for c in b.categories],
                               "consent": b.consent_id, "legal_basis": b.legal_basis,
                               "case": b.case_id}
                              for b in bases]})
    if uow.delivery is not None:
        uow.delivery(pdf)  # delivered before it is registered: a failed write registers nothing
    uow.commit()
    return IssuedDocumentResult(number=number, kind=kind, pdf_bytes=pdf, pages=pages,
                                sha256=file_sha, content_sha256=content_sha, omitted=omitted,
                                recipient=recipient, issued_at=now,
                                password_protected=pdf_password is not None)


def _handover_bases(s, case: m.Case, recipient_agency: Agency, recipient: str,
                    content: _Content, now: dt.datetime, purpose: str) -> list[_Basis]:
    """The consent (or legal basis) each disclosed category relies on; the
    recipient's own records need none."""
    today = access.local_date(now)
    consents = s.scalars(select(m.Consent).where(m.Consent.person_id == case.person_id)
                         .order_by(m.Consent.valid_until.desc(), m.Consent.id.desc())).all()
    current = [c for c in consents if consent_status(c, today) == "active"]
    groups: dict[tuple[int | None, str | None], list[Category]] = {}
    for category in Category:
        owners = content.included.get(category)
        if not owners:
            continue
        if owners - {recipient_agency}:
            covering = [c for c in current
                        if any(g.agency == recipient_agency and g.category == category
                               for g in c.grants)]
            if not covering:
                # The access rule let it through, so a basis must exist: fail closed.
                raise RuntimeError("disclosed content without a current consent or legal basis")
            chosen = min(covering, key=lambda c: (c.basis != ConsentBasis.CONSENT,
                                                  -c.valid_until.toordinal(), -c.id))
            reference = (chosen.legal_reference or label(ConsentBasis.LEGAL_BASIS)) \
                if chosen.basis == ConsentBasis.LEGAL_BASIS else None
            groups.setdefault((chosen.id, reference), []).append(category)
        if recipient_agency in owners:
            groups.setdefault((None, BASIS_OWN_RECORDS), []).append(category)
    return [_Basis(categories=tuple(cats), recipient=recipient,
                   recipient_agency=recipient_agency, case_id=case.id,
                   person_id=case.person_id, consent_id=consent_id, legal_basis=basis,
                   purpose=purpose)
            for (consent_id, basis), cats in groups.items()]


def _confirm_password(uow: UnitOfWork, actor: Actor, password) -> None:
    """The author's password once more, before a handover leaves: unseals the
    author's own key slot (and discards the key). A wrong password is logged
    and refused; nothing is issued. On the command line the password entered
    for the command was verified by the unlock a moment ago: its one-time
    :class:`~trefas_app.store.store.LoginProof` counts instead."""
    from trefas_app.store.store import LoginThrottled
    try:
        from trefas_app.store.store import check_throttle
    except ImportError:  # the name before it was made public
        from trefas_app.store.store import _check_throttle as check_throttle

    store = uow.store
    if not isinstance(password, str):  # the command line's own entry (store.LoginProof)
        redeem = getattr(store, "redeem_login_proof", None)
        if redeem is not None and redeem(password, actor.username):
            return
        password = ""  # no proof of this store and user: as a wrong password
    try:
        check_throttle(store.keyfile, actor.username, store.clock)
        store.keyfile.unseal(actor.username, password or "")
    except (WrongPassword, LoginThrottled) as exc:
        with uow:
            uow.log(actor, "document.handover.refused",
                    detail={"reason": "throttled" if isinstance(exc, LoginThrottled)
                            else "wrong_password"})
            uow.commit()
        if isinstance(exc, WrongPassword):
            raise WrongPassword(
                "Fel lösenord. Överlämningen har inte skapats.",
                "Wrong password. The handover has not been created.") from None
        raise


# --- use cases ------------------------------------------------------------------------------


def issue_handover(uow: UnitOfWork, actor: Actor, case_id: int, recipient_agency: Agency,
                   recipient_text: str | None, password_confirmation,
                   pdf_password: str | None = None,
                   include_revealed_identity: bool = False) -> IssuedDocumentResult:
    """A handover of one case to ``recipient_agency``, limited to what that
    agency may receive; needs the author's password once more.

    A protected person's identity the author has revealed goes into the
    document only when ``include_revealed_identity`` says so (asked every
    time; the answer is in the log entry): a reveal is for the author's own
    work, not a decision to hand the identity on."""
    recipient_agency = Agency(recipient_agency)
    recipient_text = " ".join((recipient_text or "").split())
    if len(recipient_text) > 150:
        raise ValidationError("Mottagarens namn är för långt (högst 150 tecken).",
                              "The recipient's name is too long (at most 150 characters).")
    _check_pdf_password(pdf_password)
    if not actor.may("document.handover"):
        with uow:  # refused inside a unit of work, so that the attempt is logged
            access.require(actor, "document.handover")
    _confirm_password(uow, actor, password_confirmation)
    recipient = _agency(recipient_agency) + (f", {recipient_text}" if recipient_text else "")
    with uow:
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, "document.handover", allow_closed=True)
        identity_shared = s.scalar(select(func.count()).select_from(m.Case).where(
            m.Case.id == case.id, recipient_allowed(recipient_agency, "case", now)))
        if not identity_shared:
            raise access.denied(
                actor, "document.handover",
                f"Personen har inget gällande samtycke eller lagstöd som medger att "
                f"identitetsuppgifter lämnas till {_agency(recipient_agency)}. Ingen "
                f"överlämning har skapats.",
                f"The person has no current consent or legal basis that allows identity "
                f"details to go to {label(recipient_agency, 'en')}. No handover was created.",
                "case", case.id)
        scope = _Scope(actor, now, recipient_agency, reveals=include_revealed_identity)
        reveal_active = bool(access.revealed_persons(s, actor, [case.person_id], now))
        content = _Content()
        content.blocks.append(Paragraph(
            f"Överlämning av ärende {case.number} till {recipient}. Dokumentet innehåller "
            f"endast uppgifter som {_agency(recipient_agency)} får ta del av enligt "
            f"personens samtycke eller stöd i lag, eller som myndigheten själv har "
            f"registrerat. Vad som har utelämnats och varför framgår av rutan nedan."))
        content.omitted_at = len(content.blocks)
        _case_blocks(s, scope, case, content, open_tasks_only=True)
        bases = _handover_bases(s, case, recipient_agency, recipient, content, now,
                                f"Överlämning av ärende {case.number}")
        return _issue(uow, actor, scope=scope, kind=DocumentKind.HANDOVER,
                      title=f"Överlämning av ärende {case.number}", recipient=recipient,
                      recipient_agency=recipient_agency, content=content,
                      secrecy_agencies=content.owners(), bases=bases, case=case,
                      pdf_password=pdf_password,
                      log_detail={"recipient_agency": recipient_agency.value,
                                  "reveal_active": reveal_active,
                                  "revealed_identity_included":
                                      reveal_active and include_revealed_identity})


def issue_case_summary(uow: UnitOfWork, actor: Actor, case_id: int,
                       pdf_password: str | None = None) -> IssuedDocumentResult:
    """Everything about one case the supervisor may see, for internal use."""
    _check_pdf_password(pdf_password)
    with uow:
        access.require(actor, "document.summary")
        s, now = uow.session, uow.now()
        case = access.get_visible(s, actor, "case", case_id, now)
        scope = _Scope(actor, now)
        content = _Content()
        _case_blocks(s, scope, case, content, open_tasks_only=False,
                     consents_active_only=False)
        recipient = f"{_author_agency(actor)} – intern sammanställning"
        bases = [_Basis(categories=tuple(sorted(content.included, key=list(Category).index)),
                        recipient=recipient, recipient_agency=actor.agency, case_id=case.id,
                        person_id=case.person_id, legal_basis=BASIS_INTERNAL,
                        purpose=f"Ärendesammanställning {case.number} för arbetsledning")]
        return _issue(uow, actor, scope=scope, kind=DocumentKind.CASE_SUMMARY,
                      title=f"Ärendesammanställning {case.number}", recipient=recipient,
                      recipient_agency=actor.agency, content=content,
                      secrecy_agencies=content.owners(), bases=bases, case=case,
                      pdf_password=pdf_password)


def issue_meeting_minutes(uow: UnitOfWork, actor: Actor, meeting_id: int,
                          recipient_agency: Agency | None = None,
                          pdf_password: str | None = None) -> IssuedDocumentResult:
    """Minutes of a meeting: participants, the cases discussed, decisions and
    tasks — the items the author may see. With ``recipient_agency`` the
    minutes are for that agency and hold only what it may receive."""
    _check_pdf_password(pdf_password)
    recipient_agency = Agency(recipient_agency) if recipient_agency is not None else None
    with uow:
        access.require(actor, "document.minutes")
        access.require(actor, "meeting.read")
        s, now = uow.session, uow.now()
        meeting = s.get(m.Meeting, meeting_id)
        if meeting is None:
            raise NotFound("Mötet finns inte.", "The meeting does not exist.")
        scope = _Scope(actor, now, recipient_agency)
        content = _Content()
        unit = s.get(m.Unit, meeting.unit_id)
        chair = s.get(m.User, meeting.chair_id)
        content.blocks += [Heading("Mötet"), KeyValues((
            ("Möte", meeting.title), ("Typ", label(meeting.kind)),
            ("Enhet", unit.name if unit else "–"), ("Tid", _time(meeting.held_at)),
            ("Plats", meeting.place or "–"),
            ("Ordförande", f"{chair.display_name}, {_agency(chair.agency)}" if chair else "–"),
            ("Status", "Hållet – anteckningarna är låsta" if meeting.held else
             "Inte markerat som hållet – anteckningarna kan ändras")))]
        participants = sorted(meeting.participants, key=lambda p: p.user.display_name)
        content.blocks += [Heading("Deltagare"), Table(
            ("Namn", "Roll", "Myndighet och enhet", "Närvaro"),
            tuple((p.user.display_name, label(p.user.role),
                   f"{_agency(p.user.agency)}, {p.user.unit.name}",
                   ("Närvarande" if p.present else "Frånvarande") if meeting.held
                   else "Inbjuden") for p in participants),
            (2.4, 1.8, 3.0, 1.2))]
        content.omitted_at = len(content.blocks)

        item_where = [m.MeetingItem.meeting_id == meeting.id]
        items = _rows(s, scope, "meeting_item", *item_where, order=(m.MeetingItem.created_at,))
        cases = {c.id: c for c in s.scalars(select(m.Case).where(
            m.Case.id.in_({i.case_id for i in items}))).all()} if items else {}
        persons = {c.person_id: scope.project(s, c.person) for c in cases.values()}
        users = _users(s, [i.created_by_id for i in items])
        content.blocks.append(Heading(f"Ärenden som behandlades ({len(items)})"))
        if not items:
            content.blocks.append(Paragraph("Inga ärenden finns med."))
        for item in items:
            case = cases[item.case_id]
            body = f"Diskussion:\n{item.discussion}"
            body += f"\n\nBeslut:\n{item.decision}" if item.decision else "\n\nBeslut: inget"
            content.blocks.append(NoteBlock(
                f"{case.number} – {persons[case.person_id].display_name}",
                f"{label(item.category)} · antecknat av {_who(users, item.created_by_id)}",
                body))
            content.include(item.category, item.owner_agency)
            content.include(Category.IDENTITY, case.owner_agency)
        _omissions(s, scope, content, "meeting_item", *item_where)
        if any(p.protected and not p.revealed for p in persons.values()):
            content.notes_omitted.append(
                "Personer med skyddade personuppgifter anges med alias")

        task_where = [m.Task.meeting_id == meeting.id]
        tasks = _rows(s, scope, "task", *task_where,
                      order=(m.Task.due_on.is_(None), m.Task.due_on))
        if tasks:
            task_cases = {c.id: c for c in s.scalars(select(m.Case).where(
                m.Case.id.in_({t.case_id for t in tasks}))).all()}
            for c in task_cases.values():
                if c.person_id not in persons:
                    persons[c.person_id] = scope.project(s, c.person)
            tusers = _users(s, [t.assignee_id for t in tasks])
            content.blocks += [Heading("Åtgärdspunkter"), Table(
                ("Åtgärdspunkt", "Ärende", "Ansvarig", "Klar senast", "Status"),
                tuple((t.title + (f"\n{t.description}" if t.description else ""),
                       f"{task_cases[t.case_id].number}\n"
                       f"{persons[task_cases[t.case_id].person_id].display_name}",
                       _who(tusers, t.assignee_id) if t.assignee_id
                       else _agency(t.assignee_agency),
                       _day(t.due_on), label(t.state)) for t in tasks),
                (3.0, 2.0, 2.2, 1.3, 0.9))]
            for t in tasks:
                content.include(t.category, t.owner_agency)
        _omissions(s, scope, content, "task", *task_where)

        if recipient_agency is None:
            recipient = f"{_author_agency(actor)} – intern (mötesdeltagare)"
        else:
            recipient = f"{_agency(recipient_agency)} – mötesdeltagare"
        case_ids = sorted({i.case_id for i in items} | {t.case_id for t in tasks})
        all_cases = {c.id: c for c in s.scalars(select(m.Case).where(
            m.Case.id.in_(case_ids))).all()} if case_ids else {}
        bases = []
        for cid in case_ids:
            cats = {i.category for i in items if i.case_id == cid} | \
                   {t.category for t in tasks if t.case_id == cid} | {Category.IDENTITY}
            case_content = _Content(included={}, blocks=[])
            for i in items:
                if i.case_id == cid:
                    case_content.include(i.category, i.owner_agency)
            for t in tasks:
                if t.case_id == cid:
                    case_content.include(t.category, t.owner_agency)
            case_content.include(Category.IDENTITY, all_cases[cid].owner_agency)
            if recipient_agency is not None and recipient_agency != actor.agency:
                bases += _handover_bases(s, all_cases[cid], recipient_agency, recipient,
                                         case_content, now,
                                         f"Minnesanteckningar från möte {meeting.id}")
            else:
                bases.append(_Basis(
                    categories=tuple(sorted(cats, key=list(Category).index)),
                    recipient=recipient, recipient_agency=recipient_agency or actor.agency,
                    case_id=cid, person_id=all_cases[cid].person_id,
                    legal_basis=BASIS_INTERNAL,
                    purpose=f"Minnesanteckningar från möte {meeting.id}"))
        return _issue(uow, actor, scope=scope, kind=DocumentKind.MEETING_MINUTES,
                      title=f"Minnesanteckningar: {meeting.title}", recipient=recipient,
                      recipient_agency=recipient_agency or actor.agency, content=content,
                      secrecy_agencies=content.owners(), bases=bases, meeting_id=meeting.id,
                      pdf_password=pdf_password,
                      log_detail={"meeting": meeting.id, "items": len(items),
                                  "tasks": len(tasks)})


def issue_subject_extract(uow: UnitOfWork, actor: Actor, person_id: int,
                          pdf_password: str | None = None) -> IssuedDocumentResult:
    """Registerutdrag (GDPR art. 15): everything about the person the author
    may see, and a note that other agencies' parts are requested from them."""
    _check_pdf_password(pdf_password)
    with uow:
        access.require(actor, "document.extract")
        s, now = uow.session, uow.now()
        person = access.get_visible(s, actor, "person", person_id, now)
        scope = _Scope(actor, now)
        content = _Content()
        others = [a for a in Agency if a != actor.agency]
        content.blocks.append(Paragraph(
            f"Detta registerutdrag visar de uppgifter om den registrerade som finns i "
            f"samverkanssystemet Trefas och som {_agency(actor.agency)} har tillgång till. "
            f"Uppgifterna behandlas för samverkan mellan socialtjänst, polis och "
            f"Kriminalvården kring personer i risk för grov brottslighet och våld. Ett "
            f"avslutat ärende gallras fem år efter den sista anteckningen.\n\n"
            f"Uppgifter som {' och '.join(_agency(a) for a in others)} har registrerat och "
            f"inte delat med {_agency(actor.agency)} finns inte med här. De ska begäras "
            f"direkt från respektive myndighet. Detsamma gäller uppgifter i andra system."))
        content.omitted_at = len(content.blocks)
        view = _person_blocks(s, scope, person, content, heading="Personuppgifter")
        relatives = s.scalars(select(m.Relative).where(
            m.Relative.person_id == person.id,
            access.visible(actor, "relative", now)).order_by(m.Relative.id)).all()
        if relatives and not view.identity_masked:
            content.blocks += [Heading("Anhöriga"), Table(
                ("Namn", "Relation", "Telefon", "Vårdnadshavare"),
                tuple((r.name, r.relation, r.phone or "–", "Ja" if r.is_guardian else "Nej")
                      for r in relatives), (2.5, 1.8, 1.6, 1.2))]
        elif relatives:
            content.notes_omitted.append(
                f"Anhöriga ({len(relatives)}): skyddade personuppgifter – visas inte")
        _consent_blocks(s, scope, person, content, active_only=False)
        case_rows = s.scalars(select(m.Case).where(
            m.Case.person_id == person.id, access.visible(actor, "case", now))
            .order_by(m.Case.opened_at, m.Case.id)).all()
        for case in case_rows:
            _case_blocks(s, scope, case, content, open_tasks_only=False, with_person=False,
                         with_consents=False, heading=f"Ärende {case.number}")
        hidden_cases = s.scalar(select(func.count()).select_from(m.Case).where(
            m.Case.person_id == person.id, access.scope_clause(actor, m.Case.id, "read", now),
            not_(access.visible(actor, "case", now))))
        if hidden_cases:
            content.notes_omitted.append(
                f"Ärenden ({hidden_cases}) som inte delas med {_agency(actor.agency)}: "
                f"begär uppgifterna från den myndighet som har registrerat dem")
        disclosures = s.execute(
            select(m.Disclosure, m.User)
            .join(m.User, m.User.id == m.Disclosure.disclosed_by_id)
            .where(m.Disclosure.person_id == person.id, m.User.agency == actor.agency,
                   or_(m.Disclosure.legal_basis.is_(None),
                       m.Disclosure.legal_basis != BASIS_INTERNAL))
            .order_by(m.Disclosure.disclosed_at, m.Disclosure.id)).all()
        content.blocks.append(Heading("Utlämnade uppgifter"))
        content.blocks.append(Paragraph(
            f"Tillfällen då {_agency(actor.agency)} har lämnat ut eller skrivit ut uppgifter om "
            f"den registrerade ur Trefas. Andra myndigheters utlämnanden redovisas av dem."))
        content.blocks.append(Table(
            ("Datum", "Mottagare", "Uppgifter", "Grund"),
            tuple((_time(d.disclosed_at), d.recipient,
                   ", ".join(label(Category(c)) for c in d.categories.split(",") if c),
                   "; ".join(x for x in (
                       f"Samtycke/lagstöd nr {d.consent_id}" if d.consent_id else "",
                       d.legal_basis or "") if x) or "–") for d, _u in disclosures),
            (1.6, 2.6, 2.8, 2.4)))
        recipient = f"Den registrerade ({view.alias})"
        bases = [_Basis(categories=tuple(sorted(content.included, key=list(Category).index)),
                        recipient=recipient, recipient_agency=None, person_id=person.id,
                        legal_basis=BASIS_SUBJECT_EXTRACT, purpose="Registerutdrag")]
        return _issue(uow, actor, scope=scope, kind=DocumentKind.SUBJECT_EXTRACT,
                      title=f"Registerutdrag – {view.display_name}", recipient=recipient,
                      recipient_agency=None, content=content,
                      secrecy_agencies=content.owners(), bases=bases, person_id=person.id,
                      pdf_password=pdf_password, log_detail={"cases": len(case_rows)})


def issue_access_log_extract(uow: UnitOfWork, actor: Actor, person_id: int,
                             pdf_password: str | None = None) -> IssuedDocumentResult:
    """Who looked at or changed the person's data, when and why: entries of the
    access log about the person or about their cases the author may see.
    User names and actions only — no case content."""
    _check_pdf_password(pdf_password)
    with uow:
        access.require(actor, "document.log_extract")
        s, now = uow.session, uow.now()
        person = access.get_visible(s, actor, "person", person_id, now)
        scope = _Scope(actor, now)
        view = scope.project(s, person)
        case_ids = select(m.Case.id).where(m.Case.person_id == person.id,
                                           access.visible(actor, "case", now))
        ev = m.AuditEvent
        events = s.execute(
            select(ev, m.User.display_name)
            .outerjoin(m.User, m.User.id == ev.user_id)
            .where(or_(ev.person_id == person.id, ev.case_id.in_(case_ids)),
                   access.log_scope(actor, now))
            .order_by(ev.seq)).all()
        content = _Content()
        content.blocks.append(Paragraph(
            "Utdraget visar vilka användare som har läst, sökt fram eller ändrat uppgifter om "
            "den registrerade i Trefas, när det skedde och vilket skäl som angavs (vid "
            "nödåtkomst och visning av skyddad identitet). Uppgifterna kommer ur den "
            "manipuleringsskyddade åtkomstloggen. Ärendeinnehåll redovisas inte här."))
        content.blocks += [Heading("Den registrerade"), KeyValues((
            ("Namn", view.display_name), ("Id", view.alias),
            ("Antal loggposter", str(len(events))),
            ("Period", f"{events[0][0].at[:10]} – {events[-1][0].at[:10]}" if events else "–")))]
        per_user: dict[tuple[str, str | None], list] = {}
        agencies: set[Agency] = set()
        for e, name in events:
            who = name or e.username or "Okänd"
            per_user.setdefault((who, e.agency), []).append(e)
            if e.agency:
                agencies.add(Agency(e.agency))
        content.blocks += [Heading("Sammanfattning per användare"), Table(
            ("Användare", "Myndighet", "Antal", "Första", "Senaste"),
            tuple((who, _agency(Agency(agency)) if agency else "–", str(len(rows)),
                   _time(_at(rows[0].at)), _time(_at(rows[-1].at)))
                  for (who, agency), rows in sorted(per_user.items(),
                                                    key=lambda kv: kv[0][0].casefold())),
            (2.6, 1.8, 0.8, 1.5, 1.5))]
        content.blocks += [Heading("Alla loggposter"), Table(
            ("Tid", "Användare", "Myndighet och roll", "Händelse", "Skäl"),
            tuple((_time(_at(e.at)), name or e.username or "Okänd",
                   (f"{_agency(Agency(e.agency))}, {label(Role(e.role))}"
                    if e.agency and e.role else "–"),
                   action_label(e.action, "sv"),
                   access.log_reason(actor, e.agency, e.reason) or "–") for e, name in events),
            (1.75, 1.8, 2.3, 2.4, 1.75))]
        content.include(Category.IDENTITY, person.owner_agency)
        recipient = f"Den registrerade ({view.alias})"
        bases = [_Basis(categories=(Category.IDENTITY,), recipient=recipient,
                        recipient_agency=None, person_id=person.id,
                        legal_basis=BASIS_LOG_EXTRACT, purpose="Utdrag ur åtkomstloggen")]
        return _issue(uow, actor, scope=scope, kind=DocumentKind.ACCESS_LOG_EXTRACT,
                      title=f"Utdrag ur åtkomstloggen – {view.display_name}",
                      recipient=recipient, recipient_agency=None, content=content,
                      secrecy_agencies=agencies | {person.owner_agency}, bases=bases,
                      person_id=person.id, pdf_password=pdf_password,
                      log_detail={"entries": len(events)})


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- verification and printing ------------------------------------------------------------


def list_case_documents(uow: UnitOfWork, actor: Actor, case_id: int
                        ) -> tuple[IssuedDocumentRow, ...]:
    """The documents issued in a case that the user's agency issued or
    received, newest first (the access rule's ``document`` kind)."""
    with uow:
        s, now = uow.session, uow.now()
        access.require(actor, "document.read")
        case = access.get_visible(s, actor, "case", case_id, now)
        doc = m.IssuedDocument
        rows = s.execute(
            select(doc, m.User.display_name, m.User.agency)
            .join(m.User, m.User.id == doc.issued_by_id)
            .where(doc.case_id == case.id, access.visible(actor, "document", now))
            .order_by(doc.issued_at.desc(), doc.id.desc())).all()
        uow.log(actor, "document.list", subject_kind="case", subject_id=case.id,
                case_id=case.id, person_id=case.person_id, detail={"hits": len(rows)})
        uow.commit()
        return tuple(IssuedDocumentRow(
            number=d.number, kind=d.kind, recipient=d.recipient,
            recipient_agency=d.recipient_agency, issued_at=d.issued_at, issued_by=name,
            issued_by_agency=agency, pages=d.pages, password_protected=d.password_protected)
            for d, name, agency in rows)


def verify_document(store, pdf_bytes: bytes, password: str | None = None) -> DocumentCheck:
    """Whether ``pdf_bytes`` is a document this store issued and unchanged, and
    who issued it to whom, when. Logged as ``document.verify``."""
    from trefas_app.documents.verification import pdf_sha256, verify_pdf

    public_key, store_id = store.keyfile.public_key(), store.store_id
    result = verify_pdf(pdf_bytes, public_key, store_id, password=password)
    retired_at = None
    if result.code == "other_key":
        # Signed before a re-key replaced the signing key? Accepted below only
        # if the exact file is in the register: the old key may have leaked.
        for old_key, at in store.keyfile.retired_public_keys():
            earlier = verify_pdf(pdf_bytes, old_key, store_id, password=password)
            if earlier.ok:
                result, retired_at = earlier, at
                break
    sha = pdf_sha256(bytes(pdf_bytes)) if isinstance(pdf_bytes, (bytes, bytearray)) else ""
    actor = store.actor
    with store.uow() as uow:
        s = uow.session
        known = bool(sha) and bool(s.scalar(select(func.count()).select_from(m.IssuedDocument)
                                            .where(m.IssuedDocument.pdf_sha256 == sha)))
        if result.code == "unsealed" and known:
            # Not sealed (cannot happen for files issued here), yet the exact bytes
            # are on record: the register decides.
            result = verify_pdf(pdf_bytes, public_key, store_id, known_pdf_sha256={sha},
                                password=password)
        record = result.record
        row = users = None
        if record is not None:
            row = s.scalars(select(m.IssuedDocument).where(
                m.IssuedDocument.number == record.doc_number)).first()
            users = _users(s, [row.issued_by_id]) if row is not None else {}
        reason_sv, reason_en = result.reason_sv, result.reason_en
        ok, code = result.ok, result.code
        if retired_at is not None:
            day = retired_at[:10]
            if known:
                reason_sv += (f" Det signerades med installationens tidigare nyckel, som "
                              f"byttes ut {day}.")
                reason_en += (f" It was signed with the installation's earlier key, which "
                              f"was replaced on {day}.")
            else:
                ok, code = False, "other_key"
                reason_sv = (f"Dokumentet är signerat med en nyckel som byttes ut {day} och "
                             "finns inte i registret över utfärdade dokument. Det kan inte "
                             "bekräftas som äkta.")
                reason_en = (f"The document is signed with a key that was replaced on {day} "
                             "and is not in the register of issued documents. It cannot be "
                             "confirmed as genuine.")
        elif result.ok and not known:
            reason_sv += (" Filen finns dock inte i registret över utfärdade dokument (till "
                          "exempel efter en återställning från säkerhetskopia).")
            reason_en += (" The file is not in the register of issued documents, though "
                          "(for example after a restore from backup).")
        issued_by = issued_by_agency = None
        if row is not None and row.issued_by_id in users:
            issued_by = users[row.issued_by_id].display_name
            issued_by_agency = users[row.issued_by_id].agency
        elif result.document is not None:
            issued_by = result.document.header.author_name
        check = DocumentCheck(
            ok=ok, code=code, reason_sv=reason_sv, reason_en=reason_en,
            number=record.doc_number if record else None,
            kind=(row.kind if row is not None else
                  DocumentKind(result.document.header.kind) if result.document else None),
            case_number=record.case_number if record else None,
            recipient=record.recipient if record else None,
            issued_at=record.issued_at if record else None,
            issued_by=issued_by, issued_by_agency=issued_by_agency,
            pages=row.pages if row is not None else None, known=known)
        uow.log(actor, "document.verify", subject_kind="document",
                subject_id=row.id if row is not None else None,
                case_id=row.case_id if row is not None else None,
                person_id=row.person_id if row is not None else None,
                detail={"code": check.code, "ok": check.ok, "known": known,
                        "number": check.number})
        uow.commit()
        return check


def record_print(uow: UnitOfWork, actor: Actor, document_number: str) -> PrintRecord:
    """A printout of an issued document is a disclosure too: recorded with the
    same recipient and bases as the document, and logged. Only the issuer
    prints their document."""
    with uow:
        s, now = uow.session, uow.now()
        doc = s.scalars(select(m.IssuedDocument).where(
            m.IssuedDocument.number == (document_number or "").strip())).first()
        # Only the issuer prints: to anyone else a number that exists gets the
        # same answer as one that does not (numbers run in sequence).
        if doc is None or doc.issued_by_id != actor.user_id:
            raise access.no_such_record(actor, "document.print", "document",
                                        doc.id if doc is not None else None)
        access.require(actor, PERMISSION[DocumentKind(doc.kind)])
        originals = s.scalars(select(m.Disclosure).where(m.Disclosure.document_id == doc.id)
                              .order_by(m.Disclosure.id)).all()
        for d in originals:
            s.add(m.Disclosure(
                case_id=d.case_id, person_id=d.person_id, recipient_agency=d.recipient_agency,
                recipient=d.recipient, categories=d.categories, consent_id=d.consent_id,
                legal_basis=d.legal_basis, document_id=doc.id,
                purpose=f"Utskrift av dokument {doc.number}", disclosed_at=now,
                disclosed_by_id=actor.user_id))
        s.flush()
        uow.log(actor, "document.print", subject_kind="document", subject_id=doc.id,
                case_id=doc.case_id, person_id=doc.person_id,
                detail={"number": doc.number, "disclosures": len(originals)})
        uow.commit()
        return PrintRecord(number=doc.number, printed_at=now, disclosures=len(originals))


__all__ = [
    "AGENCY_NAMES", "DocumentCheck", "IssuedDocumentResult", "PrintRecord",
    "disclosable", "issue_access_log_extract", "issue_case_summary", "issue_handover",
    "issue_meeting_minutes", "issue_subject_extract", "recipient_allowed", "record_print",
    "verify_document",
]
