"""Input model of a document: plain frozen dataclasses, nothing else.

The renderer takes only these classes. Whoever builds them (the service layer)
has already applied the access rule; this package does not know it exists and
prints exactly what it is given.

A document is a header plus a flat sequence of blocks. Sequences are tuples so
that a ``Document`` is immutable and hashable; lists passed by a caller are
turned into tuples on construction.

The canonical serialisation (``canonical_json``) is the byte string the
verification record signs. It must stay stable: changing it breaks verification
of every document issued before the change, so bump ``CANONICAL_VERSION`` and
keep reading the old form if it ever has to change.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Union

from trefas_app.domain.enums import DocumentKind

CANONICAL_VERSION = 1

#: Swedish name of each document kind, as printed in the page header.
KIND_TITLES_SV: dict[str, str] = {
    DocumentKind.HANDOVER: "Överlämning",
    DocumentKind.CASE_SUMMARY: "Ärendesammanställning",
    DocumentKind.SUBJECT_EXTRACT: "Registerutdrag",
    DocumentKind.MEETING_MINUTES: "Minnesanteckningar från möte",
    DocumentKind.ACCESS_LOG_EXTRACT: "Utdrag ur åtkomstloggen",
}


def _tuple_of_str(value: Any, what: str) -> tuple[str, ...]:
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{what}: expected str, got {type(item).__name__}")
    return items


def _require_str(value: Any, what: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected str, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class DocumentHeader:
    doc_number: str
    kind: str  # a DocumentKind value: 'handover', 'case_summary', ...
    title: str
    author_name: str
    author_agency: str
    recipient: str  # e.g. 'Polismyndigheten, LPO Rinkeby'
    created_at: datetime  # timezone-aware; printed in the office zone with its offset
    secrecy_line: str  # e.g. 'Sekretess enligt OSL 26 kap. 1 § – ...'
    case_number: str | None = None

    def __post_init__(self) -> None:
        for name in ("doc_number", "kind", "title", "author_name", "author_agency",
                     "recipient", "secrecy_line"):
            _require_str(getattr(self, name), name)
        if self.case_number is not None:
            _require_str(self.case_number, "case_number")
        if self.kind not in KIND_TITLES_SV:
            raise ValueError(f"unknown document kind {self.kind!r}")
        if not self.doc_number.strip():
            raise ValueError("doc_number must not be empty")
        if not isinstance(self.created_at, datetime):
            raise TypeError("created_at must be a datetime")
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("created_at must be timezone-aware (UTC)")

    @property
    def kind_title(self) -> str:
        return KIND_TITLES_SV[self.kind]


@dataclass(frozen=True, slots=True)
class Heading:
    text: str

    def __post_init__(self) -> None:
        _require_str(self.text, "Heading.text")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Plain text. Line breaks are kept; an empty line starts a new paragraph."""

    text: str

    def __post_init__(self) -> None:
        _require_str(self.text, "Paragraph.text")


@dataclass(frozen=True, slots=True)
class KeyValues:
    """Label/value pairs shown as a two-column list."""

    rows: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        rows = tuple(_tuple_of_str(row, "KeyValues row") for row in self.rows)
        for row in rows:
            if len(row) != 2:
                raise ValueError("KeyValues rows must be (label, value) pairs")
        object.__setattr__(self, "rows", rows)


