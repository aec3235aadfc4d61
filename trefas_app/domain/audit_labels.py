"""The one table of readable names for access-log actions and record kinds.

The log stores short codes (``case.read``, ``document.handover``); people
reading the log — in ``trefas audit show`` and on the window's Logg screen —
see these labels instead, in Swedish or English. Every action the program
writes has an entry here (a test walks the source to make sure); an unknown
code from a newer version still gets a readable guess from its kind and verb.
"""

from __future__ import annotations

import datetime as dt
import re
from trefas_app.domain.labels import person_code

__all__ = ["ACTION_LABELS", "KIND_LABELS", "action_label", "actions_matching",
           "subject_label"]

#: action code -> (Swedish, English)
ACTION_LABELS: dict[str, tuple[str, str]] = {
    # sessions and the store
    "login": ("Loggade in", "Logged in"),
    "login.failed": ("Misslyckad inloggning", "Failed log-in"),
    "login.recovery_key": ("Inloggning med återställningsnyckel", "Log-in with recovery key"),
    "logout": ("Loggade ut", "Logged out"),
    "lock": ("Låste", "Locked"),
    "unlock": ("Låste upp", "Unlocked"),
    "store.create": ("Skapade lagringsplatsen", "Created the store"),
    "store.import": ("Flyttade en lokal lagringsplats till servern",
                     "Moved a local store to the server"),
    "store.check": ("Kontrollerade lagringsplatsen", "Checked the store"),
    "settings.change": ("Ändrade inställning", "Changed a setting"),
    "access.denied": ("Nekad åtkomst", "Access denied"),
    "refused": ("Nekad åtgärd", "Refused action"),
    # administration
    "user.create": ("Skapade användare", "Created user"),
    "user.disable": ("Stängde av användare", "Disabled user"),
    "user.password_reset": ("Gav nytt lösenord", "Reset a password"),
    "user.password_change": ("Bytte sitt lösenord", "Changed own password"),
    "user.list": ("Listade användare", "Listed users"),
    "user.directory": ("Läste användarkatalogen", "Read the user directory"),
    "unit.create": ("Skapade enhet", "Created unit"),
    "user.enable": ("Aktiverade användare", "Enabled user"),
    # accounts and keys (issue 11)
    "account.create": ("Skapade konto med engångskod", "Created account with one-time code"),
    "account.enrolment_code": ("Gav engångskod", "Gave a one-time code"),
    "account.enrol": ("Valde lösenord med engångskod", "Chose a password with a one-time code"),
    "account.enrol_failed": ("Fel engångskod", "Wrong one-time code"),
    "account.enrol_expired": ("Utgången engångskod", "Expired one-time code"),
    "account.confirm": ("Bekräftade konto", "Confirmed account"),
    "account.confirm_recovery": ("Bekräftade konto med återställningsnyckeln",
                                 "Confirmed account with the recovery key"),
    "account.reset_recovery": ("Gav engångskod med återställningsnyckeln",
                               "Gave a one-time code with the recovery key"),
    "account.unverified": ("Konto utan giltig administratörssignatur",
                           "Account without a valid administrator signature"),
    "key.admin_slot_converted": ("Tog bort administratörens datanyckel",
                                 "Removed the administrator's data key"),
    "keyfile.tampered": ("Manipulerad nyckelfil", "Tampered key file"),
    "backup": ("Gjorde säkerhetskopia", "Made a backup"),
    "restore": ("Återställde från säkerhetskopia", "Restored from a backup"),
    "rekey": ("Bytte datanyckel", "Changed the data key"),
    "retention.list": ("Listade ärenden att gallra", "Listed cases due for deletion"),
    "retention.run": ("Körde gallring", "Ran retention"),
    "retention.delete": ("Gallrade ärende", "Deleted case (retention)"),
    "audit.read": ("Granskade åtkomstloggen", "Reviewed the access log"),
    "audit.verify": ("Kontrollerade loggkedjan", "Verified the log chain"),
    "dashboard.read": ("Öppnade översikten", "Opened the dashboard"),
    # persons and cases
    "person.read": ("Läste personuppgifter", "Read personal details"),
    "person.search": ("Sökte personer", "Searched persons"),
    "person.create": ("Registrerade personuppgifter", "Registered personal details"),
    "person.update": ("Ändrade personuppgifter", "Updated personal details"),
    "identity.reveal": ("Visade skyddad identitet", "Revealed protected identity"),
    "case.read": ("Läste ärendet", "Read the case"),
    "case.search": ("Sökte ärenden", "Searched cases"),
    "case.create": ("Öppnade ärende", "Opened case"),
    "case.state": ("Ändrade ärendets status", "Changed case state"),
    "case.team.add": ("Lade till person i ärendeteamet", "Added someone to the case team"),
    "case.team.remove": ("Tog bort person ur ärendeteamet",
                         "Removed someone from the case team"),
    "emergency.access": ("Nödåtkomst till ärendet", "Emergency access to the case"),
    "emergency.reviewed": ("Granskade nödåtkomst", "Reviewed emergency access"),
    "emergency.review.list": ("Listade nödåtkomster", "Listed emergency accesses"),
    # notes and consents
    "note.read": ("Läste anteckning", "Read note"),
    "note.list": ("Listade anteckningar", "Listed notes"),
    "note.update": ("Ändrade utkast", "Updated draft"),
    "note.sign": ("Signerade anteckning", "Signed note"),
    "note.correct": ("Rättade anteckning", "Corrected note"),
    "note.delete_draft": ("Tog bort utkast", "Deleted draft"),
    "consent.create": ("Registrerade samtycke", "Recorded consent"),
    "consent.amend": ("Ändrade samtycke", "Amended consent"),
    "consent.withdraw": ("Återkallade samtycke", "Withdrew consent"),
    "consent.list": ("Läste samtycken", "Read consents"),
    "consent.expiring": ("Listade samtycken som löper ut", "Listed expiring consents"),
    # documents
    "document.handover": ("Skapade överlämningsdokument", "Issued handover document"),
    "document.handover.refused": ("Överlämning nekad", "Handover refused"),
    "document.summary": ("Skapade ärendesammanställning", "Issued case summary"),
    "document.extract": ("Skapade registerutdrag", "Issued subject access extract"),
    "document.log_extract": ("Skapade utdrag ur åtkomstloggen", "Issued access log extract"),
    "document.minutes": ("Skapade minnesanteckningar", "Issued meeting minutes"),
    "document.print": ("Skrev ut dokument", "Printed document"),
    "document.list": ("Listade ärendets utfärdade dokument",
                      "Listed the case's issued documents"),
    "document.verify": ("Kontrollerade dokument", "Verified document"),
    "disclosure": ("Lämnade ut uppgifter", "Disclosed information"),
    # SIG referrals, plans, exit support
    "referral.read": ("Läste SIG-aktualisering", "Read SIG referral"),
    "referral.list": ("Listade SIG-aktualiseringar", "Listed SIG referrals"),
    "referral.create": ("Registrerade SIG-aktualisering", "Recorded SIG referral"),
    "referral.state": ("Ändrade SIG-aktualiseringens status", "Changed SIG referral state"),
    "plan.read": ("Läste plan", "Read plan"),
    "plan.list": ("Listade planer", "Listed plans"),
    "plan.create": ("Skapade plan", "Created plan"),
    "plan.state": ("Ändrade planens status", "Changed plan state"),
    "plan.goal.add": ("Lade till mål i plan", "Added plan goal"),
    "plan.action.add": ("Lade till åtgärd i plan", "Added plan action"),
    "plan.action.done": ("Klarmarkerade åtgärd i plan", "Completed plan action"),
    "exit.read": ("Läste avhopparstöd", "Read exit programme"),
    "exit.list": ("Listade avhopparstöd", "Listed exit programmes"),
    "exit.create": ("Registrerade avhopparstöd", "Recorded exit programme"),
    "exit.state": ("Ändrade avhopparstödets status", "Changed exit programme state"),
    "exit.agreement": ("Skrev överenskommelse", "Wrote agreement"),
    "exit.agreement.approve": ("Godkände överenskommelse", "Approved agreement"),
    "exit.waiting.read": ("Såg väntande avhopparförfrågan", "Saw waiting exit request"),
    "threat.create": ("Gjorde hotbedömning", "Made threat assessment"),
    "measure.create": ("Registrerade skyddsåtgärd", "Recorded protective measure"),
    "measure.end": ("Avslutade skyddsåtgärd", "Ended protective measure"),
    "support.create": ("Registrerade stöd", "Recorded support"),
    "support.end": ("Avslutade stöd", "Ended support"),
    # incidents, meetings, tasks
    "incident.read": ("Läste händelse", "Read incident"),
    "incident.list": ("Listade händelser", "Listed incidents"),
    "incident.create": ("Registrerade händelse", "Recorded incident"),
    "incident.state": ("Ändrade händelsens status", "Changed incident state"),
    "involvement.read": ("Läste koppling till händelse", "Read incident involvement"),
    "involvement.list": ("Listade kopplingar till händelser", "Listed incident involvements"),
    "involvement.create": ("Kopplade person till händelse", "Linked person to incident"),
    "routine.step.done": ("Klarmarkerade rutinsteg", "Completed routine step"),
    "routine.step.assign": ("Tilldelade rutinsteg", "Assigned routine step"),
    "routine.step.reopen": ("Öppnade rutinsteg igen", "Reopened routine step"),
    "meeting.read": ("Läste möte", "Read meeting"),
    "meeting.list": ("Listade möten", "Listed meetings"),
    "meeting.create": ("Planerade möte", "Planned meeting"),
    "meeting.held": ("Markerade möte som hållet", "Marked meeting held"),
    "meeting_item.read": ("Läste mötespunkt", "Read meeting item"),
    "meeting_item.list": ("Listade mötespunkter", "Listed meeting items"),
    "meeting_item.create": ("Lade till mötespunkt", "Added meeting item"),
    "task.read": ("Läste åtgärdspunkt", "Read task"),
    "task.list": ("Listade åtgärdspunkter", "Listed tasks"),
    "task.create": ("Skapade åtgärdspunkt", "Created task"),
    "task.state": ("Ändrade åtgärdspunktens status", "Changed task state"),
}

