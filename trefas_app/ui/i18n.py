"""UI translations (Qt Linguist).

Source strings are Swedish, written with ``self.tr()`` (or
``QCoreApplication.translate(context, …)``). A count with a noun is written
with Qt's plural form, ``self.tr("%n dagar sen", "", n)``: its singular and
plural come from the ``.ts`` files, Swedish ones included —
``resources/i18n/trefas_sv.ts`` holds only those plural forms (lupdate
``-pluralonly``), so Swedish needs no other translation. The English
translation lives in ``resources/i18n/trefas_en.ts``; ``trefas_en.qm`` is compiled from it with
``pyside6-lrelease``. At start-up the ``.qm`` is used when it is at least as
new as the ``.ts``; otherwise the ``.ts`` is compiled on the fly when
``pyside6-lrelease`` is available, and if it is not, a small translator reads
the ``.ts`` file directly. Qt's own strings (wizard and dialog buttons) come
from Qt's ``qtbase_<lang>.qm``.

Update the ``.ts`` after changing strings::

    .venv/bin/python -m trefas_app.ui.i18n --update   # lupdate + lrelease
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from trefas_app.resources import resource_path

log = logging.getLogger("trefas.ui")

LANGUAGES = ("sv", "en")


def i18n_dir() -> Path:
    return resource_path("i18n")


def _tool(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    return shutil.which(name)


class TsTranslator(QTranslator):
    """Reads a Linguist ``.ts`` file directly: the fallback without lrelease."""

    def __init__(self, ts_path: Path, parent=None):
        super().__init__(parent)
        self._table: dict[tuple[str, str], str] = {}
        #: Plural messages: (singular, plural) — Swedish and English have two forms.
        self._plurals: dict[tuple[str, str], tuple[str, ...]] = {}
        root = ET.parse(ts_path).getroot()
        for context in root.iter("context"):
            name = context.findtext("name") or ""
            for message in context.iter("message"):
                source = message.findtext("source")
                translation = message.find("translation")
                if source is None or translation is None:
                    continue
                if translation.get("type") in ("unfinished", "obsolete", "vanished"):
                    continue
                forms = tuple(f.text or "" for f in translation.iter("numerusform"))
                if message.get("numerus") == "yes" and forms and all(forms):
                    self._plurals[(name, source)] = forms
                elif translation.text and translation.text.strip():
                    self._table[(name, source)] = translation.text

    def isEmpty(self) -> bool:  # noqa: N802 — Qt API
        return not self._table and not self._plurals

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D401
        forms = self._plurals.get((context, source_text))
        if forms is not None:
            form = forms[0] if n == 1 or len(forms) == 1 else forms[1]
            return form.replace("%Ln", QLocale().toString(n)).replace("%n", str(n))
        return self._table.get((context, source_text), None)

    def __len__(self) -> int:
        return len(self._table) + len(self._plurals)


def compile_ts(ts_path: Path, qm_path: Path) -> bool:
    tool = _tool("pyside6-lrelease")
    if tool is None:
        return False
    result = subprocess.run([tool, "-silent", str(ts_path), "-qm", str(qm_path)],
                            capture_output=True, check=False)
    return result.returncode == 0 and qm_path.exists()


def load_translator(lang: str) -> QTranslator | None:
    """Our translator for ``lang`` (for Swedish, the source language, the
    plural forms only)."""
    ts = i18n_dir() / f"trefas_{lang}.ts"
    qm = i18n_dir() / f"trefas_{lang}.qm"
    translator = QTranslator()
    if qm.exists() and (not ts.exists() or qm.stat().st_mtime >= ts.stat().st_mtime):
        if translator.load(str(qm)):
            return translator
    if ts.exists():
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / qm.name
            if compile_ts(ts, out) and translator.load(str(out)):
                return translator
        try:
            return TsTranslator(ts)
        except ET.ParseError:
            log.warning("Translation file %s cannot be read", ts.name)
    return None


def install_translations(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Install Qt's and Trefas's translators for ``lang``; returns them (keep
    a reference, or Qt forgets them)."""
    installed: list[QTranslator] = []
    QLocale.setDefault(QLocale(QLocale.Language.Swedish if lang == "sv"
                               else QLocale.Language.English,
                               QLocale.Country.Sweden))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_tr = QTranslator(app)
    if qt_tr.load(f"qtbase_{lang}", qt_dir):
        app.installTranslator(qt_tr)
        installed.append(qt_tr)
    ours = load_translator(lang)
    if ours is not None:
        ours.setParent(app)
        app.installTranslator(ours)
        installed.append(ours)
    return installed


def lupdate_options(lang: str) -> list[str]:
    """Swedish is the source language: its file holds the plural forms only."""
    if lang == "sv":
        return ["-pluralonly", "-source-language", "sv_SE", "-target-language", "sv_SE"]
    return ["-source-language", "sv_SE", "-target-language", "en_US"]


def _update() -> int:
    """lupdate every UI source into the .ts files, then lrelease them."""
    ui_dir = Path(__file__).resolve().parent
    sources = sorted(str(p) for p in ui_dir.rglob("*.py"))
    lupdate = _tool("pyside6-lupdate")
    if lupdate is None:
        print("pyside6-lupdate not found", file=sys.stderr)
        return 1
    for lang in LANGUAGES:
        ts = i18n_dir() / f"trefas_{lang}.ts"
        subprocess.run([lupdate, "-locations", "none", "-no-obsolete", *lupdate_options(lang),
                        *sources, "-ts", str(ts)], check=True)
        if not compile_ts(ts, ts.with_suffix(".qm")):
            print("pyside6-lrelease failed or missing", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    if "--update" in sys.argv:
        raise SystemExit(_update())
    print(__doc__)
