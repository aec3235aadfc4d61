"""A private PostgreSQL cluster for the tests, started by the test set-up itself.

Debian's own binaries (package ``postgresql``), never a mock and never Docker.
As root, ``initdb`` and ``pg_ctl`` run as the ``postgres`` user through
``runuser`` (PostgreSQL refuses to run as root); the cluster listens on a
private socket directory and a free loopback port, so it never meets a server
the machine already runs. Every connection authenticates with SCRAM, the
superuser included, so tests of passwords and login roles test real checks.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote


def pg_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (TREFAS_PG_BIN overrides)."""
    if os.environ.get("TREFAS_PG_BIN"):
        return Path(os.environ["TREFAS_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclasses.dataclass
class Cluster:
    bin_dir: Path
    base: Path
    port: int
    superuser_password: str
    as_postgres: bool

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    def dsn(self, user: str = "postgres", password: str | None = None,
            dbname: str = "postgres") -> str:
        """A libpq URL over the private socket."""
        if user == "postgres" and password is None:
            password = self.superuser_password
        auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
        return (f"postgresql://{auth}@/{quote(dbname, safe='')}"
                f"?host={quote(str(self.socket_dir), safe='')}&port={self.port}")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """One of the cluster's own programs, as the user that owns the data."""
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()}")
        return done

    def stop(self) -> None:
        if self.data_dir.exists():
            self.run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def start(parent: Path | None = None, extra_conf: str = "") -> Cluster:
    """initdb + pg_ctl start in a new folder under ``parent`` (default: the
    system's temporary folder, which the ``postgres`` user can reach — pytest's
    own temporary folders are private to root); ``extra_conf`` is appended to
    postgresql.conf before the start (e.g. ``shared_preload_libraries``)."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql "
                           "(packaging/bootstrap.sh test does it)")
    as_postgres = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="trefas-pg-", dir=parent))
    (base / "socket").mkdir(exist_ok=True)
    password = secrets.token_urlsafe(24)
    pwfile = base / "pw"
    pwfile.write_text(password + "\n")
    if as_postgres:
        shutil.chown(base, "postgres")
        shutil.chown(base / "socket", "postgres")
        shutil.chown(pwfile, "postgres")
        base.chmod(0o700)
    cluster = Cluster(bin_dir, base, _free_port(), password, as_postgres)
    cluster.run("initdb", "-D", str(cluster.data_dir), "-U", "postgres", f"--pwfile={pwfile}",
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
    pwfile.unlink()
    with open(cluster.data_dir / "postgresql.conf", "a") as conf:
        conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {cluster.port}\n"
                   f"unix_socket_directories = '{cluster.socket_dir}'\n"
                   "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                   f"{extra_conf}\n")
    started = cluster.run("pg_ctl", "-D", str(cluster.data_dir), "-l", str(base / "server.log"),
                          "-w", "-t", "60", "start", check=False)
    if started.returncode != 0:
        log = (base / "server.log").read_text(errors="replace") if (base / "server.log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log[-2000:]}")
    return cluster
