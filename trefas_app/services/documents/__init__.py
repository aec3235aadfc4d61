"""PDF documents (DESIGN §7): handover, case summary, meeting minutes, subject
access extract, access-log extract; verification; printing.

What a document contains is decided here, with the access rule, and nowhere
else: the renderer (``trefas_app.documents``) prints exactly what it is given.

* A **handover** goes to another agency. Its content is what the author may
  see (``access.visible``) *and* what the recipient agency may receive: the
  recipient's condition 3 of the rule (``access.consent_clause`` — its own
  records, or a current consent / recorded legal basis naming it for the
  category), and the case's identity must be shared with it. That is
  :func:`disclosable`, the one helper every handover query goes through. The
  person is shown by alias when protected and not revealed by the author.
  Nothing else is printed; a box lists what was left out and why, without
  content.
* A **case summary** (supervisor), **meeting minutes** and the **subject
  extract** contain what the author may see; the **access-log extract** lists
  who read a person's data, when and why (identifiers and user names only).

Every issued document is numbered (``D-YYYY-NNNNN``), signed and sealed with
the installation's key, stored as an :class:`IssuedDocument` row (hashes,
pages — never the PDF itself) with one :class:`Disclosure` row per basis it
relied on (consent, legal basis, the recipient's own records, internal use),
and logged. A handover needs the author's password once more before it leaves.

The package is cut where the work divides; every part reads the store through
the access rule, which is why it lives in ``services/`` and not next to the
renderer in ``trefas_app/documents/`` (that package knows neither the rule nor
the database):

* :mod:`.disclosure` — what may go to whom: :func:`disclosable`, the scope of
  a document, and the basis each disclosed category relies on;
* :mod:`.content` — collecting the blocks of a document, section by section;
* :mod:`.compose` — one use case per document kind (``issue_handover`` …);
* :mod:`.issuing` — numbering, rendering, signing, registering and logging;
* :mod:`.verify` — the register, verification of a file, and printing.

Callers import this package (``from trefas_app.services import documents``);
the names below are its interface.
"""

from trefas_app.services.documents.compose import (
    issue_access_log_extract,
    issue_case_summary,
    issue_handover,
    issue_meeting_minutes,
    issue_subject_extract,
)
from trefas_app.services.documents.content import AGENCY_NAMES, REVEAL_LEFT_OUT
from trefas_app.services.documents.disclosure import (
    BASIS_INTERNAL,
    BASIS_LOG_EXTRACT,
    BASIS_OWN_RECORDS,
    BASIS_SUBJECT_EXTRACT,
    disclosable,
    recipient_allowed,
)
from trefas_app.services.documents.issuing import (
    ACTION,
    DOCUMENT_PREFIX,
    MAX_PDF_PASSWORD_BYTES,
    MIN_PDF_PASSWORD,
    OSL_PROVISIONS,
    PERMISSION,
    IssuedDocumentResult,
)
from trefas_app.services.documents.verify import (
    DocumentCheck,
    IssuedDocumentRow,
    PrintRecord,
    list_case_documents,
    record_print,
    verify_document,
)

__all__ = [
    "ACTION", "AGENCY_NAMES", "BASIS_INTERNAL", "BASIS_LOG_EXTRACT", "BASIS_OWN_RECORDS",
    "BASIS_SUBJECT_EXTRACT", "DOCUMENT_PREFIX", "DocumentCheck", "IssuedDocumentResult",
    "IssuedDocumentRow", "MAX_PDF_PASSWORD_BYTES", "MIN_PDF_PASSWORD", "OSL_PROVISIONS",
    "PERMISSION", "PrintRecord", "REVEAL_LEFT_OUT", "disclosable", "issue_access_log_extract",
    "issue_case_summary", "issue_handover", "issue_meeting_minutes", "issue_subject_extract",
    "list_case_documents", "recipient_allowed", "record_print", "verify_document",
]
