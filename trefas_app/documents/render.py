"""Render a ``Document`` to a signed, sealed A4 PDF (reportlab platypus).

Every page carries: the secrecy line (red, bold) and the document kind and
number at the top; author, recipient, creation time and "Sida x av y" at the
bottom; a light, translucent diagonal watermark naming the recipient and the
creation time, drawn over the content so that nothing opaque can hide it.
The first page carries the verification QR code.

The finished file holds the verification record in its metadata and the
canonical document JSON as an embedded file (see ``verification``), and ends in
the seal line when the signer can seal (``DocumentSigner``).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle

from trefas_app.documents.model import (
    Document,
    DocumentHeader,
    Heading,
    KeyValues,
    NoteBlock,
    OmittedSection,
    Paragraph,
    Table,
    canonical_json,
)
from trefas_app.documents.protect import encrypt_pdf
from trefas_app.domain import clock
from trefas_app.documents.verification import (
    ATTACHMENT_NAME,
    INFO_KEY,
    DocumentSigner,
    VerificationRecord,
    seal_pdf,
)
from trefas_app.resources import resource_path

__all__ = ["FontSet", "register_fonts", "render_pdf", "local_time_text"]

# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------

REGULAR = "TrefasSans"
BOLD = "TrefasSans-Bold"


@dataclass(frozen=True, slots=True)
class FontSet:
    regular: str  # registered reportlab font names
    bold: str
    source: str  # file the regular face came from, for diagnostics


_fonts: FontSet | None = None
_fonts_lock = threading.Lock()


def _font_dirs() -> list[Path]:
    home = Path.home()
    # A font shipped with the program wins (found where trefas_app.resources
    # finds every shipped file: frozen bundle, installed package, checkout),
    # so output looks the same everywhere once DejaVu is bundled under
    # resources/fonts.
    dirs = [resource_path("fonts")]
    if os.name == "nt":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        dirs.append(windir / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    else:
        dirs += [
            Path("/usr/share/fonts/truetype/dejavu"),
            Path("/usr/share/fonts/dejavu"),  # Fedora, openSUSE
            Path("/usr/share/fonts/dejavu-sans-fonts"),
            Path("/usr/share/fonts/TTF"),  # Arch
            Path("/usr/local/share/fonts"),
            home / ".local" / "share" / "fonts",
            home / ".fonts",
            home / "Library" / "Fonts",  # macOS
            Path("/Library/Fonts"),
            Path("/System/Library/Fonts/Supplemental"),
            Path("/System/Library/Fonts"),
        ]
    return dirs


# (regular, bold) file names in order of preference; bold None = reuse regular.
_FONT_PAIRS: tuple[tuple[str, str | None], ...] = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("arial.ttf", "arialbd.ttf"),  # Windows
    ("Arial.ttf", "Arial Bold.ttf"),  # macOS
    ("segoeui.ttf", "segoeuib.ttf"),
    ("Arial Unicode.ttf", None),
)


def _find_file(directory: Path, name: str) -> Path | None:
    path = directory / name
    if path.is_file():
        return path
    return None


def _try_register(regular: Path | str, bold: Path | str | None) -> bool:
    try:
        pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
        pdfmetrics.registerFont(TTFont(BOLD, str(bold or regular)))
    except Exception:  # unreadable or unsupported font file: try the next one
        return False
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR,
                                  boldItalic=BOLD)
    return True


def register_fonts() -> FontSet:
    """Register a Unicode sans-serif pair once and return its names.

    Looks for DejaVu Sans (Linux, or bundled under resources/fonts), Arial or
    Segoe UI (Windows), Arial / Arial Unicode (macOS); falls back to
    reportlab's bundled Vera, which lacks Cyrillic and Greek.
    """
    global _fonts
    with _fonts_lock:
        if _fonts is not None:
            return _fonts
        for regular_name, bold_name in _FONT_PAIRS:
            for directory in _font_dirs():
                regular = _find_file(directory, regular_name)
                if regular is None:
                    continue
                bold = _find_file(directory, bold_name) if bold_name else None
                if _try_register(regular, bold):
                    _fonts = FontSet(REGULAR, BOLD, str(regular))
                    return _fonts
        if not _try_register("Vera.ttf", "VeraBd.ttf"):  # found on reportlab's own path
            raise RuntimeError("no usable TrueType font found for PDF output")
        _fonts = FontSet(REGULAR, BOLD, "Vera.ttf (reportlab)")
        return _fonts


# --------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------

def local_time_text(value: datetime) -> str:
    """An instant as a PDF prints it: the office zone with its UTC offset
    (``2026-12-05 00:10 +01:00``), so a reader elsewhere knows the instant."""
    return clock.format_local(value, offset=True)


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"\n[ \t]*\n+")


# Control characters (but the newline) and lone surrogates: what reportlab cannot show.
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _clean(text: str) -> str:
    """Drop control characters reportlab cannot show; normalise line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\t", "    ")
    return _UNPRINTABLE.sub("", text)


