"""The key file: one sealed copy of the data key per user, plus a recovery slot.

Logging in is unsealing your slot: Argon2id turns the password into a key
encryption key (KEK); AES-256-GCM under the KEK opens the slot's X25519 private
key, and that key opens the data key, which was sealed to the slot's public key
(ephemeral X25519 + HKDF-SHA256 + AES-256-GCM). The extra step lets a re-key
seal a new data key to every slot without knowing anyone's password, so a
removed user's old copy of the key file opens nothing new.

Associated data binds every sealed value to the store, the slot and the user,
so a slot copied into another key file or renamed to another user does not open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import datetime as dt
import json
import os
import re
import secrets
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trefas_app.domain import clock
from trefas_app.domain.errors import (
    AccountDisabled,
    KeyFileDamaged,
    KeyFileMissing,
    StoreError,
    UnknownUser,
    WrongPassword,
)
from trefas_app.store.files import atomic_write

FORMAT = "trefas-keys"
FORMAT_VERSION = 4  # 4: admin slots without the data key, enrolment, confirmation
RECOVERY_USER = "*recovery*"

#: Slot states. An administrator's slot is "ready" without any data key.
READY = "ready"            # keys made; a user slot holds the sealed data key
ENROLMENT = "enrolment"    # only a one-time enrolment code; no keys yet
AWAITING = "awaiting"      # keys made by the person; data key not yet sealed to it
DISABLED = "disabled"      # keys destroyed; only the profile is left, for the account list


class NoDataKey(StoreError):
    """The password was right, but this slot holds no data key: an
    administrator's slot, or an account still waiting for confirmation."""

    def __init__(self, slot: "Slot"):
        super().__init__("Kontot har ingen nyckel till ärendeinnehållet.",
                         "The account holds no key to case content.")
        self.slot = slot


@dataclass(frozen=True)
class KdfParams:
    iterations: int
    lanes: int
    memory_cost: int  # KiB

    def to_json(self) -> dict:
        return {"alg": "argon2id", "iterations": self.iterations, "lanes": self.lanes,
                "memory_cost": self.memory_cost}

    @classmethod
    def from_json(cls, data: dict) -> "KdfParams":
        if data.get("alg") != "argon2id":
            raise ValueError("unknown kdf")
        return cls(int(data["iterations"]), int(data["lanes"]), int(data["memory_cost"]))


#: About 0.5–1 s on an office PC (see benchmarks/bench_store.py for the figure).
PRODUCTION_KDF = KdfParams(iterations=3, lanes=4, memory_cost=256 * 1024)
#: For the test suite only: cheap, never for real data.
TEST_KDF = KdfParams(iterations=1, lanes=1, memory_cost=8 * 1024)


def default_kdf() -> KdfParams:
    """Production parameters unless the test suite asks for cheap ones."""
    return TEST_KDF if os.environ.get("TREFAS_KDF_PROFILE") == "test" else PRODUCTION_KDF


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _now_iso() -> str:
    return clock.now_utc().isoformat()