@dataclass(frozen=True, slots=True)
class Table:
    """A table that may span pages; the header row is repeated on each page.

    ``col_widths`` are relative weights (e.g. ``(1, 3, 1)``), scaled to the
    text width; ``None`` means equal columns.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    col_widths: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        columns = _tuple_of_str(self.columns, "Table.columns")
        if not columns:
            raise ValueError("a table needs at least one column")
        rows = tuple(_tuple_of_str(row, "Table row") for row in self.rows)
        for i, row in enumerate(rows):
            if len(row) != len(columns):
                raise ValueError(
                    f"table row {i} has {len(row)} cells, expected {len(columns)}")
        widths = self.col_widths
        if widths is not None:
            # Floats, so that (1, 2) and (1.0, 2.0) serialise - and hash - alike.
            widths = tuple(float(w) for w in widths)
            if len(widths) != len(columns):
                raise ValueError("col_widths must have one entry per column")
            if any(not math.isfinite(w) or w <= 0 for w in widths):
                raise ValueError("col_widths must be positive numbers")
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "col_widths", widths)


@dataclass(frozen=True, slots=True)
class NoteBlock:
    """A case note or similar entry: title, one meta line, free-text body."""

    title: str
    meta: str  # e.g. '2026-11-20 · Anna Svensson, socialtjänsten · Social'
    body: str

    def __post_init__(self) -> None:
        for name in ("title", "meta", "body"):
            _require_str(getattr(self, name), f"NoteBlock.{name}")


@dataclass(frozen=True, slots=True)
class OmittedSection:
    """The 'Ej med i dokumentet' box: what was left out and why, never content.

    Each item is one sentence, e.g. '3 journalanteckningar (kategori hälsa) –
    samtycke saknas för mottagaren'.
    """

    items: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", _tuple_of_str(self.items, "OmittedSection.items"))


Block = Union[Heading, Paragraph, KeyValues, Table, NoteBlock, OmittedSection]
BLOCK_TYPES = (Heading, Paragraph, KeyValues, Table, NoteBlock, OmittedSection)


@dataclass(frozen=True, slots=True)
class Document:
    header: DocumentHeader
    blocks: tuple[Block, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.header, DocumentHeader):
            raise TypeError("header must be a DocumentHeader")
        blocks = tuple(self.blocks)
        for block in blocks:
            if not isinstance(block, BLOCK_TYPES):
                raise TypeError(f"not a document block: {type(block).__name__}")
        object.__setattr__(self, "blocks", blocks)


# --------------------------------------------------------------------------
# Canonical serialisation
# --------------------------------------------------------------------------

_BLOCK_TAGS: dict[type, str] = {
    Heading: "heading",
    Paragraph: "paragraph",
    KeyValues: "key_values",
    Table: "table",
    NoteBlock: "note",
    OmittedSection: "omitted",
}


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _parse_utc(text: str) -> datetime:
    if not text.endswith("Z"):
        raise ValueError("timestamps in canonical form end in 'Z'")
    return datetime.fromisoformat(text[:-1] + "+00:00")


def _block_to_dict(block: Block) -> dict[str, Any]:
    tag = _BLOCK_TAGS[type(block)]
    if isinstance(block, (Heading, Paragraph)):
        return {"type": tag, "text": block.text}
    if isinstance(block, KeyValues):
        return {"type": tag, "rows": [list(r) for r in block.rows]}
    if isinstance(block, Table):
        return {
            "type": tag,
            "columns": list(block.columns),
            "rows": [list(r) for r in block.rows],
            "col_widths": None if block.col_widths is None else list(block.col_widths),
        }
    if isinstance(block, NoteBlock):
        return {"type": tag, "title": block.title, "meta": block.meta, "body": block.body}
    return {"type": tag, "items": list(block.items)}


def _block_from_dict(data: dict[str, Any]) -> Block:
    tag = data["type"]
    if tag == "heading":
        return Heading(data["text"])
    if tag == "paragraph":
        return Paragraph(data["text"])
    if tag == "key_values":
        return KeyValues(tuple(tuple(r) for r in data["rows"]))
    if tag == "table":
        widths = data["col_widths"]
        return Table(tuple(data["columns"]), tuple(tuple(r) for r in data["rows"]),
                     None if widths is None else tuple(widths))
    if tag == "note":
        return NoteBlock(data["title"], data["meta"], data["body"])
    if tag == "omitted":
        return OmittedSection(tuple(data["items"]))
    raise ValueError(f"unknown block type {tag!r}")


def document_to_dict(doc: Document) -> dict[str, Any]:
    h = doc.header
    return {
        "format": "trefas-document",
        "version": CANONICAL_VERSION,
        "header": {
            "doc_number": h.doc_number,
            "kind": h.kind,
            "title": h.title,
            "author_name": h.author_name,
            "author_agency": h.author_agency,
            "recipient": h.recipient,
            "created_at": _utc_text(h.created_at),
            "secrecy_line": h.secrecy_line,
            "case_number": h.case_number,
        },
        "blocks": [_block_to_dict(b) for b in doc.blocks],
    }


def canonical_json(doc: Document) -> bytes:
    """The exact bytes that the content hash of the verification record covers.

    UTF-8 JSON with sorted keys, no insignificant whitespace, times in UTC.
    Text is taken as given (no Unicode normalisation): the hash covers what
    was printed.
    """
    return json.dumps(document_to_dict(doc), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), allow_nan=False).encode("utf-8")


def document_from_json(data: bytes) -> Document:
    """Rebuild a Document from ``canonical_json`` output (raises ValueError)."""
    try:
        obj = json.loads(data.decode("utf-8"))
        if obj.get("format") != "trefas-document" or obj.get("version") != CANONICAL_VERSION:
            raise ValueError("not a canonical Trefas document (format/version)")
        h = obj["header"]
        header = DocumentHeader(
            doc_number=h["doc_number"], kind=h["kind"], title=h["title"],
            author_name=h["author_name"], author_agency=h["author_agency"],
            recipient=h["recipient"], created_at=_parse_utc(h["created_at"]),
            secrecy_line=h["secrecy_line"], case_number=h["case_number"],
        )
        return Document(header, tuple(_block_from_dict(b) for b in obj["blocks"]))
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError,
            json.JSONDecodeError) as exc:
        raise ValueError(f"malformed document JSON: {exc}") from exc
