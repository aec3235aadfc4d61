"""Case work: ``trefas person …``, ``case …``, ``note …``, ``consent …`` and
``emergency``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trefas_app.cli.arguments import (
    Commands,
    date_arg,
    grant_arg,
    opt,
    paging,
    person_id_arg,
    positive_int,
    values,
)
from trefas_app.cli.output import (
    EXIT_OK,
    cell,
    err,
    hidden_notice,
    lbl,
    out,
    plain,
    print_fields,
    print_json,
    print_listing,
    print_result,
    print_table,
    t,
)
from trefas_app.cli.sessions import as_user, case_id_of, session
from trefas_app.domain.address import format_address
from trefas_app.domain.enums import (
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
    ConsentStatus,
    ProtectionLevel,
    RiskLevel,
)
from trefas_app.domain.errors import UsageError, ValidationError
from trefas_app.domain.labels import person_code


def cmd_person_list(args: argparse.Namespace) -> int:
    from trefas_app.services import persons

    page = as_user(args, persons.list_persons, opt(args, "query") or "", **paging(args))
    return print_listing(
        args, page, ["ID", t("Namn", "Name"), t("Personnummer", "Personal number"),
                     t("Risk", "Risk"), t("Öppna ärenden", "Open cases")],
        [(person_code(p.id), p.display_name, p.personal_number or "", p.risk_level,
          p.open_cases) for p in page.rows])


def _print_person(p) -> None:
    print_fields([("ID", p.alias), (t("Namn", "Name"), p.display_name),
                  (t("Personnummer", "Personal number"), p.personal_number),
                  (t("Telefon", "Phone"), p.phone),
                  (t("Adress", "Address"), format_address(p.address, p.postal_code, p.city)),
                  (t("Skydd", "Protection"), p.protection_level),
                  (t("Risknivå", "Risk level"), p.risk_level),
                  (t("Riskfaktorer", "Risk factors"), p.risk_factors),
                  (t("Skyddsfaktorer", "Protective factors"), p.protective_factors),
                  ("Version", p.version)])
    if p.withheld:
        out(t("Visas inte för dig: ", "Not shown to you: ")
            + ", ".join(lbl(c) for c in p.withheld))


#: The person options (each also an attribute of PersonInput and PersonView).
_PERSON_TEXTS = ("first_name", "last_name", "personal_number", "phone", "address",
                 "postal_code", "city", "risk_factors", "protective_factors")


def _person_input(args: argparse.Namespace, current=None):
    """The person options given; an option not given keeps ``current``'s
    value (an edit: "" empties a field) or stays empty (a new person)."""
    from trefas_app.services import persons

    def given(name: str):
        value = opt(args, name)
        if value is None:
            return getattr(current, name) if current is not None else None
        return value.strip() or None

    protection = opt(args, "protection") or (current.protection_level if current
                                             else ProtectionLevel.NONE)
    risk = opt(args, "risk") or (current.risk_level if current else RiskLevel.GREEN)
    return persons.PersonInput(**{name: given(name) for name in _PERSON_TEXTS},
                               protection_level=ProtectionLevel(protection),
                               risk_level=RiskLevel(risk))


def cmd_person_add(args: argparse.Namespace) -> int:
    from trefas_app.services import persons

    view = as_user(args, persons.create_person, _person_input(args))
    return print_result(args, view, t(f"Personen är registrerad som {view.alias}.",
                                      f"The person has been registered as {view.alias}."))


def cmd_person_edit(args: argparse.Namespace) -> int:
    """Change the options given; with ``--version`` only if nobody saved the
    person since that version was shown (``person show``)."""
    from trefas_app.services import persons

    with session(args) as store:
        current = persons.get_person(store.uow(), store.actor, args.person_id)
        if current.withheld:  # saving would erase what this user cannot see
            raise UsageError("Du kan inte ändra personen: en del av uppgifterna visas inte "
                             "för dig.",
                             "You cannot change the person: some of the details are not "
                             "shown to you.")
        view = persons.update_person(store.uow(), store.actor, current.id,
                                     _person_input(args, current),
                                     expected_version=opt(args, "version"))
    return print_result(args, view, t(f"{view.alias} är ändrad (version {view.version}).",
                                      f"{view.alias} has been changed (version "
                                      f"{view.version})."))


def cmd_person_show(args: argparse.Namespace) -> int:
    from trefas_app.services import persons

    view = as_user(args, persons.get_person, args.person_id)
    if opt(args, "json"):
        print_json(view)
    else:
        _print_person(view)
    return EXIT_OK


def cmd_case_list(args: argparse.Namespace) -> int:
    from trefas_app.services import cases

    states = tuple(CaseState(s) for s in (opt(args, "state") or ()))
    filt = cases.CaseFilter(query=opt(args, "query") or "", states=states,
                            mine_only=bool(opt(args, "mine")))
    page = as_user(args, cases.list_cases, filt, **paging(args))
    return print_listing(
        args, page, [t("Nummer", "Number"), t("Rubrik", "Title"), t("Person", "Person"),
                     t("Status", "State"), t("Enhet", "Unit"), t("Senast", "Last entry")],
        [(c.number, c.title, c.person_name, c.state, c.unit_name, c.last_entry_at)
         for c in page.rows], hidden=True)


def cmd_case_open(args: argparse.Namespace) -> int:
    from trefas_app.services import cases

    view = as_user(args, cases.open_case, args.person, args.title)
    return print_result(args, view, t(f"Ärendet {view.number} är öppnat.",
                                      f"The case {view.number} has been opened."))


def cmd_case_show(args: argparse.Namespace) -> int:
    from trefas_app.services import cases, notes

    with session(args) as store:
        case_id = case_id_of(store, args.number)
        view = cases.get_case(store.uow(), store.actor, case_id)
        note_page = notes.list_notes(store.uow(), store.actor, case_id) \
            if opt(args, "notes") else None
    if opt(args, "json"):
        data = plain(view)
        if note_page is not None:
            data["notes"] = plain(note_page.rows)
            data["notes_hidden"] = plain(note_page.hidden)
        print_json(data)
        return EXIT_OK
    out(f"{view.number}  {view.title}")
    out(t(f"Status: {lbl(view.state)}   Enhet: {view.unit_name}   Ägare: {lbl(view.owner_agency)}",
          f"State: {lbl(view.state)}   Unit: {view.unit_name}   Owner: {lbl(view.owner_agency)}"))
    out(t(f"Öppnat: {cell(view.opened_at)}   Senaste post: {cell(view.last_entry_at)}",
          f"Opened: {cell(view.opened_at)}   Last entry: {cell(view.last_entry_at)}"))
    if view.emergency_until:
        out(t(f"NÖDÅTKOMST till {cell(view.emergency_until)} (endast läsning)",
              f"EMERGENCY ACCESS until {cell(view.emergency_until)} (read-only)"))
    out()
    _print_person(view.person)
    out()
    out(t("Team:", "Team:"))
    for m in view.team:
        mark = t(" (ansvarig)", " (responsible)") if m.responsible else ""
        out(f"  {m.display_name} – {lbl(m.role)}, {m.unit_name}{mark}")
    if note_page is not None:
        out()
        out(t("Anteckningar:", "Notes:"))
        for n in note_page.rows:
            out(f"  #{n.id} {cell(n.created_at)} [{lbl(n.category)}, {lbl(n.state)}] "
                f"{n.title} – {n.author}")
        hidden_notice(note_page)
    return EXIT_OK


def _note_body(args: argparse.Namespace) -> str:
    source = opt(args, "file")
    if source and source != "-":
        from trefas_app.domain.text import NOTE
        from trefas_app.input_files import read_bounded

        try:  # UTF-8 needs at most four bytes a character
            return read_bounded(Path(source).expanduser(), 4 * NOTE,
                                regular_only=False).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(f"Filen {source} kunde inte läsas som text (UTF-8).",
                                  f"The file {source} could not be read as text (UTF-8).") \
                from None
    if sys.stdin is None:
        raise UsageError("Ingen text: ange --file FIL eller skicka texten på standard in.",
                         "No text: give --file FILE or send the text on standard input.")
    if sys.stdin.isatty() and source != "-":
        err(t("Skriv anteckningen och avsluta med Ctrl-D (Ctrl-Z och Enter i Windows):",
              "Type the note and end with Ctrl-D (Ctrl-Z and Enter on Windows):"))
    return sys.stdin.read()


def cmd_note_add(args: argparse.Namespace) -> int:
    from trefas_app.services import notes

    body = _note_body(args)
    with session(args) as store:
        case_id = case_id_of(store, args.case)
        view = notes.write_note(store.uow(), store.actor, case_id, args.title, body,
                                Category(args.category), corrects_id=opt(args, "corrects"))
    sign = f"trefas note sign {view.id}{_store_and_user_options(args)}"
    return print_result(args, view, t(
        f"Anteckning #{view.id} är sparad som utkast. Signera med ”{sign}”.",
        f"Note #{view.id} is saved as a draft. Sign it with '{sign}'."))


def _store_and_user_options(args: argparse.Namespace) -> str:
    """``--store`` and ``--user`` as given to this command, for a follow-up
    command that should run as printed (nothing when they came from the
    environment, which the next command sees too)."""
    import shlex

    parts = []
    if opt(args, "store"):
        parts += ["--store", shlex.quote(str(args.store))]
    if opt(args, "user"):
        parts += ["--user", shlex.quote(args.user)]
    return "".join(" " + p for p in parts)


def cmd_note_edit(args: argparse.Namespace) -> int:
    """Change one's own draft (title, text, category); with ``--version``
    only if it was not saved since that version was shown (``note list``)."""
    from trefas_app.services import notes

    body = _note_body(args) if opt(args, "file") is not None else None  # else the text stays
    with session(args) as store:
        current = notes.get_note(store.uow(), store.actor, args.note_id)
        view = notes.update_draft(store.uow(), store.actor, current.id,
                                  opt(args, "title") or current.title,
                                  current.body if body is None else body,
                                  Category(opt(args, "category") or current.category),
                                  expected_version=opt(args, "version"))
    return print_result(args, view, t(
        f"Utkastet #{view.id} är sparat (version {view.version}).",
        f"Draft #{view.id} is saved (version {view.version})."))


def cmd_note_sign(args: argparse.Namespace) -> int:
    from trefas_app.services import notes

    view = as_user(args, notes.sign_note, args.note_id,
                   expected_version=opt(args, "version"))
    out(t(f"Anteckning #{view.id} är signerad och kan inte längre ändras.",
          f"Note #{view.id} is signed and can no longer be changed."))
    return EXIT_OK


def cmd_note_list(args: argparse.Namespace) -> int:
    from trefas_app.services import notes

    with session(args) as store:
        page = notes.list_notes(store.uow(), store.actor, case_id_of(store, args.case),
                                **paging(args, limit=100))
    return print_listing(
        args, page, ["ID", t("Skapad", "Created"), t("Kategori", "Category"),
                     t("Status", "State"), t("Rubrik", "Title"), t("Författare", "Author"),
                     "Version"],
        [(n.id, n.created_at, n.category, n.state, n.title, n.author, n.version)
         for n in page.rows],
        hidden=True, more=False)


def cmd_consent_add(args: argparse.Namespace) -> int:
    from trefas_app.domain.clock import today
    from trefas_app.services import consents

    valid_from = opt(args, "valid_from") or today()
    if not opt(args, "valid_from") and args.until < valid_from:
        # Without --from the start is today: say what is wrong with the date given.
        raise ValidationError(
            f"Slutdatumet {args.until.isoformat()} har redan passerat (i dag är "
            f"{valid_from.isoformat()}). Ange ett senare datum, t.ex. --until +6m.",
            f"The end date {args.until.isoformat()} has already passed (today is "
            f"{valid_from.isoformat()}). Give a later date, e.g. --until +6m.")
    with session(args) as store:
        case_id = case_id_of(store, args.case) if opt(args, "case") else None
        view = consents.record_consent(store.uow(), store.actor, consents.ConsentInput(
            person_id=args.person, purpose=args.purpose, valid_from=valid_from,
            valid_until=args.until, grants=frozenset(args.grant),
            basis=ConsentBasis(opt(args, "basis") or ConsentBasis.CONSENT),
            form=ConsentForm(opt(args, "form") or ConsentForm.WRITTEN),
            guardian_name=opt(args, "guardian"),
            legal_reference=opt(args, "legal_reference"), case_id=case_id))
    return print_result(args, view, t(
        f"Samtycke #{view.id} är registrerat och gäller {view.valid_from} – {view.valid_until}.",
        f"Consent #{view.id} has been recorded, valid {view.valid_from} – {view.valid_until}."))


def _consent_status(status: str) -> str:
    from trefas_app.domain.labels import label
    status = ConsentStatus(status)
    return t(label(status, "sv"), label(status, "en"))


def cmd_consent_withdraw(args: argparse.Namespace) -> int:
    from trefas_app.services import consents

    view = as_user(args, consents.withdraw_consent, args.consent_id, args.reason)
    out(t(f"Samtycke #{view.id} är återkallat från och med nu.",
          f"Consent #{view.id} is withdrawn as of now."))
    return EXIT_OK


def cmd_consent_list(args: argparse.Namespace) -> int:
    from trefas_app.services import consents

    views = as_user(args, consents.list_consents, args.person)
    if opt(args, "json"):
        print_json(views)
        return EXIT_OK
    print_table(["ID", t("Status", "State"), t("Från", "From"), t("Till", "Until"),
                 t("Syfte", "Purpose"), t("Delas med", "Shared with")],
                [(c.id, _consent_status(c.status), c.valid_from, c.valid_until, c.purpose,
                  ", ".join(f"{a.value}:{cat.value}" for a, cat in c.grants))
                 for c in views])
    return EXIT_OK


def cmd_emergency(args: argparse.Namespace) -> int:
    from trefas_app.services import cases

    # By number outside one's scope on purpose: the service logs the break of the glass.
    view = as_user(args, cases.request_emergency_access, args.case.strip(), args.reason,
                   hours=args.hours)
    out(t(f"Nödåtkomst till {view.number} gäller till {cell(view.emergency_until)} "
          f"(endast läsning). Åtkomsten loggas och granskas av enhetschef.",
          f"Emergency access to {view.number} is valid until {cell(view.emergency_until)} "
          f"(read-only). The access is logged and reviewed by a supervisor."))
    return EXIT_OK


def _person_arguments(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--first-name", metavar="TEXT", required=required)
    p.add_argument("--last-name", metavar="TEXT", required=required)
    p.add_argument("--personal-number", metavar="NUMBER",
                   help="personnummer eller samordningsnummer")
    p.add_argument("--phone", metavar="NUMBER")
    p.add_argument("--address", metavar="TEXT")
    p.add_argument("--postal-code", metavar="TEXT")
    p.add_argument("--city", metavar="TEXT")
    p.add_argument("--protection", choices=values(ProtectionLevel))
    p.add_argument("--risk", choices=values(RiskLevel))
    p.add_argument("--risk-factors", metavar="TEXT")
    p.add_argument("--protective-factors", metavar="TEXT")


def _version_argument(p: argparse.ArgumentParser, shown_by: str) -> None:
    """``--version N``: change the record only if it is still the version the
    user read (two people editing the same record, issue 13)."""
    p.add_argument("--version", type=positive_int, metavar="N",
                   help=f"bara om posten fortfarande har versionen N (visas av "
                        f"”trefas {shown_by}”); annars ändras ingenting")


def register(commands: Commands) -> None:
    add, sub, acting, as_json = commands.add, commands.sub, commands.acting, commands.as_json
    pages = commands.paging
    person = commands.group("person", "personer")
    p = add(person, "list", cmd_person_list, "lista eller sök personer",
            [acting, as_json, pages], "person list")
    p.add_argument("--query", metavar="TEXT", help="namn, personnummer eller P-nummer")
    p = add(person, "add", cmd_person_add, "registrera en person", [acting, as_json],
            "person add")
    _person_arguments(p, required=True)
    p = add(person, "edit", cmd_person_edit, "ändra en persons uppgifter (de som anges)",
            [acting, as_json], "person edit")
    p.add_argument("person_id", type=person_id_arg, metavar="ID")
    _person_arguments(p, required=False)
    _version_argument(p, "person show")
    p = add(person, "show", cmd_person_show, "visa en person", [acting, as_json],
            "person show")
    p.add_argument("person_id", type=person_id_arg, metavar="ID")

    case = commands.group("case", "ärenden")
    p = add(case, "list", cmd_case_list, "lista ärenden", [acting, as_json, pages],
            "case list")
    p.add_argument("--state", action="append", choices=values(CaseState))
    p.add_argument("--query", metavar="TEXT")
    p.add_argument("--mine", action="store_true", help="bara ärenden där du ingår i teamet")
    p = add(case, "show", cmd_case_show, "visa ett ärende", [acting, as_json], "case show")
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--notes", action="store_true", help="ta med anteckningarna")
    p = add(case, "open", cmd_case_open, "öppna ett ärende för en person", [acting, as_json],
            "case open")
    p.add_argument("--person", type=person_id_arg, metavar="ID", required=True)
    p.add_argument("--title", metavar="TEXT", required=True)

    note = commands.group("note", "journalanteckningar")
    p = add(note, "add", cmd_note_add, "skriv en anteckning (texten från standard in eller "
            "--file)", [acting, as_json], "note add")
    p.add_argument("--case", metavar="NUMBER", required=True)
    p.add_argument("--title", metavar="TEXT", required=True)
    p.add_argument("--category", choices=values(Category), required=True)
    p.add_argument("--file", metavar="FILE", help="läs texten från filen ('-' = standard in)")
    p.add_argument("--corrects", type=int, metavar="ID", help="rättar den signerade "
                   "anteckningen ID")
    p = add(note, "edit", cmd_note_edit, "ändra ett eget utkast (ny text med --file; "
            "'--file -' = standard in)", [acting, as_json], "note edit")
    p.add_argument("note_id", type=int, metavar="ID")
    p.add_argument("--title", metavar="TEXT")
    p.add_argument("--category", choices=values(Category))
    p.add_argument("--file", metavar="FILE", help="läs texten från filen ('-' = standard in)")
    _version_argument(p, "note list")
    p = add(note, "sign", cmd_note_sign, "signera ett utkast", [acting], "note sign")
    p.add_argument("note_id", type=int, metavar="ID")
    _version_argument(p, "note list")
    p = add(note, "list", cmd_note_list, "lista ett ärendes anteckningar",
            [acting, as_json, pages], "note list")
    p.add_argument("--case", metavar="NUMBER", required=True)

    consent = commands.group("consent", "samtycken")
    p = add(consent, "add", cmd_consent_add, "registrera ett samtycke eller lagstöd",
            [acting, as_json], "consent add")
    p.add_argument("--person", type=person_id_arg, metavar="ID", required=True)
    p.add_argument("--purpose", metavar="TEXT", required=True)
    p.add_argument("--from", dest="valid_from", type=date_arg, metavar="DATE",
                   help="gäller från (annars i dag)")
    p.add_argument("--until", type=date_arg, metavar="DATE", required=True,
                   help="gäller till och med (krävs)")
    p.add_argument("--grant", type=grant_arg, action="append", required=True,
                   metavar="AGENCY:CATEGORY", help="t.ex. police:social (kan upprepas)")
    p.add_argument("--basis", choices=values(ConsentBasis))
    p.add_argument("--form", choices=values(ConsentForm))
    p.add_argument("--guardian", metavar="NAME", help="vårdnadshavare (för den under 18)")
    p.add_argument("--legal-reference", metavar="TEXT", help="lagrum vid lagstöd")
    p.add_argument("--case", metavar="NUMBER")
    p = add(consent, "withdraw", cmd_consent_withdraw, "återkalla ett samtycke", [acting],
            "consent withdraw")
    p.add_argument("consent_id", type=int, metavar="ID")
    p.add_argument("--reason", metavar="TEXT", required=True)
    p = add(consent, "list", cmd_consent_list, "lista en persons samtycken", [acting, as_json],
            "consent list")
    p.add_argument("--person", type=person_id_arg, metavar="ID", required=True)

    p = add(sub, "emergency", cmd_emergency, "nödåtkomst: läs ett ärende utanför ditt team, "
            "med skäl", [acting])
    p.add_argument("--case", metavar="NUMBER", required=True)
    p.add_argument("--reason", metavar="TEXT", required=True)
    p.add_argument("--hours", type=positive_int, default=4)