def derive_kek(secret: str, salt: bytes, params: KdfParams) -> bytes:
    return Argon2id(salt=salt, length=32, iterations=params.iterations, lanes=params.lanes,
                    memory_cost=params.memory_cost).derive(secret.encode("utf-8"))


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_private(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def _box_key(shared: bytes, aad: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=aad).derive(shared)


@dataclass
class Slot:
    slot_id: str
    kind: str  # "user" | "recovery"
    username: str
    salt: bytes
    kdf: KdfParams
    private_nonce: bytes
    sealed_private: bytes  # X25519 private key under the password's KEK
    public: bytes  # X25519 public key
    ephemeral_public: bytes
    key_nonce: bytes
    sealed_data_key: bytes  # data key sealed to ``public``
    created_at: str
    failures: int = 0
    last_failure_at: str | None = None
    state: str = READY
    #: Who the account is (display name, role, agency, unit code), written and
    #: signed by the administrator who created it; lets an administrator manage
    #: accounts from the key file alone.
    profile: dict = field(default_factory=dict)
    profile_by: str = ""
    profile_sig: bytes = b""
    enrol_check: bytes = b""
    enrol_expires_at: str | None = None
    confirmed_by: str = ""
    confirmed_at: str | None = None
    #: An administrator's Ed25519 public key (signs account profiles).
    identity_public: bytes = b""
    #: HMAC under a key derived from the data key over who the slot is and its
    #: public key: only a key holder can write it, so a re-key seals only to
    #: slots a key holder sealed to (an edited key file cannot add one).
    key_proof: bytes = b""

    @property
    def holds_data_key(self) -> bool:
        return bool(self.sealed_data_key) and self.state == READY and self.kind != "admin"

    def aad(self, store_id: str, part: str) -> bytes:
        return (f"trefas-slot:v2:{part}:{store_id}:{self.slot_id}:{self.kind}:"
                f"{self.username}").encode()

    def to_json(self) -> dict:
        return {"slot_id": self.slot_id, "kind": self.kind, "username": self.username,
                "salt": _b64(self.salt), "kdf": self.kdf.to_json(),
                "private_nonce": _b64(self.private_nonce),
                "sealed_private": _b64(self.sealed_private), "public": _b64(self.public),
                "ephemeral_public": _b64(self.ephemeral_public),
                "key_nonce": _b64(self.key_nonce),
                "sealed_data_key": _b64(self.sealed_data_key),
                "created_at": self.created_at, "failures": self.failures,
                "last_failure_at": self.last_failure_at, "state": self.state,
                "profile": self.profile, "profile_by": self.profile_by,
                "profile_sig": _b64(self.profile_sig), "enrol_check": _b64(self.enrol_check),
                "enrol_expires_at": self.enrol_expires_at, "confirmed_by": self.confirmed_by,
                "confirmed_at": self.confirmed_at,
                "identity_public": _b64(self.identity_public),
                "key_proof": _b64(self.key_proof)}

    @classmethod
    def from_json(cls, d: dict) -> "Slot":
        return cls(slot_id=str(d["slot_id"]), kind=str(d["kind"]), username=str(d["username"]),
                   salt=_unb64(d["salt"]), kdf=KdfParams.from_json(d["kdf"]),
                   private_nonce=_unb64(d["private_nonce"]),
                   sealed_private=_unb64(d["sealed_private"]), public=_unb64(d["public"]),
                   ephemeral_public=_unb64(d["ephemeral_public"]),
                   key_nonce=_unb64(d["key_nonce"]),
                   sealed_data_key=_unb64(d["sealed_data_key"]),
                   created_at=str(d["created_at"]), failures=int(d.get("failures", 0)),
                   last_failure_at=d.get("last_failure_at"), state=str(d.get("state", READY)),
                   profile=dict(d.get("profile") or {}), profile_by=str(d.get("profile_by", "")),
                   profile_sig=_unb64(d.get("profile_sig", "")),
                   enrol_check=_unb64(d.get("enrol_check", "")),
                   enrol_expires_at=d.get("enrol_expires_at"),
                   confirmed_by=str(d.get("confirmed_by", "")),
                   confirmed_at=d.get("confirmed_at"),
                   identity_public=_unb64(d.get("identity_public", "")),
                   key_proof=_unb64(d.get("key_proof", "")))

    # -- the proof that a key holder sealed to this slot -------------------

    def expected_proof(self, store_id: str, data_key: bytes) -> bytes:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=f"trefas-slot-proof:v1:{store_id}".encode()).derive(data_key)
        message = (f"trefas-slot-proof:v1:{store_id}:{self.slot_id}:{self.kind}:"
                   f"{self.username}:").encode() + self.public
        return hmac.new(key, message, hashlib.sha256).digest()

    def prove(self, store_id: str, data_key: bytes) -> None:
        self.key_proof = self.expected_proof(store_id, data_key)

    def proof_holds(self, store_id: str, data_key: bytes) -> bool:
        return bool(self.key_proof) and hmac.compare_digest(
            self.key_proof, self.expected_proof(store_id, data_key))

    # -- the two seals -----------------------------------------------------

    def seal_private(self, store_id: str, secret: str, private: X25519PrivateKey) -> None:
        """(Re)protect the slot's private key under a password or recovery key."""
        self.salt = secrets.token_bytes(16)
        kek = derive_kek(secret, self.salt, self.kdf)
        self.private_nonce = secrets.token_bytes(12)
        self.sealed_private = AESGCM(kek).encrypt(self.private_nonce, _raw_private(private),
                                                  self.aad(store_id, "private"))
        self.public = _raw_public(private.public_key())

    def open_private(self, store_id: str, secret: str) -> X25519PrivateKey:
        kek = derive_kek(secret, self.salt, self.kdf)
        raw = AESGCM(kek).decrypt(self.private_nonce, self.sealed_private,
                                  self.aad(store_id, "private"))
        return X25519PrivateKey.from_private_bytes(raw)

    def seal_data_key(self, store_id: str, data_key: bytes) -> None:
        """Seal a data key to this slot; needs no password. Never to an
        administrator's slot, nor to one nobody has confirmed."""
        if self.kind == "admin" or self.state != READY or not self.public:
            raise StoreError("Den här nyckelplatsen får inte bära datanyckeln.",
                             "This key slot may not hold the data key.")
        ephemeral = X25519PrivateKey.generate()
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(self.public))
        aad = self.aad(store_id, "data-key")
        self.ephemeral_public = _raw_public(ephemeral.public_key())
        self.key_nonce = secrets.token_bytes(12)
        self.sealed_data_key = AESGCM(_box_key(shared, aad)).encrypt(self.key_nonce, data_key, aad)
        self.prove(store_id, data_key)

    def disable(self) -> None:
        """Destroy every key of the slot; the profile stays for the account list."""
        self.drop_data_key()
        self.private_nonce = self.sealed_private = self.public = self.enrol_check = b""
        self.identity_public = b""
        self.state = DISABLED

    def drop_data_key(self) -> None:
        """Destroy this slot's copy of the data key (an administrator's slot,
        or an account waiting for a new confirmation)."""
        self.ephemeral_public = self.key_nonce = self.sealed_data_key = self.key_proof = b""

    def open_data_key(self, store_id: str, private: X25519PrivateKey) -> bytes:
        shared = private.exchange(X25519PublicKey.from_public_bytes(self.ephemeral_public))
        aad = self.aad(store_id, "data-key")
        return AESGCM(_box_key(shared, aad)).decrypt(self.key_nonce, self.sealed_data_key, aad)

    @classmethod
    def blank(cls, kind: str, username: str, kdf: KdfParams) -> "Slot":
        return cls(slot_id=str(uuid.uuid4()), kind=kind, username=username, salt=b"", kdf=kdf,
                   private_nonce=b"", sealed_private=b"", public=b"", ephemeral_public=b"",
                   key_nonce=b"", sealed_data_key=b"", created_at=_now_iso())

    @classmethod
    def create(cls, store_id: str, kind: str, username: str, secret: str,
               data_key: bytes | None, kdf: KdfParams) -> "Slot":
        """A slot with fresh keys; ``data_key`` None for an administrator."""
        slot = cls.blank(kind, username, kdf)
        slot.seal_private(store_id, secret, X25519PrivateKey.generate())
        if data_key is not None:
            slot.seal_data_key(store_id, data_key)
        return slot


