"""The tamper-evident access log, without the database (DESIGN §6).

Every log entry carries a sequence number and the hash of the entry before
it, and its own hash is

    hash = SHA-256(bytes(prev_hash) ‖ canonical_bytes(entry without hash))

so that changing, removing, inserting or reordering entries breaks the chain.
Anyone who can write the database could still rewrite the whole chain from
some point on, or cut off its newest entries; against that, the head of the
chain (sequence number and hash) is signed with Ed25519 from time to time and
the signed *checkpoint* is appended to a file outside the database. The
verifier checks the chain against the checkpoints: an entry that differs from
a checkpoint, or a chain that ends before the newest checkpoint, is reported.

The checkpoint file is itself a chain: each line carries ``prev``, the
SHA-256 of the line before it as stored (``GENESIS`` for the first), under
its signature, so a line removed, changed or inserted in the middle breaks
the links. Lines written before this (no ``prev``) are accepted only as the
file's beginning; the first chained line links to the last of them. A file
cut at its end is still a valid chain: that, and a file deleted with the
database rolled back to match, is what the witnesses outside the store
folder are for (see ``trefas_app.store.witness``).

What this cannot see: entries added after the newest checkpoint and then
removed or rewritten before the next one. Checkpoint often (e.g. at every
log-out and backup) to keep that window short.

Rules the database layer must follow:

* the first entry has ``seq == 1`` and ``prev_hash == GENESIS`` (or, for a
  chain whose beginning was removed by retention, the verifier is given the
  anchor — the seq and hash of the entry before the first one kept);
* ``at`` is UTC, ISO-8601 with microseconds and a ``Z`` (:func:`format_at`);
* ``detail`` is short JSON about the action, never case content.

Everything here is pure Python plus ``cryptography``; no database, no Qt.

:func:`verify_chain` is longer than 100 lines on purpose: it is the one loop
that runs once per entry over the whole log, with its names bound locally
for speed, and is kept in one piece rather than cut into per-entry calls.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from json.encoder import encode_basestring as _json_string
from trefas_app.domain import clock
from trefas_app.store.files import fsync_dir
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

GENESIS = "0" * 64

#: Longest ``detail`` accepted by :func:`build_entry` (characters).
MAX_DETAIL_LENGTH = 2000

# Fields of an entry that go into its hash: every field except ``hash``.
ENTRY_FIELDS = (
    "seq",
    "at",
    "user",
    "agency",
    "role",
    "action",
    "subject_kind",
    "subject_id",
    "case_id",
    "person_id",
    "reason",
    "detail",
    "prev_hash",
)
_ENTRY_FIELD_SET = frozenset(ENTRY_FIELDS)
_OPTIONAL_TEXT_FIELDS = (
    "user",
    "agency",
    "role",
    "subject_kind",
    "subject_id",
    "case_id",
    "person_id",
    "reason",
    "detail",
)

# Canonical JSON for checkpoints (entries use the faster template below, which
# produces the same bytes).
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False,
    sort_keys=True,
    separators=(",", ":"),
    allow_nan=False,
)
_HEX_DIGITS = frozenset("0123456789abcdef")


# ---------------------------------------------------------------------------
# Entries


@dataclass(frozen=True, slots=True)
class ChainEntry:
    seq: int
    at: str  # UTC ISO-8601 with microseconds and 'Z'
    user: str | None
    agency: str | None
    role: str | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    case_id: str | None
    person_id: str | None
    reason: str | None
    detail: str | None  # short JSON, never case content
    prev_hash: str
    hash: str


def format_at(moment: datetime | None = None) -> str:
    """UTC time as stored in ``at``: ``2024-05-01T12:00:00.000000Z``."""
    if moment is None:
        moment = clock.now_utc()
    elif moment.tzinfo is None:
        raise ValueError("the time must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(fields: ChainEntry | Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is computed over.

    JSON of every entry field except ``hash`` (``seq`` and ``prev_hash``
    included), keys sorted, no whitespace, UTF-8 without escaping non-ASCII —
    exactly ``json.dumps(fields, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode()``. ``fields`` is a :class:`ChainEntry` or a
    mapping with exactly the entry fields (a ``hash`` key, if present, is
    ignored). ``seq`` must be an int and the other fields str (or None where
    the field is optional); anything else raises ``ValueError``.
    """
    if isinstance(fields, ChainEntry):
        values: Mapping[str, Any] = {k: getattr(fields, k) for k in ENTRY_FIELDS}
    else:
        keys = set(fields) - {"hash"}
        if keys != _ENTRY_FIELD_SET:
            missing = sorted(_ENTRY_FIELD_SET - keys)
            extra = sorted(keys - _ENTRY_FIELD_SET)
            raise ValueError(
                f"entry fields wrong: missing {missing}, unexpected {extra}"
            )
        values = fields
    _check_field_types(values)
    return _canonical_text(
        values["seq"],
        values["at"],
        values["user"],
        values["agency"],
        values["role"],
        values["action"],
        values["subject_kind"],
        values["subject_id"],
        values["case_id"],
        values["person_id"],
        values["reason"],
        values["detail"],
        values["prev_hash"],
    ).encode("utf-8")


