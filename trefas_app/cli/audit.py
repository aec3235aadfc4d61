"""The access log: ``trefas audit verify``, ``acknowledge`` and ``show``."""

from __future__ import annotations

import argparse

from trefas_app.cli.arguments import SUPPRESS, Commands, date_arg, opt, person_id_arg
from trefas_app.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    Lang,
    err,
    lbl,
    out,
    print_json,
    print_table,
    t,
)
from trefas_app.cli.passwords import read_password_file
from trefas_app.cli.sessions import (
    case_id_of,
    report_alarms,
    require_store,
    session,
    store_dir,
)
from trefas_app.domain.enums import Agency


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from trefas_app.services import audit_log

    with session(args) as store:
        report = audit_log.verify_log(store, store.actor, full=bool(opt(args, "full")))
    if opt(args, "json"):
        print_json(report)
    elif report.ok and report.incremental:
        out(t(f"Åtkomstloggen är obruten: {report.entries} poster kontrollerade (det nya sedan "
              "senaste kontrollen och ett slumpvis urval äldre; --full kontrollerar alla).",
              f"The access log is intact: {report.entries} entries checked (what is new since "
              "the last check and a random sample of older ones; --full checks all)."))
    elif report.ok:
        out(t(f"Åtkomstloggen är obruten: {report.entries} poster kontrollerade.",
              f"The access log is intact: {report.entries} entries checked."))
    else:
        problem = (getattr(report, "problem_sv", None) if Lang.code == "sv"
                   else getattr(report, "problem_en", None)) or \
            getattr(report, "problem_sv", None) or ""
        where = "" if report.first_bad_seq is None else t(
            f" (första felet vid post {report.first_bad_seq})",
            f" (first fault at entry {report.first_bad_seq})")
        err(t(f"Åtkomstloggen är inte obruten{where}: {problem}",
              f"The access log is not intact{where}: {problem}"))
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_audit_acknowledge(args: argparse.Namespace) -> int:
    """A key holder acknowledges the standing alarm about the log: a
    supervisor with --user, or whoever holds the recovery key."""
    from trefas_app.services import audit_log
    from trefas_app.store.store import unlock_with_recovery_key

    key_file = opt(args, "recovery_key_file")
    if key_file:
        root = store_dir(args)
        require_store(root)
        store = unlock_with_recovery_key(root, read_password_file(key_file))
        report_alarms(store)
        try:
            seq = audit_log.acknowledge_alarm(store, store.actor, args.reason)
        finally:
            store.close()
    else:
        with session(args) as store:
            seq = audit_log.acknowledge_alarm(store, store.actor, args.reason)
    out(t(f"Larmet (loggpost {seq}) är kvitterat och kvitteringen är loggad.",
          f"The alarm (log entry {seq}) has been acknowledged, and that is logged."))
    return EXIT_OK


def cmd_audit_show(args: argparse.Namespace) -> int:
    from trefas_app.domain import audit_labels as al
    from trefas_app.domain.clock import format_local
    from trefas_app.services import audit_log

    filters = {"person_id": opt(args, "person"), "case_id": None,
               "username": opt(args, "by_user"), "action_words": opt(args, "action"),
               "since": opt(args, "since"), "until": opt(args, "until")}
    with session(args) as store:
        if opt(args, "case"):
            filters["case_id"] = case_id_of(store, args.case)
        page = audit_log.show_log(store.uow(), store.actor,
                                  **{k: v for k, v in filters.items() if v is not None},
                                  offset=opt(args, "offset") or 0,
                                  limit=opt(args, "limit") or 200)
    rows = list(page.rows)
    if opt(args, "json"):
        print_json({"total": page.total, "offset": page.offset, "rows": rows})
        return EXIT_OK
    if not rows:
        out(t("Inga poster.", "No entries."))
        return EXIT_OK
    lang = Lang.code
    print_table(
        [t("Nr", "No."), t("Tid", "Time"), t("Användare", "User"),
         t("Myndighet", "Agency"), t("Händelse", "Event"), t("Ärende", "Case"),
         t("Person", "Person"), t("Post", "Record"), t("Skäl", "Reason")],
        [[r.seq, format_local(al.entry_time(r.at)), r.username or "",
          _agency_label(r.agency), al.action_label(r.action, lang),
          al.case_text(r.case_id, r.case_number, lang), al.p_number(r.person_id),
          al.subject_text(r.subject_kind, r.subject_id, r.case_number, r.person_id, lang),
          r.reason or ""] for r in rows])
    if page.total > page.offset + len(rows):
        out(t(f"… visar {len(rows)} av {page.total}; använd --offset för fler.",
              f"… showing {len(rows)} of {page.total}; use --offset for more."))
    return EXIT_OK


def _agency_label(value: str | None) -> str:
    try:
        return lbl(Agency(value)) if value else ""
    except ValueError:
        return value or ""


def register(commands: Commands) -> None:
    add, acting, as_json = commands.add, commands.acting, commands.as_json
    audit = commands.group("audit", "åtkomstloggen")
    p = add(audit, "verify", cmd_audit_verify,
            "kontrollera att loggkedjan är obruten (det nya sedan senaste kontrollen och ett "
            "slumpvis urval äldre poster; --full: varje post)", [acting, as_json], "audit verify")
    p.add_argument("--full", action="store_true",
                   help="kontrollera varje post i hela kedjan (som trefas check --user)")
    p = add(audit, "acknowledge", cmd_audit_acknowledge,
            "kvittera ett larm om åtkomstloggen (arbetsledare eller återställningsnyckeln)",
            [acting], "audit acknowledge")
    p.add_argument("--reason", metavar="TEXT", required=True,
                   help="vad du har granskat och varför larmet kan kvitteras")
    p.add_argument("--recovery-key-file", metavar="FILE", default=SUPPRESS,
                   help="kvittera med återställningsnyckeln på filens första rad")
    p = add(audit, "show", cmd_audit_show, "visa loggposter", [acting, as_json, commands.paging],
            "audit show")
    p.add_argument("--person", type=person_id_arg, metavar="ID",
                   help="poster om personen (P-0042 eller 42)")
    p.add_argument("--case", metavar="NUMBER", help="ärendets nummer eller id")
    p.add_argument("--by-user", metavar="NAME",
                   help="poster om vad den här användaren gjort (--user är du som läser)")
    p.add_argument("--action", metavar="TEXT",
                   help="händelser vars kod eller namn har ett ord som börjar så, t.ex. "
                        "”lo” (inloggningar, utloggningar), ”läste”, ”case.read”")
    p.add_argument("--since", type=date_arg, metavar="DATE",
                   help="från och med dagen (ÅÅÅÅ-MM-DD, eller t.ex. -7d för en vecka sedan)")
    p.add_argument("--until", type=date_arg, metavar="DATE",
                   help="till och med dagen (ÅÅÅÅ-MM-DD, eller t.ex. today)")
