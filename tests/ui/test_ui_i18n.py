"""English translation: compiled .qm and the .ts fallback agree, and every
translation keeps the source's {placeholders}."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication

from trefas_app.ui.i18n import TsTranslator, i18n_dir, load_translator

TS = i18n_dir() / "trefas_en.ts"
SV_TS = i18n_dir() / "trefas_sv.ts"


def _messages():
    root = ET.parse(TS).getroot()
    for context in root.iter("context"):
        for message in context.iter("message"):
            yield (context.findtext("name") or "", message.findtext("source"),
                   message.find("translation"))


def _texts(translation) -> list[str]:
    """The translation, or each of its plural forms."""
    forms = [f.text or "" for f in translation.iter("numerusform")]
    return forms or ([translation.text] if translation.text else [])


def test_translation_keeps_placeholders():
    placeholder = re.compile(r"\{[a-z_]+(?::[^}]*)?\}")
    bad = [(src, text) for _ctx, src, tr in _messages() if tr is not None
           for text in _texts(tr)
           if sorted(placeholder.findall(src)) != sorted(placeholder.findall(text))]
    assert bad == []


def test_mnemonic_ampersands_are_kept():
    bad = [(src, tr.text) for _ctx, src, tr in _messages()
           if tr is not None and tr.text and ("&" in src.replace("&&", "")) !=
           ("&" in tr.text.replace("&&", ""))]
    assert bad == []


@pytest.fixture
def installed(qapp):
    translators = []

    def install(translator):
        QCoreApplication.installTranslator(translator)
        translators.append(translator)

    yield install
    for t in translators:
        QCoreApplication.removeTranslator(t)


@pytest.mark.parametrize("make", [lambda: load_translator("en"), lambda: TsTranslator(TS)],
                         ids=["qm-or-compiled", "ts-fallback"])
def test_english_translation(installed, make):
    from trefas_app.ui.main_window import NAVIGATION
    from trefas_app.ui.unlock import UnlockDialog  # noqa: F401

    translator = make()
    assert translator is not None and not translator.isEmpty()
    installed(translator)
    labels = {e.key: e.label() for e in NAVIGATION}
    assert labels["cases"] == "Cases" and labels["persons"] == "Persons"
    assert QCoreApplication.translate("UnlockDialog", "Lås upp") == "Unlock"
    assert QCoreApplication.translate("NoteDialog", "Spara och signera") == "Save and sign"


def test_swedish_needs_no_translator_but_for_plural_forms(installed):
    """Swedish is the source language; its translator holds only the plural
    forms ("1 dagar sen" on the dashboard, issue 14)."""
    translator = load_translator("sv")
    assert translator is not None
    installed(translator)
    assert QCoreApplication.translate("Navigation", "Ärenden") == "Ärenden"
    sv_root = ET.parse(SV_TS).getroot()
    assert all(m.get("numerus") == "yes" for m in sv_root.iter("message"))


PLURAL_SOURCE = "{title} · {case} · {who} – %n dagar sen"


@pytest.mark.parametrize("lang, one, two", [
    ("sv", "{title} · {case} · {who} – 1 dag sen",
     "{title} · {case} · {who} – 2 dagar sen"),
    ("en", "{title} · {case} · {who} – 1 day ago", "{title} · {case} · {who} – 2 days ago"),
])
@pytest.mark.parametrize("make", [load_translator, lambda lang: TsTranslator(
    i18n_dir() / f"trefas_{lang}.ts")], ids=["qm-or-compiled", "ts-fallback"])
def test_counts_take_the_right_plural(installed, make, lang, one, two):
    installed(make(lang))
    assert QCoreApplication.translate("Screen", PLURAL_SOURCE, "", 1) == one
    assert QCoreApplication.translate("Screen", PLURAL_SOURCE, "", 2) == two
    assert QCoreApplication.translate("Screen", "%n ärenden gallrades.", "", 1) == (
        "1 ärende gallrades." if lang == "sv" else "1 case was deleted.")


def test_every_plural_has_both_forms_in_both_languages():
    for path in (TS, SV_TS):
        root = ET.parse(path).getroot()
        plurals = [m for m in root.iter("message") if m.get("numerus") == "yes"]
        assert plurals, path.name
        for m in plurals:
            forms = [f.text for f in m.find("translation").iter("numerusform")]
            assert len(forms) == 2 and all(forms), (path.name, m.findtext("source"))
            assert all("%n" in f or "%Ln" in f for f in forms), m.findtext("source")


def test_english_window(qtbot, installed, world, ctx_factory):
    """The unlock dialog, built after the translator is installed, is English."""
    from trefas_app.ui.unlock import UnlockDialog

    installed(load_translator("en"))
    ctx = ctx_factory(world.root)
    ctx.lang = "en"
    dlg = UnlockDialog(ctx, None)
    qtbot.addWidget(dlg)
    assert dlg.unlock_button.text() == "Unlock"
    assert dlg.windowTitle() == "Trefas – unlock"


def test_every_ui_string_has_an_english_translation(tmp_path):
    """lupdate over today's sources into a copy of the .ts: nothing new or
    unfinished, so no Swedish text turns up in the English window."""
    import shutil
    import subprocess
    from pathlib import Path

    from trefas_app.ui.i18n import _tool

    lupdate = _tool("pyside6-lupdate")
    assert lupdate, "pyside6-lupdate comes with PySide6"
    import trefas_app.ui
    from trefas_app.ui.i18n import lupdate_options

    ui_dir = Path(trefas_app.ui.__file__).resolve().parent
    for lang, ts in (("en", TS), ("sv", SV_TS)):
        copy = tmp_path / ts.name
        shutil.copy(ts, copy)
        subprocess.run([lupdate, "-locations", "none", "-no-obsolete", *lupdate_options(lang),
                        *sorted(str(p) for p in ui_dir.rglob("*.py")), "-ts", str(copy)],
                       check=True, capture_output=True)
        root = ET.parse(copy).getroot()
        untranslated = [m.findtext("source") for m in root.iter("message")
                        if m.find("translation").get("type") == "unfinished"
                        or not "".join(_texts(m.find("translation"))).strip()]
        assert untranslated == [], lang
