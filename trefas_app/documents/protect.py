"""Password protection of finished PDFs (AES-256, PDF 2.0 security handler R=6).

The user password is the one the person exporting chooses and passes on to
the recipient by another channel. The owner password is random and thrown
away: nobody can lift the protection without the user password.

Encrypting rewrites the file, so it drops a seal; ``render_pdf(password=...)``
encrypts first and seals the encrypted file.
"""

from __future__ import annotations

import io
import secrets

import pikepdf

from trefas_app.domain.errors import ValidationError


def encrypt_pdf(pdf_bytes: bytes, password: str) -> bytes:
    """``pdf_bytes`` encrypted with AES-256 (R=6); opening needs ``password``."""
    if not password:
        raise ValidationError("Lösenordet får inte vara tomt.", "The password must not be empty.")
    owner = secrets.token_urlsafe(32)
    try:
        pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    except pikepdf.PasswordError as exc:
        raise ValidationError("PDF-filen är redan lösenordsskyddad.",
                              "The PDF file is already password protected.") from exc
    with pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner=owner, user=password, R=6,
                                                    aes=True, metadata=True))
    return out.getvalue()


def is_encrypted(pdf_bytes: bytes) -> bool:
    """True when the file uses PDF encryption (with or without a user password)."""
    try:
        with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
            return bool(pdf.is_encrypted)
    except pikepdf.PasswordError:
        return True