#: record kind (subject_kind) -> (Swedish, English)
KIND_LABELS: dict[str, tuple[str, str]] = {
    "person": ("person", "person"), "case": ("ärende", "case"),
    "note": ("anteckning", "note"), "consent": ("samtycke", "consent"),
    "referral": ("SIG-aktualisering", "SIG referral"), "plan": ("plan", "plan"),
    "exit": ("avhopparstöd", "exit programme"), "threat": ("hotbedömning", "threat assessment"),
    "measure": ("skyddsåtgärd", "protective measure"), "support": ("stöd", "support"),
    "incident": ("händelse", "incident"), "involvement": ("koppling till händelse", "involvement"),
    "meeting": ("möte", "meeting"), "meeting_item": ("mötespunkt", "meeting item"),
    "task": ("åtgärdspunkt", "task"), "routine": ("rutinsteg", "routine step"),
    "routine_step": ("rutinsteg", "routine step"), "document": ("dokument", "document"),
    "user": ("användare", "user"), "unit": ("enhet", "unit"),
    "backup": ("säkerhetskopia", "backup"),
    "emergency_access": ("nödåtkomst", "emergency access"),
    "goal": ("mål i plan", "plan goal"), "action": ("åtgärd i plan", "plan action"),
    "step": ("rutinsteg", "routine step"), "agreement": ("överenskommelse", "agreement"),
    "team": ("teammedlem", "team member"), "waiting": ("väntande förfrågan", "waiting request"),
}

