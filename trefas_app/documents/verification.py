"""Verification record and PDF seal: was this PDF issued by us, and is it unchanged?

Two signatures, both Ed25519 with the store's document key:

1. The **verification record** signs the document's identity (number, store,
   case, recipient, time) and the SHA-256 of its canonical content
   (``model.canonical_json``), not of the PDF: the record is itself printed in
   the PDF (QR code) and stored in the PDF metadata (``/TrefasVerification``).
   The canonical content travels with the PDF as an embedded file
   (``trefas-dokument.json``) so a verifier can recompute the hash.

2. The **seal** signs the SHA-256 of the finished PDF file. It is appended as one
   PDF comment line after the final ``%%EOF``::

       %TrefasSeal v1 <key id, 16 hex> <signature, 86 chars base64url>\\n

   PDF readers ignore it; it sits outside any encryption, so an encrypted file
   can be sealed too. The signed digest covers every byte before that line, and
   the line itself must be the file's last bytes and canonical, so a change of
   any single byte, appended incremental updates and truncation are all
   detected - without needing the issuing database. Any program that re-saves
   the file drops the seal, which is reported as "changed / not sealed".

The issuing side may additionally store ``pdf_sha256(pdf)`` of every issued file
and pass that set to ``verify_pdf(known_pdf_sha256=...)``; then only exactly
those files count as unchanged.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from trefas_app.domain import clock as one_clock
from trefas_app.documents.model import Document, canonical_json, document_from_json

#: The largest file ``verify-document`` reads; no issued document comes near it.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def read_document_file(path: Path) -> bytes:
    """The bytes of a document to verify: a regular file of at most
    :data:`MAX_DOCUMENT_BYTES` (a FIFO or ``/dev/zero`` is refused at once)."""
    from trefas_app.input_files import read_bounded

    return read_bounded(path, MAX_DOCUMENT_BYTES, regular_only=True)


PAYLOAD_PREFIX = "TREFAS1:"
INFO_KEY = "/TrefasVerification"
ATTACHMENT_NAME = "trefas-dokument.json"

_RECORD_DOMAIN = b"trefas/document-record/v1\n"
_SEAL_DOMAIN = b"trefas/pdf-seal/v1\n"
_SEAL_RE = re.compile(rb"%TrefasSeal v1 ([0-9a-f]{16}) ([A-Za-z0-9_-]{86})\n\Z")
_SEAL_MAX_LEN = 120  # the seal line is 119 bytes; only the tail is searched


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    """Strict base64url decoding: rejects any non-canonical spelling."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("bad base64url") from exc
    if _b64e(data) != text:  # unused trailing bits set, stray characters, ...
        raise ValueError("non-canonical base64url")
    return data


