"""Two people saving the same record: the second save is refused with who
changed it and when, never applied over the first (issue 13).

Editable records carry a version (models.Versioned). A service that saves
what a user edited from an earlier read takes that read's version
(``expected_version``) and calls :func:`require_version`; two transactions
saving at the same instant are caught by the version counter itself
(SQLAlchemy's StaleDataError, translated by the unit of work).
"""

from __future__ import annotations

from sqlalchemy import select

from trefas_app.domain import clock
from trefas_app.domain.changes import Changed
from trefas_app.domain.errors import ChangedMeanwhile

#: Table -> (Swedish noun with article, English noun).
NOUNS = {"notes": ("Anteckningen", "note"), "plans": ("Planen", "plan"),
         "referrals": ("Aktualiseringen", "referral"), "tasks": ("Uppgiften", "task"),
         "persons": ("Personuppgifterna", "person record"),
         "exit_programmes": ("Avhopparärendet", "exit programme"),
         "routine_steps": ("Rutinsteget", "routine step")}

__all__ = ["ChangedMeanwhile", "NOUNS", "changed_meanwhile", "require_version",
           "saved_at_the_same_time"]


def require_version(session, record, expected: int | None) -> None:
    """Refuse the save unless the record still has the version the user read."""
    if expected is not None and record.version != expected:
        raise changed_meanwhile(session, record)


def changed_meanwhile(session, record) -> ChangedMeanwhile:
    """"Planen ändrades av Layla Haddad kl. 14:02 – din ändring har inte
    sparats; öppna igen", from the record's last change."""
    from trefas_app.store.models import User

    sv_noun, en_noun = NOUNS.get(record.__tablename__, ("Posten", "record"))
    name = session.scalar(select(User.display_name).where(User.id == record.updated_by_id)) \
        if record.updated_by_id else None
    at = clock.format_local(record.updated_at)[-5:] if record.updated_at else None
    who_sv, who_en = (f" av {name}", f" by {name}") if name else ("", "")
    when_sv, when_en = (f" kl. {at}", f" at {at}") if at else ("", "")
    refusal = ChangedMeanwhile(
        f"{sv_noun} ändrades{who_sv}{when_sv} – din ändring har inte sparats; öppna igen.",
        f"The {en_noun} was changed{who_en}{when_en} – your change has not been saved; "
        "open it again.")
    refusal.stale = _shown_under(session, record)
    return refusal


def _shown_under(session, record) -> Changed:
    """The kind and id screens show ``record`` under (as if it had just been
    written): the window reloads them, so the user sees the newer version."""
    from trefas_app.store.change_collector import ROUTES

    kind, route = ROUTES[type(record)]
    return Changed(**{kind: {route(session, record)}})


def saved_at_the_same_time() -> ChangedMeanwhile:
    """Two saves of the same version in the same instant (the version counter
    refused the second): the record that lost cannot be read any more."""
    return ChangedMeanwhile(
        "Posten ändrades av någon annan samtidigt – din ändring har inte sparats; öppna igen.",
        "The record was changed by someone else at the same time – your change has not "
        "been saved; open it again.")
