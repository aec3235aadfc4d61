"""What a document may disclose, and to whom: one helper over the access rule.

:func:`disclosable` is what an author may hand over to a recipient agency
(what the author may read ∩ what that agency may receive); :class:`Scope`
applies it (or the author's own view, for internal documents) to every query
a document makes; :func:`handover_bases` names the consent or legal basis each
disclosed category relies on, for the Disclosure rows. It reads the store
through ``security.access``, so it is a service, not part of the renderer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, false, not_, select
from sqlalchemy.sql.elements import ColumnElement

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, Category, ConsentBasis
from trefas_app.domain.labels import label
from trefas_app.security import access
from trefas_app.services.consents import consent_status
from trefas_app.services.persons import names_to_mask, project_person
from trefas_app.services.views import PersonView
from trefas_app.store import models as m


if TYPE_CHECKING:  # content imports this module
    from trefas_app.services.documents.content import Content

#: Legal bases written on Disclosure rows that rest on no consent.
BASIS_OWN_RECORDS = "Mottagande myndighets egna uppgifter"
BASIS_INTERNAL = "Intern användning inom den egna myndigheten (ingen överföring)"
BASIS_SUBJECT_EXTRACT = "Art. 15 dataskyddsförordningen (registerutdrag)"
BASIS_LOG_EXTRACT = "Art. 15 dataskyddsförordningen (utdrag ur åtkomstloggen)"

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


#: Around the number of a stored free text in a document being composed
#: (private-use characters: never typed into Trefas, refused by its text rules).
FREE_TEXT_START, FREE_TEXT_END = "\ue000", "\ue001"


@dataclass
class Scope:
    """What a document may contain: what the author sees, narrowed to what the
    recipient agency may receive when the document leaves the agency."""

    author: Actor
    now: dt.datetime
    recipient: Agency | None = None  # None: as the author sees it
    #: Words of the names of every person projected masked (for the whole
    #: text); on a server, whose masked views keep them from the program,
    #: a ``views.ServerNames`` for those persons.
    masked_names: Any = field(default_factory=set)
    #: The stored free text in the document, by placeholder (:meth:`free`).
    free_texts: list[str] = field(default_factory=list)
    #: Every person the document projects, masked or not (its free text is
    #: about them: a server blanks only text stored about them).
    people: set[int] = field(default_factory=set)
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
        author = access.categories_for_persons(s, self.author.agency, [person_id],
                                               self.now)[person_id]
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
        self.people.add(person.id)
        if view.identity_masked:
            # Every text of the document is scrubbed of these (see issue_document).
            names = names_to_mask(s, [person])[person.id]
            self.masked_names = self.masked_names | names
            view = project_person(person, shown, revealed, names)
        return view

    def free(self, text: str | None) -> str | None:
        """Stored free text (a note's body, a plan's goal …) going into the
        document: a placeholder, put back with the names blanked when the
        document is issued (``content.scrubbed``). A server blanks only text
        it finds stored, so it must be told which is which."""
        if not text:
            return text
        self.free_texts.append(text)
        return f"{FREE_TEXT_START}{len(self.free_texts) - 1}{FREE_TEXT_END}"


# --- issuing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """One Disclosure row to write."""

    categories: tuple[Category, ...]
    recipient: str
    recipient_agency: Agency | None
    case_id: int | None = None
    person_id: int | None = None
    consent_id: int | None = None
    legal_basis: str | None = None
    purpose: str | None = None


def handover_bases(s, case: m.Case, recipient_agency: Agency, recipient: str,
                   content: Content, now: dt.datetime, purpose: str) -> list[Basis]:
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
    return [Basis(categories=tuple(cats), recipient=recipient,
                  recipient_agency=recipient_agency, case_id=case.id,
                  person_id=case.person_id, consent_id=consent_id, legal_basis=basis,
                  purpose=purpose)
            for (consent_id, basis), cats in groups.items()]
