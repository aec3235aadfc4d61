"""The hash chain of the access log and its signed checkpoints (DESIGN §6).

Every tamper test builds a clean chain, changes it the way an attacker with
write access to the database would, and asserts that verification fails and
names the exact sequence number where the chain first goes wrong.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import stat
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trefas_app.store.audit_chain import (
    GENESIS,
    ChainEntry,
    Checkpoint,
    append_checkpoint,
    build_entry,
    canonical_bytes,
    entry_hash,
    format_at,
    read_checkpoints,
    sign_checkpoint,
    verify_chain,
    verify_checkpoint,
)

STORE = "store-7f3a"
N = 300
CHECKPOINT_SEQS = (100, 200, 300)
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)

ACTIONS = ("login", "read_case", "read_person", "search", "update", "export_pdf",
           "emergency_access", "reveal_identity")


def make_chain(n: int = N) -> list[ChainEntry]:
    entries: list[ChainEntry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        entry = build_entry(
            seq,
            prev,
            at=format_at(T0 + timedelta(seconds=seq, microseconds=seq)),
            user=f"user{seq % 7}",
            agency=("city", "police", "probation")[seq % 3],
            role="social_worker" if seq % 2 else "police_liaison",
            action=ACTIONS[seq % len(ACTIONS)],
            subject_kind="case" if seq % 5 else None,
            subject_id=f"K-{seq % 40:04d}" if seq % 5 else None,
            case_id=f"K-{seq % 40:04d}" if seq % 5 else None,
            person_id=f"P-{seq % 90:04d}" if seq % 4 else None,
            reason="Nödåtkomst: akut hotbild, jour \"natt\"" if seq % 11 == 0 else None,
            detail=json.dumps({"n": seq, "fält": "värde"}, ensure_ascii=False)
            if seq % 3 == 0 else None,
        )
        entries.append(entry)
        prev = entry.hash
    return entries


def rehash_from(entries: list[ChainEntry], start_index: int) -> list[ChainEntry]:
    """What an attacker who knows the algorithm does: recompute every hash from
    ``start_index`` on, so the chain is internally consistent again."""
    out = list(entries[:start_index])
    prev = out[-1].hash if out else GENESIS
    for e in entries[start_index:]:
        e = dataclasses.replace(e, prev_hash=prev)
        e = dataclasses.replace(e, hash=entry_hash(prev, canonical_bytes(e)))
        out.append(e)
        prev = e.hash
    return out


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def chain() -> list[ChainEntry]:
    return make_chain()


@pytest.fixture(scope="module")
def checkpoints(key, chain) -> list[Checkpoint]:
    return [
        sign_checkpoint(key, STORE, s, chain[s - 1].hash, format_at(T0 + timedelta(hours=s)))
        for s in CHECKPOINT_SEQS
    ]


def verify(entries, checkpoints, key, **kwargs):
    return verify_chain(iter(entries), checkpoints, key.public_key(), **kwargs)


def assert_bad(report, seq, *words):
    assert not report.ok
    assert report.first_bad_seq == seq, (report.problem_en, report.first_bad_seq)
    assert report.problem_sv and report.problem_en
    for word in words:
        assert word in report.problem_en, report.problem_en


# --- canonical form and hash ---------------------------------------------


def test_canonical_bytes_is_sorted_compact_utf8_json(chain):
    tricky = dataclasses.replace(
        chain[10],
        reason='citat " och \\ snedstreck\n\t\x00 och 😀 åäö \u2028',
        detail='{"a":"ü"}',
        user=None,
    )
    for entry in [*chain[:30], tricky]:
        fields = {f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
        del fields["hash"]
        expected = json.dumps(
            fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        assert canonical_bytes(entry) == expected
        assert canonical_bytes(fields) == expected
        assert canonical_bytes({**fields, "hash": "ignored"}) == expected


def test_canonical_bytes_covers_seq_and_prev_hash(chain):
    e = chain[5]
    assert b'"seq":6' in canonical_bytes(e)
    assert e.prev_hash.encode() in canonical_bytes(e)
    assert b'"hash"' not in canonical_bytes(e).replace(b'"prev_hash"', b"")


def test_canonical_bytes_rejects_wrong_fields(chain):
    fields = {f.name: getattr(chain[0], f.name) for f in dataclasses.fields(chain[0])}
    with pytest.raises(ValueError):
        canonical_bytes({k: v for k, v in fields.items() if k != "reason"})
    with pytest.raises(ValueError):
        canonical_bytes({**fields, "extra": 1})
    with pytest.raises(ValueError):
        canonical_bytes({**fields, "seq": "1"})
    with pytest.raises(ValueError):
        canonical_bytes({**fields, "user": 5})


def test_entry_hash_is_sha256_of_raw_prev_hash_and_canonical(chain):
    e = chain[41]
    expected = hashlib.sha256(bytes.fromhex(e.prev_hash) + canonical_bytes(e)).hexdigest()
    assert entry_hash(e.prev_hash, canonical_bytes(e)) == expected == e.hash
    assert chain[0].prev_hash == GENESIS == "0" * 64
    with pytest.raises(ValueError):
        entry_hash("xyz", b"{}")


def test_format_at_is_utc_with_microseconds_and_z():
    cet = timezone(timedelta(hours=1))
    assert format_at(datetime(2024, 1, 2, 13, 4, 5, 6, tzinfo=cet)) == "2024-01-02T12:04:05.000006Z"
    assert format_at().endswith("Z")
    with pytest.raises(ValueError):
        format_at(datetime(2024, 1, 1))


def test_build_entry_refuses_bad_input():
    with pytest.raises(ValueError):
        build_entry(1, GENESIS, action="")
    with pytest.raises(ValueError):
        build_entry(1, GENESIS, action="x", detail="not json")
    with pytest.raises(ValueError):
        build_entry(1, GENESIS, action="x", detail=json.dumps({"t": "x" * 3000}))
    with pytest.raises(ValueError):
        build_entry(1, "ABC", action="x")


# --- clean chains ---------------------------------------------------------


def test_clean_chain_verifies(key, chain, checkpoints):
    report = verify(chain, checkpoints, key, store_id=STORE)
    assert report.ok, report.problem_en
    assert report.entries == N
    assert report.first_bad_seq is None
    assert report.problem_sv is None and report.problem_en is None
    assert report.last_seq == N
    assert report.last_hash == chain[-1].hash
    assert report.checkpoints_verified == len(CHECKPOINT_SEQS)


def test_clean_chain_without_checkpoints_verifies(key, chain):
    report = verify(chain, [], key)
    assert report.ok and report.entries == N and report.last_seq == N


def test_empty_chain(key):
    report = verify([], [], key)
    assert report.ok and report.entries == 0
    assert (report.last_seq, report.last_hash) == (0, GENESIS)


def test_chain_after_retention_verifies_from_an_anchor(key, chain, checkpoints):
    anchor = (120, chain[119].hash)
    report = verify(chain[120:], checkpoints, key, anchor=anchor)
    assert report.ok, report.problem_en
    assert report.entries == N - 120
    # Without the anchor, the shortened chain is "missing entry 1".
    assert_bad(verify(chain[120:], [], key), 1, "missing")


def test_verification_is_streaming(key, chain, checkpoints):
    consumed = []

    def source():
        for e in chain:
            consumed.append(e.seq)
            yield e

    report = verify_chain(source(), checkpoints, key.public_key())
    assert report.ok and consumed == list(range(1, N + 1))


# --- tampering with entries ----------------------------------------------


@pytest.mark.parametrize(
    "field", ["at", "user", "agency", "role", "action", "subject_id", "case_id",
              "person_id", "reason", "detail"],
)
def test_one_changed_byte_in_any_field_is_detected(key, chain, checkpoints, field):
    seq = 137
    tampered = list(chain)
    old = getattr(chain[seq - 1], field) or "x"
    new = old[:-1] + chr(ord(old[-1]) ^ 1)  # flip one bit of the last character
    tampered[seq - 1] = dataclasses.replace(chain[seq - 1], **{field: new})
    assert_bad(verify(tampered, checkpoints, key), seq, "altered")


def test_changed_stored_hash_is_detected(key, chain, checkpoints):
    tampered = list(chain)
    h = chain[76].hash
    tampered[76] = dataclasses.replace(chain[76], hash=h[:-1] + ("0" if h[-1] != "0" else "1"))
    assert_bad(verify(tampered, checkpoints, key), 77, "altered")


def test_edited_and_rehashed_entry_breaks_the_next_link(key, chain, checkpoints):
    tampered = list(chain)
    e = dataclasses.replace(chain[136], action="nothing_to_see")
    tampered[136] = dataclasses.replace(e, hash=entry_hash(e.prev_hash, canonical_bytes(e)))
    assert_bad(verify(tampered, checkpoints, key), 138, "does not link")


def test_rewritten_tail_is_caught_by_the_next_checkpoint(key, chain, checkpoints):
    tampered = list(chain)
    tampered[149] = dataclasses.replace(chain[149], user="someone_else")
    tampered = rehash_from(tampered, 149)
    # Internally consistent again: only the signed checkpoint can tell.
    assert verify(tampered, [], key).ok
    assert_bad(verify(tampered, checkpoints, key), 200, "rewritten")


@pytest.mark.parametrize("seq", [1, 42, 150, 299])
def test_deleted_entry_is_detected(key, chain, checkpoints, seq):
    tampered = chain[: seq - 1] + chain[seq:]
    report = verify(tampered, checkpoints, key)
    assert_bad(report, seq, "missing")
    assert report.entries == N - 1


def test_deleted_entry_with_renumbered_and_rehashed_tail(key, chain, checkpoints):
    tampered = chain[:41] + [dataclasses.replace(e, seq=e.seq - 1) for e in chain[42:]]
    tampered = rehash_from(tampered, 41)
    assert_bad(verify(tampered, checkpoints, key), 100, "rewritten")


def test_deleted_last_entry_is_a_cut_tail(key, chain, checkpoints):
    assert_bad(verify(chain[:-1], checkpoints, key), N, "cut short")


def test_inserted_entry_is_detected(key, chain, checkpoints):
    # A forged entry that claims to be number 150 and links correctly to 149,
    # put in front of the real number 150.
    forged = build_entry(150, chain[148].hash, action="login", user="intruder",
                         at=chain[149].at)
    tampered = chain[:149] + [forged] + chain[149:]
    report = verify(tampered, checkpoints, key)
    assert_bad(report, 150, "appears again")
    assert report.entries == N + 1
    # Where a checkpoint names that very entry, the checkpoint speaks first.
    forged = build_entry(100, chain[98].hash, action="login", user="intruder",
                         at=chain[99].at)
    tampered = chain[:99] + [forged] + chain[99:]
    assert_bad(verify(tampered, checkpoints, key), 100, "rewritten")


def test_inserted_entry_with_renumbered_tail_is_detected(key, chain, checkpoints):
    forged = build_entry(61, chain[59].hash, action="login", user="intruder",
                         at=chain[60].at)
    renumbered = [dataclasses.replace(e, seq=e.seq + 1) for e in chain[60:]]
    tampered = chain[:60] + [forged] + renumbered
    # Numbers are contiguous, so the first renumbered entry fails its hash.
    assert_bad(verify(tampered, [], key), 62)
    # Even fully rehashed, the signed checkpoint at 100 catches it.
    assert_bad(verify(rehash_from(tampered, 60), checkpoints, key), 100, "rewritten")


def test_inserted_copy_of_an_entry_is_detected(key, chain, checkpoints):
    tampered = chain[:180] + [chain[179]] + chain[180:]
    assert_bad(verify(tampered, checkpoints, key), 180, "appears again")


@pytest.mark.parametrize("seq", [1, 250, 299])
def test_swapped_entries_are_detected(key, chain, checkpoints, seq):
    tampered = list(chain)
    tampered[seq - 1], tampered[seq] = tampered[seq], tampered[seq - 1]
    assert_bad(verify(tampered, checkpoints, key), seq, "out of order")


def test_damaged_entry_does_not_crash(key, chain, checkpoints):
    tampered = list(chain)
    tampered[9] = dataclasses.replace(chain[9], seq="10")  # type: ignore[arg-type]
    assert_bad(verify(tampered, checkpoints, key), 10, "damaged")
    tampered = list(chain)
    tampered[19] = dataclasses.replace(chain[19], user=12345)  # type: ignore[arg-type]
    assert_bad(verify(tampered, checkpoints, key), 20, "damaged")
    tampered = list(chain)
    tampered[29] = dataclasses.replace(chain[29], hash="not hex")
    assert_bad(verify(tampered, checkpoints, key), 30, "altered")


def test_only_the_first_problem_is_named_and_reading_goes_on(key, chain, checkpoints):
    tampered = list(chain)
    tampered[49] = dataclasses.replace(chain[49], user="x")
    tampered[249] = dataclasses.replace(chain[249], user="y")
    report = verify(tampered, checkpoints, key)
    assert_bad(report, 50)
    assert report.entries == N and report.last_seq == N


# --- cut tails ------------------------------------------------------------


def test_tail_dropped_after_a_checkpoint_is_detected(key, chain, checkpoints):
    report = verify(chain[:180], checkpoints, key)
    assert_bad(report, 181, "cut short")
    assert "180" in report.problem_en and "300" in report.problem_en
    assert report.last_seq == 180


def test_tail_dropped_exactly_at_a_checkpoint(key, chain, checkpoints):
    # Ends at 200, which checkpoint 200 confirms, but checkpoint 300 exists.
    assert_bad(verify(chain[:200], checkpoints, key), 201, "cut short")
    assert verify(chain[:200], checkpoints[:2], key).ok


def test_everything_removed(key, checkpoints):
    assert_bad(verify([], checkpoints, key), 1, "cut short")


def test_cut_tail_with_new_entries_appended(key, chain, checkpoints):
    # Cut after 250 and write 60 fresh entries: the count passes 300 again,
    # but entry 300 is not the signed one.
    prev = chain[249].hash
    fresh = []
    for seq in range(251, 311):
        e = build_entry(seq, prev, action="login", at=chain[-1].at)
        fresh.append(e)
        prev = e.hash
    assert_bad(verify(chain[:250] + fresh, checkpoints, key), 300, "rewritten")


# --- checkpoints ------------------------------------------------------------


def test_checkpoint_signature_round_trip(key, chain):
    cp = sign_checkpoint(key, STORE, 5, chain[4].hash, "2024-03-01T08:00:00.000000Z")
    assert verify_checkpoint(cp, key.public_key())
    assert len(base64.b64decode(cp.signature)) == 64
    for change in ({"seq": 6}, {"hash": chain[5].hash}, {"store_id": "other"},
                   {"at": "2024-03-01T08:00:00.000001Z"}, {"signature": "!!"},
                   {"signature": ""}):
        assert not verify_checkpoint(dataclasses.replace(cp, **change), key.public_key())


def test_checkpoint_signed_with_another_key(key, chain, checkpoints):
    other = Ed25519PrivateKey.generate()
    foreign = sign_checkpoint(other, STORE, 300, chain[299].hash, "2024-03-02T00:00:00.000000Z")
    assert not verify_checkpoint(foreign, key.public_key())
    report = verify(chain, [*checkpoints, foreign], key)
    assert_bad(report, 300, "forged")
    assert "no. 4" in report.problem_en
    # A forged checkpoint cannot fake a longer chain either: it is not used.
    far = sign_checkpoint(other, STORE, 900, chain[299].hash, "2024-03-02T00:00:00.000000Z")
    report = verify(chain, [*checkpoints, far], key)
    assert_bad(report, 900, "forged")
    assert report.last_seq == N and report.checkpoints_verified == 3


def test_checkpoint_of_another_store(key, chain, checkpoints):
    stray = sign_checkpoint(key, "another-store", 100, chain[99].hash, "2024-03-02T00:00:00.000000Z")
    assert verify(chain, [*checkpoints, stray], key).ok  # store not named
    assert_bad(verify(chain, [*checkpoints, stray], key, store_id=STORE), 100, "forged")


def test_entry_problem_takes_precedence_over_forged_checkpoint(key, chain, checkpoints):
    tampered = list(chain)
    tampered[10] = dataclasses.replace(chain[10], action="y")
    bad_cp = dataclasses.replace(checkpoints[2], hash=chain[0].hash)
    assert_bad(verify(tampered, [checkpoints[0], bad_cp], key), 11, "altered")


def test_checkpoint_file_round_trip_and_permissions(tmp_path, key, checkpoints):
    path = tmp_path / "trefas.checkpoints"
    for cp in checkpoints:
        append_checkpoint(path, cp)
    assert read_checkpoints(path) == checkpoints
    raw = path.read_bytes()
    assert raw.count(b"\n") == 3 and raw.endswith(b"\n")
    first = json.loads(raw.splitlines()[0])
    assert set(first) == {"store_id", "seq", "hash", "at", "signature"}
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_missing_checkpoint_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_checkpoints(tmp_path / "none")


def test_edited_checkpoint_line_is_a_forged_checkpoint(tmp_path, key, chain, checkpoints):
    path = tmp_path / "trefas.checkpoints"
    for cp in checkpoints:
        append_checkpoint(path, cp)
    lines = path.read_text("utf-8").splitlines()
    # Move checkpoint 300 back to 180 (to hide a cut tail): one edited line.
    obj = json.loads(lines[2])
    obj["seq"], obj["hash"] = 180, chain[179].hash
    lines[2] = json.dumps(obj)
    path.write_text("\n".join(lines) + "\n", "utf-8")

    read = read_checkpoints(path)
    assert len(read) == 3 and read[2].seq == 180
    report = verify(chain[:180], read, key)
    assert_bad(report, 181, "cut short")  # checkpoint 200 still catches the cut
    report = verify(chain[:180], [read[0], read[2]], key)
    assert_bad(report, 180, "forged")
    assert "no. 2" in report.problem_en


def test_one_changed_character_in_a_checkpoint_line(tmp_path, key, chain, checkpoints):
    path = tmp_path / "trefas.checkpoints"
    for cp in checkpoints:
        append_checkpoint(path, cp)
    raw = path.read_bytes()
    start = raw.index(checkpoints[1].hash.encode())
    flipped = b"1" if raw[start + 10:start + 11] != b"1" else b"2"
    path.write_bytes(raw[:start + 10] + flipped + raw[start + 11:])
    report = verify(chain, read_checkpoints(path), key)
    assert_bad(report, 200, "forged")


@pytest.mark.parametrize(
    "garbage",
    [b"{not json", b"[1, 2, 3]", b"\xff\xfe\x00", b"", b'{"seq": 5}',
     b'{"store_id": "s", "seq": 100, "hash": "x", "at": "", "signature": "", "x": 1}'],
)
def test_damaged_checkpoint_line_is_reported_not_raised(tmp_path, key, chain, checkpoints, garbage):
    path = tmp_path / "trefas.checkpoints"
    append_checkpoint(path, checkpoints[0])
    with open(path, "ab") as fh:
        fh.write(garbage + b"\n")
    append_checkpoint(path, checkpoints[1])
    read = read_checkpoints(path)
    assert len(read) == 3
    assert read[0] == checkpoints[0] and read[2] == checkpoints[1]
    assert not verify_checkpoint(read[1], key.public_key())
    report = verify(chain, read, key)
    assert not report.ok and "forged" in report.problem_en and "no. 2" in report.problem_en


def test_torn_last_line_stays_separate(tmp_path, key, checkpoints):
    path = tmp_path / "trefas.checkpoints"
    append_checkpoint(path, checkpoints[0])
    with open(path, "ab") as fh:
        fh.write(b'{"store_id": "store-7f3a", "seq": 2')  # crash mid-write
    append_checkpoint(path, checkpoints[1])
    read = read_checkpoints(path)
    assert len(read) == 3
    assert read[2] == checkpoints[1]
    assert not verify_checkpoint(read[1], key.public_key())


def test_messages_are_bilingual_and_free_of_content(key, chain, checkpoints):
    tampered = list(chain)
    tampered[21] = dataclasses.replace(chain[21], reason="Hemlig adress Storgatan 1")
    report = verify(tampered, checkpoints, key)
    assert report.first_bad_seq == 22
    assert "Loggpost 22" in report.problem_sv and "Log entry 22" in report.problem_en
    for text in (report.problem_sv, report.problem_en):
        assert "Storgatan" not in text and chain[21].user not in text