def _markup(text: str) -> str:
    """Plain text as reportlab paragraph markup, keeping single line breaks."""
    return escape(_clean(text).strip("\n")).replace("\n", "<br/>")


def _paragraphs(text: str) -> list[str]:
    """Split on empty lines; each part becomes its own (splittable) paragraph."""
    parts = _BLANK_LINE.split(_clean(text))
    return [_markup(p) for p in parts if p.strip()]


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis so that it fits ``width``."""
    text = " ".join(_clean(text).split())
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


def _wrap_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap for canvas drawing (long words are cut)."""
    lines: list[str] = []
    current = ""
    for word in " ".join(_clean(text).split()).split(" "):
        candidate = f"{current} {word}" if current else word
        if pdfmetrics.stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while pdfmetrics.stringWidth(word, font, size) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and pdfmetrics.stringWidth(word[:cut], font, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


# --------------------------------------------------------------------------
# Layout constants and styles
# --------------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
FRAME_TOP = PAGE_H - 27 * mm
FRAME_BOTTOM = 23 * mm
TEXT_W = PAGE_W - 2 * MARGIN_X

SECRECY_RED = colors.HexColor("#A30000")
INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9A9A9A")
TABLE_HEAD_BG = colors.HexColor("#E4E7EB")
TABLE_ALT_BG = colors.HexColor("#F6F7F9")
OMIT_BG = colors.HexColor("#FFF8E6")
OMIT_BORDER = colors.HexColor("#B07D00")


class _Styles:
    def __init__(self, fonts: FontSet):
        r, b = fonts.regular, fonts.bold
        self.body = ParagraphStyle("body", fontName=r, fontSize=9.5, leading=13, textColor=INK,
                                   alignment=TA_LEFT, spaceAfter=5)
        self.title = ParagraphStyle("title", parent=self.body, fontName=b, fontSize=16,
                                    leading=20, spaceAfter=2)
        self.heading = ParagraphStyle("heading", parent=self.body, fontName=b, fontSize=12.5,
                                      leading=16, spaceBefore=10, spaceAfter=5)
        self.note_title = ParagraphStyle("note_title", parent=self.body, fontName=b,
                                         fontSize=10, leading=13, spaceBefore=2, spaceAfter=0)
        self.note_meta = ParagraphStyle("note_meta", parent=self.body, fontSize=8, leading=10.5,
                                        textColor=MUTED, spaceAfter=3)
        # Same size for label and value, so that their baselines line up.
        self.label = ParagraphStyle("label", parent=self.body, fontName=b, fontSize=9,
                                    leading=12, spaceAfter=0, textColor=MUTED)
        self.value = ParagraphStyle("value", parent=self.body, fontSize=9, leading=12,
                                    spaceAfter=0)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.5, leading=11,
                                   spaceAfter=0)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=b)
        self.omit_title = ParagraphStyle("omit_title", parent=self.body, fontName=b,
                                         fontSize=10.5, leading=14, spaceAfter=0)
        self.omit_text = ParagraphStyle("omit_text", parent=self.body, fontSize=9, leading=12,
                                        spaceAfter=0)
        self.omit_item = ParagraphStyle("omit_item", parent=self.omit_text, leftIndent=10,
                                        bulletIndent=0, bulletFontName=r)
        self.qr_caption = ParagraphStyle("qr_caption", parent=self.body, fontSize=7.5,
                                         leading=9.5, spaceAfter=0, textColor=INK)