#: The most failed log-ins the key file keeps (older ones are dropped); a
#: log-in copies at most this many into the access log.
MAX_PENDING_FAILURES = 1000


@dataclass
class KeyFile:
    path: Path
    store_id: str
    slots: list[Slot] = field(default_factory=list)
    signing_public_key: bytes = b""
    signing_key_nonce: bytes = b""
    signing_key_sealed: bytes = b""
    #: The key of the signed-note seals, once a re-key has rotated the signing
    #: key it was first derived from (empty until then; see OpenStore).
    note_seal_nonce: bytes = b""
    note_seal_sealed: bytes = b""
    #: Public keys that signed for this store before a re-key, each with the
    #: moment it was retired: documents issued earlier still verify.
    retired_signing: list[dict] = field(default_factory=list)
    #: Failed log-ins seen before anyone could write to the database; moved
    #: into the access log at the next successful unlock.
    pending_failures: list[dict] = field(default_factory=list)
    #: Accounts disabled (and their slots removed): user name -> {"by": the
    #: administrator's user name, "at": ISO time}, so that a log-in attempt is
    #: told the account is disabled and whom to ask, not that it does not exist.
    disabled: dict[str, dict] = field(default_factory=dict)
    #: Account steps taken without the database (enrolment, the
    #: administrator's work): moved into the access log at the next unlock by
    #: someone who holds the data key.
    pending_events: list[dict] = field(default_factory=list)
    #: Why the data key must change at the next supervisor's log-in (a removed
    #: slot, a converted administrator slot), or "" when it need not.
    rekey_due: str = ""
    #: The units, as {agency, code, name}: an administrator picks from these
    #: and may add one; key holders' log-ins keep it equal to the database.
    units: list[dict] = field(default_factory=list)
    #: Settings an administrator makes without the key (e.g. lock_minutes).
    settings: dict = field(default_factory=dict)

    # -- file I/O ------------------------------------------------------------

    @classmethod
    def new(cls, path: Path) -> "KeyFile":
        return cls(path=path, store_id=str(uuid.uuid4()))

    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        if not path.exists():
            raise KeyFileMissing(
                f"Nyckelfilen saknas ({path.name}). Utan den går databasen inte att öppna; "
                "återställ nyckelfilen från en säkerhetskopia.",
                f"The key file is missing ({path.name}). Without it the database cannot be "
                "opened; restore the key file from a backup.")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("not a key file")
            if int(data.get("version", 0)) > FORMAT_VERSION:
                raise StoreError(
                    "Nyckelfilen är skapad av en nyare version av Trefas. Uppdatera programmet.",
                    "The key file was written by a newer version of Trefas. Please update.")
            kf = cls(path=path, store_id=str(data["store_id"]),
                     slots=[Slot.from_json(s) for s in data["slots"]],
                     signing_public_key=_unb64(data["signing"]["public_key"]),
                     signing_key_nonce=_unb64(data["signing"]["nonce"]),
                     signing_key_sealed=_unb64(data["signing"]["sealed_private_key"]),
                     note_seal_nonce=_unb64(data.get("note_seal", {}).get("nonce", "")),
                     note_seal_sealed=_unb64(data.get("note_seal", {}).get("sealed_key", "")),
                     retired_signing=[{"public_key": str(r["public_key"]),
                                       "retired_at": str(r["retired_at"])}
                                      for r in data.get("retired_signing", [])],
                     pending_failures=list(data.get("pending_failures", [])),
                     disabled=_disabled_entries(data.get("disabled", {})),
                     pending_events=list(data.get("pending_events", [])),
                     rekey_due=str(data.get("rekey_due", "")),
                     units=list(data.get("units", [])),
                     settings=dict(data.get("settings", {})))
        except StoreError:
            raise
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise KeyFileDamaged(
                "Nyckelfilen är skadad och kan inte läsas. Ingenting har ändrats; "
                "återställ den från en säkerhetskopia.",
                "The key file is damaged and cannot be read. Nothing was changed; "
                "restore it from a backup.") from exc
        return kf

    def to_json(self) -> dict:
        data = {"format": FORMAT, "version": FORMAT_VERSION, "store_id": self.store_id,
                "signing": {"public_key": _b64(self.signing_public_key),
                            "nonce": _b64(self.signing_key_nonce),
                            "sealed_private_key": _b64(self.signing_key_sealed)},
                "slots": [s.to_json() for s in self.slots],
                "pending_failures": self.pending_failures,
                "pending_events": self.pending_events, "rekey_due": self.rekey_due,
                "units": self.units, "settings": self.settings}
        if self.note_seal_sealed:
            data["note_seal"] = {"nonce": _b64(self.note_seal_nonce),
                                 "sealed_key": _b64(self.note_seal_sealed)}
        if self.retired_signing:
            data["retired_signing"] = self.retired_signing
        if self.disabled:
            data["disabled"] = self.disabled
        return data

    def save(self) -> None:
        """Atomic replace: temp file in the same folder, fsync, rename, fsync dir."""
        atomic_write(self.path, json.dumps(self.to_json(), indent=1).encode("utf-8"))

    @classmethod
    @contextmanager
    def locked_update(cls, path: Path):
        """Reload, change and save the key file under a lock.

        Several sessions (and programs) may have the store open; each holds an
        older copy of the key file in memory. Every change therefore starts
        from what is on disk now, so that no session writes back a stale copy
        (dropping a new user's slot, or bringing a removed one back)."""
        lock = Path(path).with_name(Path(path).name + ".lock")
        deadline = time.monotonic() + 15
        while True:
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                os.close(fd)
                break
            except FileExistsError:
                try:
                    if time.time() - lock.stat().st_mtime > 60:  # left by a crash
                        lock.unlink()
                        continue
                except FileNotFoundError:
                    continue
                if time.monotonic() > deadline:
                    raise StoreError(
                        "Nyckelfilen används av ett annat program just nu. Försök igen.",
                        "The key file is busy in another program. Try again.") from None
                time.sleep(0.05)
        try:
            fresh = cls.load(Path(path))
            yield fresh
            fresh.save()
        finally:
            try:
                lock.unlink()
            except FileNotFoundError:
                pass

    # -- slots -----------------------------------------------------------------

    def find(self, username: str) -> Slot:
        for slot in self.slots:
            if slot.kind in ("user", "admin") and slot.username == username:
                return slot
        if username in self.disabled:
            raise self._disabled_error(username)
        raise UnknownUser(
            f"Det finns ingen användare med namnet ”{username}” i den här lagringsplatsen.",
            f"There is no user named '{username}' in this store.")

    def _disabled_error(self, username: str) -> AccountDisabled:
        """Who disabled the account and when, so the person knows whom to ask."""
        noted = self.disabled.get(username)
        if not isinstance(noted, dict):
            return AccountDisabled(f"Kontot ”{username}” är avstängt. Be en administratör för "
                                   "Trefas att öppna det igen.",
                                   f"The account '{username}' is disabled. Ask a Trefas "
                                   "administrator to open it again.")
        by, at = noted["by"], _local_day(noted["at"])
        return AccountDisabled(
            f"Kontot ”{username}” är avstängt (av {by}, {at}). Be en administratör för "
            f"Trefas, till exempel {by}, att öppna det igen med en ny engångskod.",
            f"The account '{username}' is disabled (by {by}, {at}). Ask a Trefas "
            f"administrator, for example {by}, to open it again with a new one-time code.")

    def usernames(self) -> list[str]:
        return [s.username for s in self.slots if s.kind in ("user", "admin")]

    def account_slots(self) -> list[Slot]:
        return [s for s in self.slots if s.kind in ("user", "admin")]

    def log_event(self, action: str, username: str | None, at: str, **detail) -> None:
        """Remember an account step for the access log (see pending_events)."""
        self.pending_events.append({"action": action, "username": username, "at": at,
                                    "detail": detail})
        self.pending_events = self.pending_events[-5000:]

    def add_user_slot(self, username: str, password: str, data_key: bytes,
                      kdf: KdfParams | None = None) -> Slot:
        if any(s.kind == "user" and s.username == username for s in self.slots):
            raise StoreError(f"Användaren ”{username}” har redan en nyckel.",
                             f"User '{username}' already has a key slot.")
        slot = Slot.create(self.store_id, "user", username, password, data_key,
                           kdf or default_kdf())
        self.slots.append(slot)
        self.disabled.pop(username, None)
        return slot

    def set_recovery_slot(self, data_key: bytes, kdf: KdfParams | None = None) -> str:
        """Replace the recovery slot; returns the new recovery key (shown once)."""
        self.slots = [s for s in self.slots if s.kind != "recovery"]
        recovery_key = new_recovery_key()
        self.slots.append(Slot.create(self.store_id, "recovery", RECOVERY_USER,
                                      normalise_recovery_key(recovery_key), data_key,
                                      kdf or default_kdf()))
        return recovery_key

    def remove_user_slot(self, username: str) -> None:
        self.slots = [s for s in self.slots
                      if not (s.kind in ("user", "admin") and s.username == username)]

    def change_password(self, username: str, old_password: str, new_password: str,
                        kdf: KdfParams | None = None) -> None:
        """A password change rewraps one slot; the data key stays the same."""
        slot = self.find(username)
        try:
            private = slot.open_private(self.store_id, old_password)
        except InvalidTag:
            raise WrongPassword("Fel nuvarande lösenord.", "Wrong current password.") from None
        if kdf is not None:
            slot.kdf = kdf
        slot.seal_private(self.store_id, new_password, private)
        slot.failures, slot.last_failure_at = 0, None

    def reseal_all(self, new_data_key: bytes, old_data_key: bytes) -> list[Slot]:
        """Re-key: seal a new data key to every slot that holds one, without
        any password, if a key holder's proof under the old key vouches for
        it. Administrators' slots and unconfirmed ones get none. Returns the
        slots refused (their copy is dropped: an account waits for a new
        confirmation)."""
        refused = []
        for slot in self.slots:
            if not (slot.holds_data_key or slot.kind == "recovery"):
                continue
            if slot.proof_holds(self.store_id, old_data_key):
                slot.seal_data_key(self.store_id, new_data_key)
            else:
                refused.append(slot)
                slot.drop_data_key()
                if slot.kind == "user" and slot.state == READY:
                    slot.state = AWAITING
        return refused

    def _open(self, slot: Slot, secret: str) -> bytes:
        return self._open_data_key(slot, slot.open_private(self.store_id, secret))

    def _open_data_key(self, slot: Slot, private: X25519PrivateKey) -> bytes:
        """The data key sealed to ``slot``, with the slot's private key (opened
        by :meth:`open_account`: no second key derivation)."""
        if not slot.sealed_data_key:  # e.g. a recovery slot a re-key refused (no proof)
            raise KeyFileDamaged("Nyckelplatsen bär ingen datanyckel.",
                                 "The key slot holds no data key.")
        try:
            return slot.open_data_key(self.store_id, private)
        except InvalidTag:
            raise KeyFileDamaged("Nyckelfilen är skadad (nyckelplatsen går inte att öppna).",
                                 "The key file is damaged (the key slot cannot be opened).") \
                from None

    def record_failure(self, username: str, action: str = "login.failed") -> None:
        """Count a wrong password (or enrolment code) in the file: throttling
        and the access log both need it before anyone can write to the database."""
        at = _now_iso()
        with KeyFile.locked_update(self.path) as fresh:
            fresh_slot = fresh.find(username)
            fresh_slot.failures += 1
            fresh_slot.last_failure_at = at
            entry = {"username": username, "at": at}
            if action != "login.failed":
                entry["action"] = action
            fresh.pending_failures.append(entry)
            fresh.pending_failures = fresh.pending_failures[-MAX_PENDING_FAILURES:]
        slot = self.find(username)
        slot.failures, slot.last_failure_at = fresh_slot.failures, at

    def clear_failures(self, username: str) -> None:
        slot = self.find(username)
        if slot.failures:
            with KeyFile.locked_update(self.path) as fresh:
                fresh_slot = fresh.find(username)
                fresh_slot.failures, fresh_slot.last_failure_at = 0, None
            slot.failures, slot.last_failure_at = 0, None

    def open_account(self, username: str, password: str) -> tuple[Slot, X25519PrivateKey]:
        """The slot and its private key, or WrongPassword (recorded)."""
        slot = self.find(username)
        if slot.state == DISABLED:
            raise self._disabled_error(username)
        if slot.state == ENROLMENT:
            raise WrongPassword(
                "Kontot är inte aktiverat än. Ange engångskoden och välj ditt lösenord.",
                "The account is not activated yet. Give the one-time code and choose "
                "your password.")
        try:
            private = slot.open_private(self.store_id, password)
        except InvalidTag:
            self.record_failure(username)
            raise WrongPassword("Fel lösenord.", "Wrong password.") from None
        self.clear_failures(username)
        return slot, private

    def unseal(self, username: str, password: str) -> bytes:
        """The data key, or WrongPassword. Records failures in the file.
        An account that holds no data key (an administrator, or one waiting for
        confirmation) gets NoDataKey after a correct password."""
        slot, private = self.open_account(username, password)
        return self.data_key_of(slot, private)

    def data_key_of(self, slot: Slot, private: X25519PrivateKey) -> bytes:
        """The data key from a slot :meth:`open_account` opened (no second
        key derivation), or NoDataKey."""
        if not slot.holds_data_key:
            raise NoDataKey(slot)
        return self._open_data_key(slot, private)

    def unseal_recovery(self, recovery_key: str) -> bytes:
        slot = next((s for s in self.slots if s.kind == "recovery"), None)
        if slot is None:
            raise KeyFileDamaged("Nyckelfilen saknar återställningsnyckel.",
                                 "The key file has no recovery slot.")
        try:
            return self._open(slot, normalise_recovery_key(recovery_key))
        except InvalidTag:
            raise WrongPassword("Fel återställningsnyckel.", "Wrong recovery key.") from None

    # -- installation signing key (Ed25519), sealed under the data key ---------

    def create_signing_key(self, data_key: bytes) -> Ed25519PrivateKey:
        private = Ed25519PrivateKey.generate()
        self.seal_signing_key(private, data_key)
        return private

    def seal_signing_key(self, private: Ed25519PrivateKey, data_key: bytes) -> None:
        raw = private.private_bytes(serialization.Encoding.Raw,
                                    serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
        self.signing_public_key = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.signing_key_nonce = secrets.token_bytes(12)
        self.signing_key_sealed = AESGCM(data_key).encrypt(
            self.signing_key_nonce, raw, f"trefas-signing:v1:{self.store_id}".encode())

    def signing_key(self, data_key: bytes) -> Ed25519PrivateKey:
        try:
            raw = AESGCM(data_key).decrypt(self.signing_key_nonce, self.signing_key_sealed,
                                           f"trefas-signing:v1:{self.store_id}".encode())
        except InvalidTag:
            raise KeyFileDamaged(
                "Nyckelfilens signeringsnyckel är skadad.",
                "The key file's signing key is damaged.") from None
        return Ed25519PrivateKey.from_private_bytes(raw)

    def public_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.signing_public_key)

    def retire_signing_key(self, at_iso: str) -> None:
        """Remember the current public key before a re-key replaces it."""
        if self.signing_public_key:
            self.retired_signing = [*self.retired_signing,
                                    {"public_key": _b64(self.signing_public_key),
                                     "retired_at": at_iso}]

    def retired_public_keys(self) -> list[tuple[Ed25519PublicKey, str]]:
        """(public key, retired at) of every signing key a re-key replaced."""
        return [(Ed25519PublicKey.from_public_bytes(_unb64(r["public_key"])), r["retired_at"])
                for r in self.retired_signing]

    # -- the note-seal key, kept across re-keys --------------------------------

    def seal_note_seal_key(self, key: bytes, data_key: bytes) -> None:
        """Keep the note-seal key when the signing key it came from rotates:
        the seals already in the access log cannot be re-made."""
        self.note_seal_nonce = secrets.token_bytes(12)
        self.note_seal_sealed = AESGCM(data_key).encrypt(
            self.note_seal_nonce, key, f"trefas-note-seal:v1:{self.store_id}".encode())

    def note_seal_key(self, data_key: bytes) -> bytes | None:
        """The kept note-seal key, or None if none was kept (never re-keyed)."""
        if not self.note_seal_sealed:
            return None
        try:
            return AESGCM(data_key).decrypt(self.note_seal_nonce, self.note_seal_sealed,
                                            f"trefas-note-seal:v1:{self.store_id}".encode())
        except InvalidTag:
            raise KeyFileDamaged(
                "Nyckelfilens nyckel för anteckningarnas sigill är skadad.",
                "The key file's note-seal key is damaged.") from None


