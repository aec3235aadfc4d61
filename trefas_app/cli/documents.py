"""``trefas document …`` and ``trefas verify-document``: PDF documents from a terminal.

A document is written to ``--out FILE``, created with permissions 0600; an
existing file is kept unless ``--force`` is given. ``--pdf-password-file``
protects the PDF with AES-256 under the password on the file's first line.

A handover leaves only after the user's password: on the command line the
password this command was unlocked with is that confirmation (it was just
typed, or read from the password file or ``TREFAS_PASSWORD``). The unlock
verified it, so the handover takes the store's one-time login proof instead
of running the key derivation on it again.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from trefas_app.cli.arguments import (
    SUPPRESS,
    Commands,
    Parser,
    opt,
    person_id_arg,
    positive_int,
    values,
)
from trefas_app.cli.output import EXIT_FAILED, EXIT_OK, Lang, err, lbl, out, print_json, t
from trefas_app.cli.passwords import read_password_file
from trefas_app.cli.sessions import case_id_of, session
from trefas_app.domain import clock
from trefas_app.domain.enums import Agency
from trefas_app.domain.errors import DiskFull, ValidationError

#: File systems allow 255 bytes per name; the temporary file written first
#: (".NAME.xxxxxxxx.tmp") needs room for its additions.
MAX_OUT_NAME_BYTES = 200


def _target(args: argparse.Namespace) -> Path:
    """The output path, checked before anything is issued."""
    path = Path(args.out).expanduser()
    try:
        name_bytes = len(os.fsencode(path.name))
    except UnicodeError:
        name_bytes = MAX_OUT_NAME_BYTES + 1
    if name_bytes > MAX_OUT_NAME_BYTES:
        raise ValidationError(
            f"Filnamnet i --out är för långt: högst {MAX_OUT_NAME_BYTES} byte "
            f"(å, ä och ö räknas som två).",
            f"The file name in --out is too long: at most {MAX_OUT_NAME_BYTES} bytes.")
    try:
        return _checked_target(args, path)
    except OSError:
        raise ValidationError(f"Filen {path} kan inte skapas här.",
                              f"The file {path} cannot be created here.") from None


def _checked_target(args: argparse.Namespace, path: Path) -> Path:
    if path.is_dir():
        raise ValidationError(f"{path} är en mapp; ange ett filnamn med --out.",
                              f"{path} is a folder; give a file name with --out.")
    if not path.parent.is_dir():
        raise ValidationError(f"Mappen {path.parent} finns inte.",
                              f"The folder {path.parent} does not exist.")
    if path.exists() and not opt(args, "force"):
        raise ValidationError(f"Filen {path} finns redan. Välj ett annat namn eller ange "
                              f"--force för att skriva över den.",
                              f"The file {path} already exists. Choose another name or give "
                              f"--force to overwrite it.")
    return path


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by the owner only; replaces ``path`` atomically."""
    from trefas_app.store.files import atomic_write

    try:
        atomic_write(path, data)
    except OSError as exc:
        from trefas_app.store.engine import translate_os_error

        if isinstance(translate_os_error(exc), DiskFull):
            raise DiskFull(
                f"Disken är full: filen {path} kunde inte skrivas. Dokumentet har inte "
                f"utfärdats och inte registrerats; frigör utrymme och försök igen.",
                f"The disk is full: the file {path} could not be written. The document was "
                f"not issued or recorded; free some space and try again.") from None
        raise ValidationError(
            f"Filen {path} kunde inte skrivas ({exc.strerror or type(exc).__name__}). "
            f"Dokumentet har inte utfärdats och inte registrerats; ingenting har ändrats.",
            f"The file {path} could not be written ({exc.strerror or type(exc).__name__}). "
            f"The document was not issued or recorded; nothing was changed.") from None


@contextmanager
def _delivering(store, path: Path):
    """A unit of work that writes the document to ``path`` before it is
    registered and logged (see UnitOfWork.delivery). Should the registration
    fail after the file was written, the file is removed again: no document
    leaves without being on record."""
    written = []

    def deliver(pdf: bytes) -> None:
        _write_private(path, pdf)
        written.append(path)

    uow = store.uow()
    uow.delivery = deliver
    try:
        yield uow
    except BaseException:
        for p in written:
            try:
                p.unlink()
            except OSError:
                pass
        raise


def _pdf_password(args: argparse.Namespace) -> str | None:
    source = opt(args, "pdf_password_file")
    return read_password_file(source) if source else None


