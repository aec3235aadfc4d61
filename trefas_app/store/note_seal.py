"""What a signed note said, fixed in the access log.

Signing a note logs an HMAC of its content. ``audit verify`` recomputes it for
every signed note, so a note changed or deleted behind the program's back —
with the immutability trigger dropped, or a fake retention marker — is found
even though the database itself would accept the change. An HMAC rather than a
plain hash, so that a short note cannot be guessed from its log entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def seal_key(signing_key) -> bytes:
    """A key of its own, derived from the installation's Ed25519 key."""
    raw = signing_key.private_bytes(serialization.Encoding.Raw,
                                    serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"trefas-note-seal:v1").derive(raw)


def note_seal(key: bytes, note) -> str:
    fields = {"id": note.id, "case_id": note.case_id, "person_id": note.person_id,
              "category": str(note.category.value if hasattr(note.category, "value")
                              else note.category),
              "title": note.title, "body": note.body, "author_id": note.author_id,
              "owner_agency": str(getattr(note.owner_agency, "value", note.owner_agency)),
              "corrects_id": note.corrects_id,
              "signed_at": note.signed_at.isoformat() if note.signed_at else None}
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":")).encode("utf-8")
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()