# The canonical JSON written out with the keys already in sorted order. This is
# the hot path of verification (millions of entries); building a dict and
# letting json sort it is about three times slower. The tests check that the
# result is byte for byte what json.dumps() gives.
_ENTRY_TEMPLATE = (
    '{"action":%s,"agency":%s,"at":%s,"case_id":%s,"detail":%s,'
    '"person_id":%s,"prev_hash":%s,"reason":%s,"role":%s,"seq":%d,'
    '"subject_id":%s,"subject_kind":%s,"user":%s}'
)


def _canonical_text(
    seq: int,
    at: str,
    user: str | None,
    agency: str | None,
    role: str | None,
    action: str,
    subject_kind: str | None,
    subject_id: str | None,
    case_id: str | None,
    person_id: str | None,
    reason: str | None,
    detail: str | None,
    prev_hash: str,
) -> str:
    """Canonical JSON text; raises TypeError for a value of the wrong type."""
    if type(seq) is not int:
        raise TypeError("seq must be an int")
    esc = _json_string  # raises TypeError for anything but str
    return _ENTRY_TEMPLATE % (
        esc(action),
        "null" if agency is None else esc(agency),
        esc(at),
        "null" if case_id is None else esc(case_id),
        "null" if detail is None else esc(detail),
        "null" if person_id is None else esc(person_id),
        esc(prev_hash),
        "null" if reason is None else esc(reason),
        "null" if role is None else esc(role),
        seq,
        "null" if subject_id is None else esc(subject_id),
        "null" if subject_kind is None else esc(subject_kind),
        "null" if user is None else esc(user),
    )


def _check_field_types(values: Mapping[str, Any]) -> None:
    seq = values["seq"]
    if type(seq) is not int or seq < 1:
        raise ValueError("seq must be a positive int")
    for name in ("at", "action", "prev_hash"):
        if not isinstance(values[name], str):
            raise ValueError(f"{name} must be a str")
    for name in _OPTIONAL_TEXT_FIELDS:
        if values[name] is not None and not isinstance(values[name], str):
            raise ValueError(f"{name} must be a str or None")


