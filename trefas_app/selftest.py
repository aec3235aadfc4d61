"""``trefas --self-test``: does this installation have everything it needs?

Support asks a user to run it when something is wrong; it runs the same in a
source checkout, an installed wheel and the frozen program, and needs no store
and no password. Every check works on throw-away data in a temporary folder
(removed afterwards) and answers with one line. A check never raises: a failure
becomes a line naming the exception's type (never its message, which could
quote a path or other detail that is none of support's business).

The checks, in order: SQLCipher 4 is the database engine; a new encrypted
database can be written and read back, and its file does not start with the
plain SQLite header; a wrong key is refused; AES-GCM, Ed25519, X25519 and
Argon2id work; the migrations are found and build a new database; the
translations are found; Qt starts (on Linux without a display it uses the
``offscreen`` platform); a PDF can be made, encrypted and rendered; the time
zone database knows the office zone.
"""

from __future__ import annotations

import io
import secrets
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class CheckResult:
    name_sv: str
    name_en: str
    ok: bool
    detail: str = ""

    def line(self, lang: str = "sv") -> str:
        """``OK   SQLCipher 4: 4.6.1 community`` / ``FEL  …`` (``FAIL`` in English)."""
        mark = ("OK  " if self.ok else ("FEL " if lang == "sv" else "FAIL"))
        name = self.name_sv if lang == "sv" else self.name_en
        return f"{mark} {name}" + (f": {self.detail}" if self.detail else "")


class CheckFailed(Exception):
    """A check's own verdict (its message is ours, safe to show)."""


def _require(condition: bool, detail: str) -> None:
    if not condition:
        raise CheckFailed(detail)


# --- the checks: each returns a short detail or raises --------------------------------


def check_sqlcipher(work: Path) -> str:
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    version = str(row[0]) if row and row[0] else ""
    _require(version.startswith("4."), f"cipher_version {version or '—'}")
    return version


def check_encrypted_store(work: Path) -> str:
    from trefas_app.store.engine import connect_raw

    db = work / "selftest.db"
    key = secrets.token_bytes(32)
    marker = secrets.token_hex(8)
    conn = connect_raw(db, key)
    try:
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (marker,))
    finally:
        conn.close()
    conn = connect_raw(db, key)
    try:
        back = conn.execute("SELECT v FROM t").fetchone()[0]
    finally:
        conn.close()
    _require(back == marker, "read back differs")
    head = db.read_bytes()[:16]
    _require(head != PLAIN_SQLITE_HEADER, "plain SQLite header")
    _require(marker.encode() not in db.read_bytes(), "plain text in the file")
    return f"{db.stat().st_size} B"


def check_wrong_key(work: Path) -> str:
    from trefas_app.domain.errors import DatabaseDamaged
    from trefas_app.store.engine import connect_raw

    db = work / "wrong-key.db"
    conn = connect_raw(db, secrets.token_bytes(32))
    try:
        conn.execute("CREATE TABLE t (v INTEGER)")
    finally:
        conn.close()
    with _quiet_sqlcipher():
        try:
            connect_raw(db, secrets.token_bytes(32)).close()
        except DatabaseDamaged:
            return ""
    raise CheckFailed("opened with a wrong key")


@contextmanager
def _quiet_sqlcipher():
    """SQLCipher writes its own 'hmac check failed' lines to stderr when a key is
    wrong; here a wrong key is the point, and the user sees only our line."""
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    level = str(conn.execute("PRAGMA cipher_log_level").fetchone()[0])
    conn.execute("PRAGMA cipher_log_level = NONE")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cipher_log_level = {level if level.isalpha() else 'WARN'}")
        conn.close()


def check_crypto(work: Path) -> str:
    from cryptography.exceptions import InvalidSignature, InvalidTag
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    key, nonce = AESGCM.generate_key(bit_length=256), secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, b"trefas", b"aad")
    _require(AESGCM(key).decrypt(nonce, sealed, b"aad") == b"trefas", "AES-GCM")
    try:
        AESGCM(key).decrypt(nonce, sealed[:-1] + bytes([sealed[-1] ^ 1]), b"aad")
        raise CheckFailed("AES-GCM accepted a changed message")
    except InvalidTag:
        pass

    signer = Ed25519PrivateKey.generate()
    signature = signer.sign(b"trefas")
    signer.public_key().verify(signature, b"trefas")
    try:
        signer.public_key().verify(signature, b"trefaz")
        raise CheckFailed("Ed25519 accepted a changed message")
    except InvalidSignature:
        pass

    a, b = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    _require(a.exchange(b.public_key()) == b.exchange(a.public_key()), "X25519")

    salt = secrets.token_bytes(16)
    derive = lambda pw: Argon2id(salt=salt, length=32, iterations=1, lanes=1,  # noqa: E731
                                 memory_cost=8 * 1024).derive(pw)
    first = derive(b"password")
    _require(first == derive(b"password") != derive(b"passwore"), "Argon2id")
    return "AES-GCM, Ed25519, X25519, Argon2id"


