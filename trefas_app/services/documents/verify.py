"""After issuing: the register of a case's documents, verifying a PDF file
against the signatures and the register, and recording a printout (a
disclosure of its own).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, DocumentKind
from trefas_app.security import access
from trefas_app.services.documents.content import users_by_id
from trefas_app.services.documents.issuing import PERMISSION
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork


@dataclass(frozen=True)
class DocumentCheck:
    """The answer of :func:`verify_document`."""

    ok: bool
    #: Stable reason code (see trefas_app.documents.verification), e.g. "ok",
    #: "file_changed", "other_store", "other_key", "not_trefas".
    code: str
    reason_sv: str
    reason_en: str
    number: str | None = None
    kind: DocumentKind | None = None
    case_number: str | None = None
    recipient: str | None = None
    issued_at: dt.datetime | None = None
    issued_by: str | None = None
    issued_by_agency: Agency | None = None
    pages: int | None = None
    #: The exact bytes are those of a file recorded as issued by this store.
    known: bool = False

    def message(self, language: str = "sv") -> str:
        return self.reason_sv if language == "sv" else self.reason_en


@dataclass(frozen=True)
class IssuedDocumentRow:
    """A register entry: what was issued, to whom, by whom — not the content
    (Trefas keeps no copy of an issued PDF, only its number and hashes)."""

    number: str
    kind: DocumentKind
    recipient: str
    recipient_agency: Agency | None
    issued_at: dt.datetime
    issued_by: str
    issued_by_agency: Agency
    pages: int
    password_protected: bool


@dataclass(frozen=True)
class PrintRecord:
    number: str
    printed_at: dt.datetime
    disclosures: int


# --- verification and printing ------------------------------------------------------------


def list_case_documents(uow: UnitOfWork, actor: Actor, case_id: int
                        ) -> tuple[IssuedDocumentRow, ...]:
    """The documents issued in a case that the user's agency issued or
    received, newest first (the access rule's ``document`` kind)."""
    with uow:
        s, now = uow.session, uow.now()
        access.require(actor, "document.read")
        case = access.get_visible(s, actor, "case", case_id, now)
        doc = m.IssuedDocument
        rows = s.execute(
            select(doc, m.User.display_name, m.User.agency)
            .join(m.User, m.User.id == doc.issued_by_id)
            .where(doc.case_id == case.id, access.visible(actor, "document", now))
            .order_by(doc.issued_at.desc(), doc.id.desc())).all()
        uow.log(actor, "document.list", subject_kind="case", subject_id=case.id,
                case_id=case.id, person_id=case.person_id, detail={"hits": len(rows)})
        uow.commit()
        return tuple(IssuedDocumentRow(
            number=d.number, kind=d.kind, recipient=d.recipient,
            recipient_agency=d.recipient_agency, issued_at=d.issued_at, issued_by=name,
            issued_by_agency=agency, pages=d.pages, password_protected=d.password_protected)
            for d, name, agency in rows)


def verify_document(store, pdf_bytes: bytes, password: str | None = None) -> DocumentCheck:
    """Whether ``pdf_bytes`` is a document this store issued and unchanged, and
    who issued it to whom, when. Logged as ``document.verify``."""
    from trefas_app.documents.verification import pdf_sha256, verify_pdf

    public_key, store_id = store.keyfile.public_key(), store.store_id
    result = verify_pdf(pdf_bytes, public_key, store_id, password=password)
    retired_at = None
    if result.code == "other_key":
        # Signed before a re-key replaced the signing key? Accepted below only
        # if the exact file is in the register: the old key may have leaked.
        for old_key, at in store.keyfile.retired_public_keys():
            earlier = verify_pdf(pdf_bytes, old_key, store_id, password=password)
            if earlier.ok:
                result, retired_at = earlier, at
                break
    sha = pdf_sha256(bytes(pdf_bytes)) if isinstance(pdf_bytes, (bytes, bytearray)) else ""
    actor = store.actor
    with store.uow() as uow:
        s = uow.session
        known = bool(sha) and bool(s.scalar(select(func.count()).select_from(m.IssuedDocument)
                                            .where(m.IssuedDocument.pdf_sha256 == sha)))
        if result.code == "unsealed" and known:
            # Not sealed (cannot happen for files issued here), yet the exact bytes
            # are on record: the register decides.
            result = verify_pdf(pdf_bytes, public_key, store_id, known_pdf_sha256={sha},
                                password=password)
        record = result.record
        row = users = None
        if record is not None:
            row = s.scalars(select(m.IssuedDocument).where(
                m.IssuedDocument.number == record.doc_number)).first()
            users = users_by_id(s, [row.issued_by_id]) if row is not None else {}
        reason_sv, reason_en = result.reason_sv, result.reason_en
        ok, code = result.ok, result.code
        if retired_at is not None:
            day = retired_at[:10]
            if known:
                reason_sv += (f" Det signerades med installationens tidigare nyckel, som "
                              f"byttes ut {day}.")
                reason_en += (f" It was signed with the installation's earlier key, which "
                              f"was replaced on {day}.")
            else:
                ok, code = False, "other_key"
                reason_sv = (f"Dokumentet är signerat med en nyckel som byttes ut {day} och "
                             "finns inte i registret över utfärdade dokument. Det kan inte "
                             "bekräftas som äkta.")
                reason_en = (f"The document is signed with a key that was replaced on {day} "
                             "and is not in the register of issued documents. It cannot be "
                             "confirmed as genuine.")
        elif result.ok and not known:
            reason_sv += (" Filen finns dock inte i registret över utfärdade dokument (till "
                          "exempel efter en återställning från säkerhetskopia).")
            reason_en += (" The file is not in the register of issued documents, though "
                          "(for example after a restore from backup).")
        issued_by = issued_by_agency = None
        if row is not None and row.issued_by_id in users:
            issued_by = users[row.issued_by_id].display_name
            issued_by_agency = users[row.issued_by_id].agency
        elif result.document is not None:
            issued_by = result.document.header.author_name
        check = DocumentCheck(
            ok=ok, code=code, reason_sv=reason_sv, reason_en=reason_en,
            number=record.doc_number if record else None,
            kind=(row.kind if row is not None else
                  DocumentKind(result.document.header.kind) if result.document else None),
            case_number=record.case_number if record else None,
            recipient=record.recipient if record else None,
            issued_at=record.issued_at if record else None,
            issued_by=issued_by, issued_by_agency=issued_by_agency,
            pages=row.pages if row is not None else None, known=known)
        uow.log(actor, "document.verify", subject_kind="document",
                subject_id=row.id if row is not None else None,
                case_id=row.case_id if row is not None else None,
                person_id=row.person_id if row is not None else None,
                detail={"code": check.code, "ok": check.ok, "known": known,
                        "number": check.number})
        uow.commit()
        return check


def record_print(uow: UnitOfWork, actor: Actor, document_number: str) -> PrintRecord:
    """A printout of an issued document is a disclosure too: recorded with the
    same recipient and bases as the document, and logged. Only the issuer
    prints their document."""
    with uow:
        s, now = uow.session, uow.now()
        doc = s.scalars(select(m.IssuedDocument).where(
            m.IssuedDocument.number == (document_number or "").strip())).first()
        # Only the issuer prints: to anyone else a number that exists gets the
        # same answer as one that does not (numbers run in sequence).
        if doc is None or doc.issued_by_id != actor.user_id:
            raise access.no_such_record(actor, "document.print", "document",
                                        doc.id if doc is not None else None)
        access.require(actor, PERMISSION[DocumentKind(doc.kind)])
        originals = s.scalars(select(m.Disclosure).where(m.Disclosure.document_id == doc.id)
                              .order_by(m.Disclosure.id)).all()
        for d in originals:
            s.add(m.Disclosure(
                case_id=d.case_id, person_id=d.person_id, recipient_agency=d.recipient_agency,
                recipient=d.recipient, categories=d.categories, consent_id=d.consent_id,
                legal_basis=d.legal_basis, document_id=doc.id,
                purpose=f"Utskrift av dokument {doc.number}", disclosed_at=now,
                disclosed_by_id=actor.user_id))
        s.flush()
        uow.log(actor, "document.print", subject_kind="document", subject_id=doc.id,
                case_id=doc.case_id, person_id=doc.person_id,
                detail={"number": doc.number, "disclosures": len(originals)})
        uow.commit()
        return PrintRecord(number=doc.number, printed_at=now, disclosures=len(originals))
