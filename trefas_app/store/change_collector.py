"""Collects what a session actually wrote as a :class:`Changed`.

At every flush the collector looks at the rows the session inserted, changed
(for real: ``is_modified``) or deleted, maps each mapped class to its kind and
to the id screens filter on (a note → its case id), and keeps them until the
transaction ends: a commit makes them part of :attr:`ChangeCollector.committed`,
a rollback forgets them. A bulk UPDATE or DELETE through the ORM cannot be
traced row by row, so it counts as ``everything``. Entries in the access log
are not changes of content and are skipped.

The GUI turns it on for its store with :func:`enable`: every committed
transaction (and every key-file edit, :func:`record_keyfile_edit`) is then
added to a sink that the worker empties after each operation.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from trefas_app.domain.changes import KINDS, Changed
from trefas_app.store import models as m


def _own_id(session: Session, obj: Any) -> Any:
    return obj.id


def _case_id(session: Session, obj: Any) -> Any:
    return obj.case_id


def _person_id(session: Session, obj: Any) -> Any:
    return obj.person_id


def _via(parent: type, link: str, attr: str) -> Callable[[Session, Any], Any]:
    """The id is on the parent row (a plan goal's case is its plan's case)."""
    def route(session: Session, obj: Any) -> Any:
        row = session.get(parent, getattr(obj, link))
        return None if row is None else getattr(row, attr)
    return route


#: Mapped class → (kind, how to find the id the kind is keyed by).
ROUTES: dict[type, tuple[str, Callable[[Session, Any], Any]]] = {
    m.Case: ("cases", _own_id),
    m.TeamMember: ("cases", _case_id),
    m.Person: ("persons", _own_id),
    m.Relative: ("persons", _person_id),
    m.IdentityReveal: ("persons", _person_id),
    m.Consent: ("consents", _person_id),
    m.ConsentGrant: ("consents", _via(m.Consent, "consent_id", "person_id")),
    m.Note: ("notes", _case_id),
    m.Plan: ("plans", _case_id),
    m.PlanGoal: ("plans", _via(m.Plan, "plan_id", "case_id")),
    m.PlanAction: ("plans", _via(m.Plan, "plan_id", "case_id")),
    m.Referral: ("referrals", _case_id),
    m.ExitProgramme: ("exits", _case_id),
    m.ThreatAssessment: ("exits", _case_id),
    m.ProtectiveMeasure: ("exits", _case_id),
    m.SupportComponent: ("exits", _case_id),
    m.Task: ("tasks", _case_id),
    m.EmergencyAccess: ("emergency", _case_id),
    m.Incident: ("incidents", _own_id),
    m.IncidentInvolvement: ("incidents", lambda s, o: o.incident_id),
    m.RoutineStep: ("incidents", lambda s, o: o.incident_id),
    m.Meeting: ("meetings", _own_id),
    m.MeetingParticipant: ("meetings", lambda s, o: o.meeting_id),
    m.MeetingItem: ("meetings", lambda s, o: o.meeting_id),
    m.IssuedDocument: ("documents", _own_id),
    m.Disclosure: ("documents", lambda s, o: o.document_id),
    m.User: ("users", lambda s, o: o.username),
    m.Unit: ("units", lambda s, o: o.code),
    m.StoreMeta: ("settings", lambda s, o: o.key.removeprefix("setting.")),
}

#: A lifecycle move is recorded under the kind of the record that moved.
STATE_ENTITIES: dict[str, type] = {
    "case": m.Case, "plan": m.Plan, "referral": m.Referral, "exit": m.ExitProgramme,
    "task": m.Task, "incident": m.Incident,
}

#: Rows that are not content: the log, and the marker a retention run uses.
SKIPPED: tuple[type, ...] = (m.AuditEvent, m.RetentionPurge)


#: Where a session keeps its collector (``Session.info``).
_COLLECTOR = "trefas_change_collector"


def changed_by_server(session: Session, obj: Any) -> None:
    """A row a server function changed for the session (the ORM flushed no
    change of it): counted as the session's change all the same."""
    collector = session.info.get(_COLLECTOR)
    if collector is not None:
        collector._route(session, obj)


