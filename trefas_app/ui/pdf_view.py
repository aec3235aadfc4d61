"""Showing and printing an issued PDF inside the program (pypdfium2).

:func:`render_pages` turns PDF bytes into one QImage per page; it touches no
widget, so it may run in the worker. :class:`PdfView` shows such images one
under the other in a scroll area. :func:`print_pdf` paints every page on a
QPrinter at the printer's own resolution. Nothing is written to disk here.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

#: Preview resolution (dots per inch).
PREVIEW_DPI = 96


def _open(pdf_bytes: bytes, password: str | None):
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(bytes(pdf_bytes), password=password or None)


def _to_image(page, scale: float) -> QImage:
    bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True)
    try:
        data = bytes(bitmap.buffer)
        image = QImage(data, bitmap.width, bitmap.height, bitmap.stride,
                       QImage.Format.Format_RGBX8888)
        return image.copy()  # own the pixels; ``data`` goes away with this frame
    finally:
        bitmap.close()


def page_count(pdf_bytes: bytes, password: str | None = None) -> int:
    doc = _open(pdf_bytes, password)
    try:
        return len(doc)
    finally:
        doc.close()


def render_pages(pdf_bytes: bytes, password: str | None = None,
                 dpi: float = PREVIEW_DPI) -> list[QImage]:
    """Every page of the PDF as an image at ``dpi`` (the password opens an
    encrypted file). Safe to call outside the GUI thread."""
    doc = _open(pdf_bytes, password)
    try:
        images = []
        for i in range(len(doc)):
            page = doc[i]
            try:
                images.append(_to_image(page, dpi / 72.0))
            finally:
                page.close()
        return images
    finally:
        doc.close()


def print_pdf(printer, pdf_bytes: bytes, password: str | None = None) -> int:
    """Paint every page on ``printer`` (a configured QPrinter), rendered at the
    printer's resolution and fitted to its page; returns the pages printed."""
    dpi = max(72, printer.resolution())
    doc = _open(pdf_bytes, password)
    painter = QPainter()
    if not painter.begin(printer):
        doc.close()
        return 0
    printed = 0
    try:
        for i in range(len(doc)):
            page = doc[i]
            try:
                image = _to_image(page, dpi / 72.0)
            finally:
                page.close()
            if i > 0:
                printer.newPage()
            target = QRectF(painter.viewport())
            size = image.size().toSizeF().scaled(target.size(),
                                                 Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(target.topLeft(), size), image)
            printed += 1
    finally:
        painter.end()
        doc.close()
    return printed


class PdfView(QScrollArea):
    """The pages of one document, one under the other."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pdfView")
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._inner = QWidget(self)
        self._lay = QVBoxLayout(self._inner)
        self._lay.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._lay.setSpacing(12)
        self.setWidget(self._inner)
        self.page_labels: list[QLabel] = []

    def pages(self) -> int:
        return len(self.page_labels)

    def set_images(self, images: list[QImage]) -> None:
        self.clear()
        for image in images:
            lbl = QLabel(self._inner)
            lbl.setObjectName("pdfPage")
            lbl.setPixmap(QPixmap.fromImage(image))
            lbl.setFrameShape(QLabel.Shape.Box)
            self._lay.addWidget(lbl)
            self.page_labels.append(lbl)

    def clear(self) -> None:
        for lbl in self.page_labels:
            lbl.clear()
            self._lay.removeWidget(lbl)
            lbl.deleteLater()
        self.page_labels = []


__all__ = ["PREVIEW_DPI", "PdfView", "page_count", "print_pdf", "render_pages"]
