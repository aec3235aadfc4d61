"""Personal identity numbers and coordination numbers."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from trefas_app.domain.errors import ValidationError
from trefas_app.domain.personnummer import (
    InvalidPersonalNumber,
    PersonalNumber,
    is_valid_personal_number,
    luhn_check_digit,
    parse_personal_number,
)

TODAY = date(2025, 6, 15)


def tiny_luhn(nine: str) -> int:
    """Independent Luhn for the tests: double every other digit from the left."""
    s = 0
    for i, d in enumerate(int(c) for c in nine):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return -s % 10


def valid(yymmdd: str, serial: str = "238") -> str:
    """A ten-digit number (no separator) with a correct check digit."""
    nine = yymmdd + serial
    return nine + str(tiny_luhn(nine))


def with_wrong_check(ten: str) -> str:
    return ten[:9] + str((int(ten[9]) + 1) % 10)


def error_of(text: str, today: date = TODAY) -> InvalidPersonalNumber:
    with pytest.raises(InvalidPersonalNumber) as info:
        parse_personal_number(text, today)
    return info.value


# --- Luhn -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nine", "expected"),
    [("811218987", 6), ("640823323", 4), ("000000000", 0), ("121212121", 2)],
)
def test_luhn_known_vectors(nine, expected):
    assert tiny_luhn(nine) == expected
    assert luhn_check_digit(nine) == expected


@pytest.mark.parametrize("nine", ["123456789", "999999999", "010101010", "470228456", "193804123"])
def test_luhn_agrees_with_independent_implementation(nine):
    assert luhn_check_digit(nine) == tiny_luhn(nine)


@pytest.mark.parametrize("bad", ["", "12345678", "1234567890", "12345678a", "１２３４５６７８９"])
def test_luhn_rejects_other_than_nine_ascii_digits(bad):
    with pytest.raises(ValueError):
        luhn_check_digit(bad)


# --- valid numbers and forms ------------------------------------------------


def test_known_valid_number():
    pn = parse_personal_number("811218-9876", TODAY)
    assert pn.canonical == "19811218-9876"
    assert pn.birth_date == date(1981, 12, 18)
    assert pn.is_coordination_number is False
    assert pn.short == "811218-9876"
    assert pn.digits == "198112189876"
    assert str(pn) == "19811218-9876"


@pytest.mark.parametrize(
    "form",
    [
        "811218-9876",
        "8112189876",
        "198112189876",
        "19811218-9876",
        "  811218-9876  ",
        "\t19811218-9876\n",
        "\u00a0811218-9876\u00a0",
        "811218\u20139876",  # en dash pasted from a document
    ],
)
def test_all_accepted_forms_give_the_same_number(form):
    pn = parse_personal_number(form, TODAY)
    assert pn.canonical == "19811218-9876"
    assert pn.birth_date == date(1981, 12, 18)


@pytest.mark.parametrize("yymmdd", ["850101", "900228", "991231", "000101", "101010", "240229"])
def test_generated_valid_numbers(yymmdd):
    ten = valid(yymmdd)
    assert is_valid_personal_number(ten, TODAY)
    assert is_valid_personal_number(f"{ten[:6]}-{ten[6:]}", TODAY)


# --- check digit ------------------------------------------------------------


@pytest.mark.parametrize("wrong", [d for d in "0123456789" if d != "6"])
def test_every_wrong_check_digit_is_refused(wrong):
    err = error_of(f"811218-987{wrong}")
    assert err.sv == "Kontrollsiffran stämmer inte – kontrollera personnumret."
    assert err.en == "The check digit is wrong – please check the personal identity number."


def test_check_digit_is_over_ten_digit_form_even_in_twelve_digit_input():
    # The century digits are not part of the Luhn sum.
    assert is_valid_personal_number("198112189876", TODAY)
    assert is_valid_personal_number("20" + valid("010203"), TODAY)
    assert not is_valid_personal_number("20" + with_wrong_check(valid("010203")), TODAY)


def test_transposed_digits_are_caught():
    ten = valid("850709", "980")
    swapped = ten[:6] + ten[7] + ten[6] + ten[8:]
    assert tiny_luhn(swapped[:9]) != int(swapped[9])  # sanity: the swap changes the sum
    assert "Kontrollsiffran" in error_of(swapped).sv


def test_invalid_personal_number_is_a_validation_error():
    assert issubclass(InvalidPersonalNumber, ValidationError)


# --- 29 February -------------------------------------------------------------


@pytest.mark.parametrize("year", [1996, 2000, 2004, 2024])
def test_29_february_in_leap_years(year):
    pn = parse_personal_number(f"{year}0229" + valid(f"{year % 100:02d}0229")[6:], TODAY)
    assert pn.birth_date == date(year, 2, 29)


@pytest.mark.parametrize("year", [1900, 1999, 2023, 2001])
def test_29_february_in_common_years(year):
    err = error_of(f"{year}0229" + valid(f"{year % 100:02d}0229")[6:])
    assert "finns inte i kalendern" in err.sv
    assert "does not exist" in err.en


def test_29_february_2000_short_form_is_2000_but_with_plus_is_1900():
    ten = valid("000229")
    assert parse_personal_number(ten, TODAY).birth_date == date(2000, 2, 29)
    # '+' puts it in 1900, which was not a leap year.
    assert "finns inte i kalendern" in error_of(f"{ten[:6]}+{ten[6:]}").sv


@pytest.mark.parametrize(
    "yymmdd",
    ["850230", "850431", "850631", "850931", "851131", "850001", "851301", "859901"],
)
def test_impossible_dates(yymmdd):
    assert "finns inte i kalendern" in error_of(valid(yymmdd)).sv


@pytest.mark.parametrize("day", ["00", "32", "45", "60", "92", "99"])
def test_day_outside_both_ranges(day):
    err = error_of(valid(f"8501{day}"))
    assert "61–91" in err.sv and "01–31" in err.sv
    assert "61–91" in err.en


# --- coordination numbers ---------------------------------------------------


@pytest.mark.parametrize(
    ("yymmdd", "birth"),
    [
        ("850161", date(1985, 1, 1)),
        ("850191", date(1985, 1, 31)),
        ("000289", date(2000, 2, 29)),
        ("991291", date(1999, 12, 31)),
        ("240289", date(2024, 2, 29)),
    ],
)
def test_valid_coordination_numbers(yymmdd, birth):
    ten = valid(yymmdd)
    pn = parse_personal_number(f"{ten[:6]}-{ten[6:]}", TODAY)
    assert pn.is_coordination_number is True
    assert pn.birth_date == birth
    # The number keeps the day as issued (day + 60).
    assert pn.canonical == f"{birth.year // 100:02d}{ten[:6]}-{ten[6:]}"
    assert pn.short == f"{ten[:6]}-{ten[6:]}"


@pytest.mark.parametrize("yymmdd", ["850192", "850199", "850160"])
def test_coordination_day_out_of_range(yymmdd):
    assert "61–91" in error_of(valid(yymmdd)).sv


@pytest.mark.parametrize("yymmdd", ["230289", "850491", "850290"])
def test_coordination_number_with_impossible_real_date(yymmdd):
    # 29 Feb 2023, 31 April, 30 Feb — each + 60.
    assert "finns inte i kalendern" in error_of(valid(yymmdd)).sv


def test_coordination_number_wrong_check_digit():
    assert "Kontrollsiffran" in error_of(with_wrong_check(valid("850161"))).sv


def test_coordination_number_in_the_future_with_full_year():
    ten = valid("250676")  # 16 June 2025 + 60, one day after TODAY
    assert "framtiden" in error_of("20" + ten).sv


# --- century inference and '+' -----------------------------------------------


@pytest.mark.parametrize(
    ("yymmdd", "sep", "year"),
    [
        ("250615", "-", 2025),  # born today
        ("250614", "-", 2025),
        ("250616", "-", 1925),  # tomorrow's date → a century back, aged 99
        ("250615", "+", 1925),  # exactly 100 today
        # Turns 100 tomorrow, in this calendar year: '+' already (folkbokföringslagen 18 §).
        ("250616", "+", 1925),
        ("260101", "+", 1826),  # a 1926 birth turns 100 next year: '+' means 1826
        ("991231", "-", 1999),
        ("991231", "+", 1899),
        ("000101", "-", 2000),
        ("260101", "-", 1926),
        ("241231", "-", 2024),
        ("000101", "+", 1900),
    ],
)
def test_century_inference(yymmdd, sep, year):
    ten = valid(yymmdd)
    pn = parse_personal_number(f"{ten[:6]}{sep}{ten[6:]}", TODAY)
    assert pn.birth_date.year == year
    assert pn.canonical.startswith(str(year))


def test_century_inference_without_separator_means_under_100():
    assert parse_personal_number(valid("250616"), TODAY).birth_date == date(1925, 6, 16)
    assert parse_personal_number(valid("250615"), TODAY).birth_date == date(2025, 6, 15)


def test_century_inference_on_new_years_eve_and_day():
    ten = valid("000101")
    assert parse_personal_number(ten, date(1999, 12, 31)).birth_date == date(1900, 1, 1)
    assert parse_personal_number(ten, date(2000, 1, 1)).birth_date == date(2000, 1, 1)


def test_century_inference_for_29_february_when_today_is_28_february_2000():
    ten = valid("000229")
    # 29 Feb 2000 is tomorrow, so the rule goes back to 1900, which has no 29 Feb.
    assert "finns inte i kalendern" in error_of(ten, date(2000, 2, 28)).sv
    assert parse_personal_number(ten, date(2000, 2, 29)).birth_date == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("full", "today", "short_sep"),
    [
        ("19250615", date(2025, 6, 15), "+"),  # 100th birthday
        ("19250616", date(2025, 6, 15), "+"),  # turns 100 this calendar year
        ("19250616", date(2024, 12, 31), "-"),  # the year before
        ("19251231", date(2025, 1, 1), "+"),  # from 1 January of the 100th year
        ("19250616", date(2025, 6, 16), "+"),
        ("18991231", date(2025, 6, 15), "+"),
        ("20000101", date(2025, 6, 15), "-"),
    ],
)
def test_short_form_uses_plus_from_the_year_of_the_100th_birthday(full, today, short_sep):
    ten = valid(full[2:])
    pn = parse_personal_number(full + ten[6:], today)
    assert pn.short == f"{ten[:6]}{short_sep}{ten[6:]}"
    assert pn.short_at(today) == pn.short


def test_short_form_round_trips_through_parse():
    for full in ("19250615", "19250616", "18991231", "19811218", "20240229"):
        ten = valid(full[2:])
        pn = parse_personal_number(full + ten[6:], TODAY)
        assert parse_personal_number(pn.short, TODAY) == pn


def test_short_at_moves_to_plus_as_the_person_ages():
    pn = parse_personal_number(valid("300310"), date(2020, 1, 1))  # 1930
    assert pn.short_at(date(2029, 12, 31))[6] == "-"
    assert pn.short_at(date(2030, 1, 1))[6] == "+"  # the year, not the birthday
    assert pn.short_at(date(2030, 3, 9))[6] == "+"
    assert pn.short_at(date(2030, 3, 10))[6] == "+"


def test_plus_number_read_before_the_100th_birthday_is_from_that_century():
    """Issue 14: 260624+2671 read on 2026-03-15 is 19260624-2671 (not 1826)."""
    pn = parse_personal_number("260624+2671", date(2026, 3, 15))
    assert pn.canonical == "19260624-2671"
    assert pn.short == "260624+2671"


# --- future dates ------------------------------------------------------------


@pytest.mark.parametrize("full", ["20250616", "20251231", "20300101", "21000101"])
def test_future_birth_date_is_refused(full):
    err = error_of(full + valid(full[2:])[6:])
    assert err.sv == "Födelsedatumet i numret ligger i framtiden – kontrollera personnumret."
    assert "future" in err.en


def test_born_today_is_accepted():
    assert parse_personal_number("20250615" + valid("250615")[6:], TODAY).birth_date == TODAY


# --- format errors ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["85O709-9805", "811218-98a6", "811218 9876", "8112l8-9876", "811218/9876", "811218_9876",
     "19811218-9876x", "811218-９８７６"],
)
def test_letters_and_other_characters(text):
    err = error_of(text)
    assert "bara innehålla siffror" in err.sv
    assert "only contain digits" in err.en


@pytest.mark.parametrize(
    "text",
    [
        "811218987",  # 9 digits
        "81121898761",  # 11 digits
        "1981121898761",  # 13 digits
        "81121-89876",  # separator in the wrong place
        "8112189-876",
        "811218--9876",
        "811218-+9876",
        "-8112189876",
        "8112189876-",
        "198112-189876",
        "811218-98",
        "+",
    ],
)
def test_wrong_length_or_shape(text):
    err = error_of(text)
    assert "10 eller 12 siffror" in err.sv
    assert "10 or 12 digits" in err.en


def test_plus_with_twelve_digits_is_refused_with_its_own_message():
    err = error_of("19811218+9876")
    assert "Plustecken" in err.sv


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty(text):
    assert "Ange" in error_of(text).sv


def test_non_string_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_personal_number(8112189876)  # type: ignore[arg-type]
    assert is_valid_personal_number(8112189876) is False
    assert is_valid_personal_number(None) is False


# --- messages never echo the number ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "811218-9877",  # check digit
        "850230" + valid("850230")[6:],  # impossible date
        "850192" + valid("850192")[6:],  # day out of range
        "20300101" + valid("300101")[6:],  # future
        "81121898761",  # length
        "811218-98a6",  # characters
        "19811218+9876",  # plus with century
    ],
)
def test_messages_do_not_contain_the_number(text):
    err = error_of(text)
    digits = "".join(c for c in text if c.isdigit())
    for message in (err.sv, err.en, str(err)):
        assert message
        assert digits[-4:] not in message
        assert digits[:6] not in message
        assert text.strip() not in message
    assert err.sv != err.en


# --- the value ------------------------------------------------------------------


def test_value_is_frozen_and_compares_by_number():
    a = parse_personal_number("811218-9876", TODAY)
    b = parse_personal_number("198112189876", date(2000, 1, 1))
    assert a == b and hash(a) == hash(b)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.canonical = "19811218-9877"  # type: ignore[misc]


def test_repr_does_not_show_the_number():
    pn = parse_personal_number("811218-9876", TODAY)
    assert "9876" not in repr(pn)
    assert "811218" not in repr(pn)


def test_default_today_is_the_real_today():
    pn = parse_personal_number("811218-9876")
    assert pn.birth_date == date(1981, 12, 18)
    assert isinstance(pn, PersonalNumber)
    assert is_valid_personal_number("811218-9876")
    assert not is_valid_personal_number("811218-9877")


# --- födelsenummer 000 ---------------------------------------------------------


@pytest.mark.parametrize("text", ["811218-0000", "19811218-0008", "811278-0005"])
def test_birth_number_000_is_refused_with_its_own_message(text):
    date_part, tail = text.replace("-", "")[:-4], text[-4:]
    # Whatever the check digit, 000 is refused before it is looked at.
    for check in "0123456789":
        err = error_of(date_part + tail[:3] + check)
        assert "000" in err.sv and "001" in err.sv and "000" in err.en and "001" in err.en
        assert "kontrollsiffran stämmer" not in err.sv.lower()


def test_birth_number_001_and_999_are_accepted():
    for serial in ("001", "999"):
        assert is_valid_personal_number(valid("811218", serial), TODAY)


# --- properties (hypothesis) -----------------------------------------------------

from datetime import timedelta  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PROPERTY = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
SERIALS = st.integers(min_value=1, max_value=999).map(lambda n: f"{n:03d}")
BIRTHS = st.dates(min_value=date(1830, 1, 1), max_value=date(2099, 12, 31))
#: Todays on both sides of every century boundary the numbers can meet.
BOUNDARY_TODAYS = st.sampled_from([1899, 1900, 1999, 2000, 2099, 2100]).flatmap(
    lambda y: st.sampled_from([date(y - 1, 12, 31), date(y, 1, 1), date(y, 2, 28),
                               date(y, 6, 15), date(y, 12, 31)]))


def issued(birth: date, serial: str, coordination: bool) -> tuple[str, str]:
    """(twelve digits, ten digits) as Skatteverket would issue them."""
    day = birth.day + (60 if coordination else 0)
    yymmdd = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}"
    ten = valid(yymmdd, serial)
    return f"{birth.year:04d}{ten[2:]}", ten


def reference_year(yy: int, month: int, day: int, plus: bool, today: date) -> int:
    """The century rule written out by brute force over every candidate year."""
    years = [y for y in range(today.year - 300, today.year + 1) if y % 100 == yy]
    if plus:
        return max(y for y in years if today.year - y >= 100)
    not_future = [y for y in years if (y, month, day) <= (today.year, today.month, today.day)]
    return max(not_future)


@PROPERTY
@given(birth=BIRTHS, serial=SERIALS, coordination=st.booleans(),
       age_days=st.integers(min_value=0, max_value=199 * 365))
def test_canonical_and_short_forms_round_trip(birth, serial, coordination, age_days):
    today = birth + timedelta(days=age_days)
    if today.year - birth.year >= 200:
        return  # the short form cannot tell two centuries apart
    twelve, _ten = issued(birth, serial, coordination)
    pn = parse_personal_number(twelve, today)
    assert pn.birth_date == birth and pn.is_coordination_number == coordination
    short = pn.short_at(today)
    assert short[6] == ("+" if today.year - birth.year >= 100 else "-")
    again = parse_personal_number(short, today)
    assert again == pn and again.canonical == pn.canonical
    assert parse_personal_number(pn.canonical, today) == pn
    assert parse_personal_number(pn.digits, today) == pn


@PROPERTY
@given(birth=BIRTHS, serial=SERIALS, position=st.integers(min_value=0, max_value=9),
       change=st.integers(min_value=1, max_value=9))
def test_luhn_catches_every_single_digit_change(birth, serial, position, change):
    _twelve, ten = issued(birth, serial, False)
    assert int(ten[9]) == luhn_check_digit(ten[:9]) == tiny_luhn(ten[:9])
    wrong = ten[:position] + str((int(ten[position]) + change) % 10) + ten[position + 1:]
    assert not is_valid_personal_number(f"{birth.year // 100}{wrong}", date(2100, 1, 1))


@PROPERTY
@given(birth=BIRTHS, serial=SERIALS)
def test_coordination_number_is_the_birth_day_plus_60(birth, serial):
    twelve, _ten = issued(birth, serial, True)
    pn = parse_personal_number(twelve, date(2100, 1, 1))
    assert pn.is_coordination_number
    assert pn.birth_date == birth
    assert int(pn.canonical[6:8]) == birth.day + 60
    plain = parse_personal_number(issued(birth, serial, False)[0], date(2100, 1, 1))
    assert not plain.is_coordination_number and plain.birth_date == pn.birth_date


@PROPERTY
@given(today=BOUNDARY_TODAYS, yy=st.integers(min_value=0, max_value=99),
       month=st.integers(min_value=1, max_value=12), day=st.integers(min_value=1, max_value=28),
       plus=st.booleans())
def test_every_century_boundary_follows_the_calendar_year_rule(today, yy, month, day, plus):
    ten = valid(f"{yy:02d}{month:02d}{day:02d}")
    year = reference_year(yy, month, day, plus, today)
    pn = parse_personal_number(f"{ten[:6]}{'+' if plus else '-'}{ten[6:]}", today)
    assert pn.birth_date == date(year, month, day)
    assert pn.short_at(today)[6] == ("+" if today.year - year >= 100 else "-")


@PROPERTY
@given(year=st.integers(min_value=1830, max_value=2099), plus=st.booleans(),
       today=st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_leap_days_exist_only_in_leap_years(year, plus, today):
    ten = valid(f"{year % 100:02d}0229")
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    twelve = f"{year}{ten[2:]}"
    if date(year, 1, 1) > today:
        return
    if leap and date(year, 2, 29) <= today:
        assert parse_personal_number(twelve, today).birth_date == date(year, 2, 29)
    elif not leap:
        assert "finns inte i kalendern" in error_of(twelve, today).sv
    short_year = reference_year(year % 100, 2, 29, plus, today)
    short_leap = short_year % 4 == 0 and (short_year % 100 != 0 or short_year % 400 == 0)
    written = f"{ten[:6]}{'+' if plus else '-'}{ten[6:]}"
    if short_leap:
        assert parse_personal_number(written, today).birth_date == date(short_year, 2, 29)
    else:
        assert "finns inte i kalendern" in error_of(written, today).sv


def test_generated_demo_numbers_are_valid_even_when_the_draw_is_000():
    """The demo and the benchmarks' bulk data draw födelsenummer; 000 must not come out."""
    import random

    from trefas_app.demo import make_personal_number

    class Zero(random.Random):
        def randint(self, a, b):
            return a

    for coordination in (False, True):
        text = make_personal_number(date(1990, 1, 1), Zero(1), coordination)
        assert text[9:12] == "001"
        assert is_valid_personal_number(text, TODAY)