_VERBS: dict[str, tuple[str, str]] = {
    "read": ("Läste", "Read"), "list": ("Listade", "Listed"), "search": ("Sökte", "Searched"),
    "create": ("Skapade", "Created"), "update": ("Ändrade", "Updated"),
    "state": ("Ändrade status:", "Changed state:"), "add": ("Lade till", "Added"),
    "done": ("Klarmarkerade", "Completed"), "end": ("Avslutade", "Ended"),
}


def _index(lang: str) -> int:
    return 1 if lang == "en" else 0


def action_label(action: str, lang: str = "sv") -> str:
    """The readable name of a log action; a guess from kind and verb for a
    code this version does not know, else the code itself."""
    i = _index(lang)
    pair = ACTION_LABELS.get(action)
    if pair is not None:
        return pair[i]
    parts = action.split(".")
    kind = parts[-2] if len(parts) >= 2 and parts[-2] in KIND_LABELS else parts[0]
    if len(parts) >= 2 and kind in KIND_LABELS and parts[-1] in _VERBS:
        return f"{_VERBS[parts[-1]][i]} {KIND_LABELS[kind][i]}"
    return action


def subject_label(kind: str | None, lang: str = "sv") -> str:
    """The readable name of a record kind ("exit" -> "avhopparstöd")."""
    if not kind:
        return ""
    pair = KIND_LABELS.get(kind)
    return kind if pair is None else pair[_index(lang)]


_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def actions_matching(text: str) -> frozenset[str]:
    """The known action codes that ``text`` names: the code, a prefix of it,
    or the beginning of any word of the code or of its Swedish or English
    label ("lo" finds login, logout, lock; "läste" finds every read)."""
    wanted = _words(text)
    if not wanted:
        return frozenset()
    whole = text.strip().casefold()
    found = set()
    for code, (sv, en) in ACTION_LABELS.items():
        if code.startswith(whole):
            found.add(code)
            continue
        for words in (_words(code), _words(sv), _words(en)):
            if all(any(w.startswith(part) for w in words) for part in wanted):
                found.add(code)
                break
    return frozenset(found)


#: Record kinds whose ids people see and type (``note sign 306``, ``consent
#: withdraw 53``): these keep their id in the "Post" column.
_KINDS_BY_ID = ("note", "consent", "meeting")


def subject_text(kind: str | None, subject_id: str | None, case_number: str | None,
                 person_id: int | None, lang: str = "sv") -> str:
    """What an entry was about, as people know it: a case by its number, a
    person by the alias P-0042, a note or consent by its number, anything
    else by its kind (its case is in the case column)."""
    if not kind:
        return ""
    if kind == "case":
        return case_number or subject_label(kind, lang)
    if kind == "person" and subject_id and subject_id.isdigit():
        return p_number(int(subject_id))
    if kind in _KINDS_BY_ID and subject_id:
        return f"{subject_label(kind, lang)} #{subject_id}"
    return subject_label(kind, lang)


def p_number(person_id: int | None) -> str:
    """The P-number a person is known by (P-0042)."""
    return "" if person_id is None else person_code(person_id)


def case_text(case_id: int | None, case_number: str | None, lang: str = "sv") -> str:
    """A log entry's case as the reader knows it: its number, or — for a case
    the reader may not see — that it is outside their view, never its id."""
    if case_id is None:
        return ""
    return case_number or ("(ärende du inte ser)" if lang != "en" else "(case not visible)")


def entry_time(at: str | None) -> dt.datetime | None:
    """A log entry's stored ``at`` text as an aware instant (None if unreadable)."""
    try:
        value = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