def new_recovery_key() -> str:
    """200 random bits as eight groups of five base32 letters, easy to write down."""
    text = base64.b32encode(secrets.token_bytes(25)).decode("ascii").rstrip("=")
    return "-".join(text[i:i + 5] for i in range(0, 40, 5))


def normalise_recovery_key(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _local_day(at: str) -> str:
    """The office-zone date of a stored ISO instant (the text itself if it is none)."""
    from trefas_app.domain.clock import local_date

    try:
        return local_date(dt.datetime.fromisoformat(at)).isoformat()
    except (TypeError, ValueError):
        return at[:10]


_NAME_SHAPE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def _disabled_entries(data) -> dict[str, dict]:
    """The ``disabled`` table as read from the file, keeping only well-formed
    entries (user names of the usual shape, a short time text)."""
    if not isinstance(data, dict):
        return {}
    kept = {}
    for name, entry in list(data.items())[:10_000]:
        if (isinstance(name, str) and _NAME_SHAPE.match(name) and isinstance(entry, dict)
                and isinstance(entry.get("by"), str) and _NAME_SHAPE.match(entry["by"])
                and isinstance(entry.get("at"), str) and len(entry["at"]) <= 40):
            kept[name] = {"by": entry["by"], "at": entry["at"]}
    return kept
