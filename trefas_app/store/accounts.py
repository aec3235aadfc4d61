"""Accounts in the key file: enrolment codes, the person's own keys, and the
second person's confirmation.

An administrator never chooses a password and never holds the data key:

1. Creating an account (or resetting a password) leaves a slot with only a
   one-time enrolment code (Argon2id check value, 72 hours, single use, wrong
   codes throttled and logged like wrong passwords) and the account's profile,
   signed by the administrator's Ed25519 identity.
2. The person enrols: types the code and chooses a password, which makes the
   slot's X25519 key pair (private key sealed by the password). The slot now
   *awaits* confirmation and holds no data key.
3. A supervisor of the same agency who is logged in (so holds the data key),
   or the recovery key, confirms: the data key is sealed to the slot's public
   key. Only then can the person open case content.

An administrator's slot is made the same way but is never confirmed: it opens
an identity (signing account profiles), never the data key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trefas_app.domain.errors import Conflict, StoreError, WrongPassword
from trefas_app.store.keyslots import (
    AWAITING,
    ENROLMENT,
    READY,
    KdfParams,
    KeyFile,
    Slot,
    default_kdf,
    derive_kek,
)

ENROLMENT_VALID = dt.timedelta(hours=72)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class EnrolmentExpired(StoreError):
    def __init__(self):
        super().__init__(
            "Engångskoden har gått ut (den gäller i 72 timmar). Be administratören om en ny.",
            "The one-time code has expired (it is valid for 72 hours). Ask the "
            "administrator for a new one.")


def new_enrolment_code() -> str:
    """Sixteen characters (80 bits) in four groups, easy to read out."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_check(slot: Slot, store_id: str, code: str) -> bytes:
    return derive_kek(f"enrol:{store_id}:{slot.slot_id}:{normalise_code(code)}", slot.salt,
                      slot.kdf)


class FingerprintMismatch(StoreError):
    def __init__(self):
        super().__init__(
            "Fingeravtrycket stämmer inte med kontots nyckel, så kontot bekräftas inte. Be "
            "personen läsa upp fingeravtrycket från sin skärm igen. Stämmer det ändå inte kan "
            "nyckeln ha bytts ut efter att personen valde sitt lösenord: bekräfta inte, utan "
            "be administratören ge personen en ny engångskod.",
            "The fingerprint does not match the account's key, so the account is not "
            "confirmed. Ask the person to read out the fingerprint on their screen again. If "
            "it still does not match, the key may have been swapped after the person chose "
            "their password: do not confirm; ask the administrator for a new one-time code.")


def key_fingerprint(store_id: str, slot_id: str, public: bytes) -> str:
    """Sixteen characters (80 bits) in four groups naming an account's public
    key: the person reads it out from their own screen (computed from the
    private key their password opens), the confirming supervisor types it,
    and the data key is sealed only to a key with that fingerprint."""
    digest = hashlib.sha256(b"trefas-key-fingerprint:v1:" + store_id.encode() + b":"
                            + slot_id.encode() + b":" + public).digest()
    number = int.from_bytes(digest[:10], "big")
    chars = "".join(_CODE_ALPHABET[(number >> (5 * i)) & 31] for i in range(15, -1, -1))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def slot_fingerprint(store_id: str, slot: Slot) -> str:
    """The fingerprint of the public key the key file holds for ``slot``."""
    return key_fingerprint(store_id, slot.slot_id, slot.public)


def own_fingerprint(store_id: str, slot: Slot, private: X25519PrivateKey) -> str:
    """The fingerprint of the person's own key (not of what the file says)."""
    return key_fingerprint(store_id, slot.slot_id, _raw(private.public_key()))


def identity_of(private: X25519PrivateKey) -> Ed25519PrivateKey:
    """An administrator's signing identity, derived from the slot's private key."""
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"trefas-admin-identity:v1").derive(raw)
    return Ed25519PrivateKey.from_private_bytes(seed)


def _raw(public) -> bytes:
    """An Ed25519 or X25519 public key's 32 bytes."""
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _profile_bytes(store_id: str, slot: Slot) -> bytes:
    return json.dumps({"store": store_id, "slot": slot.slot_id, "kind": slot.kind,
                       "username": slot.username, "profile": slot.profile},
                      sort_keys=True, ensure_ascii=False).encode("utf-8")


