"""Issuing a document: number, render, sign, seal, register and log.

Shared by every document kind (:mod:`.compose`): the PDF password rule, the
secrecy line, the author's password once more before a handover, and
:func:`issue_document`, which writes the :class:`IssuedDocument` row and one
Disclosure row per basis and logs both, in the caller's unit of work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from trefas_app.documents.model import Document, DocumentHeader, OmittedSection, canonical_json
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, Category, DocumentKind
from trefas_app.domain.errors import ValidationError, WrongPassword
from trefas_app.services.cases import next_number
from trefas_app.services.documents.content import Content, author_agency, scrubbed
from trefas_app.services.documents.disclosure import Scope, Basis
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork


#: The secrecy provision protecting each agency's records about individuals.
OSL_PROVISIONS: dict[Agency, str] = {
    Agency.CITY: "26 kap. 1 § OSL (socialtjänst)",
    Agency.POLICE: "35 kap. 1 § OSL (polis)",
    Agency.PROBATION: "35 kap. 15 § OSL (kriminalvård)",
}

#: A password for a PDF file leaves the program with the file (the recipient
#: gets it by another channel) and can be attacked offline: not too short.
MIN_PDF_PASSWORD = 12
#: What AES-256 PDF encryption (R6) reads of a password.
MAX_PDF_PASSWORD_BYTES = 127

DOCUMENT_PREFIX = "D"

#: Permission each document kind needs (trefas_app.domain.permissions).
PERMISSION = {
    DocumentKind.HANDOVER: "document.handover",
    DocumentKind.CASE_SUMMARY: "document.summary",
    DocumentKind.MEETING_MINUTES: "document.minutes",
    DocumentKind.SUBJECT_EXTRACT: "document.extract",
    DocumentKind.ACCESS_LOG_EXTRACT: "document.log_extract",
}

#: Audit action of each document kind.
ACTION = {
    DocumentKind.HANDOVER: "document.handover",
    DocumentKind.CASE_SUMMARY: "document.summary",
    DocumentKind.MEETING_MINUTES: "document.minutes",
    DocumentKind.SUBJECT_EXTRACT: "document.extract",
    DocumentKind.ACCESS_LOG_EXTRACT: "document.log_extract",
}

# --- results ----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedDocumentResult:
    number: str
    kind: DocumentKind
    pdf_bytes: bytes = field(repr=False)
    pages: int
    #: Hex SHA-256 of the PDF file exactly as issued.
    sha256: str
    #: Hex SHA-256 of the canonical content (the signed verification record's hash).
    content_sha256: str
    #: What was left out and why, one sentence each (no content).
    omitted: tuple[str, ...]
    recipient: str
    issued_at: dt.datetime
    password_protected: bool


def secrecy_line(kind: DocumentKind, agencies: Iterable[Agency]) -> str:
    present = set(agencies)
    provisions = " / ".join(OSL_PROVISIONS[a] for a in Agency if a in present)
    if kind in (DocumentKind.SUBJECT_EXTRACT, DocumentKind.ACCESS_LOG_EXTRACT):
        return (f"Sekretess enligt {provisions} gäller mot andra än den registrerade – "
                f"sekretessprövas före utlämnande")
    return f"Sekretess enligt {provisions} – får inte lämnas ut utan sekretessprövning"


def check_pdf_password(password: str | None) -> None:
    if password is None:
        return
    if len(password) < MIN_PDF_PASSWORD:
        raise ValidationError(
            f"Lösenordet för PDF-filen måste ha minst {MIN_PDF_PASSWORD} tecken.",
            f"The password for the PDF file must have at least {MIN_PDF_PASSWORD} characters.")
    try:
        size = len(password.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValidationError("Lösenordet för PDF-filen är inte giltig UTF-8.",
                              "The password for the PDF file is not valid UTF-8.") from None
    # AES-256 PDF encryption (R6) uses only the first 127 bytes: a longer
    # password would silently open with its first part alone.
    if size > MAX_PDF_PASSWORD_BYTES:
        raise ValidationError(
            f"Lösenordet för PDF-filen får vara högst {MAX_PDF_PASSWORD_BYTES} byte långt "
            f"(å, ä, ö och andra tecken utanför A–Z räknas som två eller fler).",
            f"The password for the PDF file may be at most {MAX_PDF_PASSWORD_BYTES} bytes long "
            f"(characters outside A–Z count as two or more).")


def _page_count(pdf: bytes, password: str | None) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf), password=password or "") as doc:
        return len(doc.pages)


def issue_document(uow: UnitOfWork, actor: Actor, kind: DocumentKind, *, title: str, recipient: str,
                   recipient_agency: Agency | None, content: Content, secrecy_agencies: set[Agency],
                   bases: list[Basis], case: m.Case | None = None, person_id: int | None = None,
                   meeting_id: int | None = None, pdf_password: str | None = None,
                   log_detail: dict | None = None, scope: Scope | None = None
                   ) -> IssuedDocumentResult:
    """Number, render, sign, seal, record and log one document; commits. With
    ``scope``, the names of every person it projected masked are blanked out
    of all the document's text (free text of notes, tasks, plans …)."""
    from trefas_app.documents.render import render_pdf
    from trefas_app.documents.verification import DocumentSigner, pdf_sha256

    s, now = uow.session, uow.now()
    number = next_number(s, now, DOCUMENT_PREFIX, m.IssuedDocument)
    omitted = content.omitted_items()
    blocks = list(content.blocks)
    if scope is not None:
        blocks = scrubbed(blocks, scope)
    if kind in (DocumentKind.HANDOVER, DocumentKind.CASE_SUMMARY,
                DocumentKind.SUBJECT_EXTRACT, DocumentKind.MEETING_MINUTES):
        blocks.insert(content.omitted_at, OmittedSection(omitted))
    header = DocumentHeader(
        doc_number=number, kind=kind.value, title=title, author_name=actor.display_name,
        author_agency=author_agency(actor), recipient=recipient, created_at=now,
        secrecy_line=secrecy_line(kind, secrecy_agencies | {actor.agency}),
        case_number=case.number if case is not None else None)
    doc = Document(header, tuple(blocks))
    signer = DocumentSigner(uow.store.signing_key, uow.store.store_id, clock=lambda: now)
    pdf = render_pdf(doc, signer, password=pdf_password)
    pages = _page_count(pdf, pdf_password)
    content_sha = hashlib.sha256(canonical_json(doc)).hexdigest()
    file_sha = pdf_sha256(pdf)
    case_id = case.id if case is not None else None
    person_id = person_id if person_id is not None else (case.person_id if case else None)
    row = m.IssuedDocument(
        number=number, kind=kind, case_id=case_id, person_id=person_id, meeting_id=meeting_id,
        recipient=recipient[:200], recipient_agency=recipient_agency, issued_at=now,
        issued_by_id=actor.user_id, content_sha256=content_sha, pdf_sha256=file_sha,
        pages=pages, password_protected=pdf_password is not None)
    s.add(row)
    s.flush()
    for b in bases:
        s.add(m.Disclosure(
            case_id=b.case_id, person_id=b.person_id, recipient_agency=b.recipient_agency,
            recipient=b.recipient[:200],
            categories=",".join(c.value for c in sorted(b.categories,
                                                        key=list(Category).index)),
            consent_id=b.consent_id, legal_basis=b.legal_basis, document_id=row.id,
            purpose=b.purpose, disclosed_at=now, disclosed_by_id=actor.user_id))
    s.flush()
    categories = sorted({c.value for c in content.included})
    uow.log(actor, ACTION[kind], subject_kind="document", subject_id=row.id, case_id=case_id,
            person_id=person_id,
            detail={"number": number, "pages": pages, "categories": categories,
                    "omitted": len(omitted), "password": pdf_password is not None,
                    **(log_detail or {})})
    uow.log(actor, "disclosure", subject_kind="document", subject_id=row.id, case_id=case_id,
            person_id=person_id,
            detail={"number": number,
                    "recipient_agency": recipient_agency.value if recipient_agency else None,
                    "bases": [{"categories": [c.value for c in b.categories],
                               "consent": b.consent_id, "legal_basis": b.legal_basis,
                               "case": b.case_id}
                              for b in bases]})
    if uow.delivery is not None:
        uow.delivery(pdf)  # delivered before it is registered: a failed write registers nothing
    uow.commit()
    return IssuedDocumentResult(number=number, kind=kind, pdf_bytes=pdf, pages=pages,
                                sha256=file_sha, content_sha256=content_sha, omitted=omitted,
                                recipient=recipient, issued_at=now,
                                password_protected=pdf_password is not None)


