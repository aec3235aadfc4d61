"""Checking the access log in full, or incrementally from a signed mark.

The full check reads every entry and recomputes every hash (``verify_chain``
over ``audit.iter_chain``): at two million entries that is seconds. It runs
for ``trefas audit verify --full``, for the store check (``trefas check
--user``) and whenever the incremental check finds anything wrong.

The incremental check (``trefas audit verify`` without ``--full``, and the
window's "Kontrollera loggen") starts from the *verified mark*: the head
(seq, hash) the last successful check ended at, signed with the store's
Ed25519 signing key and kept in ``store_meta`` (``audit.verified``). Someone
who can write the database but does not hold the signing key cannot move the
mark forward; a mark that does not verify is ignored (full check). Then:

1. the entry at the mark's seq must still carry the mark's hash, and the
   entries after it are checked from that anchor against every signed
   checkpoint, exactly as the full check does. (The mark also signs a
   digest of the checkpoint lines it saw: while those lines are unchanged
   their signatures are not checked again — two thousand Ed25519 checks at
   two million entries were most of the time — only the newer lines'.) Any rewrite of the chain
   that reaches the mark or a checkpoint — an edit of an old entry with the
   hashes after it recomputed, a deletion, an insertion, a cut tail —
   changes the hash at the mark or at a checkpoint and is caught here;
2. what this cannot see is an old entry edited *in place* (its content
   changed, the stored hashes left as they were): only recomputing that
   entry's hash shows it. So each incremental check also recomputes a
   window of ``SPOT_CHECK_ENTRIES`` consecutive older entries at a place
   chosen at random (``secrets``), which an attacker cannot predict: an
   in-place edit is found by the first check whose window covers it, and
   with certainty by the next full check. The full check is what the
   store check runs; run it regularly (e.g. with the backups).

On any problem the incremental check hands over to the full check, so the
report names the first bad entry exactly as a full check would.
"""

from __future__ import annotations

import dataclasses
import json
import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import delete, insert, select

from trefas_app.store import audit
from trefas_app.store.audit_chain import (
    ChainReport,
    Checkpoint,
    _CANONICAL,
    _public_key,
    verify_chain,
)
from trefas_app.store.models import AuditEvent, StoreMeta

#: store_meta key of the signed verified mark.
MARK_KEY = "audit.verified"
#: Older entries each incremental check recomputes (≈ 0.1 s).
SPOT_CHECK_ENTRIES = 10_000


@dataclasses.dataclass(frozen=True)
class Mark:
    """The head a check verified, and the checkpoint lines it saw."""

    seq: int
    hash: str
    lines: int
    lines_digest: str

    def signed_bytes(self, store_id: str) -> bytes:
        """What the signature covers; ``kind`` keeps a checkpoint's signature
        (over store_id, seq, hash, at) from passing for a mark."""
        return _CANONICAL.encode({"kind": MARK_KEY, "store_id": store_id, "seq": self.seq,
                                  "hash": self.hash, "lines": self.lines,
                                  "lines_digest": self.lines_digest}).encode("utf-8")


def lines_digest(checkpoints: Sequence[Checkpoint]) -> str:
    """One digest of the checkpoint lines as read from the file."""
    return hashlib.sha256("".join(cp.line_digest for cp in checkpoints).encode()).hexdigest()


def read_mark(session, public_key, store_id: str) -> Mark | None:
    """The verified mark when it is there and signed by this store's key."""
    value = session.scalar(select(StoreMeta.value).where(StoreMeta.key == MARK_KEY))
    try:
        fields = json.loads(value) if value else None
        mark = Mark(fields["seq"], fields["hash"], fields["lines"], fields["lines_digest"])
        if type(mark.seq) is not int or type(mark.lines) is not int:
            return None
        _public_key(public_key).verify(bytes.fromhex(fields["signature"]),
                                       mark.signed_bytes(store_id))
    except Exception:  # noqa: BLE001 - any unreadable or forged mark means: check in full
        return None
    return mark


def write_mark(session, signing_key, store_id: str, seq: int, digest: str,
               checkpoints: Sequence[Checkpoint]) -> None:
    """Sign (seq, digest) and the checkpoint lines as verified, inside the
    caller's transaction."""
    mark = Mark(seq, digest, len(checkpoints), lines_digest(checkpoints))
    value = dataclasses.asdict(mark) | {
        "signature": signing_key.sign(mark.signed_bytes(store_id)).hex()}
    session.execute(delete(StoreMeta.__table__).where(StoreMeta.key == MARK_KEY))
    session.execute(insert(StoreMeta.__table__).values(key=MARK_KEY, value=json.dumps(value)))


def verify(session, checkpoints: Sequence[Checkpoint], public_key, store_id: str, *,
           full: bool = True) -> ChainReport:
    """The full check, or (``full=False``) the incremental one described in
    the module docstring, falling back to the full one when there is no
    valid mark or anything is wrong."""
    mark = None if full else read_mark(session, public_key, store_id)
    if mark is not None:
        report = _incremental(session, checkpoints, public_key, store_id, mark)
        if report is not None:
            return report
    return verify_chain(audit.iter_chain(session), checkpoints, public_key,
                        store_id=store_id)


def _incremental(session, checkpoints, public_key, store_id: str,
                 mark: Mark) -> ChainReport | None:
    """The report when everything since the mark and the random window of
    older entries is intact; None when the full check must decide."""
    seq = mark.seq
    stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
    if stored != mark.hash:
        return None
    seen = mark.lines if mark.lines <= len(checkpoints) and \
        lines_digest(checkpoints[:mark.lines]) == mark.lines_digest else 0
    report = verify_chain(audit.iter_chain(session, after=seq), checkpoints, public_key,
                          store_id=store_id, anchor=(seq, mark.hash), verified_lines=seen)
    if not report.ok:
        return None
    sampled = spot_check(session, public_key, seq)
    if sampled is None:
        return None
    return dataclasses.replace(report, entries=report.entries + sampled, incremental=True)


def spot_check(session, public_key, upto: int, size: int = SPOT_CHECK_ENTRIES,
               start: int | None = None) -> int | None:
    """Recompute ``size`` consecutive entries at or before ``upto``, from a
    random place (or after ``start``); the number checked, or None when one of
    them is altered, missing or out of order."""
    first = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq).limit(1))
    if first is None or first > upto:
        return 0
    if start is None:
        start = first - 1 + secrets.randbelow(max(upto - (first - 1) - size, 0) + 1)
    anchor = session.scalar(select(AuditEvent.prev_hash).where(AuditEvent.seq == start + 1))
    try:
        report = verify_chain(audit.iter_chain(session, after=start, upto=start + size),
                              (), public_key, anchor=(start, anchor))
    except ValueError:  # the anchor entry is missing or its prev_hash damaged
        return None
    return report.entries if report.ok else None
