"""Display labels for every enum value."""

from __future__ import annotations

import inspect
from enum import StrEnum

import pytest

from trefas_app.domain import enums, labels
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ProtectionLevel,
    ReferralState,
    Role,
    TaskState,
)
from trefas_app.domain.labels import choices, label

ENUMS = [
    obj
    for _, obj in inspect.getmembers(enums, inspect.isclass)
    if issubclass(obj, StrEnum) and obj is not StrEnum and obj.__module__ == enums.__name__
]
MEMBERS = [pytest.param(m, id=f"{e.__name__}.{m.name}") for e in ENUMS for m in e]


def test_found_the_enums():
    # Guard against the walk silently finding nothing.
    assert len(ENUMS) >= 20
    assert {Agency, Role, Category, ProtectionLevel, CaseState} <= set(ENUMS)


@pytest.mark.parametrize("member", MEMBERS)
def test_every_member_has_both_labels(member):
    sv = label(member, "sv")
    en = label(member, "en")
    for text in (sv, en):
        assert isinstance(text, str)
        assert text == text.strip() and text
        assert text[0].isupper(), text
        assert "_" not in text  # not a raw value
    assert label(member) == sv  # Swedish is the default


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_labels_are_distinct_within_an_enum(enum):
    for language in ("sv", "en"):
        texts = [label(m, language) for m in enum]
        assert len(set(texts)) == len(texts), (enum, language, texts)


@pytest.mark.parametrize(
    ("member", "sv", "en"),
    [
        (Role.SOCIAL_WORKER, "Socialsekreterare", "Social worker"),
        (Role.PROBATION_OFFICER, "Frivårdsinspektör", "Probation officer"),
        (Role.SUPERVISOR, "Enhetschef", "Supervisor"),
        (Agency.CITY, "Socialtjänsten", "Social services"),
        (Agency.POLICE, "Polisen", "Police"),
        (Agency.PROBATION, "Kriminalvården", "Probation service"),
        (Category.CRIMINAL, "Brottsuppgifter", "Criminal offence information"),
        (ProtectionLevel.CONFIDENTIALITY_MARKING, "Sekretessmarkering", "Confidentiality marking"),
        (ProtectionLevel.PROTECTED_REGISTRATION, "Skyddad folkbokföring", "Protected population registration"),
        (ProtectionLevel.FICTITIOUS_IDENTITY, "Fingerade personuppgifter", "Fictitious identity"),
        (ReferralState.RECEIVED, "Aktualiserad", "Received"),
        (ReferralState.MAPPING, "Kartläggning", "Mapping"),
    ],
)
def test_some_labels_exactly(member, sv, en):
    assert label(member, "sv") == sv
    assert label(member, "en") == en


def test_equal_values_in_different_enums_get_their_own_label():
    # "open" is a CaseState (ett ärende: öppet) and a TaskState (en åtgärdspunkt: öppen).
    assert CaseState.OPEN == TaskState.OPEN
    assert label(CaseState.OPEN) == "Öppet"
    assert label(TaskState.OPEN) == "Öppen"


def test_missing_label_raises_key_error():
    class Stranger(StrEnum):
        X = "x"

    with pytest.raises(KeyError):
        label(Stranger.X)
    with pytest.raises(KeyError):
        label("open")  # a bare string is not an enum member


def test_unknown_language():
    with pytest.raises(ValueError):
        label(Agency.CITY, "de")


def test_choices_in_definition_order():
    assert choices(Agency) == [
        (Agency.CITY, "Socialtjänsten"),
        (Agency.POLICE, "Polisen"),
        (Agency.PROBATION, "Kriminalvården"),
    ]
    assert [m for m, _ in choices(Role, "en")] == list(Role)


def test_no_labels_for_enums_that_do_not_exist():
    assert set(labels._LABELS) == set(ENUMS)
    for enum, table in labels._LABELS.items():
        assert set(table) == set(enum)
        assert all(type(m) is enum for m in table)
