"""English translation: compiled .qm and the .ts fallback agree, and every
translation keeps the source's {placeholders}."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication

from trefas_app.ui.i18n import TsTranslator, i18n_dir, load_translator

TS = i18n_dir() / "trefas_en.ts"


def _messages():
    root = ET.parse(TS).getroot()
    for context in root.iter("context"):
        for message in context.iter("message"):
            yield (context.findtext("name") or "", message.findtext("source"),
                   message.find("translation"))


def test_translation_keeps_placeholders():
    placeholder = re.compile(r"\{[a-z_]+(?::[^}]*)?\}")
    bad = [(src, tr.text) for _ctx, src, tr in _messages()
           if tr is not None and tr.text and
           sorted(placeholder.findall(src)) != sorted(placeholder.findall(tr.text))]
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


def test_swedish_needs_no_translator(qapp):
    assert load_translator("sv") is None
    assert QCoreApplication.translate("Navigation", "Ärenden") == "Ärenden"


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
    copy = tmp_path / "trefas_en.ts"
    shutil.copy(TS, copy)
    import trefas_app.ui

    ui_dir = Path(trefas_app.ui.__file__).resolve().parent
    subprocess.run([lupdate, "-locations", "none", "-no-obsolete",
                    *sorted(str(p) for p in ui_dir.rglob("*.py")), "-ts", str(copy)],
                   check=True, capture_output=True)
    root = ET.parse(copy).getroot()
    untranslated = [m.findtext("source") for m in root.iter("message")
                    if m.find("translation").get("type") == "unfinished"
                    or not (m.findtext("translation") or "").strip()]
    assert untranslated == []