def sign_profile(store_id: str, slot: Slot, by: str, identity: Ed25519PrivateKey | None) -> None:
    slot.profile_by = by
    slot.profile_sig = identity.sign(_profile_bytes(store_id, slot)) if identity else b""


def profile_signed_by(store_id: str, slot: Slot, trusted: dict[str, bytes]) -> bool:
    """True when the profile carries a valid signature of a trusted administrator
    (``trusted``: user name → Ed25519 public key)."""
    public = trusted.get(slot.profile_by)
    if not public or not slot.profile_sig:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(slot.profile_sig,
                                                          _profile_bytes(store_id, slot))
    except (InvalidSignature, ValueError):
        return False
    return True


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat()


def start_enrolment(keyfile: KeyFile, kind: str, username: str, profile: dict, by: str,
                    identity: Ed25519PrivateKey | None, now: dt.datetime,
                    kdf: KdfParams | None = None) -> str:
    """A new account slot (or a reset of an existing one) with only a one-time
    code; returns the code (shown once, stored only as an Argon2id check)."""
    existing = next((s for s in keyfile.account_slots() if s.username == username), None)
    slot = Slot.blank(kind, username, kdf or default_kdf())
    if existing is not None:
        slot.slot_id = existing.slot_id  # the same account, new keys
        keyfile.slots.remove(existing)
    code = new_enrolment_code()
    slot.salt = secrets.token_bytes(16)
    slot.state = ENROLMENT
    slot.enrol_check = _code_check(slot, keyfile.store_id, code)
    slot.enrol_expires_at = _iso(now + ENROLMENT_VALID)
    slot.profile = dict(profile)
    sign_profile(keyfile.store_id, slot, by, identity)
    keyfile.slots.append(slot)
    return code


def enrol(keyfile: KeyFile, username: str, code: str, password: str, now: dt.datetime,
          kdf: KdfParams | None = None) -> Slot:
    """The person's own step: check the code, make the slot's keys under the
    password they chose. Wrong codes count as failed log-ins (throttled)."""
    from trefas_app.domain.passwords import check_password_policy

    slot = keyfile.find(username)
    if slot.state != ENROLMENT:
        raise Conflict("Kontot har redan aktiverats; logga in med ditt lösenord.",
                       "The account is already activated; log in with your password.")
    if slot.enrol_expires_at and now >= dt.datetime.fromisoformat(slot.enrol_expires_at):
        keyfile.log_event("account.enrol_expired", username, _iso(now))
        raise EnrolmentExpired()
    if not hmac.compare_digest(_code_check(slot, keyfile.store_id, code), slot.enrol_check):
        raise WrongPassword("Fel engångskod.", "Wrong one-time code.")
    check_password_policy(password, username)
    if kdf is not None:
        slot.kdf = kdf
    slot.seal_private(keyfile.store_id, password, X25519PrivateKey.generate())
    slot.state = READY if slot.kind == "admin" else AWAITING
    if slot.kind == "admin":
        slot.identity_public = _raw(identity_of(
            slot.open_private(keyfile.store_id, password)).public_key())
    slot.enrol_check, slot.enrol_expires_at = b"", None
    slot.failures, slot.last_failure_at = 0, None
    keyfile.log_event("account.enrol", username, _iso(now))
    return slot


def confirm(keyfile: KeyFile, username: str, data_key: bytes, by: str,
            now: dt.datetime, fingerprint: str) -> Slot:
    """Seal the data key to an enrolled account: the second person's step,
    only if ``fingerprint`` (read out by the person from their own screen)
    names the public key the data key is about to be sealed to."""
    slot = keyfile.find(username)
    if slot.kind != "user":
        raise Conflict("Ett administratörskonto får aldrig nyckeln till ärendeinnehållet.",
                       "An administrator account never gets the key to case content.")
    if slot.state != AWAITING:
        raise Conflict("Kontot väntar inte på bekräftelse (personen har inte valt lösenord "
                       "än, eller kontot är redan bekräftat).",
                       "The account is not waiting for confirmation (the person has not "
                       "chosen a password yet, or it is already confirmed).")
    if not hmac.compare_digest(normalise_code(fingerprint or "").encode(),
                               normalise_code(slot_fingerprint(keyfile.store_id, slot)).encode()):
        raise FingerprintMismatch()
    slot.state = READY
    slot.seal_data_key(keyfile.store_id, data_key)
    slot.confirmed_by, slot.confirmed_at = by, _iso(now)
    return slot
