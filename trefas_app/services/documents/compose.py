"""One use case per document kind: handover, case summary, meeting minutes,
subject extract (registerutdrag) and access-log extract.

Each checks the permission, gathers content through :mod:`.content` within its
:class:`~.disclosure.Scope`, names the bases, and issues through
:mod:`.issuing`, in one unit of work.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, not_, or_, select

from trefas_app.documents.model import Heading, KeyValues, NoteBlock, Paragraph, Table
from trefas_app.domain.actor import Actor
from trefas_app.domain.audit_labels import action_label
from trefas_app.domain.enums import Agency, Category, DocumentKind, Role
from trefas_app.domain.errors import NotFound, ValidationError
from trefas_app.domain.labels import label
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.services.cases import writable_case
from trefas_app.services.documents.content import (
    Content,
    author_agency,
    local_time,
    local_day,
    agency_name,
    users_by_id,
    user_label,
    person_blocks,
    count_omissions,
    shown_rows,
    case_blocks,
    consent_blocks,
)
from trefas_app.services.documents.disclosure import (
    BASIS_INTERNAL,
    BASIS_SUBJECT_EXTRACT,
    BASIS_LOG_EXTRACT,
    recipient_allowed,
    Scope,
    Basis,
    handover_bases,
)
from trefas_app.services.documents.issuing import (
    IssuedDocumentResult,
    check_pdf_password,
    issue_document,
    confirm_password,
)
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork


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
    check_pdf_password(pdf_password)
    if not actor.may("document.handover"):
        with uow:  # refused inside a unit of work, so that the attempt is logged
            access.require(actor, "document.handover")
    confirm_password(uow, actor, password_confirmation)
    recipient = agency_name(recipient_agency) + (f", {recipient_text}" if recipient_text else "")
    with uow:
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, "document.handover", allow_closed=True)
        identity_shared = s.scalar(select(func.count()).select_from(m.Case).where(
            m.Case.id == case.id, recipient_allowed(recipient_agency, "case", now)))
        if not identity_shared:
            raise access.denied(
                actor, "document.handover",
                f"Personen har inget gällande samtycke eller lagstöd som medger att "
                f"identitetsuppgifter lämnas till {agency_name(recipient_agency)}. Ingen "
                f"överlämning har skapats.",
                f"The person has no current consent or legal basis that allows identity "
                f"details to go to {label(recipient_agency, 'en')}. No handover was created.",
                "case", case.id)
        scope = Scope(actor, now, recipient_agency, reveals=include_revealed_identity)
        reveal_active = bool(access.revealed_persons(s, actor, [case.person_id], now))
        content = Content()
        content.blocks.append(Paragraph(
            f"Överlämning av ärende {case.number} till {recipient}. Dokumentet innehåller "
            f"endast uppgifter som {agency_name(recipient_agency)} får ta del av enligt "
            f"personens samtycke eller stöd i lag, eller som myndigheten själv har "
            f"registrerat. Vad som har utelämnats och varför framgår av rutan nedan."))
        content.omitted_at = len(content.blocks)
        case_blocks(s, scope, case, content, open_tasks_only=True)
        bases = handover_bases(s, case, recipient_agency, recipient, content, now,
                               f"Överlämning av ärende {case.number}")
        return issue_document(uow, actor, scope=scope, kind=DocumentKind.HANDOVER,
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
    check_pdf_password(pdf_password)
    with uow:
        access.require(actor, "document.summary")
        s, now = uow.session, uow.now()
        case = access.get_visible(s, actor, "case", case_id, now)
        scope = Scope(actor, now)
        content = Content()
        case_blocks(s, scope, case, content, open_tasks_only=False,
                    consents_active_only=False)
        recipient = f"{author_agency(actor)} – intern sammanställning"
        bases = [Basis(categories=tuple(sorted(content.included, key=list(Category).index)),
                       recipient=recipient, recipient_agency=actor.agency, case_id=case.id,
                       person_id=case.person_id, legal_basis=BASIS_INTERNAL,
                       purpose=f"Ärendesammanställning {case.number} för arbetsledning")]
        return issue_document(uow, actor, scope=scope, kind=DocumentKind.CASE_SUMMARY,
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
    check_pdf_password(pdf_password)
    recipient_agency = Agency(recipient_agency) if recipient_agency is not None else None
    with uow:
        access.require(actor, "document.minutes")
        access.require(actor, "meeting.read")
        s, now = uow.session, uow.now()
        meeting = s.get(m.Meeting, meeting_id)
        if meeting is None:
            raise NotFound("Mötet finns inte.", "The meeting does not exist.")
        scope = Scope(actor, now, recipient_agency)
        content = Content()
        unit = s.get(m.Unit, meeting.unit_id)
        chair = s.get(m.User, meeting.chair_id)
        content.blocks += [Heading("Mötet"), KeyValues((
            ("Möte", meeting.title), ("Typ", label(meeting.kind)),
            ("Enhet", unit.name if unit else "–"), ("Tid", local_time(meeting.held_at)),
            ("Plats", meeting.place or "–"),
            ("Ordförande",
             f"{chair.display_name}, {agency_name(chair.agency)}" if chair else "–"),
            ("Status", "Hållet – anteckningarna är låsta" if meeting.held else
             "Inte markerat som hållet – anteckningarna kan ändras")))]
        participants = sorted(meeting.participants, key=lambda p: p.user.display_name)
        content.blocks += [Heading("Deltagare"), Table(
            ("Namn", "Roll", "Myndighet och enhet", "Närvaro"),
            tuple((p.user.display_name, label(p.user.role),
                   f"{agency_name(p.user.agency)}, {p.user.unit.name}",
                   ("Närvarande" if p.present else "Frånvarande") if meeting.held
                   else "Inbjuden") for p in participants),
            (2.4, 1.8, 3.0, 1.2))]
        content.omitted_at = len(content.blocks)

        items = shown_rows(s, scope, "meeting_item", order=(m.MeetingItem.created_at,),
                           meeting_id=meeting.id)
        cases = {c.id: c for c in s.scalars(select(m.Case).where(
            m.Case.id.in_({i.case_id for i in items}))).all()} if items else {}
        persons = {c.person_id: scope.project(s, c.person) for c in cases.values()}
        users = users_by_id(s, [i.created_by_id for i in items])
        content.blocks.append(Heading(f"Ärenden som behandlades ({len(items)})"))
        if not items:
            content.blocks.append(Paragraph("Inga ärenden finns med."))
        for item in items:
            case = cases[item.case_id]
            body = f"Diskussion:\n{scope.free(item.discussion)}"
            body += f"\n\nBeslut:\n{scope.free(item.decision)}" if item.decision \
                else "\n\nBeslut: inget"
            content.blocks.append(NoteBlock(
                f"{case.number} – {persons[case.person_id].display_name}",
                f"{label(item.category)} · antecknat av {user_label(users, item.created_by_id)}",
                body))
            content.include(item.category, item.owner_agency)
            content.include(Category.IDENTITY, case.owner_agency)
        count_omissions(s, scope, content, "meeting_item", meeting_id=meeting.id)
        if any(p.protected and not p.revealed for p in persons.values()):
            content.notes_omitted.append(
                "Personer med skyddade personuppgifter anges med alias")

        tasks = shown_rows(s, scope, "task", order=(m.Task.due_on.is_(None), m.Task.due_on),
                           meeting_id=meeting.id)
        if tasks:
            task_cases = {c.id: c for c in s.scalars(select(m.Case).where(
                m.Case.id.in_({t.case_id for t in tasks}))).all()}
            for c in task_cases.values():
                if c.person_id not in persons:
                    persons[c.person_id] = scope.project(s, c.person)
            tusers = users_by_id(s, [t.assignee_id for t in tasks])
            content.blocks += [Heading("Åtgärdspunkter"), Table(
                ("Åtgärdspunkt", "Ärende", "Ansvarig", "Klar senast", "Status"),
                tuple((scope.free(t.title)
                       + (f"\n{scope.free(t.description)}" if t.description else ""),
                       f"{task_cases[t.case_id].number}\n"
                       f"{persons[task_cases[t.case_id].person_id].display_name}",
                       user_label(tusers, t.assignee_id) if t.assignee_id
                       else agency_name(t.assignee_agency),
                       local_day(t.due_on), label(t.state)) for t in tasks),
                (3.0, 2.0, 2.2, 1.3, 0.9))]
            for t in tasks:
                content.include(t.category, t.owner_agency)
        count_omissions(s, scope, content, "task", meeting_id=meeting.id)

        if recipient_agency is None:
            recipient = f"{author_agency(actor)} – intern (mötesdeltagare)"
        else:
            recipient = f"{agency_name(recipient_agency)} – mötesdeltagare"
        bases = _minutes_bases(s, actor, meeting, items, tasks, recipient_agency,
                               recipient, now)
        return issue_document(uow, actor, scope=scope, kind=DocumentKind.MEETING_MINUTES,
                              title=f"Minnesanteckningar: {meeting.title}", recipient=recipient,
                              recipient_agency=recipient_agency or actor.agency, content=content,
                              secrecy_agencies=content.owners(), bases=bases, meeting_id=meeting.id,
                              pdf_password=pdf_password,
                              log_detail={"meeting": meeting.id, "items": len(items),
                                  "tasks": len(tasks)})


def _minutes_bases(s, actor: Actor, meeting: m.Meeting, items, tasks,
                   recipient_agency: Agency | None, recipient: str,
                   now: dt.datetime) -> list[Basis]:
    """One basis per case in the minutes: the handover bases when the minutes go
    to another agency, internal use otherwise."""
    case_ids = sorted({i.case_id for i in items} | {t.case_id for t in tasks})
    all_cases = {c.id: c for c in s.scalars(select(m.Case).where(
        m.Case.id.in_(case_ids))).all()} if case_ids else {}
    bases = []
    for cid in case_ids:
        cats = {i.category for i in items if i.case_id == cid} | \
               {t.category for t in tasks if t.case_id == cid} | {Category.IDENTITY}
        case_content = Content(included={}, blocks=[])
        for i in items:
            if i.case_id == cid:
                case_content.include(i.category, i.owner_agency)
        for t in tasks:
            if t.case_id == cid:
                case_content.include(t.category, t.owner_agency)
        case_content.include(Category.IDENTITY, all_cases[cid].owner_agency)
        if recipient_agency is not None and recipient_agency != actor.agency:
            bases += handover_bases(s, all_cases[cid], recipient_agency, recipient,
                                    case_content, now,
                                    f"Minnesanteckningar från möte {meeting.id}")
        else:
            bases.append(Basis(
                categories=tuple(sorted(cats, key=list(Category).index)),
                recipient=recipient, recipient_agency=recipient_agency or actor.agency,
                case_id=cid, person_id=all_cases[cid].person_id,
                legal_basis=BASIS_INTERNAL,
                purpose=f"Minnesanteckningar från möte {meeting.id}"))
    return bases


def issue_subject_extract(uow: UnitOfWork, actor: Actor, person_id: int,
                          pdf_password: str | None = None) -> IssuedDocumentResult:
    """Registerutdrag (GDPR art. 15): everything about the person the author
    may see, and a note that other agencies' parts are requested from them."""
    check_pdf_password(pdf_password)
    with uow:
        access.require(actor, "document.extract")
        s, now = uow.session, uow.now()
        person = access.get_visible(s, actor, "person", person_id, now)
        scope = Scope(actor, now)
        content = Content()
        others = [a for a in Agency if a != actor.agency]
        content.blocks.append(Paragraph(
            f"Detta registerutdrag visar de uppgifter om den registrerade som finns i "
            f"samverkanssystemet Trefas och som {agency_name(actor.agency)} har tillgång till. "
            f"Uppgifterna behandlas för samverkan mellan socialtjänst, polis och "
            f"Kriminalvården kring personer i risk för grov brottslighet och våld. Ett "
            f"avslutat ärende gallras fem år efter den sista anteckningen.\n\n"
            f"Uppgifter som {' och '.join(agency_name(a) for a in others)} har registrerat och "
            f"inte delat med {agency_name(actor.agency)} finns inte med här. De ska begäras "
            f"direkt från respektive myndighet. Detsamma gäller uppgifter i andra system."))
        content.omitted_at = len(content.blocks)
        view = person_blocks(s, scope, person, content, heading="Personuppgifter")
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
        consent_blocks(s, scope, person, content, active_only=False)
        case_rows = s.scalars(select(m.Case).where(
            m.Case.person_id == person.id, access.visible(actor, "case", now))
            .order_by(m.Case.opened_at, m.Case.id)).all()
        for case in case_rows:
            case_blocks(s, scope, case, content, open_tasks_only=False, with_person=False,
                        with_consents=False, heading=f"Ärende {case.number}")
        hidden_cases = hidden_counts.hidden_cases(s, actor, (), person.id) \
            if hidden_counts.on_server(s) else s.scalar(  # the row rules hide them there
                select(func.count()).select_from(m.Case).where(
                    m.Case.person_id == person.id,
                    access.scope_clause(actor, m.Case.id, "read", now),
                    not_(access.visible(actor, "case", now))))
        if hidden_cases:
            content.notes_omitted.append(
                f"Ärenden ({hidden_cases}) som inte delas med {agency_name(actor.agency)}: "
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
            f"Tillfällen då {agency_name(actor.agency)} har lämnat ut eller skrivit ut "
            f"uppgifter om "
            f"den registrerade ur Trefas. Andra myndigheters utlämnanden redovisas av dem."))
        content.blocks.append(Table(
            ("Datum", "Mottagare", "Uppgifter", "Grund"),
            tuple((local_time(d.disclosed_at), d.recipient,
                   ", ".join(label(Category(c)) for c in d.categories.split(",") if c),
                   "; ".join(x for x in (
                       f"Samtycke/lagstöd nr {d.consent_id}" if d.consent_id else "",
                       d.legal_basis or "") if x) or "–") for d, _u in disclosures),
            (1.6, 2.6, 2.8, 2.4)))
        recipient = f"Den registrerade ({view.alias})"
        bases = [Basis(categories=tuple(sorted(content.included, key=list(Category).index)),
                       recipient=recipient, recipient_agency=None, person_id=person.id,
                       legal_basis=BASIS_SUBJECT_EXTRACT, purpose="Registerutdrag")]
        return issue_document(uow, actor, scope=scope, kind=DocumentKind.SUBJECT_EXTRACT,
                              title=f"Registerutdrag – {view.display_name}", recipient=recipient,
                              recipient_agency=None, content=content,
                              secrecy_agencies=content.owners(), bases=bases, person_id=person.id,
                              pdf_password=pdf_password, log_detail={"cases": len(case_rows)})


