"""The administrator's store operations (DESIGN §5): backup, restore, re-key,
store check and retention (gallring).

None of these read case content on anyone's behalf: they work on whole files
or, for retention, delete whole cases whose retention time has passed. Each
is allowed by a ``system.*`` permission (administrators only) and each leaves
one entry in the access log: ``backup``, ``restore``, ``rekey``,
``retention.delete`` (one per case) and ``retention.run``.

Unlike the case-work services these take the :class:`OpenStore` rather than a
unit of work, because they replace files under the open engine and must then
hand the caller a store that works again.

Files this module writes in the store folder (next to those of store.py)::

    backups/trefas-<UTC stamp>.db        encrypted copy (same data key)
    backups/trefas-<UTC stamp>.keys      the key file as it was, needed to open it
    backups/trefas-<UTC stamp>.witness   the newest checkpoint when it was made
    trefas.db.before-restore-<stamp>     the database as it was before a restore
    trefas.db.restore-new                (only during a restore)
    trefas.db.rekey-new, trefas.keys.rekey-new, trefas.rekey   (only during a re-key)

The package divides as the work does: store maintenance — :mod:`.backups`,
:mod:`.restores` (a backup back in place, the log carried forward),
:mod:`.rekeying` (the permission; the mechanics are ``store/rekey.py``, which
the store also runs when a re-key falls due) and :mod:`.store_check` —
sharing the copy and integrity helpers of ``store/copies.py``; and
:mod:`.retention`, which deletes cases. Every log entry goes through a unit
of work (a staged restore copy through one of its own, see
``restores._StagedDatabase``). Callers use this package's names
(``from trefas_app.services import admin; admin.backup(...)``).
"""

from trefas_app.services.admin.backups import BackupInfo, backup, list_backups
from trefas_app.services.admin.rekeying import rekey
from trefas_app.services.admin.restores import (
    RESTORE_STAGE,
    BackupKeyMismatch,
    restore,
    restore_with_key_file,
)
from trefas_app.services.admin.retention import (
    RetentionCandidate,
    RetentionReport,
    retention_due,
    run_retention,
)
from trefas_app.services.admin.store_check import CheckReport, check_store
from trefas_app.store.copies import BACKUP_DB_SUFFIX, BACKUP_KEYS_SUFFIX, BACKUP_PREFIX
from trefas_app.store.files import recover_interrupted_rekey

__all__ = [
    "BACKUP_DB_SUFFIX", "BACKUP_KEYS_SUFFIX", "BACKUP_PREFIX", "RESTORE_STAGE", "BackupInfo",
    "BackupKeyMismatch", "CheckReport", "RetentionCandidate", "RetentionReport", "backup",
    "check_store", "list_backups", "recover_interrupted_rekey", "rekey", "restore",
    "restore_with_key_file", "retention_due", "run_retention",
]
