"""Errors a person may see.

Every error carries its message in Swedish (the default UI language) and in
English, so the GUI and the command line can show one clear sentence without a
traceback. Messages never contain case content (names, numbers, note text):
they may end up in the application log.
"""

from __future__ import annotations


class TrefasError(Exception):
    """Base of every error that is meant for a user rather than a developer."""

    #: Exit status of the command line when this error ends a command.
    exit_code = 1

    def __init__(self, sv: str, en: str | None = None):
        super().__init__(en or sv)
        self.sv = sv
        self.en = en or sv

    def message(self, language: str = "sv") -> str:
        return self.sv if language == "sv" else self.en

    def __str__(self) -> str:  # English in tracebacks and developer logs
        return self.en


class ValidationError(TrefasError):
    """Input that cannot be accepted (bad personnummer, dates out of order, …)."""


class IllegalTransition(ValidationError):
    """A state change that the lifecycle does not allow."""


class AccessDenied(TrefasError):
    """The access rule refuses the action. Says no more than necessary."""


class NotFound(TrefasError):
    """The record does not exist — or is not visible to this user."""


class NoSuchRecord(AccessDenied, NotFound):
    """The one answer for a record that does not exist and for one the user may
    not see: two different answers would let anyone probe which ids exist."""


class Conflict(TrefasError):
    """The change collides with the current state (already signed, exists, …)."""


class ChangedMeanwhile(Conflict):
    """Someone saved the record after this user read it: the save is refused
    with who changed it and when (``store/versions.py`` words it); the
    window keeps what the user typed and offers to open the record again."""

    # What the screens show the record under (a domain.changes.Changed, or
    # None): the window reloads those screens, so they show the newer version.
    stale = None


class StoreError(TrefasError):
    """Problems opening, reading or writing the store on disk."""


class WrongPassword(StoreError):
    pass


class UnknownUser(StoreError):
    pass


class AccountDisabled(UnknownUser):
    """The user's key slot was removed when the account was disabled."""


class KeyFileMissing(StoreError):
    pass


class KeyFileDamaged(StoreError):
    pass


class DatabaseDamaged(StoreError):
    pass


class NotATrefasStore(StoreError):
    pass


class StoreExists(StoreError):
    pass


class DiskFull(StoreError):
    pass


class UsageError(TrefasError):
    """Wrong use of the command line."""

    exit_code = 2


def denied(actor, attempted: str, sv: str, en: str, subject_kind: str | None = None,
           subject_id: object = None) -> AccessDenied:
    """An AccessDenied that the unit of work will write to the access log."""
    return on_record(AccessDenied(sv, en), actor, attempted, subject_kind, subject_id)


def on_record(err, actor, attempted: str, subject_kind: str | None = None,
              subject_id: object = None):
    """Mark an error so that the unit of work logs the attempt after rollback."""
    err.actor, err.attempted = actor, attempted
    err.subject_kind, err.subject_id = subject_kind, subject_id
    return err


class ServerRefused(StoreError):
    """A server connection the program will not make, or the server would not take."""


class ServerOlderThanProgram(StoreError):
    """The server carries an older installation than this program needs:
    whoever runs the server brings it up (``trefas server upgrade``)."""

    def __init__(self):
        super().__init__(
            "Servern har en äldre installation än programmet. Be den som sköter servern "
            "köra 'trefas server upgrade'.",
            "The server has an older installation than the program. Ask whoever runs the "
            "server to run 'trefas server upgrade'.")


class ServerNewerThanProgram(StoreError):
    """The server was installed by a newer (or another) version of Trefas:
    this program must be updated before it can use it."""

    def __init__(self):
        super().__init__(
            "Servern har installerats av en nyare version av Trefas än den här. Programmet "
            "behöver uppdateras; kontakta den som sköter datorerna.",
            "The server was installed by a newer version of Trefas than this one. The "
            "program must be updated; contact whoever looks after the computers.")
