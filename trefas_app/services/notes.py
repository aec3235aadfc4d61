"""Case notes: draft → signed. A signed note never changes; a correction is a
new note that points to the one it corrects."""

from __future__ import annotations

from sqlalchemy import func, select

from trefas_app.domain import lifecycles
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Category, NoteState
from trefas_app.domain.errors import Conflict, ValidationError
from trefas_app.domain import text as text_rules
from trefas_app.domain.text import check_paging
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.store.note_seal import note_seal
from trefas_app.services.cases import touch_case, writable_case
from trefas_app.services.persons import mask_result
from trefas_app.services.views import NoteView, Page
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork
from trefas_app.store.versions import require_version

MAX_NOTE_CHARS = text_rules.NOTE


def _check_text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise ValidationError("Anteckningen behöver en rubrik.", "The note needs a title.")
    if not body:
        raise ValidationError("Anteckningen är tom.", "The note is empty.")
    if len(body) > MAX_NOTE_CHARS:
        raise ValidationError("Anteckningen är för lång (högst 200 000 tecken).",
                              "The note is too long (at most 200,000 characters).")
    return title, body


def _views(session, notes: list[m.Note], actor: Actor, now) -> list[NoteView]:
    user_ids = {n.author_id for n in notes} | {n.signed_by_id for n in notes if n.signed_by_id}
    names = dict(session.execute(select(m.User.id, m.User.display_name)
                                 .where(m.User.id.in_(user_ids))).all()) if user_ids else {}
    ids = [n.id for n in notes]
    corrections: dict[int, list[int]] = {}
    if ids:
        cases = {(n.case_id, n.person_id) for n in notes}
        known = next(iter(cases)) if len(cases) == 1 else None
        for cid, nid in session.execute(select(m.Note.corrects_id, m.Note.id)
                                        .where(m.Note.corrects_id.in_(ids),
                                               access.visible(actor, "note", now, within_case=known))).all():
            corrections.setdefault(cid, []).append(nid)
    return mask_result(session, actor, now, [NoteView(
                     id=n.id, case_id=n.case_id, person_id=n.person_id, title=n.title,
                     body=n.body,
                     category=n.category, state=n.state, author=names.get(n.author_id, ""),
                     owner_agency=n.owner_agency, created_at=n.created_at,
                     signed_at=n.signed_at, signed_by=names.get(n.signed_by_id),
                     corrects_id=n.corrects_id, author_id=n.author_id,
                     corrected_by=tuple(sorted(corrections.get(n.id, ()))), version=n.version)
            for n in notes])


def write_note(uow: UnitOfWork, actor: Actor, case_id: int, title: str, body: str,
               category: Category = Category.SOCIAL, corrects_id: int | None = None) -> NoteView:
    title, body = _check_text(title, body)
    category = Category(category)
    with uow:
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, "note.write")
        if corrects_id is not None:
            original = access.get_visible(s, actor, "note", corrects_id, now)
            if original.case_id != case.id:
                raise ValidationError("Rättelsen måste höra till samma ärende.",
                                      "A correction must belong to the same case.")
            if original.state != NoteState.SIGNED:
                raise Conflict("Bara signerade anteckningar rättas; ändra utkastet i stället.",
                               "Only signed notes are corrected; edit the draft instead.")
        note = m.Note(case_id=case.id, person_id=case.person_id, owner_agency=actor.agency,
                      category=category, title=title, body=body, state=NoteState.DRAFT,
                      author_id=actor.user_id, corrects_id=corrects_id, created_at=now,
                      created_by_id=actor.user_id)
        s.add(note)
        s.flush()
        touch_case(case, now)
        uow.log(actor, "note.correct" if corrects_id else "note.create", subject_kind="note",
                subject_id=note.id, case_id=case.id, person_id=case.person_id,
                detail={"category": category.value, "corrects": corrects_id})
        view = _views(s, [note], actor, now)[0]
        uow.commit()
        return view


def _own_draft(uow: UnitOfWork, actor: Actor, note_id: int) -> m.Note:
    note = access.get_visible(uow.session, actor, "note", note_id, uow.now(), verb="write")
    if note.state == NoteState.SIGNED:
        raise Conflict("Anteckningen är signerad och kan inte ändras. Skriv en rättelse.",
                       "The note is signed and cannot be changed. Write a correction.")
    if note.author_id != actor.user_id:
        raise access.denied(actor, "note.write", "Bara författaren kan ändra ett utkast.",
                            "Only the author can change a draft.", "note", note_id)
    return note


