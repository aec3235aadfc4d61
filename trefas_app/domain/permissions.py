"""Which role may do what (DESIGN §2): the permission table, as data.

A permission is "<kind>.<verb>". The service layer checks it through
``security.access``; the GUI only mirrors it to decide which buttons to show.
The administrator has no permission on any kind of case content.
"""

from __future__ import annotations

from trefas_app.domain.enums import Role

# Kinds of case content, each with the data category its records carry when
# the record itself does not carry one (notes and tasks do).
CONTENT_KINDS = ("person", "relative", "case", "consent", "referral", "plan", "exit",
                 "threat", "measure", "support", "involvement", "meeting_item", "task",
                 "note", "document", "disclosure")

_READ_ALL_CONTENT = {f"{kind}.read" for kind in CONTENT_KINDS} | {
    "incident.read", "routine.read", "meeting.read"}

_CASEWORK = _READ_ALL_CONTENT | {
    "person.create", "person.update", "relative.write",
    "case.create", "case.update", "case.request_closure", "case.team",
    "consent.write", "referral.write", "plan.write", "exit.write",
    "threat.write", "measure.write", "support.write", "involvement.write",
    "task.write", "note.write", "note.sign",
    "document.handover", "document.extract",
    "emergency.use", "identity.reveal",
}

_AGENCY_LIAISON = _READ_ALL_CONTENT | {
    "referral.write",  # police and probation refer people to SIG
    "threat.write", "measure.write", "involvement.write",
    "incident.write", "routine.write",
    "task.write", "note.write", "note.sign",
    "document.handover",
    "emergency.use", "identity.reveal",
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.SOCIAL_WORKER: frozenset(_CASEWORK),
    Role.COORDINATOR: frozenset(_CASEWORK | {
        "meeting.write", "incident.write", "routine.write", "document.minutes"}),
    Role.POLICE_LIAISON: frozenset(_AGENCY_LIAISON),
    Role.PROBATION_OFFICER: frozenset(_AGENCY_LIAISON - {"incident.write"}),
    Role.SUPERVISOR: frozenset(_READ_ALL_CONTENT | {
        "case.approve_closure", "case.update", "plan.approve", "exit.approve",
        "task.write", "document.summary", "document.extract", "document.log_extract",
        "document.minutes", "audit.read", "emergency.review", "identity.reveal",
        "user.list",
        # The key holder's half of what the administrator did alone before:
        # confirming accounts, changing the data key, retention, restore.
        "account.confirm", "system.rekey", "system.retention", "system.restore",
        "system.backup", "audit.verify"}),
    Role.ADMINISTRATOR: frozenset({
        "user.list", "user.manage", "system.backup", "system.restore", "system.rekey",
        "system.retention", "system.settings", "audit.verify"}),
}


def role_may(role: Role, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def may_change_meeting(actor, chair_id: int, unit_id: int) -> bool:
    """Who may change a meeting (its items, its held mark): a user with
    ``meeting.write`` who chairs it, or a coordinator of its unit. The service
    refuses everyone else; the GUI uses the same rule to decide what to offer."""
    return actor.may("meeting.write") and (
        chair_id == actor.user_id
        or (actor.role == Role.COORDINATOR and actor.unit_id == unit_id))