class ChangeCollector:
    """Attached to one session; see the module docstring."""

    def __init__(self, session: Session):
        self.committed = Changed()
        self._pending: dict[str, set] = defaultdict(set)
        self._everything = False
        event.listen(session, "after_flush", self._after_flush)
        event.listen(session, "do_orm_execute", self._bulk)
        event.listen(session, "after_commit", self._after_commit)
        event.listen(session, "after_rollback", self._forget)
        session.info[_COLLECTOR] = self

    def _after_flush(self, session: Session, _context) -> None:
        modified = [o for o in session.dirty if session.is_modified(o, include_collections=False)]
        with session.no_autoflush:
            for obj in (*session.new, *modified, *session.deleted):
                self._route(session, obj)

    def _route(self, session: Session, obj: Any) -> None:
        if isinstance(obj, m.StateChange):
            model = STATE_ENTITIES.get(obj.entity)
            obj = session.get(model, obj.entity_id) if model is not None else None
            if obj is None:
                self._everything = model is None or self._everything
                return
        if isinstance(obj, SKIPPED):
            return
        route = ROUTES.get(type(obj))
        if route is None:  # a new table nobody mapped yet: be safe, not silent
            self._everything = True
            return
        kind, key_of = route
        key = key_of(session, obj)
        if key is not None:
            self._pending[kind].add(key)

    def _bulk(self, state) -> None:
        if state.is_update or state.is_delete:
            self._everything = True

    def pending(self) -> Changed:
        """What the open transaction has written so far (flushed rows)."""
        return Changed(everything=self._everything,
                       **{k: v for k, v in self._pending.items() if k in KINDS})

    def _after_commit(self, session: Session) -> None:
        done = self.pending()
        self._forget(session)
        if done:
            self.committed = self.committed | done
            self.on_commit(done)

    def on_commit(self, changed: Changed) -> None:
        """Replaced by :func:`attach`: where a committed change goes next."""

    def _forget(self, _session: Session) -> None:
        self._pending.clear()
        self._everything = False


def attach(uow) -> ChangeCollector:
    """Collect for a unit of work: each commit adds to ``uow.changed`` and to
    the store's sink (if any)."""
    collector = ChangeCollector(uow.session)

    def committed(changed: Changed) -> None:
        uow.changed = uow.changed | changed
        record(uow.store, changed)

    collector.on_commit = committed
    return collector


# -- the GUI's sink -----------------------------------------------------------------


class ChangeSink:
    """Committed changes of one store since the worker last took them."""

    def __init__(self):
        self._changed = Changed()

    def add(self, changed: Changed) -> None:
        self._changed = self._changed | changed

    def take(self) -> Changed:
        changed, self._changed = self._changed, Changed()
        return changed


def enable(store) -> ChangeSink:
    """Collect every committed change of ``store`` (an OpenStore or a
    KeylessSession) from now on; the GUI does this when it unlocks."""
    sink = getattr(store, "change_sink", None)
    if sink is None:
        sink = ChangeSink()
        store.change_sink = sink
    return sink


def record(store, changed: Changed) -> None:
    """Add ``changed`` to the store's sink, if the GUI asked for one."""
    sink = getattr(store, "change_sink", None)
    if sink is not None and changed:
        sink.add(changed)


def keyfile_state(keyfile) -> dict[str, dict]:
    """What of the key file screens show: accounts, units, settings."""
    return {"users": {s.username: s.to_json() for s in keyfile.account_slots()}
            | {f"disabled:{k}": v for k, v in keyfile.disabled.items()},
            "units": {u["code"]: u for u in keyfile.units},
            "settings": dict(keyfile.settings)}


def keyfile_changes(before: dict[str, dict], after: dict[str, dict]) -> Changed:
    """The accounts, units and settings that differ between two states."""
    def differing(kind: str) -> set[str]:
        old, new = before[kind], after[kind]
        return {k.removeprefix("disabled:") for k in old.keys() | new.keys()
                if old.get(k) != new.get(k)}
    return Changed(**{kind: differing(kind) for kind in before})


def keyfile_before(store, keyfile) -> dict[str, dict] | None:
    """Before an edit of the key file: its state, if anyone collects."""
    return keyfile_state(keyfile) if getattr(store, "change_sink", None) is not None else None


def record_keyfile_edit(store, before: dict[str, dict] | None, keyfile) -> None:
    """After an edit of the key file: what it changed goes to the sink."""
    if before is not None:
        record(store, keyfile_changes(before, keyfile_state(keyfile)))
