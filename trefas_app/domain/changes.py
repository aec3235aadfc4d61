"""What a piece of work changed: one value the services declare and screens read.

A unit of work collects it from the rows it actually wrote (see
``store/change_collector.py``); the GUI worker hands it to the screens with the
result, and each screen refreshes only when a kind it shows is in it. It
travels as a small JSON dict (:meth:`Changed.to_dict` / :meth:`Changed.from_dict`);
server mode tells other desktops a reduced form of it (kinds and case ids
only, ``store/live_changes.py``).

Each field is the set of ids a screen filters on:

===============  =================================================================
``cases``        case ids: the case row, its team
``persons``      person ids: the person, relatives, an identity revealed
``consents``     person ids: consents and their grants
``notes``        case ids
``plans``        case ids: plans, goals, actions
``referrals``    case ids
``exits``        case ids: exit programmes, threat assessments, measures, support
``tasks``        case ids
``emergency``    case ids: emergency access granted or reviewed
``incidents``    incident ids: incidents, involvements, routine steps
``meetings``     meeting ids: meetings, participants, agenda items
``documents``    document ids: issued documents and their disclosures
``users``        user names: user rows and key-file accounts
``units``        unit codes
``settings``     setting keys
===============  =================================================================

``everything`` means "assume all of it" (a restored backup, a retention run).
Entries in the access log are not a change of content and never appear here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Iterable, Mapping

#: Kinds whose ids are case ids (a case page refreshes on its own id).
CASE_KINDS = ("cases", "notes", "plans", "referrals", "exits", "tasks", "emergency")
#: Kinds whose ids are user names, unit codes or setting keys.
TEXT_KINDS = ("users", "units", "settings")


def _ids(values: Iterable = ()) -> frozenset:
    return frozenset(values)


@dataclass(frozen=True)
class Changed:
    cases: frozenset[int] = field(default_factory=frozenset)
    persons: frozenset[int] = field(default_factory=frozenset)
    consents: frozenset[int] = field(default_factory=frozenset)
    notes: frozenset[int] = field(default_factory=frozenset)
    plans: frozenset[int] = field(default_factory=frozenset)
    referrals: frozenset[int] = field(default_factory=frozenset)
    exits: frozenset[int] = field(default_factory=frozenset)
    tasks: frozenset[int] = field(default_factory=frozenset)
    emergency: frozenset[int] = field(default_factory=frozenset)
    incidents: frozenset[int] = field(default_factory=frozenset)
    meetings: frozenset[int] = field(default_factory=frozenset)
    documents: frozenset[int] = field(default_factory=frozenset)
    users: frozenset[str] = field(default_factory=frozenset)
    units: frozenset[str] = field(default_factory=frozenset)
    settings: frozenset[str] = field(default_factory=frozenset)
    everything: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "everything":
                object.__setattr__(self, f.name, _ids(getattr(self, f.name)))

    @classmethod
    def all(cls) -> "Changed":
        """Everything may have changed (a restore, a retention run)."""
        return cls(everything=True)

    def kinds(self) -> frozenset[str]:
        """The names of the kinds with at least one id."""
        return frozenset(k for k in KINDS if getattr(self, k))

    def __bool__(self) -> bool:
        return self.everything or bool(self.kinds())

    def __or__(self, other: "Changed") -> "Changed":
        if not other:
            return self
        if not self:
            return other
        return replace(self, everything=self.everything or other.everything,
                       **{k: getattr(self, k) | getattr(other, k) for k in KINDS})

    def touches(self, kind: str, key: Any = None) -> bool:
        """True when ``kind`` changed (for ``key`` only, if given)."""
        if self.everything:
            return True
        ids = getattr(self, kind)
        return bool(ids) if key is None else key in ids

    def matches(self, watches: Iterable[str | tuple[str, Any]]) -> bool:
        """True when any watch matches: a kind name (any id) or ``(kind, id)``."""
        for w in watches:
            kind, key = (w, None) if isinstance(w, str) else w
            if self.touches(kind, key):
                return True
        return False

    # -- the wire form (server mode: LISTEN/NOTIFY) ------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Only the kinds that changed, ids sorted: ``{"notes": [12]}``."""
        out: dict[str, Any] = {k: sorted(getattr(self, k)) for k in KINDS if getattr(self, k)}
        if self.everything:
            out["everything"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Changed":
        unknown = set(data) - set(KINDS) - {"everything"}
        if unknown:
            raise ValueError(f"unknown change kinds: {sorted(unknown)}")
        def typed(kind: str) -> frozenset:
            cast = str if kind in TEXT_KINDS else int
            return frozenset(cast(v) for v in data[kind])
        return cls(everything=bool(data.get("everything", False)),
                   **{k: typed(k) for k in KINDS if k in data})


#: Every kind, in the order of the fields.
KINDS: tuple[str, ...] = tuple(f.name for f in fields(Changed) if f.name != "everything")

NOTHING = Changed()
