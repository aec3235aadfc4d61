"""Joint meetings and the operational group (operativ grupp).

A meeting itself — kind, unit, title, time, place, participants — is not case
content and is readable by every role with ``meeting.read``. Each case
discussed is a :class:`MeetingItem` (case content, category social): it goes
through the access rule, and a user sees how many items exist that are not
shared with them. Marking a meeting as held closes its minutes: no items are
added afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Category, MeetingKind
from trefas_app.domain.errors import Conflict, NotFound, ValidationError
from trefas_app.domain.permissions import may_change_meeting, role_may
from trefas_app.domain.text import check_paging
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.services.case_records import list_case_records
from trefas_app.services.cases import touch_case, writable_case
from trefas_app.services.tasks import (
    check_text,
    person_names,
    task_order,
    task_rows,
    user_names,
    visible_case_numbers,
)
from trefas_app.services.persons import mask_result
from trefas_app.services.views import Page
from trefas_app.services.views_ops import (
    MeetingItemView,
    MeetingRow,
    MeetingView,
    ParticipantView,
)
from trefas_app.store import dialect
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork

ITEM_CATEGORY = Category.SOCIAL


def _aware(value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValidationError("Mötestiden måste anges med datum, klockslag och tidszon.",
                              "The meeting time needs a date, a time and a time zone.")
    return value.astimezone(dt.timezone.utc)


def _meeting(uow: UnitOfWork, meeting_id: int) -> m.Meeting:
    meeting = uow.session.get(m.Meeting, meeting_id)
    if meeting is None:
        raise NotFound("Mötet finns inte.", "The meeting does not exist.")
    return meeting


def _writable_meeting(uow: UnitOfWork, actor: Actor, meeting_id: int) -> m.Meeting:
    """A meeting the user may change: meeting.write, and the user chairs it or is
    a coordinator of its unit."""
    access.require(actor, "meeting.write")
    # Held until the commit (as access.get_visible's write reads): marking a
    # meeting held twice at once waits, then is refused as already held.
    dialect.lock_for_change(uow.session, "meeting", meeting_id)
    meeting = _meeting(uow, meeting_id)
    if not may_change_meeting(actor, meeting.chair_id, meeting.unit_id):
        raise access.denied(actor, "meeting.write",
                            "Bara mötets ordförande eller enhetens samordnare kan ändra mötet.",
                            "Only the chair or the unit's coordinator can change the meeting.",
                            "meeting", meeting_id)
    return meeting


def _item_views(session, actor: Actor, items: list[m.MeetingItem],
                now: dt.datetime) -> tuple[MeetingItemView, ...]:
    numbers = visible_case_numbers(session, actor, [i.case_id for i in items], now)
    persons = person_names(session, actor, [i.person_id for i in items], now)
    names = user_names(session, [i.created_by_id for i in items])
    meeting_ids = sorted({i.meeting_id for i in items})
    facts = {mid: (title, held_at, held) for mid, title, held_at, held in session.execute(
        select(m.Meeting.id, m.Meeting.title, m.Meeting.held_at, m.Meeting.held)
        .where(m.Meeting.id.in_(meeting_ids))).all()} if meeting_ids else {}
    views = []
    for i in items:
        title, held_at, held = facts.get(i.meeting_id, (None, None, None))
        views.append(MeetingItemView(
            id=i.id, meeting_id=i.meeting_id, case_id=i.case_id,
            case_number=numbers.get(i.case_id), person_id=i.person_id,
            person_name=persons.get(i.person_id, access.person_alias(i.person_id)),
            discussion=i.discussion, decision=i.decision, category=i.category,
            owner_agency=i.owner_agency, created_by=names.get(i.created_by_id),
            created_at=i.created_at, meeting_title=title, meeting_held_at=held_at,
            meeting_held=held))
    return mask_result(session, actor, now, tuple(views))


def _view(uow: UnitOfWork, actor: Actor, meeting: m.Meeting) -> MeetingView:
    """The meeting with the items and tasks the user may see. Logs one
    ``meeting_item.read`` per item shown; the caller logs the meeting itself."""
    s, now = uow.session, uow.now()
    item_where = hidden_counts.narrowed("meeting_item", meeting_id=meeting.id)
    items = s.scalars(select(m.MeetingItem)
                      .where(access.visible(actor, "meeting_item", now), *item_where)
                      .order_by(m.MeetingItem.id)).all()
    items_hidden = hidden_counts.hidden(s, actor, "meeting_item", now, meeting_id=meeting.id)
    for item in items:
        uow.log(actor, "meeting_item.read", subject_kind="meeting_item", subject_id=item.id,
                case_id=item.case_id, person_id=item.person_id)
    task_where = hidden_counts.narrowed("task", meeting_id=meeting.id)
    tasks = s.scalars(select(m.Task).where(access.visible(actor, "task", now), *task_where)
                      .order_by(*task_order())).all()
    tasks_hidden = hidden_counts.hidden(s, actor, "task", now, meeting_id=meeting.id)
    participants = sorted(meeting.participants, key=lambda p: p.user.display_name)
    units = dict(s.execute(select(m.Unit.id, m.Unit.name)).all())
    chair = s.get(m.User, meeting.chair_id)
    return MeetingView(
        id=meeting.id, kind=meeting.kind, unit_id=meeting.unit_id,
        unit_name=units.get(meeting.unit_id, ""), title=meeting.title, held_at=meeting.held_at,
        place=meeting.place, chair_id=meeting.chair_id,
        chair=chair.display_name if chair else "", held=meeting.held,
        participants=tuple(ParticipantView(
            user_id=p.user_id, display_name=p.user.display_name, role=p.user.role,
            agency=p.user.agency, unit_name=units.get(p.user.unit_id, ""), present=p.present)
            for p in participants),
        items=_item_views(s, actor, list(items), now),
        tasks=tuple(task_rows(s, actor, list(tasks), now)),
        items_hidden=items_hidden, tasks_hidden=tasks_hidden)


# --- use cases ---------------------------------------------------------------------


def create_meeting(uow: UnitOfWork, actor: Actor, kind: MeetingKind, unit_id: int, title: str,
                   held_at: dt.datetime, place: str | None,
                   participant_user_ids: Iterable[int] = ()) -> MeetingView:
    """A new meeting chaired by the user, who is always a participant."""
    kind = MeetingKind(kind)
    title = check_text(title, "rubrik", "title", True, 200)
    place = check_text(place, "plats", "place", False, 200)
    held_at = _aware(held_at)
    wanted = list(dict.fromkeys([actor.user_id, *participant_user_ids]))
    with uow:
        access.require(actor, "meeting.write")
        s, now = uow.session, uow.now()
        if s.get(m.Unit, unit_id) is None:
            raise ValidationError("Välj en enhet som finns.", "Choose a unit that exists.")
        users = {u.id: u for u in s.scalars(select(m.User).where(m.User.id.in_(wanted))).all()}
        bad = [uid for uid in wanted
               if uid not in users or not users[uid].active
               or not role_may(users[uid].role, "meeting.read")]
        if bad:
            raise ValidationError(
                "En eller flera deltagare finns inte eller kan inte delta i möten "
                "(inaktiverade konton och systemadministratörer kan inte delta).",
                "One or more participants do not exist or cannot take part in meetings "
                "(disabled accounts and administrators cannot take part).")
        meeting = m.Meeting(kind=kind, unit_id=unit_id, title=title, held_at=held_at,
                            place=place, chair_id=actor.user_id, held=False, created_at=now,
                            created_by_id=actor.user_id)
        meeting.participants = [m.MeetingParticipant(user_id=uid, present=True)
                                for uid in wanted]
        s.add(meeting)
        s.flush()
        uow.log(actor, "meeting.create", subject_kind="meeting", subject_id=meeting.id,
                detail={"kind": kind.value, "unit": unit_id, "participants": wanted})
        view = _view(uow, actor, meeting)
        uow.commit()
        return view


def add_meeting_item(uow: UnitOfWork, actor: Actor, meeting_id: int, case_id: int,
                     discussion: str, decision: str | None = None) -> MeetingView:
    """Record a case discussed at the meeting and what was decided. The case
    must be visible to, and in the write scope of, the user."""
    discussion = check_text(discussion, "diskussion", "discussion", True)
    decision = check_text(decision, "beslut", "decision", False)
    with uow:
        meeting = _writable_meeting(uow, actor, meeting_id)
        if meeting.held:
            raise Conflict("Mötet är markerat som hållet; protokollet kan inte längre ändras.",
                           "The meeting is marked as held; its minutes can no longer change.")
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, "meeting.write")
        item = m.MeetingItem(meeting_id=meeting.id, case_id=case.id, person_id=case.person_id,
                             owner_agency=actor.agency, category=ITEM_CATEGORY,
                             discussion=discussion, decision=decision, created_at=now,
                             created_by_id=actor.user_id)
        s.add(item)
        s.flush()
        touch_case(case, now)
        uow.log(actor, "meeting_item.create", subject_kind="meeting_item", subject_id=item.id,
                case_id=case.id, person_id=case.person_id, detail={"meeting": meeting.id})
        view = _view(uow, actor, meeting)
        uow.commit()
        return view


def mark_meeting_held(uow: UnitOfWork, actor: Actor, meeting_id: int,
                      absent_user_ids: Iterable[int] = ()) -> MeetingView:
    """The meeting took place; participants listed in ``absent_user_ids`` did not
    attend. The minutes are closed from now on."""
    absent = set(absent_user_ids)
    with uow:
        meeting = _writable_meeting(uow, actor, meeting_id)
        s, now = uow.session, uow.now()
        if meeting.held:
            raise Conflict("Mötet är redan markerat som hållet.",
                           "The meeting is already marked as held.")
        if meeting.held_at > now:
            raise ValidationError("Mötet kan inte markeras som hållet före mötestiden.",
                                  "The meeting cannot be marked as held before it starts.")
        unknown = absent - {p.user_id for p in meeting.participants}
        if unknown:
            raise ValidationError("Bara inbjudna deltagare kan markeras som frånvarande.",
                                  "Only invited participants can be marked absent.")
        for p in meeting.participants:
            p.present = p.user_id not in absent
        meeting.held = True
        meeting.updated_at, meeting.updated_by_id = now, actor.user_id
        uow.log(actor, "meeting.held", subject_kind="meeting", subject_id=meeting.id,
                detail={"absent": sorted(absent)})
        s.flush()
        view = _view(uow, actor, meeting)
        uow.commit()
        return view


def get_meeting(uow: UnitOfWork, actor: Actor, meeting_id: int) -> MeetingView:
    with uow:
        access.require(actor, "meeting.read")
        meeting = _meeting(uow, meeting_id)
        view = _view(uow, actor, meeting)
        uow.log(actor, "meeting.read", subject_kind="meeting", subject_id=meeting.id,
                detail={"items_shown": len(view.items), "items_hidden": view.hidden_items})
        uow.commit()
        return view


def list_meetings(uow: UnitOfWork, actor: Actor, since: dt.datetime | None = None,
                  until: dt.datetime | None = None, unit_id: int | None = None,
                  offset: int = 0, limit: int = 200) -> Page[MeetingRow]:
    """Meetings by time, latest first; each with how many items the user may see."""
    offset, limit = check_paging(offset, limit)
    with uow:
        access.require(actor, "meeting.read")
        s, now = uow.session, uow.now()
        where = []
        if since is not None:
            where.append(m.Meeting.held_at >= _aware(since))
        if until is not None:
            where.append(m.Meeting.held_at < _aware(until))
        if unit_id is not None:
            where.append(m.Meeting.unit_id == unit_id)
        total = s.scalar(select(func.count()).select_from(m.Meeting).where(*where))
        participants = (select(m.MeetingParticipant.meeting_id.label("mid"),
                               func.count().label("n"))
                        .group_by(m.MeetingParticipant.meeting_id).subquery())
        items = (select(m.MeetingItem.meeting_id.label("mid"), func.count().label("n"))
                 .where(access.visible(actor, "meeting_item", now))
                 .group_by(m.MeetingItem.meeting_id).subquery())
        rows = s.execute(
            select(m.Meeting, m.Unit.name, m.User.display_name, participants.c.n, items.c.n)
            .join(m.Unit, m.Unit.id == m.Meeting.unit_id)
            .join(m.User, m.User.id == m.Meeting.chair_id)
            .outerjoin(participants, participants.c.mid == m.Meeting.id)
            .outerjoin(items, items.c.mid == m.Meeting.id)
            .where(*where)
            .order_by(m.Meeting.held_at.desc(), m.Meeting.id.desc())
            .offset(offset).limit(limit)).all()
        result = tuple(MeetingRow(
            id=mt.id, kind=mt.kind, unit_id=mt.unit_id, unit_name=unit_name, title=mt.title,
            held_at=mt.held_at, place=mt.place, chair=chair, held=mt.held,
            participants=n_participants or 0, items_visible=n_items or 0,
            chair_id=mt.chair_id)
            for mt, unit_name, chair, n_participants, n_items in rows)
        if offset == 0:
            uow.log(actor, "meeting.list", detail={"hits": total, "unit": unit_id})
        page = Page(rows=result, total=total, offset=offset)
        uow.commit()
        return page


def list_case_items(uow: UnitOfWork, actor: Actor, case_id: int, offset: int = 0,
                    limit: int = 200) -> Page[MeetingItemView]:
    """The meetings where one case was discussed: the items the access rule
    lets the user see, latest meeting first, each with its meeting's title and
    time, and how many more items exist in the user's scope. The case itself
    must be visible to the user."""
    return list_case_records(uow, actor, case_id, offset, limit, kind="meeting_item",
                             model=m.MeetingItem, parent=m.Meeting,
                             parent_key=m.MeetingItem.meeting_id,
                             newest=m.Meeting.held_at, to_views=_item_views)