def _is_hash(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and _HEX_DIGITS.issuperset(value)


def entry_hash(prev_hash: str, canonical: bytes) -> str:
    """SHA-256 over the previous hash (as 32 raw bytes) and the canonical bytes."""
    if not _is_hash(prev_hash):
        raise ValueError("prev_hash must be 64 lower-case hex digits")
    h = hashlib.sha256(bytes.fromhex(prev_hash))
    h.update(canonical)
    return h.hexdigest()


def build_entry(
    seq: int,
    prev_hash: str,
    *,
    action: str,
    at: str | None = None,
    user: str | None = None,
    agency: str | None = None,
    role: str | None = None,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    case_id: str | None = None,
    person_id: str | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> ChainEntry:
    """A new entry that follows the entry (``seq - 1``, ``prev_hash``).

    ``at`` defaults to now. ``detail``, when given, must be JSON and short.
    """
    if not _is_hash(prev_hash):
        raise ValueError("prev_hash must be 64 lower-case hex digits")
    if not isinstance(action, str) or not action:
        raise ValueError("action must be a non-empty str")
    if detail is not None:
        if len(detail) > MAX_DETAIL_LENGTH:
            raise ValueError("detail is too long for the access log")
        json.loads(detail)  # must be JSON; raises ValueError otherwise
    values = {
        "seq": seq,
        "at": at if at is not None else format_at(),
        "user": user,
        "agency": agency,
        "role": role,
        "action": action,
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        "case_id": case_id,
        "person_id": person_id,
        "reason": reason,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    digest = entry_hash(prev_hash, canonical_bytes(values))
    return ChainEntry(**values, hash=digest)


# ---------------------------------------------------------------------------
# Checkpoints


@dataclass(frozen=True, slots=True)
class Checkpoint:
    store_id: str
    seq: int
    hash: str
    at: str
    signature: str  # base64 Ed25519 over canonical bytes of the other fields
    #: SHA-256 of the previous line of the checkpoint file (GENESIS for the
    #: first); None for a line in the format before checkpoints were chained.
    prev: str | None = None
    #: SHA-256 of this line as read from the file (not signed; "" when the
    #: checkpoint was not read from a file).
    line_digest: str = field(default="", compare=False, repr=False)


def checkpoint_bytes(store_id: str, seq: int, hash: str, at: str,
                     prev: str | None = None) -> bytes:
    """The bytes a checkpoint signature covers (same JSON rules as entries);
    ``prev`` only for a chained line, so older lines verify as they were."""
    fields: dict[str, Any] = {"store_id": store_id, "seq": seq, "hash": hash, "at": at}
    if prev is not None:
        fields["prev"] = prev
    return _CANONICAL.encode(fields).encode("utf-8")


def line_digest(line: bytes) -> str:
    """What the next chained checkpoint line carries as ``prev``."""
    return hashlib.sha256(line).hexdigest()


def sign_checkpoint(
    private_key: Ed25519PrivateKey, store_id: str, seq: int, hash: str, at: str,
    prev: str | None = None,
) -> Checkpoint:
    """Sign the chain head (``seq``, ``hash``) of store ``store_id``; with
    ``prev``, as the line following the one whose digest it is."""
    if not isinstance(store_id, str) or not store_id:
        raise ValueError("store_id must be a non-empty str")
    if type(seq) is not int or seq < 0:
        raise ValueError("seq must be an int >= 0")
    if not _is_hash(hash):
        raise ValueError("hash must be 64 lower-case hex digits")
    if not isinstance(at, str):
        raise ValueError("at must be a str")
    if prev is not None and not _is_hash(prev):
        raise ValueError("prev must be 64 lower-case hex digits")
    signature = private_key.sign(checkpoint_bytes(store_id, seq, hash, at, prev))
    cp = Checkpoint(
        store_id=store_id,
        seq=seq,
        hash=hash,
        at=at,
        signature=base64.b64encode(signature).decode("ascii"),
        prev=prev,
    )
    return cp


def _public_key(key: Ed25519PublicKey | Ed25519PrivateKey | bytes) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, (bytes, bytearray)):
        return Ed25519PublicKey.from_public_bytes(bytes(key))
    raise TypeError("expected an Ed25519 public key")


def verify_checkpoint(cp: Checkpoint, public_key: Ed25519PublicKey | bytes) -> bool:
    """True when ``cp`` is well-formed and signed by ``public_key``."""
    key = _public_key(public_key)
    if not (
        isinstance(cp.store_id, str)
        and cp.store_id
        and type(cp.seq) is int
        and cp.seq >= 0
        and _is_hash(cp.hash)
        and isinstance(cp.at, str)
        and isinstance(cp.signature, str)
        and (cp.prev is None or _is_hash(cp.prev))
    ):
        return False
    try:
        signature = base64.b64decode(cp.signature, validate=True)
        key.verify(signature, checkpoint_bytes(cp.store_id, cp.seq, cp.hash, cp.at, cp.prev))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def checkpoint_line(cp: Checkpoint) -> bytes:
    """The line as written to the file, without its newline."""
    fields: dict[str, Any] = {"store_id": cp.store_id, "seq": cp.seq, "hash": cp.hash,
                              "at": cp.at, "signature": cp.signature}
    if cp.prev is not None:
        fields["prev"] = cp.prev
    return _CANONICAL.encode(fields).encode("utf-8")


def _checkpoint_line(cp: Checkpoint) -> bytes:
    return checkpoint_line(cp) + b"\n"


def chain_break(checkpoints: Sequence[Checkpoint]) -> int | None:
    """The 1-based number of the first line that does not follow the line
    before it, or None. Unchained (older) lines are accepted only before the
    first chained one; a chained line names the digest of the line before it
    (GENESIS for the first line of the file)."""
    previous = GENESIS
    chained = False
    for index, cp in enumerate(checkpoints, start=1):
        if cp.prev is None:
            if chained:
                return index
        else:
            chained = True
            if cp.prev != previous:
                return index
        previous = cp.line_digest or line_digest(checkpoint_line(cp))
    return None


def append_checkpoint(path: str | os.PathLike[str], cp: Checkpoint) -> None:
    """Append one checkpoint as a JSON line; flushed and fsynced on return.

    A new file is created readable by its owner only (0o600). If the file does
    not end in a newline (an earlier write was torn), a newline is written
    first so that the damaged line stays on its own and is reported as such.
    """
    path = Path(path)
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    existed = path.exists()
    fd = os.open(path, flags, 0o600)
    try:
        data = _checkpoint_line(cp)
        size = os.fstat(fd).st_size
        if size > 0:
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":
                data = b"\n" + data
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    if not existed:
        fsync_dir(path.parent)


def write_checkpoints(path: str | os.PathLike[str], cps: list[Checkpoint]) -> None:
    """Write a new checkpoint file (owner-only, fsynced) holding ``cps``; for a
    re-key, which re-signs every checkpoint with the store's new key."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o600)
    try:
        view = memoryview(b"".join(_checkpoint_line(cp) for cp in cps))
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def read_checkpoints(path: str | os.PathLike[str]) -> list[Checkpoint]:
    """All checkpoints in the file, in file order.

    A line that cannot be read as a checkpoint does not raise: it comes back as
    a :class:`Checkpoint` that fails :func:`verify_checkpoint` (with ``seq``
    -1 when even that could not be read), so that the verifier reports it as a
    forged checkpoint. Item *n* of the list is line *n* of the file. A missing
    file raises :class:`FileNotFoundError` — whether a store should have
    checkpoints is for the caller to know.
    """
    return [parse_checkpoint_line(line) for line in read_checkpoint_lines(path)]


def read_checkpoint_lines(path: str | os.PathLike[str]) -> list[bytes]:
    """The file's lines, unparsed (for a reader that needs only some)."""
    lines = Path(path).read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line
    return lines


_LINE_KEYS = frozenset({"store_id", "seq", "hash", "at", "signature"})


def parse_checkpoint_line(line: bytes) -> Checkpoint:
    digest = line_digest(line)
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _damaged(digest)
    if not isinstance(obj, dict):
        return _damaged(digest)
    seq = obj.get("seq")
    prev = obj.get("prev")
    parsed = Checkpoint(
        store_id=obj.get("store_id") if isinstance(obj.get("store_id"), str) else "",
        seq=seq if type(seq) is int else -1,
        hash=obj.get("hash") if isinstance(obj.get("hash"), str) else "",
        at=obj.get("at") if isinstance(obj.get("at"), str) else "",
        signature=obj.get("signature") if isinstance(obj.get("signature"), str) else "",
        prev=prev if isinstance(prev, str) else None,
        line_digest=digest,
    )
    if set(obj) not in (_LINE_KEYS, _LINE_KEYS | {"prev"}) \
            or ("prev" in obj and not isinstance(prev, str)):
        # Unknown or missing keys: keep what could be read, but make sure the
        # checkpoint cannot verify.
        return Checkpoint(parsed.store_id, parsed.seq, parsed.hash, parsed.at, "",
                          parsed.prev, digest)
    return parsed


def _damaged(digest: str = "") -> Checkpoint:
    return Checkpoint(store_id="", seq=-1, hash="", at="", signature="",
                      line_digest=digest)


# ---------------------------------------------------------------------------
# Verification


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    entries: int  # entries read
    first_bad_seq: int | None
    problem_sv: str | None
    problem_en: str | None
    last_seq: int  # seq of the last entry read (the anchor's when none)
    last_hash: str  # stored hash of the last entry read (the anchor's when none)
    checkpoints_verified: int = 0  # valid checkpoints that matched the chain
    incremental: bool = False  # only what is new since a verified mark (audit_verify.py)


class _Problem:
    __slots__ = ("seq", "sv", "en")

    def __init__(self, seq: int | None, sv: str, en: str):
        self.seq = seq
        self.sv = sv
        self.en = en


def verify_chain(
    entries: Iterable[ChainEntry],
    checkpoints: Sequence[Checkpoint],
    public_key: Ed25519PublicKey | bytes,
    *,
    store_id: str | None = None,
    anchor: tuple[int, str] = (0, GENESIS),
    verified_lines: int = 0,
) -> ChainReport:
    """Check a chain, read once from start to end, against signed checkpoints.

    ``entries`` may be any iterable (e.g. a database cursor) in ascending seq
    order; memory use does not grow with its length. ``anchor`` is the seq and
    hash of the entry just before the first one (``(0, GENESIS)`` for a chain
    from the start). With ``store_id``, checkpoints of another store count as
    forged. ``verified_lines``: the first lines were verified before and are
    known unchanged (audit_verify's mark); their signatures are not re-checked.

    The report names the first problem found, in this order of precedence:
    the first entry (in chain order) that is altered, missing, inserted, out
    of order or different from a checkpoint; then a chain that ends before
    the newest valid checkpoint; then a checkpoint whose signature is bad.
    Reading continues past a problem so that ``entries``, ``last_seq`` and
    ``last_hash`` describe the whole input.
    """
    key = _public_key(public_key)
    anchor_seq, anchor_hash = anchor
    if type(anchor_seq) is not int or anchor_seq < 0 or not _is_hash(anchor_hash):
        raise ValueError("anchor must be (seq >= 0, 64 lower-case hex digits)")

    forged, expected_at = _signed_heads(checkpoints, key, store_id, verified_lines)
    newest_cp = max(expected_at, default=None)

    problem: _Problem | None = None
    matched = 0
    if anchor_seq in expected_at:
        if expected_at[anchor_seq] != {anchor_hash}:
            problem = _checkpoint_mismatch(anchor_seq)
        else:
            matched += 1

    prev_seq = anchor_seq
    prev_hash = anchor_hash
    prev_raw = bytes.fromhex(anchor_hash)  # None when the stored hash is unusable
    count = 0
    sha256 = hashlib.sha256
    canonical_text = _canonical_text

    for e in entries:
        count += 1
        seq = e.seq
        bad: _Problem | None = None
        try:
            canonical = canonical_text(
                seq,
                e.at,
                e.user,
                e.agency,
                e.role,
                e.action,
                e.subject_kind,
                e.subject_id,
                e.case_id,
                e.person_id,
                e.reason,
                e.detail,
                e.prev_hash,
            ).encode("utf-8")
        except (TypeError, ValueError):  # wrong types, lone surrogates
            canonical = None

        if type(seq) is not int:
            bad = _damaged_entry(prev_seq + 1)
            seq = prev_seq + 1
        elif seq != prev_seq + 1:
            bad = _sequence_problem(prev_seq + 1, seq)
        elif e.prev_hash != prev_hash:
            bad = _link_problem(seq)

        # Hash against the entry's own prev_hash, so that after a broken link
        # the rest of the chain is still checked entry by entry.
        if e.prev_hash == prev_hash and prev_raw is not None:
            raw_prev = prev_raw
        elif _is_hash(e.prev_hash):
            raw_prev = bytes.fromhex(e.prev_hash)
        else:
            raw_prev = None
        digest: str | None = None
        if canonical is not None and raw_prev is not None:
            h = sha256(raw_prev)
            h.update(canonical)
            raw = h.digest()
            digest = raw.hex()
            if bad is None and digest != e.hash:
                bad = _edited_problem(seq)
        elif bad is None:
            bad = _damaged_entry(seq)

        if bad is None and seq in expected_at:
            if expected_at[seq] != {e.hash}:
                bad = _checkpoint_mismatch(seq)
            else:
                matched += 1

        if bad is not None and problem is None:
            problem = bad

        # Continue from what is stored, so one problem is reported once and
        # the entries after it are still checked against each other.
        prev_seq = seq
        prev_hash = e.hash
        if digest is not None and digest == e.hash:
            prev_raw = raw
        elif _is_hash(e.hash):
            prev_raw = bytes.fromhex(e.hash)
        else:
            prev_raw = None

    if problem is None and newest_cp is not None and newest_cp > prev_seq:
        problem = _cut_tail(prev_seq, newest_cp)
    if problem is None and forged is not None:
        problem = forged

    if problem is None:
        return ChainReport(True, count, None, None, None, prev_seq, prev_hash, matched)
    return ChainReport(
        False, count, problem.seq, problem.sv, problem.en, prev_seq, prev_hash, matched
    )


def _signed_heads(checkpoints: Sequence[Checkpoint], key: Ed25519PublicKey,
                  store_id: str | None, verified_lines: int = 0,
                  ) -> tuple[_Problem | None, dict[int, set[str]]]:
    """The log heads the valid checkpoints vouch for, and the first checkpoint
    problem (a bad signature, else a break in the checkpoint chain). A handful
    to a few thousand checkpoints: fine to hold in memory."""
    forged: _Problem | None = None
    expected_at: dict[int, set[str]] = {}
    for index, cp in enumerate(checkpoints, start=1):
        valid = (index <= verified_lines or verify_checkpoint(cp, key)) \
            and (store_id is None or cp.store_id == store_id)
        if not valid:
            if forged is None:
                forged = _forged_problem(cp, index)
            continue
        expected_at.setdefault(cp.seq, set()).add(cp.hash)
    broken_at = chain_break(checkpoints)
    if forged is None and broken_at is not None:
        forged = _unlinked_problem(checkpoints[broken_at - 1], broken_at)
    return forged, expected_at


# Problem texts: one sentence each, Swedish and English, never entry content.


def _edited_problem(seq: int) -> _Problem:
    return _Problem(
        seq,
        f"Loggpost {seq} har ändrats i efterhand: dess kontrollsumma stämmer inte.",
        f"Log entry {seq} has been altered: its hash does not match its content.",
    )


def _link_problem(seq: int) -> _Problem:
    return _Problem(
        seq,
        f"Loggpost {seq} hänger inte ihop med posten före: en tidigare post har "
        "ändrats, tagits bort eller lagts till.",
        f"Log entry {seq} does not link to the entry before it: an earlier entry "
        "has been altered, removed or inserted.",
    )


def _sequence_problem(expected: int, found: int) -> _Problem:
    if found > expected:
        return _Problem(
            expected,
            f"Loggpost {expected} saknas eller står i fel ordning "
            f"(nästa post har nummer {found}).",
            f"Log entry {expected} is missing or out of order "
            f"(the next entry is number {found}).",
        )
    return _Problem(
        found,
        f"Loggpost {found} förekommer en gång till eller står i fel ordning "
        f"(nummer {expected} väntades).",
        f"Log entry {found} appears again or out of order "
        f"(number {expected} was expected).",
    )


def _damaged_entry(seq: int) -> _Problem:
    return _Problem(
        seq,
        f"Loggpost {seq} är skadad och kan inte kontrolleras.",
        f"Log entry {seq} is damaged and cannot be checked.",
    )


def _checkpoint_mismatch(seq: int) -> _Problem:
    return _Problem(
        seq,
        f"Loggen har skrivits om: loggpost {seq} stämmer inte med den signerade "
        "kontrollpunkten.",
        f"The log has been rewritten: entry {seq} does not match the signed "
        "checkpoint.",
    )


def _cut_tail(last_seq: int, checkpoint_seq: int) -> _Problem:
    return _Problem(
        last_seq + 1,
        f"Loggen har kortats: den slutar vid post {last_seq} men en signerad "
        f"kontrollpunkt finns för post {checkpoint_seq}.",
        f"The log has been cut short: it ends at entry {last_seq} but a signed "
        f"checkpoint exists for entry {checkpoint_seq}.",
    )


def _unlinked_problem(cp: Checkpoint, index: int) -> _Problem:
    return _Problem(
        cp.seq if type(cp.seq) is int and cp.seq >= 0 else None,
        f"Kontrollpunkt nr {index} hänger inte ihop med den före: en kontrollpunkt har "
        "tagits bort, ändrats eller lagts till.",
        f"Checkpoint no. {index} does not link to the one before it: a checkpoint has "
        "been removed, altered or inserted.",
    )


def _forged_problem(cp: Checkpoint, index: int) -> _Problem:
    if type(cp.seq) is int and cp.seq >= 0:
        return _Problem(
            cp.seq,
            f"Kontrollpunkt nr {index} (för loggpost {cp.seq}) har ingen giltig "
            "signatur: den är förfalskad eller skadad.",
            f"Checkpoint no. {index} (for log entry {cp.seq}) has no valid "
            "signature: it is forged or damaged.",
        )
    return _Problem(
        None,
        f"Kontrollpunkt nr {index} kan inte läsas: den är förfalskad eller skadad.",
        f"Checkpoint no. {index} cannot be read: it is forged or damaged.",
    )
