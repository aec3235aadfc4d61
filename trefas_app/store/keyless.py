"""A log-in that holds no data key: an administrator, or a person whose
account waits for a supervisor's confirmation.

Such a session works on the key file alone (the account list, enrolment codes,
the administrator's identity); it has no database connection, so there is
nothing of case content it could read even by running its own code. Whatever
it does is remembered in the key file (``pending_events``) and moved into the
access log at the next log-in of someone who holds the key.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Callable

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import AccessDenied
from trefas_app.store import change_collector
from trefas_app.store.accounts import identity_of, own_fingerprint
from trefas_app.store.keyslots import AWAITING, READY, KeyFile, Slot


class AwaitingConfirmation(AccessDenied):
    def __init__(self, names: list[str], fingerprint: str = ""):
        who = ", ".join(names) if names else "en arbetsledare i din myndighet"
        who_en = ", ".join(names) if names else "a supervisor of your agency"
        read_out = (f" Ditt fingeravtryck är {fingerprint}: läs upp det för den som "
                    "bekräftar kontot (hen ska skriva in det)." if fingerprint else "")
        read_out_en = (f" Your fingerprint is {fingerprint}: read it out to whoever "
                       "confirms the account (they must type it in)." if fingerprint else "")
        super().__init__(
            f"Ditt konto väntar på bekräftelse från {who}. Till dess visas inget "
            f"ärendeinnehåll.{read_out}",
            f"Your account is waiting for confirmation from {who_en}. Until then no case "
            f"content is shown.{read_out_en}")


class NoContentKey(AccessDenied):
    def __init__(self):
        super().__init__(
            "Administratörens konto har ingen nyckel till ärendeinnehållet. Det som kräver "
            "nyckeln (ärenden, loggkontroll, återställning, gallring, nyckelbyte) gör en "
            "arbetsledare.",
            "The administrator's account holds no key to case content. What needs the key "
            "(cases, log check, restore, retention, re-key) is done by a supervisor.")


def actor_from_profile(slot: Slot) -> Actor:
    p = slot.profile
    return Actor(user_id=int(p.get("user_id", 0)), username=slot.username,
                 display_name=str(p.get("display_name", slot.username)),
                 role=Role(p.get("role", Role.ADMINISTRATOR.value)),
                 agency=Agency(p.get("agency", Agency.CITY.value)),
                 unit_id=int(p.get("unit_id", 0)), unit_name=str(p.get("unit_name", "")),
                 language=str(p.get("language", "sv")))


def confirmers_for(keyfile: KeyFile, slot: Slot) -> list[str]:
    """Display names of those who may confirm this account: supervisors of the
    same agency whose own slot holds the key."""
    agency = slot.profile.get("agency")
    return sorted(str(s.profile.get("display_name", s.username)) for s in keyfile.account_slots()
                  if s.holds_data_key and s.username != slot.username
                  and s.profile.get("role") == Role.SUPERVISOR.value
                  and s.profile.get("agency") == agency)


class KeylessSession:
    """Looks enough like an open store for the window's lock and log-out, but
    has no engine and no data key: ``uow()`` refuses with the reason."""

    has_data_key = False

    def __init__(self, paths, keyfile: KeyFile, slot: Slot, private: X25519PrivateKey,
                 clock: Callable[[], dt.datetime]):
        self.paths = paths
        self.keyfile = keyfile
        self.clock = clock
        self.actor = actor_from_profile(slot)
        self.is_admin = slot.kind == "admin" or self.actor.role == Role.ADMINISTRATOR
        self.awaiting = slot.state == AWAITING
        #: From the private key the person's password opened, never from the
        #: key file's public key (which the administrator could have swapped).
        self.key_fingerprint = own_fingerprint(keyfile.store_id, slot, private) \
            if self.awaiting else ""
        self._identity = identity_of(private) if self.is_admin and slot.state == READY else None
        self._open = True
        if self._identity is not None and not slot.identity_public:
            self._record_identity(slot.username)

    def _record_identity(self, username: str) -> None:
        """An administrator slot from before this version gets its identity's
        public key (trusted by key holders once the database says admin)."""
        from cryptography.hazmat.primitives import serialization

        public = self._identity.public_key().public_bytes(serialization.Encoding.Raw,
                                                          serialization.PublicFormat.Raw)
        with self.edit_keyfile() as keyfile:
            keyfile.find(username).identity_public = public

    @property
    def store_id(self) -> str:
        return self.keyfile.store_id

    @property
    def identity(self):
        return self._identity

    def waiting_for(self) -> list[str]:
        return confirmers_for(self.keyfile, self.keyfile.find(self.actor.username))

    def uow(self):
        """Refused, and the attempt remembered for the access log."""
        refusal = self._refusal()
        try:
            self.log("access.denied", attempted="database")
        except OSError:
            pass
        raise refusal

    @property
    def data_key(self) -> bytes:
        raise self._refusal()

    def _refusal(self):
        return NoContentKey() if self.is_admin else AwaitingConfirmation(
            self.waiting_for(), self.key_fingerprint)

    @contextmanager
    def edit_keyfile(self):
        with KeyFile.locked_update(self.paths.keys) as fresh:
            before = change_collector.keyfile_before(self, fresh)
            yield fresh
        self.keyfile = fresh
        change_collector.record_keyfile_edit(self, before, fresh)

    def log(self, action: str, **detail) -> None:
        at = self.clock().astimezone(dt.timezone.utc).isoformat()
        with self.edit_keyfile() as keyfile:
            keyfile.log_event(action, self.actor.username, at, **detail)

    def after_commit(self, seq: int | None = None) -> None:
        pass

    def close(self, action: str = "logout") -> None:
        if not self._open:
            return
        self._open = False
        self._identity = None
        try:
            self.log(action)
        except OSError:
            pass

    def retire(self) -> None:
        self._open = False
        self._identity = None

    def __enter__(self) -> "KeylessSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

