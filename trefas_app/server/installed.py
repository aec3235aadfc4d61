"""Which installation a server carries, and whether this program can use it.

What ``trefas server init`` and ``trefas server upgrade`` install besides the
tables — the row-level security policies and every server function the
program calls by name — changes with the program. The installation records
itself as a comment on the schema ``trefas`` (owned by ``trefas_owner``, so
no login role can change it; every role can read it):
``{"installation": <digest>, "schema": <Alembic revision>, "program": <version>}``.

``INSTALLATION`` is a SHA-256 over the SQL the installation runs once the
functions of an earlier one are dropped (``installation.install_rule``),
pinned here so that a log-in compares two strings instead of compiling 188
policies:
``tests/integration/test_server_upgrade.py`` installs on a real PostgreSQL,
digests what ran, and fails — printing the new value — when the SQL changed
and this constant did not. The value it replaces goes to the end of
``EARLIER_INSTALLATIONS``: a server carrying one of those is older than this
program; a digest this program does not know came from a newer (or another)
program (docs/server.md, "Upgrading a server to a new program").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from trefas_app.domain.errors import ServerNewerThanProgram, ServerOlderThanProgram

#: The digest of this program's installation (see the module's docstring).
INSTALLATION = "50b1767a65f8d623dcb48fb367992a63939d42702dba64d1ba84a4f9e2a6ef13"

#: The installations of earlier programs, oldest first.
EARLIER_INSTALLATIONS: tuple[str, ...] = (
    "09ac5d6d300424acc5536edeb397fd13330f14d0381ebe4b144c27a95e0a3484",
    "25c49c82e7397cd2013dcc70f9b6f5c8d4b332f61fade6e90afeebb372fa902e",
)

#: The schema whose comment carries the marker.
MARKED_SCHEMA = "trefas"


def digest_of(statements: list[str]) -> str:
    """The installation's identifier: SHA-256 over its statements, sorted
    (some are issued in a set's order, which differs between runs)."""
    digest = hashlib.sha256()
    for statement in sorted(statements):
        digest.update(statement.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Marker:
    installation: str
    schema: str | None
    program: str | None


def marker_comment(schema_revision: str) -> str:
    """The schema comment that records this program's installation."""
    from trefas_app import __version__

    return json.dumps({"installation": INSTALLATION, "schema": schema_revision,
                       "program": __version__}, sort_keys=True)


def read_marker(conn) -> Marker | None:
    """The server's marker; None when it has none (installed before markers,
    or no Trefas installation at all)."""
    raw = conn.execute(text("SELECT pg_catalog.obj_description("
                            "pg_catalog.to_regnamespace(:s), 'pg_namespace')"),
                       {"s": MARKED_SCHEMA}).scalar()
    try:
        found = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("installation"), str):
        return None
    return Marker(found["installation"], found.get("schema"), found.get("program"))


def server_revision(conn) -> str | None:
    """The server's Alembic revision (``alembic_version`` is readable by
    every role since installations carry a marker); None if unreadable."""
    try:
        with conn.begin_nested():
            return conn.execute(text("SELECT version_num FROM public.alembic_version")).scalar()
    except DBAPIError:
        return None


def _known_revisions() -> set[str]:
    """Every revision of this program's migrations (Alembic: only read when a
    server is not at :data:`SCHEMA_HEAD`)."""
    from alembic.script import ScriptDirectory

    from trefas_app.store.migrate import alembic_config

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def verdict(installation: str | None, revision: str | None) -> str:
    """``current``, ``older`` or ``newer``: the server against this program."""
    from trefas_app.store.migrate import SCHEMA_HEAD

    if installation == INSTALLATION and revision == SCHEMA_HEAD:
        return "current"
    if installation is not None and installation not in (INSTALLATION, *EARLIER_INSTALLATIONS):
        return "newer"
    if revision is not None and revision != SCHEMA_HEAD and revision not in _known_revisions():
        return "newer"
    return "older"


def check_server(conn) -> None:
    """Refuse, in one sentence, a server this program cannot work with: one
    the program is newer than, or one a newer program installed."""
    marker = read_marker(conn)
    revision = server_revision(conn) if marker is not None else None
    found = verdict(marker.installation if marker else None, revision)
    if found == "older":
        raise ServerOlderThanProgram()
    if found == "newer":
        raise ServerNewerThanProgram()
