"""Other desktops' changes in server mode: NOTIFY on commit, LISTEN per window.

When a unit of work on a PostgreSQL store commits, it first sends what it
wrote on one channel (``pg_notify`` inside the transaction, so the message is
delivered only if the commit succeeds and never for a rollback). Every open
window LISTENs on a connection of its own as the same login role and refreshes
the screens whose kinds are in the message; what the refresh then reads is
decided by the services and the server's row-level security, as always.

What travels (docs/server.md "Other desktops' changes"): the kinds, the case
ids of the case kinds, and a random token of the sending process (so a window
ignores its own messages, which its worker already delivered). Never content,
never a person id, user name or any other id: any login role can LISTEN on any
channel, so a desktop may learn that *some* case number changed. Case ids are
opaque numbers that open nothing without the rule's consent; the other kinds
go without ids and refresh every screen of that kind.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from trefas_app.domain.changes import CASE_KINDS, KINDS, Changed

#: The one channel of every Trefas server store.
CHANNEL = "trefas_changed"
#: A sender without a window of its own (the command line, a test).
ORIGIN = secrets.token_hex(8)
#: PostgreSQL's payload limit is 8,000 bytes; past this the ids are dropped.
MAX_PAYLOAD = 7_000


@dataclass(frozen=True)
class Announced(Changed):
    """A change another desktop announced: ``any_of`` names the kinds that
    came without ids (any id of them may have changed)."""

    any_of: frozenset[str] = field(default_factory=frozenset)

    def kinds(self) -> frozenset[str]:
        return super().kinds() | self.any_of

    def __bool__(self) -> bool:
        return self.everything or bool(self.kinds())

    def touches(self, kind: str, key: Any = None) -> bool:
        return kind in self.any_of or super().touches(kind, key)


def wire_payload(changed: Changed, origin: str = ORIGIN) -> str:
    """The message for ``changed``: kinds, case ids of case kinds, the origin."""
    kinds = {k: sorted(getattr(changed, k)) if k in CASE_KINDS else []
             for k in KINDS if getattr(changed, k)}
    message: dict[str, Any] = {"from": origin, "kinds": kinds}
    if changed.everything:
        message["everything"] = True
    payload = json.dumps(message, separators=(",", ":"))
    if len(payload) > MAX_PAYLOAD:  # thousands of cases at once: kinds only
        message["kinds"] = {k: [] for k in kinds}
        payload = json.dumps(message, separators=(",", ":"))
    return payload


def read_payload(payload: str, origin: str = ORIGIN) -> Announced | None:
    """The change in a message, or None for this process's own or a message
    that is not one of ours (anyone may NOTIFY on the channel)."""
    try:
        message = json.loads(payload)
        if message.get("from") == origin:
            return None
        kinds = {k: v for k, v in dict(message.get("kinds", {})).items() if k in KINDS}
        return Announced(everything=bool(message.get("everything", False)),
                         any_of=frozenset(k for k, ids in kinds.items() if not ids),
                         **{k: frozenset(int(i) for i in ids) for k, ids in kinds.items()
                            if ids and k in CASE_KINDS})
    except (ValueError, TypeError, AttributeError):
        return None


def new_origin(store) -> str:
    """Give ``store`` (one log-in) a token of its own: what it announces is
    not news to its own window, which its worker already told."""
    store.live_origin = secrets.token_hex(8)
    return store.live_origin


def announce(session, changed: Changed, origin: str = ORIGIN) -> None:
    """Send ``changed`` on the channel inside the session's transaction
    (PostgreSQL only; a local store has no other desktops)."""
    if not changed or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": CHANNEL, "payload": wire_payload(changed, origin)})


def open_listener(store):
    """A connection of the store's login role of its own, LISTENing on the
    channel (autocommit; taken out of the pool for good). Run it in the
    worker: connecting may wait on the network."""
    raw = store.engine.raw_connection()
    conn = raw.driver_connection
    raw.detach()
    conn.rollback()
    conn.autocommit = True
    conn.execute(f"LISTEN {CHANNEL}")
    return conn


def server_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) says the server cannot be reached."""
    from trefas_app.store.dialect import server_unreachable
    from trefas_app.domain.errors import ServerRefused

    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, ServerRefused) or server_unreachable(exc):
            return True
        exc, seen = exc.__cause__, seen + 1
    return False
