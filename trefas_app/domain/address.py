"""The one way an address is written, in the window, on the command line and
in every PDF: "Lingonslingan 6, 164 78 Kista" (street, then postal code and
town; a five-digit postal code with its space, as the Post writes it)."""

from __future__ import annotations

import re

_POSTAL_CODE = re.compile(r"(\d{3})\s*(\d{2})")


def format_postal_code(code: str | None) -> str:
    """ "16478" and "164 78" both as "164 78"; anything else as given."""
    code = (code or "").strip()
    match = _POSTAL_CODE.fullmatch(code)
    return f"{match.group(1)} {match.group(2)}" if match else code


def format_address(street: str | None, postal_code: str | None, city: str | None) -> str:
    """Street, then postal code and town, leaving out what is missing; "" when
    nothing is known."""
    town = " ".join(x for x in (format_postal_code(postal_code), (city or "").strip()) if x)
    return ", ".join(x for x in ((street or "").strip(), town) if x)