def confirm_password(uow: UnitOfWork, actor: Actor, password) -> None:
    """The author's password once more, before a handover leaves: unseals the
    author's own key slot (and discards the key). A wrong password is logged
    and refused; nothing is issued. On the command line the password entered
    for the command was verified by the unlock a moment ago: its one-time
    :class:`~trefas_app.store.store.LoginProof` counts instead."""
    from trefas_app.store.store import LoginThrottled
    try:
        from trefas_app.store.store import check_throttle
    except ImportError:  # the name before it was made public
        from trefas_app.store.store import _check_throttle as check_throttle

    store = uow.store
    if not isinstance(password, str):  # the command line's own entry (store.LoginProof)
        redeem = getattr(store, "redeem_login_proof", None)
        if redeem is not None and redeem(password, actor.username):
            return
        password = ""  # no proof of this store and user: as a wrong password
    try:
        check_throttle(store.keyfile, actor.username, store.clock)
        store.keyfile.unseal(actor.username, password or "")
    except (WrongPassword, LoginThrottled) as exc:
        with uow:
            uow.log(actor, "document.handover.refused",
                    detail={"reason": "throttled" if isinstance(exc, LoginThrottled)
                            else "wrong_password"})
            uow.commit()
        if isinstance(exc, WrongPassword):
            raise WrongPassword(
                "Fel lösenord. Överlämningen har inte skapats.",
                "Wrong password. The handover has not been created.") from None
        raise