def issue_access_log_extract(uow: UnitOfWork, actor: Actor, person_id: int,
                             pdf_password: str | None = None) -> IssuedDocumentResult:
    """Who looked at or changed the person's data, when and why: entries of the
    access log about the person or about their cases the author may see.
    User names and actions only — no case content."""
    check_pdf_password(pdf_password)
    with uow:
        access.require(actor, "document.log_extract")
        s, now = uow.session, uow.now()
        person = access.get_visible(s, actor, "person", person_id, now)
        scope = Scope(actor, now)
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
        content = Content()
        content.blocks.append(Paragraph(
            "Utdraget visar vilka användare som har läst, sökt fram eller ändrat uppgifter om "
            "den registrerade i Trefas, när det skedde och vilket skäl som angavs (vid "
            "nödåtkomst och visning av skyddad identitet). Uppgifterna kommer ur den "
            "manipuleringsskyddade åtkomstloggen. Ärendeinnehåll redovisas inte här."))
        content.blocks += [Heading("Den registrerade"), KeyValues((
            ("Namn", view.display_name), ("Id", view.alias),
            ("Antal loggposter", str(len(events))),
            ("Period",
             f"{events[0][0].at[:10]} – {events[-1][0].at[:10]}" if events else "–")))]
        per_user: dict[tuple[str, str | None], list] = {}
        agencies: set[Agency] = set()
        for e, name in events:
            who = name or e.username or "Okänd"
            per_user.setdefault((who, e.agency), []).append(e)
            if e.agency:
                agencies.add(Agency(e.agency))
        content.blocks += [Heading("Sammanfattning per användare"), Table(
            ("Användare", "Myndighet", "Antal", "Första", "Senaste"),
            tuple((who, agency_name(Agency(agency)) if agency else "–", str(len(rows)),
                   local_time(_at(rows[0].at)), local_time(_at(rows[-1].at)))
                  for (who, agency), rows in sorted(per_user.items(),
                                                    key=lambda kv: kv[0][0].casefold())),
            (2.6, 1.8, 0.8, 1.5, 1.5))]
        content.blocks += [Heading("Alla loggposter"), Table(
            ("Tid", "Användare", "Myndighet och roll", "Händelse", "Skäl"),
            tuple((local_time(_at(e.at)), name or e.username or "Okänd",
                   (f"{agency_name(Agency(e.agency))}, {label(Role(e.role))}"
                    if e.agency and e.role else "–"),
                   action_label(e.action, "sv"),
                   scope.free(access.log_reason(actor, e.agency, e.reason)) or "–")
                  for e, name in events),
            (1.75, 1.8, 2.3, 2.4, 1.75))]
        content.include(Category.IDENTITY, person.owner_agency)
        recipient = f"Den registrerade ({view.alias})"
        bases = [Basis(categories=(Category.IDENTITY,), recipient=recipient,
                       recipient_agency=None, person_id=person.id,
                       legal_basis=BASIS_LOG_EXTRACT, purpose="Utdrag ur åtkomstloggen")]
        return issue_document(uow, actor, scope=scope, kind=DocumentKind.ACCESS_LOG_EXTRACT,
                              title=f"Utdrag ur åtkomstloggen – {view.display_name}",
                              recipient=recipient, recipient_agency=None, content=content,
                              secrecy_agencies=agencies | {person.owner_agency}, bases=bases,
                              person_id=person.id, pdf_password=pdf_password,
                              log_detail={"entries": len(events)})


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