def check_migrations(work: Path) -> str:
    from trefas_app.store import migrate
    from trefas_app.store.engine import open_engine

    head = migrate.head_revision()
    _require(bool(head), "no head revision")
    engine = open_engine(work / "migrated.db", secrets.token_bytes(32))
    try:
        migrate.upgrade_to_head(engine)
        _require(migrate.current_revision(engine) == head, "not at head after upgrade")
    finally:
        engine.dispose()
    return head


def check_translations(work: Path) -> str:
    from trefas_app.resources import resource_path

    qm = resource_path("i18n", "trefas_en.qm")
    _require(qm.is_file() and qm.stat().st_size > 0, "trefas_en.qm missing")
    _require(resource_path("passwords", "common-passwords.txt").is_file(),
             "common-passwords.txt missing")
    return qm.name


def check_qt(work: Path) -> str:
    from trefas_app.ui.selftest_qt import check_qt as check_in_ui  # only ui/ imports Qt

    return check_in_ui(work)


def check_pdf(work: Path) -> str:
    import pikepdf
    import pypdfium2 as pdfium
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from trefas_app.documents.protect import encrypt_pdf

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setFont("Helvetica-Bold", 48)
    canvas.drawString(72, 700, "Trefas")
    canvas.showPage()
    canvas.save()
    password = secrets.token_urlsafe(12)
    sealed = encrypt_pdf(buffer.getvalue(), password)
    try:
        pikepdf.open(io.BytesIO(sealed)).close()
        raise CheckFailed("the encrypted PDF opened without its password")
    except pikepdf.PasswordError:
        pass
    document = pdfium.PdfDocument(sealed, password=password)
    try:
        bitmap = document[0].render(scale=0.5).to_pil().convert("L")
    finally:
        document.close()
    darkest, _lightest = bitmap.getextrema()
    _require(darkest < 128, "the rendered page is blank")
    return f"{len(sealed)} B, {bitmap.size[0]}×{bitmap.size[1]} px"


def check_time_zones(work: Path) -> str:
    """The office's calendar days need the tz database (system or the tzdata package)."""
    from trefas_app.domain import clock

    clock.zone_named(clock.DEFAULT_OFFICE_ZONE)
    return clock.office_zone().key


CHECKS: tuple[tuple[str, str, Callable[[Path], str]], ...] = (
    ("SQLCipher 4 är databasmotorn", "SQLCipher 4 is the database engine", check_sqlcipher),
    ("krypterad databas skrivs och läses", "encrypted database written and read back",
     check_encrypted_store),
    ("fel nyckel vägras", "wrong key refused", check_wrong_key),
    ("kryptografi", "cryptography", check_crypto),
    ("databasmigreringar", "database migrations", check_migrations),
    ("översättningar", "translations", check_translations),
    ("Qt startar", "Qt starts", check_qt),
    ("PDF skapas, krypteras och visas", "PDF made, encrypted and rendered", check_pdf),
    ("tidszonsdata", "time zone data", check_time_zones),
)


#: The checks that must run on the GUI thread (they make widgets); the rest may
#: run in the window's worker, so that the window stays responsive.
GUI_THREAD_CHECKS = (check_qt,)


def run_checks(checks=None) -> list[CheckResult]:
    """The checks (default: all), in order; a failing one does not stop the others."""
    results = []
    with tempfile.TemporaryDirectory(prefix="trefas-selftest-") as tmp:
        for index, (name_sv, name_en, check) in enumerate(CHECKS if checks is None else checks):
            work = Path(tmp) / str(index)
            work.mkdir()
            try:
                detail, ok = check(work), True
            except CheckFailed as exc:
                detail, ok = str(exc), False
            except Exception as exc:  # noqa: BLE001 — reported as a failed line
                detail, ok = type(exc).__name__, False
            results.append(CheckResult(name_sv, name_en, ok, detail))
    return results


def in_check_order(results: list[CheckResult]) -> list[CheckResult]:
    """Results gathered in two parts (worker, GUI thread) back in CHECKS order."""
    order = {name_en: i for i, (_sv, name_en, _check) in enumerate(CHECKS)}
    return sorted(results, key=lambda r: order.get(r.name_en, len(order)))


def report(results: list[CheckResult], lang: str = "sv") -> list[str]:
    """The lines to show: one per check, then a summary."""
    lines = [r.line(lang) for r in results]
    failed = sum(not r.ok for r in results)
    if failed:
        lines.append(f"{failed} av {len(results)} kontroller misslyckades." if lang == "sv"
                     else f"{failed} of {len(results)} checks failed.")
    else:
        lines.append(f"Alla {len(results)} kontroller gick igenom." if lang == "sv"
                     else f"All {len(results)} checks passed.")
    return lines
