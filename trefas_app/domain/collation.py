"""Swedish alphabetical order for names: … x, y, z, å, ä, ö.

SQLite compares text by its UTF-8 bytes, which puts ä before å and sorts é, ü
and č after z. Here: å, ä, ö are letters of their own after z (æ sorts as ä
and ø as ö, as in Swedish dictionaries), ü sorts as y, and other accented
letters as their base letter (é as e, č as c). Case is ignored. Equal keys fall
back to the plain text, so the order is total (needed by an index).

The store registers :func:`compare` as the collation ``trefas_sv`` on every
connection; an index built with it must be rebuilt (``REINDEX trefas_sv``) if
this order ever changes.
"""

from __future__ import annotations

import unicodedata

COLLATION = "trefas_sv"

# Letters after z, in Swedish order; the characters after "z" in ASCII.
_OWN_LETTERS = {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"}


def sort_key(text: str) -> str:
    # No cache on purpose: it would keep every name it saw in memory past a lock.
    out = []
    for ch in unicodedata.normalize("NFC", text).casefold():
        mapped = _OWN_LETTERS.get(ch)
        if mapped is None:
            # é → e + accent: keep the base letter only.
            mapped = "".join(c for c in unicodedata.normalize("NFKD", ch)
                             if not unicodedata.combining(c))
        out.append(mapped)
    return "".join(out)


def stored_key(text: str) -> str:
    """What ``persons.sort_name`` holds: the sort key, then the text itself
    after a separator below every letter, so that comparing two stored keys
    as plain bytes (UTF-8 keeps code-point order) gives exactly
    :func:`compare`'s order — equal keys fall back to the text."""
    return f"{sort_key(text)}\x01{text}"


def compare(a: str, b: str) -> int:
    """SQLite collation: negative, zero or positive, like strcmp."""
    ka, kb = sort_key(a), sort_key(b)
    if ka != kb:
        return -1 if ka < kb else 1
    return (a > b) - (a < b)