# --------------------------------------------------------------------------
# Flowables
# --------------------------------------------------------------------------

class _QRCode(Flowable):
    """A QR code drawn as vector squares (sharp in print at any size)."""

    def __init__(self, data: str, size: float):
        super().__init__()
        # A fixed mask: choosing the "best" one costs half a second per
        # document and buys nothing for a code printed this large.
        qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
        qr.add_data(data.encode("ascii"))
        qr.make(fit=True)
        self.matrix = qr.get_matrix()
        self.size = size

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        canv = self.canv
        count = len(self.matrix)
        module = self.size / count
        canv.saveState()
        canv.setFillColor(colors.black)
        canv.setStrokeColor(colors.black)
        path = canv.beginPath()
        for row_index, row in enumerate(self.matrix):
            y = self.size - (row_index + 1) * module
            col = 0
            while col < count:
                if not row[col]:
                    col += 1
                    continue
                start = col
                while col < count and row[col]:
                    col += 1
                path.rect(start * module, y, (col - start) * module, module)
        canv.drawPath(path, stroke=0, fill=1)
        canv.restoreState()


def _first_page(doc: Document, record: VerificationRecord | None, st: _Styles) -> list[Flowable]:
    h = doc.header
    flow: list[Flowable] = [
        RLParagraph(_markup(h.title), st.title),
        Spacer(1, 3 * mm),
    ]
    rows = [("Dokumentnummer", h.doc_number), ("Dokumenttyp", h.kind_title)]
    if h.case_number:
        rows.append(("Ärendenummer", h.case_number))
    rows += [
        ("Upprättad av", h.author_name),
        ("Myndighet", h.author_agency),
        ("Mottagare", h.recipient),
        ("Skapad", local_time_text(h.created_at)),
    ]
    qr_w = 40 * mm
    side_w = 50 * mm
    info = _key_values_table(rows, st, TEXT_W - side_w - 4 * mm, label_share=0.34)
    if record is not None:
        side: list[Flowable] = [
            _QRCode(record.to_payload(), qr_w),
            Spacer(1, 2 * mm),
            RLParagraph("Verifiera med:<br/><b>trefas verify-document &lt;fil&gt;</b>",
                        st.qr_caption),
            RLParagraph(f"Nyckel-id: {escape(record.key_id)}", st.qr_caption),
        ]
    else:
        side = [RLParagraph("<b>Ej signerat.</b> Dokumentet saknar verifieringsuppgifter "
                            "och kan inte verifieras.", st.qr_caption)]
    top = RLTable([[info, side]], colWidths=[TEXT_W - side_w, side_w])
    top.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("LEFTPADDING", (1, 0), (1, 0), 4 * mm),
    ]))
    flow += [top, Spacer(1, 4 * mm), HRFlowable(width="100%", thickness=0.6, color=RULE,
                                                 spaceBefore=0, spaceAfter=6)]
    return flow


FRAME_H = FRAME_TOP - FRAME_BOTTOM


def _has_huge_row(data: list[list], widths: list[float], padding: float) -> bool:
    """True when some row would not fit on a whole page.

    Only such tables may split inside a row; elsewhere a row moves to the next
    page whole, which reads far better. Only rows with much text are measured.
    """
    for row in data:
        if sum(len(getattr(cell, "text", "")) for cell in row) < 1200:
            continue
        height = max((cell.wrap(w - padding, FRAME_H)[1] for cell, w in zip(row, widths)
                      if isinstance(cell, Flowable)), default=0)
        if height + padding > FRAME_H * 0.85:
            return True
    return False


