"""The recovery kit: one printable page with the store's recovery key.

Made once, by ``trefas init --kit FILE`` or the first-run wizard, and meant to
be printed and locked in a safe (not kept by the administrator). It holds the
store id, the recovery key in groups of five, the key as a QR code (for typing
it back without mistakes) and, in Swedish, what it is for and how to use it.
The file itself is as secret as the key: print it, then delete it.
"""

from __future__ import annotations

import io
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from trefas_app.documents.render import register_fonts

INSTRUCTIONS = (
    "Förvaras i kassaskåp – skilt från datorn och inte hos administratören.",
    "Nyckeln öppnar hela lagringsplatsen. Den som har den kan läsa allt.",
    "Den används för att bekräfta den första arbetsledaren i varje myndighet, och",
    "om alla arbetsledare är borta eller har glömt sina lösenord:",
    "  • i inloggningsrutan: ”Återställ med återställningsnyckel”, eller",
    "  • i terminalen: trefas recover --confirm ANVÄNDARNAMN",
    "Varje användning skrivs i åtkomstloggen och visas för alla arbetsledare.",
    "Stavfel spelar ingen roll för bindestreck och små/stora bokstäver.",
    "Skriv inte av nyckeln till en dator, ett mejl eller ett moln.",
)


def _qr_rows(text: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(text.encode("ascii"))
    qr.make(fit=True)
    return qr.get_matrix()


def recovery_kit_pdf(store_id: str, recovery_key: str, store_path: str,
                     created_at: str) -> bytes:
    """The kit as PDF bytes (one A4 page)."""
    fonts = register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle("Trefas – återställningssats")
    width, height = A4
    x, y = 20 * mm, height - 25 * mm
    pdf.setFont(fonts.bold, 20)
    pdf.drawString(x, y, "Trefas – återställningssats")
    pdf.setFont(fonts.bold, 13)
    y -= 10 * mm
    pdf.drawString(x, y, "FÖRVARAS I KASSASKÅP")
    pdf.setFont(fonts.regular, 10)
    for label, value in (("Lagringsplatsens id", store_id), ("Skapad", created_at),
                         ("Mapp", store_path)):
        y -= 7 * mm
        pdf.drawString(x, y, f"{label}: {value}")
    y -= 14 * mm
    pdf.setFont(fonts.regular, 11)
    pdf.drawString(x, y, "Återställningsnyckel:")
    groups = recovery_key.split("-")
    pdf.setFont("Courier-Bold", 18)
    for row in range(0, len(groups), 4):
        y -= 10 * mm
        pdf.drawString(x + 5 * mm, y, "  ".join(groups[row:row + 4]))
    matrix = _qr_rows(recovery_key)
    cell = 45 * mm / len(matrix)
    qr_x, qr_top = width - 20 * mm - 45 * mm, height - 45 * mm
    for r, line in enumerate(matrix):
        for c, dark in enumerate(line):
            if dark:
                pdf.rect(qr_x + c * cell, qr_top - (r + 1) * cell, cell, cell, stroke=0,
                         fill=1)
    pdf.setFont(fonts.regular, 10.5)
    y -= 16 * mm
    for line in INSTRUCTIONS:
        pdf.drawString(x, y, line)
        y -= 6.5 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def write_recovery_kit(path: Path, store_id: str, recovery_key: str, store_path: str,
                       created_at: str) -> Path:
    """Write the kit owner-only (it is as secret as the key itself)."""
    import os

    from trefas_app.store.files import atomic_write

    path = Path(path)
    atomic_write(path, recovery_kit_pdf(store_id, recovery_key, store_path, created_at))
    os.chmod(path, 0o600)
    return path
