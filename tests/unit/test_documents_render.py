"""PDF documents: rendering, verification record and seal, password protection."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone

import pikepdf
import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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
    document_from_json,
)
from trefas_app.documents.protect import encrypt_pdf, is_encrypted
from trefas_app.documents.render import local_time_text, register_fonts, render_pdf
from trefas_app.domain import clock
from trefas_app.documents.verification import (
    ATTACHMENT_NAME,
    INFO_KEY,
    DocumentSigner,
    VerificationRecord,
    pdf_sha256,
    public_key_id,
    seal_pdf,
    sign_record,
    verify_pdf,
    verify_record,
)
from trefas_app.domain.errors import ValidationError

STORE = "5f1c2a9e-0d6b-4d8e-9a51-3c2b7e8f1a00"
SECRECY = "Sekretess enligt OSL 26 kap. 1 § – får inte lämnas ut utan prövning"
RECIPIENT = "Polismyndigheten, LPO Rinkeby"
CREATED = datetime(2026, 11, 26, 13, 3, tzinfo=UTC)  # 14:03 in Stockholm
WATERMARK = f"Till: {RECIPIENT} – 2026-11-26 14:03"
SWEDISH = (
    "Vid hembesöket framkom att Åsa Öberg-Ångström upplever att situationen i området har "
    "förvärrats sedan skjutningen på torget i oktober. Hon berättar att sonen inte längre "
    "vågar gå till skolan och att familjen överväger att flytta till släktingar i Göteborg. "
    "Socialsekreteraren informerade om avhopparverksamheten, om möjligheten till skyddat "
    "boende och om vilka insatser som kan erbjudas inom SIG. Överenskommelse gjordes om "
    "ett nytt möte tillsammans med kontaktpersonen från Kriminalvården. "
)


def _header(**changes) -> DocumentHeader:
    fields = dict(
        doc_number="TRF-2026-000123", kind="handover",
        title="Överlämning gällande Åsa Öberg-Ångström", author_name="Anna Svensson",
        author_agency="Socialtjänsten, Rinkeby-Kista stadsdelsförvaltning",
        recipient=RECIPIENT, created_at=CREATED, secrecy_line=SECRECY,
        case_number="SAM-2026-0042",
    )
    fields.update(changes)
    return DocumentHeader(**fields)


def _big_document(notes: int = 200, rows: int = 300) -> Document:
    rnd = random.Random(7)
    blocks: list = [
        Heading("Bakgrund"),
        Paragraph(SWEDISH * 8 + "\n\n" + SWEDISH * 4),
        KeyValues((("Person", "Åsa Öberg-Ångström"), ("Anhörig", "Ёлкин Дмитрий"),
                   ("Kontakt", "Γιώργος Παπαδόπουλος"), ("Ort", "Łódź / Ærøskøbing"),
                   ("Adress", "Skyddad person P-0042"))),
        Heading("Händelser"),
        Table(("Datum", "Handläggare", "Händelse", "Kommentar"),
              tuple((f"2026-10-{i % 28 + 1:02d}", f"Handläggare nr {i}", "Läsning av ärende",
                     f"RAD-{i:03d} " + SWEDISH[: rnd.randint(5, 360)]) for i in range(rows)),
              (1.1, 1.4, 1.3, 3.2)),
        Heading("Journalanteckningar"),
    ]
    for i in range(notes):
        body = SWEDISH * rnd.randint(1, 6)
        if i % 4 == 0:
            body += "\n\nUppföljning: " + SWEDISH
        blocks.append(NoteBlock(f"Anteckning {i + 1}: samtal med Ёлкин Дмитрий",
                                f"2026-10-{i % 28 + 1:02d} · Anna Svensson, socialtjänsten",
                                body))
    blocks.append(OmittedSection((
        "3 journalanteckningar (kategori hälsa) – samtycke saknas för mottagaren",
        "1 hotbedömning – ägs av Kriminalvården och delas inte med mottagaren",
    )))
    return Document(_header(), tuple(blocks))


def _small_document(**header_changes) -> Document:
    return Document(_header(**header_changes), (
        Heading("Sammanfattning"),
        Paragraph("Kort text om Åsa Öberg-Ångström och Ёлкин Дмитрий."),
        Table(("A", "B"), (("1", "2"), ("3", "4"))),
    ))


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def big_pdf(key) -> bytes:
    return render_pdf(_big_document(), DocumentSigner(key, STORE))


@pytest.fixture(scope="module")
def big_pages(big_pdf) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(big_pdf)).pages]


@pytest.fixture(scope="module")
def small_pdf(key) -> bytes:
    return render_pdf(_small_document(), DocumentSigner(key, STORE))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

def test_every_page_has_secrecy_line_number_page_count_and_watermark(big_pages):
    total = len(big_pages)
    assert total > 20
    for number, text in enumerate(big_pages, start=1):
        assert SECRECY in text
        assert "TRF-2026-000123" in text
        assert f"Sida {number} av {total}" in text
        assert "Anna Svensson" in text and RECIPIENT in text and "2026-11-26 14:03" in text
        assert WATERMARK in text, f"watermark missing on page {number}"


def test_names_and_all_content_are_present(big_pages):
    text = "\n".join(big_pages)
    flat = _flat(text)
    for name in ("Åsa Öberg-Ångström", "Ёлкин Дмитрий", "Γιώργος Παπαδόπουλος",
                 "Łódź / Ærøskøbing"):
        assert _flat(name) in flat
    assert "Sida 1 av " in big_pages[0] and "trefas verify-document <fil>" in big_pages[0]
    for i in range(300):
        assert f"RAD-{i:03d}" in text
    for i in range(1, 201):
        assert f"Anteckning {i}:" in text
    assert "Ej med i dokumentet" in text and "samtycke saknas för mottagaren" in text


def test_table_header_is_repeated_on_every_table_page(big_pages):
    table_pages = [t for t in big_pages if re.search(r"RAD-\d{3}", t)]
    assert len(table_pages) >= 5
    for text in table_pages:
        assert "Kommentar" in text and "Handläggare" in text


def test_poppler_pdftotext_sees_the_same_text(big_pdf, big_pages, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(big_pdf)
    total = len(big_pages)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, check=True).stdout.decode("utf-8")
    pages = out.split("\f")
    assert SECRECY in pages[0]
    assert "TRF-2026-000123" in pages[0]
    assert f"Sida 1 av {total}" in pages[0] and f"Sida {total} av {total}" in pages[total - 1]
    assert _flat(WATERMARK) in _flat(pages[0])  # rotated text comes out letter by letter
    assert "Åsa Öberg-Ångström" in out and "Ёлкин Дмитрий" in out


def test_unsigned_draft_says_so_and_does_not_verify(key):
    pdf = render_pdf(_small_document(), None)
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Ej signerat" in text
    result = verify_pdf(pdf, key.public_key(), STORE)
    assert not result.ok and result.code == "not_trefas"


def test_markup_characters_and_control_characters_are_printed_safely():
    doc = Document(_header(title="<b>Rubrik</b> & annat"), (
        Paragraph("a < b & c > d <font size=40>x</font>\x00\x07 slut\r\nny rad"),
        NoteBlock("Titel <i>", "meta &amp;", "brödtext\u2028rad två"),
        KeyValues((("<x>", "&"),)),
        Table(("<th>",), (("<td>&nbsp;",),)),
        OmittedSection(("<script>",)),
    ))
    text = pypdf.PdfReader(io.BytesIO(render_pdf(doc, None))).pages[0].extract_text()
    for literal in ("<b>Rubrik</b> & annat", "a < b & c > d <font size=40>x</font>",
                    "meta &amp;", "<td>&nbsp;", "<script>"):
        assert literal in text


def test_huge_cells_long_words_and_long_header_fields_render():
    giant = "ord " * 6000  # one cell far taller than a page
    doc = Document(
        _header(recipient="Polismyndigheten, " + "Lokalpolisområde Rinkeby " * 8,
                secrecy_line=SECRECY + " " + "och ytterligare förbehåll " * 12,
                author_agency="Socialtjänsten " * 10),
        (Table(("Kort", "Lång"), (("x", giant), ("y", "Ä" * 400))),
         KeyValues((("Fält", giant),)),
         OmittedSection(("z" * 900,)),
         NoteBlock("Titel", "", "")),
    )
    pdf = render_pdf(doc, None)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) > 3


def test_empty_document_and_empty_blocks_render():
    doc = Document(_header(case_number=None), (Table(("A", "B"), ()), OmittedSection(()),
                                               KeyValues(()), Paragraph("")))
    text = pypdf.PdfReader(io.BytesIO(render_pdf(doc, None))).pages[0].extract_text()
    assert "Inga rader" in text and "Inga uppgifter har undantagits" in text
    assert "Ärendenummer" not in text


def test_creation_time_is_printed_in_stockholm_time_with_its_offset():
    # Issue 14: a PDF leaves the program, so its instant carries the zone's offset.
    assert local_time_text(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == "2026-07-01 14:00 +02:00"
    assert local_time_text(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)) == "2026-01-16 00:30 +01:00"


def test_pdf_time_agrees_with_the_one_clock_across_dst_changes():
    # The private Stockholm fallback is gone: the office zone is the one clock's.
    instants = [datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
                datetime(2026, 10, 25, 0, 59, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
                datetime(2027, 12, 31, 23, 0, tzinfo=UTC), datetime(2030, 6, 1, tzinfo=UTC)]
    assert [local_time_text(t) for t in instants] == [
        "2026-03-29 01:59 +01:00", "2026-03-29 03:00 +02:00",
        "2026-10-25 02:59 +02:00", "2026-10-25 02:00 +01:00",
        "2028-01-01 00:00 +01:00", "2030-06-01 02:00 +02:00"]
    assert [local_time_text(t) for t in instants] == [
        clock.format_local(t, offset=True) for t in instants]


def test_register_fonts_prefers_a_unicode_font_and_is_idempotent():
    first = register_fonts()
    assert register_fonts() is first
    if os.path.exists("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        assert first.source.endswith("DejaVuSans.ttf")


# --------------------------------------------------------------------------
# Model and canonical form
# --------------------------------------------------------------------------

def test_canonical_json_round_trips_and_ignores_representation_details():
    doc = _big_document(notes=3, rows=4)
    data = canonical_json(doc)
    assert document_from_json(data) == doc
    assert canonical_json(document_from_json(data)) == data
    stockholm = timezone(timedelta(hours=1))
    a = Document(_header(created_at=CREATED.astimezone(stockholm)),
                 (Table(("x", "y"), [["1", "2"]], [1, 2]),))
    b = Document(_header(), (Table(("x", "y"), (("1", "2"),), (1.0, 2.0)),))
    assert canonical_json(a) == canonical_json(b)
    assert json.loads(data)["header"]["created_at"] == "2026-11-26T13:03:00.000000Z"


def test_model_rejects_bad_input():
    with pytest.raises(ValueError):
        _header(kind="memo")
    with pytest.raises(ValueError):
        _header(created_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        Table(("a", "b"), (("only one",),))
    with pytest.raises(ValueError):
        Table(("a",), (), (0.0,))
    with pytest.raises(ValueError):
        KeyValues((("a", "b", "c"),))
    with pytest.raises(TypeError):
        Document(_header(), ("not a block",))


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------

def test_fresh_pdf_verifies(big_pdf, key):
    result = verify_pdf(big_pdf, key.public_key(), STORE)
    assert result.ok and result.code == "ok", result.reason_en
    assert result.record.doc_number == "TRF-2026-000123"
    assert result.record.store_id == STORE and result.record.recipient == RECIPIENT
    assert result.document == _big_document()
    assert "Åsa" not in repr(result)  # results may be logged; content must not be
    assert result.reason_sv and result.reason_en


def test_record_is_in_metadata_and_covers_the_canonical_content(small_pdf, key):
    with pikepdf.open(io.BytesIO(small_pdf)) as pdf:
        record = VerificationRecord.from_payload(str(pdf.docinfo[INFO_KEY]))
        content = pdf.attachments[ATTACHMENT_NAME].get_file().read_bytes()
    assert content == canonical_json(_small_document())
    assert record.content_sha256 == hashlib.sha256(content).hexdigest()
    assert record.key_id == public_key_id(key.public_key())
    assert verify_record(record, key.public_key(), STORE).ok
    assert VerificationRecord.from_payload(record.to_payload()) == record


def test_known_hashes_decide_when_given(small_pdf, key):
    pub = key.public_key()
    assert verify_pdf(small_pdf, pub, STORE, {pdf_sha256(small_pdf)}).ok
    result = verify_pdf(small_pdf, pub, STORE, {"0" * 64})
    assert not result.ok and result.code == "not_issued"


def _flipped(data: bytes, pos: int) -> bytes:
    return data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1:]


def test_one_flipped_byte_anywhere_is_refused(small_pdf, key):
    pub = key.public_key()
    size = len(small_pdf)
    positions = set(range(0, size, max(1, size // 400))) | set(range(size - 130, size))
    for pos in sorted(positions):
        result = verify_pdf(_flipped(small_pdf, pos), pub, STORE)
        assert not result.ok, f"byte {pos} of {size} flipped but accepted"


def test_flipped_byte_in_page_content_is_reported_as_changed_file(big_pdf, key):
    start = big_pdf.index(b"stream", len(big_pdf) // 2) + 20
    result = verify_pdf(_flipped(big_pdf, start), key.public_key(), STORE)
    assert not result.ok and result.code == "file_changed"
    assert "ändrats" in result.reason_sv and "changed" in result.reason_en


def test_appended_update_and_truncation_are_refused(small_pdf, key):
    pub = key.public_key()
    appended = small_pdf + b"1 0 obj\n<< >>\nendobj\n%%EOF\n"
    assert not verify_pdf(appended, pub, STORE).ok
    assert not verify_pdf(small_pdf[:-1], pub, STORE).ok
    assert not verify_pdf(small_pdf[: len(small_pdf) // 2], pub, STORE).ok
    assert verify_pdf(b"not a pdf", pub, STORE).code == "not_pdf"
    assert verify_pdf(b"", pub, STORE).code == "not_pdf"


def test_signed_with_another_key_is_refused(key):
    other = Ed25519PrivateKey.generate()
    pdf = render_pdf(_small_document(), DocumentSigner(other, STORE))
    result = verify_pdf(pdf, key.public_key(), STORE)
    assert not result.ok and result.code == "other_key"
    assert verify_pdf(pdf, other.public_key(), STORE).ok


def test_document_from_another_store_is_refused(key):
    pdf = render_pdf(_small_document(), DocumentSigner(key, "another-store"))
    result = verify_pdf(pdf, key.public_key(), STORE)
    assert not result.ok and result.code == "other_store"
    assert "annan Trefas-installation" in result.reason_sv


def _rewrite(pdf_bytes: bytes, edit) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        edit(pdf)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def test_edited_signature_is_refused(small_pdf, key):
    def edit(pdf):
        record = VerificationRecord.from_payload(str(pdf.docinfo[INFO_KEY]))
        sig = record.signature
        forged = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
        pdf.docinfo[INFO_KEY] = dataclasses.replace(record, signature=forged).to_payload()
    result = verify_pdf(_rewrite(small_pdf, edit), key.public_key(), STORE)
    assert not result.ok and result.code == "bad_signature"


def test_forged_record_for_edited_content_is_refused(small_pdf, key):
    edited = canonical_json(_small_document(recipient="Kriminalvården, frivården Solna"))

    def edit(pdf):
        record = VerificationRecord.from_payload(str(pdf.docinfo[INFO_KEY]))
        pdf.docinfo[INFO_KEY] = dataclasses.replace(
            record, recipient="Kriminalvården, frivården Solna",
            content_sha256=hashlib.sha256(edited).hexdigest()).to_payload()
        pdf.attachments[ATTACHMENT_NAME] = pikepdf.AttachedFileSpec(pdf, edited)
    result = verify_pdf(_rewrite(small_pdf, edit), key.public_key(), STORE)
    assert not result.ok and result.code == "bad_signature"


def test_edited_embedded_content_is_refused(small_pdf, key):
    def edit(pdf):
        changed = canonical_json(_small_document(title="Annan titel"))
        pdf.attachments[ATTACHMENT_NAME] = pikepdf.AttachedFileSpec(pdf, changed)
    result = verify_pdf(_rewrite(small_pdf, edit), key.public_key(), STORE)
    assert not result.ok and result.code == "content_changed"


def test_resaved_file_loses_the_seal_and_is_not_confirmed(small_pdf, key):
    resaved = _rewrite(small_pdf, lambda pdf: None)
    result = verify_pdf(resaved, key.public_key(), STORE)
    assert not result.ok and result.code == "unsealed"
    assert not verify_pdf(resaved, key.public_key(), STORE, {pdf_sha256(small_pdf)}).ok


def test_plain_callable_signer_gives_an_unsealed_file_recognised_by_hash(key):
    doc = _small_document()
    pdf = render_pdf(doc, lambda canonical: sign_record(key, STORE, doc))
    assert verify_pdf(pdf, key.public_key(), STORE).code == "unsealed"
    assert verify_pdf(pdf, key.public_key(), STORE, {pdf_sha256(pdf)}).ok


def test_signer_for_other_content_is_rejected(key):
    other = _small_document(doc_number="TRF-2026-999999")
    with pytest.raises(ValueError):
        render_pdf(_small_document(), lambda canonical: sign_record(key, STORE, other))


def test_resealing_is_idempotent_and_seal_is_one_final_line(small_pdf, key):
    signer = DocumentSigner(key, STORE)
    assert seal_pdf(small_pdf, signer) == small_pdf
    last_line = small_pdf.rstrip(b"\n").rsplit(b"\n", 1)[1]
    assert last_line.startswith(b"%TrefasSeal v1 ")
    assert b"%%EOF" in small_pdf[-200:]


# --------------------------------------------------------------------------
# Password protection
# --------------------------------------------------------------------------

def test_encrypt_pdf_uses_aes_256_and_needs_the_password(small_pdf):
    encrypted = encrypt_pdf(small_pdf, "hemligt lösenord 42")
    assert is_encrypted(encrypted) and not is_encrypted(small_pdf)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(encrypted))
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(encrypted), password="fel")
    with pikepdf.open(io.BytesIO(encrypted), password="hemligt lösenord 42") as pdf:
        assert pdf.is_encrypted
        assert pdf.encryption.R == 6 and pdf.encryption.bits == 256
        assert pdf.encryption.stream_method.name == "aesv3"
        assert pdf.encryption.string_method.name == "aesv3"
        assert int(pdf.trailer.Encrypt.V) == 5 and int(pdf.trailer.Encrypt.R) == 6
        assert pdf.trailer.Encrypt.CF.StdCF.CFM == pikepdf.Name.AESV3
        assert len(pdf.pages) == len(pikepdf.open(io.BytesIO(small_pdf)).pages)
    with pytest.raises(ValidationError):
        encrypt_pdf(small_pdf, "")


def test_password_protected_render_is_sealed_and_verifies_with_password(key):
    pdf = render_pdf(_small_document(), DocumentSigner(key, STORE), password="s3kret")
    pub = key.public_key()
    assert is_encrypted(pdf)
    assert verify_pdf(pdf, pub, STORE, password="s3kret").ok
    assert verify_pdf(pdf, pub, STORE).code == "password_required"
    assert verify_pdf(pdf, pub, STORE, password="fel").code == "wrong_password"
    assert verify_pdf(_flipped(pdf, len(pdf) // 2), pub, STORE, password="s3kret").code \
        == "file_changed"