def _key_values_table(rows, st: _Styles, width: float, label_share: float = 0.3) -> RLTable:
    data = [[RLParagraph(_markup(k), st.label), RLParagraph(_markup(v) or "–", st.value)]
            for k, v in rows]
    widths = [width * label_share, width * (1 - label_share)]
    table = RLTable(data, colWidths=widths, hAlign="LEFT",
                    splitInRow=int(_has_huge_row(data, widths, 6)))
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D5D8DC")),
    ]))
    return table


def _data_table(block: Table, st: _Styles) -> RLTable:
    weights = block.col_widths or tuple(1.0 for _ in block.columns)
    total = sum(weights)
    widths = [TEXT_W * w / total for w in weights]
    data = [[RLParagraph(_markup(c), st.cell_head) for c in block.columns]]
    for row in block.rows:
        data.append([RLParagraph(_markup(c), st.cell) for c in row])
    if not block.rows:
        data.append([RLParagraph("<i>Inga rader.</i>", st.cell)] + [""] * (len(block.columns) - 1))
    table = RLTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT",
                    splitInRow=int(_has_huge_row(data, widths, 7)))
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), TABLE_HEAD_BG),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, TABLE_ALT_BG]),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#B8BDC4")),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if not block.rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(style))
    table.spaceBefore = 2
    table.spaceAfter = 8
    return table


def _note(block: NoteBlock, st: _Styles) -> list[Flowable]:
    flow: list[Flowable] = [
        CondPageBreak(28 * mm),  # never start a note in the last few lines of a page
        HRFlowable(width="100%", thickness=0.4, color=RULE, spaceBefore=4, spaceAfter=3),
        RLParagraph(_markup(block.title) or "–", st.note_title),
    ]
    if block.meta.strip():
        flow.append(RLParagraph(_markup(block.meta), st.note_meta))
    flow += [RLParagraph(p, st.body) for p in _paragraphs(block.body)]
    return flow


def _omitted(block: OmittedSection, st: _Styles) -> RLTable:
    rows = [[RLParagraph("Ej med i dokumentet", st.omit_title)]]
    if block.items:
        rows.append([RLParagraph(
            "Följande uppgifter finns men har inte tagits med i detta dokument. "
            "Innehållet visas inte; endast vad som saknas och varför.", st.omit_text)])
        rows += [[RLParagraph(_markup(item), st.omit_item, bulletText="•")]
                 for item in block.items]
    else:
        rows.append([RLParagraph("Inga uppgifter har undantagits.", st.omit_text)])
    table = RLTable(rows, colWidths=[TEXT_W], hAlign="LEFT",
                    splitInRow=int(_has_huge_row(rows, [TEXT_W], 16)))
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), OMIT_BG),
        ("BOX", (0, 0), (-1, -1), 0.9, OMIT_BORDER),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, 0), 6),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
    ]))
    table.spaceBefore = 6
    table.spaceAfter = 8
    return table


def _flowables(doc: Document, record: VerificationRecord | None, st: _Styles) -> list[Flowable]:
    flow = _first_page(doc, record, st)
    for block in doc.blocks:
        if isinstance(block, Heading):
            # A condition instead of keepWithNext: keeping a heading with a
            # long table or text would push both to the next page.
            flow += [CondPageBreak(35 * mm), RLParagraph(_markup(block.text), st.heading)]
        elif isinstance(block, Paragraph):
            flow += [RLParagraph(p, st.body) for p in _paragraphs(block.text)]
        elif isinstance(block, KeyValues):
            if not block.rows:
                continue
            table = _key_values_table(block.rows, st, TEXT_W)
            table.spaceAfter = 8
            flow.append(table)
        elif isinstance(block, Table):
            flow.append(_data_table(block, st))
        elif isinstance(block, NoteBlock):
            flow += _note(block, st)
        elif isinstance(block, OmittedSection):
            flow.append(_omitted(block, st))
    return flow