def _report(args: argparse.Namespace, result, path: Path) -> int:
    if opt(args, "json"):
        print_json({"number": result.number, "kind": result.kind, "pages": result.pages,
                    "sha256": result.sha256, "content_sha256": result.content_sha256,
                    "recipient": result.recipient, "issued_at": result.issued_at,
                    "password_protected": result.password_protected,
                    "omitted": list(result.omitted), "out": str(path)})
        return EXIT_OK
    pages = t(f"{result.pages} sidor" if result.pages != 1 else "1 sida",
              f"{result.pages} pages" if result.pages != 1 else "1 page")
    out(t(f"Dokument {result.number} ({lbl(result.kind)}, {pages}) till {result.recipient} "
          f"är sparat i {path}.",
          f"Document {result.number} ({lbl(result.kind)}, {pages}) for {result.recipient} "
          f"has been saved to {path}."))
    if result.password_protected:
        out(t("Filen är lösenordsskyddad (AES-256). Lämna lösenordet till mottagaren på "
              "annan väg än filen.",
              "The file is password protected (AES-256). Give the password to the recipient "
              "by another way than the file."))
    out(f"SHA-256: {result.sha256}")
    if result.omitted:
        out(t("Ej med i dokumentet:", "Left out of the document:"))
        for item in result.omitted:
            out(f"  – {item}")
    return EXIT_OK


def _issue_to_file(args: argparse.Namespace, issue: Callable, *, by_case: bool = False,
                   reauthenticates: bool = False) -> int:
    """Check ``--out`` and read the PDF password first; then unlock, issue the
    document into the file (``issue(uow, store, case_id, pdf_password)``,
    ``case_id`` from ``--case`` when ``by_case``) and report it."""
    path = _target(args)
    pdf_password = _pdf_password(args)
    with session(args, reauthenticates=reauthenticates) as store:
        case_id = case_id_of(store, args.case) if by_case else None
        with _delivering(store, path) as uow:
            result = issue(uow, store, case_id, pdf_password)
    return _report(args, result, path)


def cmd_document_handover(args: argparse.Namespace) -> int:
    from trefas_app.services import documents

    def issue(uow, store, case_id, pdf_password):
        # The password this command was unlocked with is the re-authentication.
        return documents.issue_handover(
            uow, store.actor, case_id, Agency(args.to), opt(args, "recipient"),
            getattr(store, "login_proof", None), pdf_password=pdf_password,
            include_revealed_identity=bool(opt(args, "include_revealed_identity")))
    return _issue_to_file(args, issue, by_case=True, reauthenticates=True)


def _issue_plain(args: argparse.Namespace, issue: Callable, *, by_case: bool) -> int:
    """A document without options of its own: ``issue(uow, actor, subject,
    pdf_password=…)`` about the case of ``--case`` or the person of ``--person``."""
    return _issue_to_file(args, lambda uow, store, case_id, pdf_password: issue(
        uow, store.actor, case_id if by_case else args.person, pdf_password=pdf_password),
        by_case=by_case)


def cmd_document_summary(args: argparse.Namespace) -> int:
    from trefas_app.services import documents

    return _issue_plain(args, documents.issue_case_summary, by_case=True)


def cmd_document_extract(args: argparse.Namespace) -> int:
    from trefas_app.services import documents

    return _issue_plain(args, documents.issue_subject_extract, by_case=False)


def cmd_document_minutes(args: argparse.Namespace) -> int:
    from trefas_app.services import documents

    to = opt(args, "to")
    return _issue_to_file(args, lambda uow, store, _case, pdf_password:
                          documents.issue_meeting_minutes(
                              uow, store.actor, args.meeting,
                              recipient_agency=Agency(to) if to else None,
                              pdf_password=pdf_password))


def cmd_document_log(args: argparse.Namespace) -> int:
    from trefas_app.services import documents

    return _issue_plain(args, documents.issue_access_log_extract, by_case=False)


def cmd_document_list(args: argparse.Namespace) -> int:
    from trefas_app.services import documents

    with session(args) as store:
        case_id = case_id_of(store, args.case)
        rows = documents.list_case_documents(store.uow(), store.actor, case_id)
    if opt(args, "json"):
        print_json([dataclasses.asdict(r) for r in rows])
        return EXIT_OK
    if not rows:
        out(t("Inga dokument har utfärdats i ärendet av eller till din myndighet.",
              "No documents have been issued in the case by or to your agency."))
        return EXIT_OK
    for r in rows:
        out(f"{r.number}  {clock.format_local(r.issued_at)}  {lbl(r.kind)}  → {r.recipient}  "
            f"({r.issued_by}, {lbl(r.issued_by_agency)}; {r.pages} s"
            f"{t(', lösenordsskyddad', ', password protected') if r.password_protected else ''})")
    return EXIT_OK


