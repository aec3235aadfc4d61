"""Password policy (NIST SP 800-63B) and log-in throttling."""

from __future__ import annotations

import unicodedata

import pytest

from trefas_app.domain.errors import ValidationError
from trefas_app.resources import resource_path
from trefas_app.domain.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    WeakPassword,
    check_password_policy,
    common_passwords,
    failed_login_delay,
    is_common_password,
    normalise_password,
)


def refusal(password: str, username: str | None = None) -> WeakPassword:
    with pytest.raises(WeakPassword) as info:
        check_password_policy(password, username)
    return info.value


# --- length -------------------------------------------------------------


def test_limits_are_the_documented_ones():
    assert (MIN_LENGTH, MAX_LENGTH) == (12, 256)


def test_eleven_characters_refused_twelve_accepted():
    assert refusal("kX9#mPq2vL7").reason == "too_short"
    check_password_policy("kX9#mPq2vL7w")


@pytest.mark.parametrize("length", [64, 100, 256])
def test_long_passwords_accepted(length):
    # Not a repetition, not a sequence: a slice of a varied text.
    text = ("Granen vid sjön står tyst, men ekorren 7 springer fort! " * 6)[:length]
    assert len(text) == length
    check_password_policy(text, "anna.svensson")


def test_257_characters_refused():
    text = ("Granen vid sjön står tyst, men ekorren 7 springer fort! " * 6)[:257]
    assert refusal(text).reason == "too_long"


def test_length_counts_code_points_after_nfkc():
    # Eleven characters written with decomposed ä (a + combining diaeresis):
    # thirteen code points raw, eleven after NFKC.
    decomposed = unicodedata.normalize("NFD", "fjällrävenX")
    assert len(decomposed) == 13
    assert refusal(decomposed).reason == "too_short"
    # Full-width letters become ordinary ASCII and still count one each.
    check_password_policy("Ｇｒａｎｋｏｔｔｅ４２ｘ")


def test_normalise_password_is_nfkc():
    assert normalise_password("ﬁsk") == "fisk"
    assert normalise_password(unicodedata.normalize("NFD", "å")) == "å"
    with pytest.raises(TypeError):
        normalise_password(b"bytes")  # type: ignore[arg-type]


# --- no composition rules, unicode welcome ------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "alla ord i gemener utan siffror",
        "ÅÄÖ åäö och lite mer text",
        "Blåbärssylt på fredagar",
        "korrekt häst batteri häftklammer",
        "Tr0ub4dor&3xyz",
        "😀 emoji fungerar också 🙂",
    ],
)
def test_good_passwords_accepted(password):
    check_password_policy(password, "anna.svensson")


# --- common and breached ------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["qwerty123456", "1qaz2wsx3edc", "QWERTY123456", "lösenord12345", "LÖSENORD12345",
     "hejsan123456", "stockholm2024"],
)
def test_listed_passwords_refused_case_insensitively(password):
    assert refusal(password).reason == "common"


@pytest.mark.parametrize(
    "password",
    ["Sommar2024!!!", "password7777777", "!!!dragon!!!123", "passwordpassword",
     "Lösenord!2024#", "summer1234567"],
)
def test_listed_password_with_padding_or_repeated_refused(password):
    assert refusal(password).reason == "common_padded"


def test_short_listed_base_is_not_used_for_padding():
    # "abc" is listed but too short to make "abc" + digits a listed password;
    # the rest of the policy decides.
    assert "abc" in common_passwords()
    check_password_policy("abc9f1!k2z7q")


def test_common_list_shipped_and_loaded_once():
    path = resource_path("passwords", "common-passwords.txt")
    assert path.is_file()
    listed = common_passwords()
    assert isinstance(listed, frozenset)
    assert len(listed) >= 10_000
    assert common_passwords() is listed
    assert all(p == p.lower() for p in listed)
    for swedish in ("sommar2024", "lösenord123", "hejsan123", "stockholm1", "vinter2023!"):
        assert swedish in listed
    assert is_common_password("Sommar2024")
    assert not is_common_password("inget vanligt lösenord alls")


def test_common_list_file_is_plain_and_deduplicated():
    raw = resource_path("passwords", "common-passwords.txt").read_text("utf-8")
    lines = raw.splitlines()
    assert len(lines) == len(set(lines))
    assert all(line and line == line.strip() for line in lines)
    assert len(raw.encode("utf-8")) < 1_500_000


# --- user name ------------------------------------------------------------


def test_password_equal_to_username_refused():
    assert refusal("Anna.Svensson", "anna.svensson").reason == "username"


def test_password_containing_username_refused():
    assert refusal("min katt heter anna.svensson", "anna.svensson").reason == "username"
    assert refusal("hej ANNASVENSSON hej", "anna.svensson").reason == "username"
    assert refusal("xx-ÅsaÖberg-2024", "åsaöberg").reason == "username"


def test_very_short_username_only_refused_when_equal():
    check_password_policy("alpacka på balkongen", "al")
    check_password_policy("alpacka på balkongen", "")
    check_password_policy("alpacka på balkongen", None)


# --- repetition and sequences ------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "ÄÄÄÄÄÄÄÄÄÄÄÄ", " " * 12, "abababababab", "abcabcabcabc", "1231231231231"
     [:12], "x" * 256],
)
def test_repeated_refused(password):
    assert refusal(password).reason == "repeated"


@pytest.mark.parametrize(
    "password",
    ["abcdefghijklm", "MNOPQRSTUVWX", "123456789012", "987654321098", "qwertyuiopåå",
     "ölkjhgfdsa12", "zyxwvutsrqpo", "abcdef654321", "aaaaaa123456", "abcd1234wxyz",
     "qwertyuiopasdfgh"],
)
def test_trivial_sequences_refused(password):
    assert refusal(password).reason == "sequence"


def test_four_runs_are_not_a_trivial_sequence():
    # abc + 9 + xyz + 1 …: too varied to be called a trivial sequence.
    check_password_policy("abc9xyz1mnoq")


# --- messages -------------------------------------------------------------


@pytest.mark.parametrize(
    "password,username",
    [
        ("kortis", None),
        ("y" * 300, None),
        ("qwerty123456", None),
        ("Sommar2024!!!", None),
        ("hemligt-anna.svensson", "anna.svensson"),
        ("zzzzzzzzzzzzzz", None),
        ("abcdefghijklm", None),
    ],
)
def test_refusals_are_bilingual_sentences_without_the_password(password, username):
    err = refusal(password, username)
    assert isinstance(err, ValidationError)
    assert err.sv and err.en and err.sv != err.en
    assert err.message("sv") == err.sv and err.message("en") == err.en
    for text in (err.sv, err.en):
        assert password not in text
        assert password.lower() not in text.lower()
        assert text.endswith(".")
        assert text.count(". ") == 0  # one sentence


def test_non_string_refused_as_type_error():
    with pytest.raises(TypeError):
        check_password_policy(None)  # type: ignore[arg-type]


# --- throttling -----------------------------------------------------------


def test_failed_login_delay_schedule():
    assert [failed_login_delay(n) for n in range(0, 12)] == [
        0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 30, 30,
    ]


def test_failed_login_delay_never_a_lock_out():
    assert failed_login_delay(-5) == 0
    for n in (50, 1_000, 10**9, 10**30):
        assert failed_login_delay(n) == 30.0
    assert all(isinstance(failed_login_delay(n), float) for n in range(20))