# --------------------------------------------------------------------------
# Page decoration
# --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _PageText:
    secrecy_lines: tuple[str, ...]
    secrecy_size: float
    kind_title: str
    doc_number: str
    author: str
    recipient_line: str
    watermark: str
    watermark_size: float


def _page_text(h: DocumentHeader, fonts: FontSet) -> _PageText:
    created = local_time_text(h.created_at)
    # The secrecy line gets at most two lines; shrink the type before cutting.
    for size in (9.0, 8.0, 7.0):
        lines = _wrap_lines(h.secrecy_line, fonts.bold, size, TEXT_W)
        if len(lines) <= 2:
            break
    if len(lines) > 2:
        lines = [lines[0], _fit(" ".join(lines[1:]), fonts.bold, size, TEXT_W)]
    footer_w = TEXT_W - 30 * mm
    author = _fit(f"Upprättad av: {h.author_name}, {h.author_agency}", fonts.regular, 7.5,
                  footer_w)
    recipient = _fit(f"Mottagare: {h.recipient}  ·  Skapad: {created}", fonts.regular, 7.5,
                     footer_w)
    watermark = " ".join(_clean(f"Till: {h.recipient} – {created}").split())
    diagonal = math.hypot(PAGE_W, PAGE_H) * 0.62
    natural = pdfmetrics.stringWidth(watermark, fonts.regular, 10)
    wm_size = max(9.0, min(34.0, 10 * diagonal / max(natural, 1)))
    if pdfmetrics.stringWidth(watermark, fonts.regular, wm_size) > diagonal:
        watermark = _fit(watermark, fonts.regular, wm_size, diagonal)
    return _PageText(tuple(lines), size, h.kind_title,
                     _fit(h.doc_number, fonts.bold, 8.5, TEXT_W / 2), author, recipient,
                     watermark, wm_size)


def _draw_watermark(canv: Canvas, pt: _PageText, fonts: FontSet) -> None:
    """Drawn over the finished page (translucent), so that table backgrounds
    and other opaque content cannot hide it."""
    canv.saveState()
    canv.translate(PAGE_W / 2, PAGE_H / 2)
    canv.rotate(math.degrees(math.atan2(PAGE_H, PAGE_W)))
    canv.setFillColor(colors.HexColor("#7A808A"))
    canv.setFillAlpha(0.14)
    canv.setFont(fonts.regular, pt.watermark_size)
    canv.drawCentredString(0, -pt.watermark_size / 3, pt.watermark)
    canv.restoreState()


def _draw_static(canv: Canvas, pt: _PageText, fonts: FontSet) -> None:
    """Header and footer except the page number; drawn when a page begins."""
    canv.saveState()
    # Header: secrecy line(s), kind and number, rule.
    y = PAGE_H - 11 * mm
    canv.setFillColor(SECRECY_RED)
    canv.setFont(fonts.bold, pt.secrecy_size)
    for line in pt.secrecy_lines:
        canv.drawString(MARGIN_X, y, line)
        y -= pt.secrecy_size + 2
    y = PAGE_H - 11 * mm - 2 * (9 + 2) - 3
    canv.setFillColor(INK)
    canv.setFont(fonts.bold, 8.5)
    canv.drawString(MARGIN_X, y, pt.kind_title)
    canv.drawRightString(PAGE_W - MARGIN_X, y, f"Dokument nr {pt.doc_number}")
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.6)
    canv.line(MARGIN_X, y - 4, PAGE_W - MARGIN_X, y - 4)

    # Footer: rule, author, recipient and time. The page number comes later.
    canv.line(MARGIN_X, 18 * mm, PAGE_W - MARGIN_X, 18 * mm)
    canv.setFillColor(MUTED)
    canv.setFont(fonts.regular, 7.5)
    canv.drawString(MARGIN_X, 18 * mm - 10, pt.author)
    canv.drawString(MARGIN_X, 18 * mm - 20, pt.recipient_line)
    canv.restoreState()