def cmd_verify_document(args: argparse.Namespace) -> int:
    from trefas_app.services import documents

    from trefas_app.documents.verification import read_document_file

    data = read_document_file(Path(args.file).expanduser())
    pdf_password = _pdf_password(args)
    with session(args) as store:
        check = documents.verify_document(store, data, password=pdf_password)
    if opt(args, "json"):
        print_json(check)
        return EXIT_OK if check.ok else EXIT_FAILED
    details = [
        (t("Dokument", "Document"), check.number),
        (t("Typ", "Kind"), lbl(check.kind) if check.kind else None),
        (t("Ärende", "Case"), check.case_number),
        (t("Mottagare", "Recipient"), check.recipient),
        (t("Utfärdat", "Issued"),
         clock.format_local(check.issued_at) or None),
        (t("Utfärdat av", "Issued by"),
         check.issued_by + (f", {lbl(check.issued_by_agency)}" if check.issued_by_agency
                            else "") if check.issued_by else None),
        (t("Sidor", "Pages"), check.pages),
        (t("Exakt fil i registret", "Exact file on record"),
         t("ja", "yes") if check.known else t("nej", "no")),
    ]
    if check.ok:
        out(check.message(Lang.code))
    elif check.number is not None:
        out(t("Filen anger (obekräftat):", "The file claims (unconfirmed):"))
    width = max(len(k) for k, _ in details)
    for key, value in details:
        if value is not None and check.number is not None:
            out(f"{key.ljust(width)}  {value}")
    if not check.ok:
        err(check.message(Lang.code))
        return EXIT_FAILED
    return EXIT_OK


def register(commands: Commands) -> None:
    """``document handover|summary|extract|minutes|list|log`` and ``verify-document``."""
    acting, as_json = commands.acting, commands.as_json
    output = Parser(add_help=False)
    output.add_argument("--out", metavar="FILE", required=True,
                        help="PDF-filen som skapas (behörighet 0600)")
    output.add_argument("--force", action="store_true", default=SUPPRESS,
                        help="skriv över en befintlig fil")
    output.add_argument("--pdf-password-file", metavar="FILE", default=SUPPRESS,
                        help="lösenordsskydda PDF-filen (AES-256) med lösenordet på filens "
                             "första rad (minst 12 tecken)")
    issuing = [acting, as_json, output]

    group = commands.group("document", "PDF-dokument (överlämning, sammanställning, "
                           "utdrag, minnesanteckningar)",
                           description="Skapa signerade PDF-dokument. Varje dokument "
                                       "registreras och loggas som ett utlämnande.")
    p = commands.add(group, "handover", cmd_document_handover,
                     "överlämning av ett ärende till en annan myndighet – bara det mottagaren "
                     "får ta del av", issuing, "document handover")
    p.add_argument("--case", metavar="NUMBER", required=True, help="ärendets nummer eller id")
    p.add_argument("--to", choices=values(Agency), required=True,
                   help="mottagande myndighet")
    p.add_argument("--recipient", metavar="TEXT",
                   help="mottagarens enhet eller namn, t.ex. ”LPO Rinkeby”")
    p.add_argument("--include-revealed-identity", action="store_true",
                   help="ta med en skyddad identitet som du har visat (namn, personnummer, "
                        "telefon, adress); utan flaggan visas personen med alias")

    p = commands.add(group, "summary", cmd_document_summary,
                     "ärendesammanställning för enhetschef", issuing, "document summary")
    p.add_argument("--case", metavar="NUMBER", required=True, help="ärendets nummer eller id")

    p = commands.add(group, "extract", cmd_document_extract,
                     "registerutdrag för en person (art. 15 dataskyddsförordningen)", issuing,
                     "document extract")
    p.add_argument("--person", type=person_id_arg, metavar="ID", required=True)

    p = commands.add(group, "minutes", cmd_document_minutes,
                     "minnesanteckningar från ett möte", issuing, "document minutes")
    p.add_argument("--meeting", type=positive_int, metavar="ID", required=True)
    p.add_argument("--to", choices=values(Agency),
                   help="för en annan myndighet: bara det den får ta del av")

    p = commands.add(group, "list", cmd_document_list,
                     "utfärdade dokument i ett ärende (av eller till din myndighet)",
                     [acting, as_json], "document list",
                     description="Registret över utfärdade dokument i ett ärende: nummer, "
                                 "slag, mottagare, vem och när – aldrig innehållet.")
    p.add_argument("--case", metavar="NUMBER", required=True, help="ärendets nummer eller id")

    p = commands.add(group, "log", cmd_document_log,
                     "utdrag ur åtkomstloggen för en person: vem har läst uppgifterna, när och "
                     "varför", issuing, "document log")
    p.add_argument("--person", type=person_id_arg, metavar="ID", required=True)

    verify_opts = Parser(add_help=False)
    verify_opts.add_argument("--pdf-password-file", metavar="FILE", default=SUPPRESS,
                             help="lösenordet till en lösenordsskyddad PDF-fil")
    p = commands.add(commands.sub, "verify-document", cmd_verify_document,
                     "kontrollera att en PDF-fil är utfärdad här och oförändrad",
                     [acting, as_json, verify_opts],
                     description="Kontrollera att en PDF-fil är utfärdad av den här "
                                 "Trefas-installationen och inte har ändrats, och visa av vem "
                                 "och till vem.")
    p.add_argument("file", metavar="FILE.pdf")