def update_draft(uow: UnitOfWork, actor: Actor, note_id: int, title: str, body: str,
                 category: Category | None = None,
                 expected_version: int | None = None) -> NoteView:
    """Save the author's draft; with ``expected_version`` (the version the
    editor opened) only if nobody saved it since (store/versions.py)."""
    title, body = _check_text(title, body)
    with uow:
        note = _own_draft(uow, actor, note_id)
        require_version(uow.session, note, expected_version)
        note.title, note.body = title, body
        if category is not None:
            note.category = Category(category)
        note.updated_at, note.updated_by_id = uow.now(), actor.user_id
        uow.log(actor, "note.update", subject_kind="note", subject_id=note.id,
                case_id=note.case_id, person_id=note.person_id)
        view = _views(uow.session, [note], actor, uow.now())[0]
        uow.commit()
        return view


def sign_note(uow: UnitOfWork, actor: Actor, note_id: int,
              expected_version: int | None = None) -> NoteView:
    """Sign the author's draft; with ``expected_version``, only the text the
    author last read (a draft saved since from another desktop is not signed
    unseen)."""
    with uow:
        access.require(actor, "note.sign")
        note = _own_draft(uow, actor, note_id)
        require_version(uow.session, note, expected_version)
        lifecycles.NOTE.check(note.state, NoteState.SIGNED)
        now = uow.now()
        note.state, note.signed_at, note.signed_by_id = NoteState.SIGNED, now, actor.user_id
        note.updated_at, note.updated_by_id = now, actor.user_id
        uow.session.flush()
        uow.log(actor, "note.sign", subject_kind="note", subject_id=note.id,
                case_id=note.case_id, person_id=note.person_id,
                detail={"seal": note_seal(uow.store.note_seal_key, note)})
        uow.session.flush()
        view = _views(uow.session, [note], actor, uow.now())[0]
        uow.commit()
        return view


def delete_draft(uow: UnitOfWork, actor: Actor, note_id: int,
                 expected_version: int | None = None) -> None:
    """Delete the author's draft; with ``expected_version``, only the text
    the author last read (not one saved since from another desktop)."""
    with uow:
        note = _own_draft(uow, actor, note_id)
        require_version(uow.session, note, expected_version)
        uow.log(actor, "note.delete_draft", subject_kind="note", subject_id=note.id,
                case_id=note.case_id, person_id=note.person_id)
        uow.session.delete(note)
        uow.commit()


def get_note(uow: UnitOfWork, actor: Actor, note_id: int) -> NoteView:
    with uow:
        # A draft is its author's alone: the rule itself refuses it to others.
        note = access.get_visible(uow.session, actor, "note", note_id, uow.now())
        uow.log(actor, "note.read", subject_kind="note", subject_id=note.id,
                case_id=note.case_id, person_id=note.person_id)
        view = _views(uow.session, [note], actor, uow.now())[0]
        uow.commit()
        return view


def list_notes(uow: UnitOfWork, actor: Actor, case_id: int, offset: int = 0,
               limit: int = 100) -> Page[NoteView]:
    """Notes of one case the user may see, newest first, and how many are hidden.

    Drafts are visible to their author only (the access rule's drafts_gate)."""
    offset, limit = check_paging(offset, limit)
    with uow:
        s, now = uow.session, uow.now()
        case = access.get_visible(s, actor, "case", case_id, now)
        known = (case.id, case.person_id)
        where = [access.visible(actor, "note", now, within_case=known)]
        total = s.scalar(select(func.count()).select_from(m.Note).where(*where))
        notes = s.scalars(select(m.Note).where(*where)
                          .order_by(m.Note.created_at.desc(), m.Note.id.desc())
                          .offset(offset).limit(limit)).all()
        hidden = {} if offset else hidden_counts.hidden(
            s, actor, "note", now, case_id=case_id, within_case=known)
        if offset == 0:
            uow.log(actor, "note.list", subject_kind="case", subject_id=case_id,
                    case_id=case_id, detail={"shown": total, "hidden": sum(hidden.values())})
        page = Page(rows=tuple(_views(s, list(notes), actor, now)), total=total, offset=offset,
                    hidden=hidden)
        uow.commit()
        return page