def _canvas_with_page_count(fonts: FontSet, pt: _PageText) -> type[Canvas]:
    """A canvas that holds finished pages back until the total is known, then
    writes "Sida x av y" and the watermark on each of them."""

    class _CountingCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict] = []

        def showPage(self):
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held_pages)
            for number, state in enumerate(self._held_pages, start=1):
                self.__dict__.update(state)
                self.saveState()
                self.setFillColor(INK)
                self.setFont(fonts.bold, 8.5)
                self.drawRightString(PAGE_W - MARGIN_X, 18 * mm - 10, f"Sida {number} av {total}")
                self.restoreState()
                _draw_watermark(self, pt, fonts)
                Canvas.showPage(self)
            Canvas.save(self)

    return _CountingCanvas


# --------------------------------------------------------------------------
# Building the file
# --------------------------------------------------------------------------

def _pdf_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ")


def _layout(doc: Document, record: VerificationRecord | None) -> bytes:
    fonts = register_fonts()
    st = _Styles(fonts)
    pt = _page_text(doc.header, fonts)
    out = io.BytesIO()
    template = BaseDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=PAGE_H - FRAME_TOP, bottomMargin=FRAME_BOTTOM,
        title=f"{doc.header.kind_title} {doc.header.doc_number}", author="", subject="",
        creator="Trefas",
    )
    frame = Frame(MARGIN_X, FRAME_BOTTOM, TEXT_W, FRAME_TOP - FRAME_BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(
        id="page", frames=[frame], onPage=lambda canv, _doc: _draw_static(canv, pt, fonts))])
    template.build(_flowables(doc, record, st), canvasmaker=_canvas_with_page_count(fonts, pt))
    return out.getvalue()


def _finish(raw: bytes, doc: Document, canonical: bytes,
            record: VerificationRecord | None) -> bytes:
    """Metadata, embedded canonical content, PDF/UA-friendly language tag."""
    h = doc.header
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        info = pdf.docinfo
        for key in list(info.keys()):
            if key not in ("/Producer",):
                del info[key]
        # Deliberately little metadata: file indexers show it without opening the file.
        info["/Title"] = f"{h.kind_title} {h.doc_number}"
        info["/Creator"] = "Trefas"
        info["/CreationDate"] = _pdf_date(h.created_at)
        if record is not None:
            info[INFO_KEY] = record.to_payload()
            pdf.attachments[ATTACHMENT_NAME] = pikepdf.AttachedFileSpec(
                pdf, canonical, description="Trefas verifieringsunderlag (dokumentets innehåll)",
                filename=ATTACHMENT_NAME, mime_type="application/json")
        pdf.Root.Lang = pikepdf.String("sv-SE")
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 compress_streams=True, deterministic_id=True)
    return out.getvalue()


def render_pdf(doc: Document, signer: Callable[[bytes], VerificationRecord] | None, *,
               password: str | None = None) -> bytes:
    """The finished PDF for ``doc``.

    ``signer`` gets the canonical document bytes and returns the signed record
    (normally a ``DocumentSigner``; a DocumentSigner also seals the file, any
    other callable leaves it unsealed, verifiable only against stored hashes).
    ``None`` renders an unsigned draft. With ``password`` the file is AES-256
    encrypted before it is sealed. Store ``pdf_sha256(result)`` if you want to
    recognise the exact file later.
    """
    canonical = canonical_json(doc)
    record = signer(canonical) if signer is not None else None
    if record is not None:
        if record.content_sha256 != hashlib.sha256(canonical).hexdigest() or \
                record.doc_number != doc.header.doc_number:
            raise ValueError("the signer returned a record for different content")
    pdf = _finish(_layout(doc, record), doc, canonical, record)
    if password is not None:
        pdf = encrypt_pdf(pdf, password)
    if record is not None and isinstance(signer, DocumentSigner):
        pdf = seal_pdf(pdf, signer)
    return pdf
