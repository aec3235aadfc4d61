"""Text the program accepts comes back out of its PDFs (issue 9): every
character the one text rule lets through is drawn by the PDF font and
extracts as itself; emoji and "fraktur" letters are refused at input."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata

import pypdf
import pytest
from reportlab.pdfbase import pdfmetrics

from trefas_app.documents.model import Document, DocumentHeader, Heading, Paragraph
from trefas_app.documents.render import BOLD, REGULAR, register_fonts, render_pdf
from trefas_app.domain import text as rules
from trefas_app.domain.errors import ValidationError

BODY = rules.FIELD_RULES["notes.body"]


def _accepted() -> list[str]:
    chars = []
    for low, high in rules.REPERTOIRE:
        for code in range(low, high + 1):
            try:
                rules.clean(chr(code), BODY)
            except ValidationError:
                continue
            chars.append(chr(code))
    return chars


def _dejavu() -> bool:
    return "DejaVu" in register_fonts().source


def test_the_pdf_font_draws_every_accepted_character():
    if not _dejavu():
        pytest.skip("the repertoire is DejaVu Sans's (installed by bootstrap)")
    accepted = _accepted()
    assert len(accepted) > 1500
    for name in (REGULAR, BOLD):
        glyphs = pdfmetrics.getFont(name).face.charToGlyph
        missing = [f"U+{ord(c):04X}" for c in accepted if ord(c) not in glyphs]
        assert missing == [], name


@pytest.mark.parametrize("sample", ["\U0001F600", "\U0001D504\U0001D51E", "\u2603\ufe0f",
                                    "\U0001F1F8\U0001F1EA", "\u4e2d\u6587", "\u0627\u0644"])
def test_what_the_pdf_font_cannot_draw_is_refused_at_input(sample):
    with pytest.raises(ValidationError) as caught:
        rules.clean(f"Hej {sample}", BODY)
    assert "U+" in caught.value.sv


def _visible(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def test_every_accepted_character_extracts_as_itself(tmp_path):
    if not _dejavu():
        pytest.skip("the repertoire is DejaVu Sans's (installed by bootstrap)")
    # As stored: clean() composes (U+037E GREEK QUESTION MARK is stored as ";").
    letters = sorted({rules.clean(c, BODY) for c in _accepted()
                      if unicodedata.category(c) not in ("Mn", "Zs") and not c.isspace()})
    lines = ["".join(letters[i:i + 40]) for i in range(0, len(letters), 40)]
    header = DocumentHeader(doc_number="TRF-2026-000001", kind="handover", title="Tecken",
                            author_name="Test", author_agency="Socialtjänsten",
                            recipient="Test", created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                            secrecy_line="Sekretess", case_number="K-2026-00001")
    doc = Document(header, (Heading("Tecken"), *(Paragraph(line) for line in lines)))
    pdf = render_pdf(doc, None)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    extracted = "".join(page.extract_text() for page in reader.pages)
    got = _visible(extracted)
    lost = [f"U+{ord(c):04X}" for c in letters if c not in got]
    assert lost == []
    if shutil.which("pdftotext"):
        path = tmp_path / "chars.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                             capture_output=True, check=True).stdout.decode("utf-8")
        got = _visible(out)
        lost = [f"U+{ord(c):04X}" for c in letters if c not in got]
        assert lost == []
