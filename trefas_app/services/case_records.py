"""Reading case records the same way in every service.

* :func:`read_record`: one record (a case, an exit programme, a plan, a
  referral) the access rule lets the user see, its reading logged;
* :func:`people_and_numbers`: what a list row shows of a record's person and
  case;
* :func:`commit_view`: the tail of a change: flush, the record's new view,
  commit;
* :func:`list_case_records`: one case's records of a kind that hang under
  another record (an incident's involvements, a meeting's items): the case
  must be visible, the rows are those the access rule lets the user see within
  that case, newest parent first, and the first page counts the rows hidden
  from the user and writes one log entry.
"""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import func, select

from trefas_app.domain.actor import Actor
from trefas_app.domain.text import check_paging
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.services.persons import project_persons
from trefas_app.services.views import Page
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork


def read_record(uow: UnitOfWork, actor: Actor, kind: str, record_id: int,
                to_view: Callable[[UnitOfWork, Actor, Any], Any]) -> Any:
    """The view (``to_view(uow, actor, row)``) of the ``kind`` record the user
    may see; the reading is written to the access log as ``<kind>.read``."""
    with uow:
        row = access.get_visible(uow.session, actor, kind, record_id, uow.now())
        case_id = row.id if kind == "case" else row.case_id
        uow.log(actor, f"{kind}.read", subject_kind=kind, subject_id=row.id, case_id=case_id,
                person_id=row.person_id)
        view = to_view(uow, actor, row)
        uow.commit()
        return view


def commit_view(uow: UnitOfWork, actor: Actor, row: Any,
                to_view: Callable[[UnitOfWork, Actor, Any], Any]) -> Any:
    """Flush the change to ``row``, make its view as the user now sees it, commit."""
    uow.session.flush()
    view = to_view(uow, actor, row)
    uow.commit()
    return view


def people_and_numbers(s, actor: Actor, records, now) -> tuple[dict, dict[int, str]]:
    """For list rows of ``records``: their persons as the user may see them
    (by person id) and their cases' numbers (by case id)."""
    persons = project_persons(s, actor, list(s.scalars(select(m.Person).where(
        m.Person.id.in_(sorted({r.person_id for r in records})))).all()), now)
    numbers = dict(s.execute(select(m.Case.id, m.Case.number).where(
        m.Case.id.in_(sorted({r.case_id for r in records})))).all()) if records else {}
    return persons, numbers


def list_case_records(uow: UnitOfWork, actor: Actor, case_id: int, offset: int, limit: int, *,
                      kind: str, model: Any, parent: Any, parent_key: Any, newest: Any,
                      to_views: Callable[..., list]) -> Page:
    """The page of ``model`` rows (access kind ``kind``) of one case, joined to
    ``parent`` on ``parent_key`` and ordered by ``newest`` (descending), then
    by id; ``to_views(session, actor, rows, now)`` makes the views."""
    offset, limit = check_paging(offset, limit)
    with uow:
        access.require(actor, f"{kind}.read")
        s, now = uow.session, uow.now()
        case = access.get_visible(s, actor, "case", case_id, now)
        filters = [model.case_id == case.id]
        known = (case.id, case.person_id)
        where = [access.visible(actor, kind, now, within_case=known), *filters]
        total = s.scalar(select(func.count()).select_from(model).where(*where))
        rows = s.scalars(
            select(model)
            .join(parent, parent.id == parent_key)
            .where(*where)
            .order_by(newest.desc(), model.id.desc())
            .offset(offset).limit(limit)).all()
        hidden = {} if offset else hidden_counts.hidden(
            s, actor, kind, now, case_id=case.id, within_case=known)
        if offset == 0:
            uow.log(actor, f"{kind}.list", subject_kind="case", subject_id=case.id,
                    case_id=case.id, person_id=case.person_id,
                    detail={"hits": total, "hidden": sum(hidden.values())})
        page = Page(rows=to_views(s, actor, list(rows), now), total=total, offset=offset,
                    hidden=hidden)
        uow.commit()
        return page