def _utc_seconds(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def public_key_id(public_key: Ed25519PublicKey) -> str:
    """Short, stable name of a public key: first 16 hex digits of SHA-256(raw key)."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def pdf_sha256(pdf_bytes: bytes) -> str:
    """Hex SHA-256 of a finished PDF file; store it to recognise exact issued files."""
    return hashlib.sha256(pdf_bytes).hexdigest()


# --------------------------------------------------------------------------
# The record
# --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class VerificationRecord:
    doc_number: str
    store_id: str
    case_number: str | None
    recipient: str
    issued_at: datetime  # UTC, whole seconds
    content_sha256: str  # hex SHA-256 of canonical_json(document)
    key_id: str  # public_key_id of the signing key
    signature: str  # base64url Ed25519 signature over signed_payload()

    def _fields(self) -> dict[str, object]:
        return {
            "d": self.doc_number,
            "s": self.store_id,
            "c": self.case_number,
            "r": self.recipient,
            "t": _utc_seconds(self.issued_at),
            "h": self.content_sha256,
            "k": self.key_id,
        }

    def signed_payload(self) -> bytes:
        """The bytes the signature covers (every field but the signature)."""
        return _RECORD_DOMAIN + json.dumps(
            self._fields(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ).encode("utf-8")

    def to_payload(self) -> str:
        """Compact form for the QR code and the PDF metadata: prefix + base64url(JSON)."""
        data = dict(self._fields(), v=1, g=self.signature)
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return PAYLOAD_PREFIX + _b64e(text.encode("utf-8"))

    @classmethod
    def from_payload(cls, payload: str) -> VerificationRecord:
        """Parse ``to_payload`` output; raises ValueError on anything malformed."""
        if not payload.startswith(PAYLOAD_PREFIX):
            raise ValueError("not a Trefas verification record")
        try:
            data = json.loads(_b64d(payload[len(PAYLOAD_PREFIX):]).decode("utf-8"))
            if data.get("v") != 1:
                raise ValueError("unknown record version")
            str_fields = ("d", "s", "r", "t", "h", "k", "g")
            if any(not isinstance(data[k], str) for k in str_fields):
                raise ValueError("record field of wrong type")
            if data["c"] is not None and not isinstance(data["c"], str):
                raise ValueError("record field of wrong type")
            issued = datetime.strptime(data["t"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except (KeyError, AttributeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"malformed verification record: {exc}") from exc
        return cls(doc_number=data["d"], store_id=data["s"], case_number=data["c"],
                   recipient=data["r"], issued_at=issued, content_sha256=data["h"],
                   key_id=data["k"], signature=data["g"])

    def signature_valid(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(_b64d(self.signature), self.signed_payload())
        except (InvalidSignature, ValueError):
            return False
        return True


# --------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------

class DocumentSigner:
    """Signs documents for one store.

    Calling it with canonical document bytes returns the signed
    ``VerificationRecord`` (so it is the ``signer`` argument of
    ``render_pdf``); ``seal_line`` additionally produces the file seal.
    """

    def __init__(self, private_key: Ed25519PrivateKey, store_id: str,
                 clock: Callable[[], datetime] | None = None):
        if not store_id:
            raise ValueError("store_id must not be empty")
        self._key = private_key
        self.store_id = store_id
        self.key_id = public_key_id(private_key.public_key())
        self._clock = clock or one_clock.now_utc

    def __call__(self, canonical: bytes) -> VerificationRecord:
        doc = document_from_json(canonical)
        if canonical_json(doc) != canonical:
            raise ValueError("signer expects the output of canonical_json()")
        h = doc.header
        unsigned = VerificationRecord(
            doc_number=h.doc_number, store_id=self.store_id, case_number=h.case_number,
            recipient=h.recipient, issued_at=self._clock().astimezone(UTC).replace(microsecond=0),
            content_sha256=hashlib.sha256(canonical).hexdigest(), key_id=self.key_id,
            signature="",
        )
        signature = _b64e(self._key.sign(unsigned.signed_payload()))
        return dataclasses.replace(unsigned, signature=signature)

    def seal_line(self, body: bytes) -> bytes:
        digest = hashlib.sha256(body).digest()
        sig = self._key.sign(_seal_message(self.store_id, self.key_id, digest))
        return b"%%TrefasSeal v1 %s %s\n" % (self.key_id.encode("ascii"),
                                              _b64e(sig).encode("ascii"))


def _seal_message(store_id: str, key_id: str, digest: bytes) -> bytes:
    return _SEAL_DOMAIN + store_id.encode("utf-8") + b"\n" + key_id.encode("ascii") + b"\n" + digest


def sign_record(private_key: Ed25519PrivateKey, store_id: str, doc: Document) -> VerificationRecord:
    """Signed verification record for ``doc``, issued now."""
    return DocumentSigner(private_key, store_id)(canonical_json(doc))


def _split_seal(pdf_bytes: bytes) -> tuple[bytes, str, str] | None:
    """(body, key id, signature) when the file ends in a well-formed seal line."""
    tail_start = max(0, len(pdf_bytes) - _SEAL_MAX_LEN)
    pos = pdf_bytes.rfind(b"%TrefasSeal ", tail_start)
    if pos < 0:
        return None
    match = _SEAL_RE.fullmatch(pdf_bytes, pos)
    if match is None:
        return None
    return pdf_bytes[:pos], match.group(1).decode("ascii"), match.group(2).decode("ascii")


def seal_pdf(pdf_bytes: bytes, signer: DocumentSigner) -> bytes:
    """Append (or replace) the seal line. Call last: any later change breaks it."""
    split = _split_seal(pdf_bytes)
    body = split[0] if split else pdf_bytes
    if not body.endswith(b"\n"):
        body += b"\n"
    return body + signer.seal_line(body)


def _seal_valid(body: bytes, key_id: str, signature: str,
                public_key: Ed25519PublicKey, store_id: str) -> bool:
    try:
        sig = _b64d(signature)
        public_key.verify(sig, _seal_message(store_id, key_id, hashlib.sha256(body).digest()))
    except (InvalidSignature, ValueError):
        return False
    return True


# --------------------------------------------------------------------------
# Verifying
# --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    reason_sv: str
    reason_en: str
    record: VerificationRecord | None
    code: str = ""  # stable machine-readable reason, see _REASONS
    # The embedded content, when it checked out. Not in repr(): results may be
    # logged, and case content must never reach a plain-text log.
    document: Document | None = dataclasses.field(default=None, repr=False)


_REASONS: dict[str, tuple[str, str]] = {
    "ok": (
        "Dokumentet är utfärdat av denna Trefas-installation och har inte ändrats.",
        "The document was issued by this Trefas installation and has not been changed.",
    ),
    "record_ok": (
        "Verifieringsuppgifterna är äkta och utfärdade av denna Trefas-installation. "
        "Innehållet kan bara kontrolleras mot PDF-filen.",
        "The verification record is genuine and was issued by this Trefas installation. "
        "The content can only be checked against the PDF file.",
    ),
    "not_pdf": (
        "Filen är ingen läsbar PDF-fil.",
        "The file is not a readable PDF file.",
    ),
    "password_required": (
        "PDF-filen är lösenordsskyddad. Ange lösenordet för att kontrollera den.",
        "The PDF file is password protected. Give the password to check it.",
    ),
    "wrong_password": (
        "Fel lösenord för PDF-filen.",
        "Wrong password for the PDF file.",
    ),
    "not_trefas": (
        "Filen saknar verifieringsuppgifter från Trefas. Den är inte utfärdad av Trefas "
        "eller har sparats om i ett annat program.",
        "The file has no Trefas verification record. It was not issued by Trefas "
        "or has been re-saved by another program.",
    ),
    "malformed_record": (
        "Verifieringsuppgifterna i filen är skadade eller ändrade.",
        "The verification record in the file is damaged or has been altered.",
    ),
    "other_store": (
        "Dokumentet är utfärdat av en annan Trefas-installation och kan inte verifieras här.",
        "The document was issued by another Trefas installation and cannot be verified here.",
    ),
    "other_key": (
        "Dokumentet är inte signerat med denna installations nyckel. Det är utfärdat "
        "någon annanstans eller förfalskat.",
        "The document is not signed with this installation's key. It was issued "
        "elsewhere or is forged.",
    ),
    "bad_signature": (
        "Signaturen är ogiltig: verifieringsuppgifterna är förfalskade eller ändrade.",
        "The signature is invalid: the verification record is forged or has been altered.",
    ),
    "content_changed": (
        "Dokumentets innehåll stämmer inte med signaturen. Dokumentet har ändrats.",
        "The document's content does not match the signature. The document has been changed.",
    ),
    "file_changed": (
        "PDF-filen har ändrats efter att den utfärdades.",
        "The PDF file has been changed after it was issued.",
    ),
    "unsealed": (
        "PDF-filen saknar Trefas försegling, så det går inte att bekräfta att filen är "
        "oförändrad. Den kan ha ändrats eller sparats om i ett annat program.",
        "The PDF file has no Trefas seal, so it cannot be confirmed to be unchanged. "
        "It may have been edited or re-saved by another program.",
    ),
    "not_issued": (
        "Den här exakta PDF-filen finns inte bland filerna som denna installation har "
        "utfärdat. Den har ändrats efter utfärdandet.",
        "This exact PDF file is not among the files this installation has issued. "
        "It has been changed after issue.",
    ),
}


def _result(code: str, record: VerificationRecord | None = None,
            document: Document | None = None) -> VerifyResult:
    sv, en = _REASONS[code]
    return VerifyResult(code in ("ok", "record_ok"), sv, en, record, code, document)


def verify_record(record: VerificationRecord, public_key: Ed25519PublicKey,
                  store_id: str) -> VerifyResult:
    """Check a record alone, e.g. one read from the QR code of a printed copy."""
    if record.store_id != store_id:
        return _result("other_store", record)
    if record.key_id != public_key_id(public_key):
        return _result("other_key", record)
    if not record.signature_valid(public_key):
        return _result("bad_signature", record)
    return _result("record_ok", record)


def _read_pdf_parts(pdf_bytes: bytes, password: str | None):
    """(record payload or None, attachment bytes or None) or a failure code."""
    import pikepdf  # local: only verification and protection need it

    try:
        pdf = pikepdf.open(io.BytesIO(pdf_bytes), password=password or "")
    except pikepdf.PasswordError:
        return "wrong_password" if password else "password_required"
    except (pikepdf.PdfError, ValueError, OSError):
        return "not_pdf"
    with pdf:
        try:
            value = pdf.docinfo.get(INFO_KEY)
            payload = str(value) if value is not None else None
            attachment = None
            if ATTACHMENT_NAME in pdf.attachments:
                attachment = pdf.attachments[ATTACHMENT_NAME].get_file().read_bytes()
        except (pikepdf.PdfError, ValueError, KeyError, AttributeError):
            return "malformed_record"
    return payload, attachment


def verify_pdf(pdf_bytes: bytes, public_key: Ed25519PublicKey, store_id: str,
               known_pdf_sha256: Iterable[str] | None = None, *,
               password: str | None = None) -> VerifyResult:
    """Tell whether ``pdf_bytes`` is a document this store issued, unchanged.

    ``ok`` only when: the record is signed by ``public_key`` for ``store_id``;
    the embedded content hashes to the signed value; and the file bytes are
    exactly as issued - proven by a valid seal, or, when ``known_pdf_sha256``
    is given, by the file's SHA-256 being in that set (then the set decides).
    """
    if not isinstance(pdf_bytes, (bytes, bytearray)) or not pdf_bytes.startswith(b"%PDF-"):
        return _result("not_pdf")
    pdf_bytes = bytes(pdf_bytes)
    our_key = public_key_id(public_key)
    seal = _split_seal(pdf_bytes)

    # A seal under our key is checked before the file is parsed: it covers
    # every byte, so a damaged file is reported as changed, not as unreadable.
    # Who issued the file is still reported first when the record says so.
    seal_state = "absent"
    if seal is not None:
        seal_state = "foreign"
        if seal[1] == our_key:
            valid = _seal_valid(seal[0], seal[1], seal[2], public_key, store_id)
            seal_state = "valid" if valid else "invalid"

    def refuse(code: str, record: VerificationRecord | None = None) -> VerifyResult:
        return _result("file_changed" if seal_state == "invalid" else code, record)

    parts = _read_pdf_parts(pdf_bytes, password)
    if isinstance(parts, str):
        if parts in ("password_required", "wrong_password"):
            return _result(parts)
        return refuse(parts)
    payload, attachment = parts
    if payload is None:
        return refuse("not_trefas")
    try:
        record = VerificationRecord.from_payload(payload)
    except ValueError:
        return refuse("malformed_record")

    checked = verify_record(record, public_key, store_id)
    if not checked.ok:
        return checked
    if seal_state == "invalid":
        return _result("file_changed", record)

    if attachment is None or hashlib.sha256(attachment).hexdigest() != record.content_sha256:
        return _result("content_changed", record)
    try:
        document = document_from_json(attachment)
    except ValueError:
        return _result("content_changed", record)
    h = document.header
    if (h.doc_number, h.recipient, h.case_number) != (
            record.doc_number, record.recipient, record.case_number):
        return _result("content_changed", record)

    if known_pdf_sha256 is not None:
        if pdf_sha256(pdf_bytes) not in set(known_pdf_sha256):
            return _result("not_issued", record)
        return _result("ok", record, document)
    if seal_state == "absent":
        return _result("unsealed", record)
    if seal_state != "valid":  # sealed, but not with the key that signed the record
        return _result("file_changed", record)
    return _result("ok", record, document)
