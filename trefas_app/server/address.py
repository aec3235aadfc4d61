"""A server's address from what a person types in the window (host, port,
database, the office's CA certificate), and back.

The rule is docs/server.md's: a server on another machine is reached only
with TLS and its certificate verified against the office's CA
(``sslmode=verify-full``); the window refuses the address before anything is
saved, in one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from trefas_app.domain.errors import ValidationError
from trefas_app.server.connection import LOCAL_HOSTS, connection_info

DEFAULT_PORT = 5432


@dataclass(frozen=True)
class ServerAddress:
    host: str
    port: int
    database: str
    ca_file: str = ""

    @property
    def local(self) -> bool:
        """A Unix socket folder or this machine's own name."""
        return self.host.startswith("/") or self.host in LOCAL_HOSTS

    def url(self) -> str:
        """The libpq URL, checked by the same rule the connection uses."""
        if not self.host.strip():
            raise ValidationError("Ange serverns namn.", "Enter the server's name.")
        if not self.database.strip():
            raise ValidationError("Ange databasens namn.", "Enter the database's name.")
        if not 1 <= int(self.port) <= 65535:
            raise ValidationError("Porten ska vara 1–65535.", "The port must be 1–65535.")
        if not self.local and not self.ca_file:
            raise ValidationError(
                f"En server på en annan dator ({self.host}) nås bara krypterat med "
                "verifierat servercertifikat (verify-full). Ange kontorets CA-certifikat.",
                f"A server on another machine ({self.host}) is reached only over TLS with "
                "its certificate verified (verify-full). Give the office's CA certificate.")
        if self.ca_file and not Path(self.ca_file).is_file():
            raise ValidationError("CA-certifikatet finns inte: " + self.ca_file,
                                  "The CA certificate does not exist: " + self.ca_file)
        query = []
        if self.host.startswith("/"):
            query.append("host=" + quote(self.host, safe=""))
            netloc = ""
        else:
            host = f"[{self.host}]" if ":" in self.host else quote(self.host, safe="")
            netloc = f"{host}:{int(self.port)}"
        if self.host.startswith("/"):
            query.append(f"port={int(self.port)}")
        if self.ca_file:
            query += ["sslmode=verify-full", "sslrootcert=" + quote(self.ca_file, safe="")]
        url = f"postgresql://{netloc}/{quote(self.database.strip(), safe='')}"
        url += "?" + "&".join(query) if query else ""
        connection_info(url)  # the connection's own rule, once more
        return url


def parse(url: str | None) -> ServerAddress | None:
    """The parts of a saved address (None when there is none or it is unreadable)."""
    if not url:
        return None
    try:
        params = connection_info(url)
    except Exception:  # noqa: BLE001 — a wrong value in a settings file: show nothing
        try:
            from psycopg.conninfo import conninfo_to_dict

            params = conninfo_to_dict(url)
        except Exception:  # noqa: BLE001
            return None
    port = str(params.get("port") or DEFAULT_PORT).split(",")[0]
    return ServerAddress(str(params.get("host") or ""), int(port) if port.isdigit() else
                         DEFAULT_PORT, str(params.get("dbname") or ""),
                         str(params.get("sslrootcert") or ""))


def describe(url: str | None) -> str:
    """``host:port/database`` for a person to read (no user, no password)."""
    address = parse(url)
    if address is None:
        return ""
    where = address.host if address.host.startswith("/") else f"{address.host}:{address.port}"
    return f"{where}/{address.database}"
