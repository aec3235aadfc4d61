"""The city's routine after a shooting (rutin vid skjutningar), as data.

The seed document (Stockholm city board minutes, March 2021) describes the
routine as support for the district administrations in the immediate handling
after a shooting: crisis support, an offer of exit support to those concerned,
and communication and safety-creating measures in the neighbourhood. It also
names pre-school/school/leisure as protective factors and the joint
operational work of city, police and probation (Trefas). The template below
turns that into a checklist: each step has a stable key (stored and logged),
a Swedish title (stored on the step), an English title, the agency that owns
it and how many hours after the incident it is due.

Changing a key is a data migration; changing a title or an offset affects only
incidents reported afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trefas_app.domain.enums import Agency

__all__ = [
    "INVOLVEMENT_ROLES",
    "ROUTINE",
    "StepTemplate",
    "involvement_label",
    "step_template",
    "steps_for",
]


@dataclass(frozen=True)
class StepTemplate:
    key: str
    title_sv: str
    title_en: str
    owner_agency: Agency
    due_offset_hours: int

    @property
    def due_offset(self) -> dt.timedelta:
        return dt.timedelta(hours=self.due_offset_hours)

    def title(self, language: str = "sv") -> str:
        return self.title_sv if language == "sv" else self.title_en


#: The post-shooting routine, in the order it is worked through.
ROUTINE: tuple[StepTemplate, ...] = (
    StepTemplate(
        key="crisis_support",
        title_sv="Krisstöd erbjuds till drabbade och anhöriga",
        title_en="Crisis support offered to those affected and their relatives",
        owner_agency=Agency.CITY, due_offset_hours=24),
    StepTemplate(
        key="safety_measures",
        title_sv="Trygghetsskapande insatser i närområdet",
        title_en="Safety measures in the neighbourhood",
        owner_agency=Agency.POLICE, due_offset_hours=24),
    StepTemplate(
        key="resident_information",
        title_sv="Kommunikation och information till boende i närområdet",
        title_en="Communication and information to residents in the area",
        owner_agency=Agency.CITY, due_offset_hours=48),
    StepTemplate(
        key="schools_youth_centres",
        title_sv="Kontakt med skolor och fritidsgårdar i området",
        title_en="Contact with schools and youth centres in the area",
        owner_agency=Agency.CITY, due_offset_hours=48),
    StepTemplate(
        key="exit_offer",
        title_sv="Erbjudande om avhopp till berörda",
        title_en="Exit support offered to those concerned",
        owner_agency=Agency.CITY, due_offset_hours=72),
    StepTemplate(
        key="follow_up_meeting",
        title_sv="Uppföljningsmöte i operativa gruppen",
        title_en="Follow-up meeting in the operational group",
        owner_agency=Agency.CITY, due_offset_hours=7 * 24),
)

_BY_KEY = {t.key: t for t in ROUTINE}
if len(_BY_KEY) != len(ROUTINE):  # pragma: no cover - a programming error
    raise ValueError("routine step keys must be unique")


def step_template(key: str) -> StepTemplate | None:
    """The template a stored step came from (None for a key no longer in use)."""
    return _BY_KEY.get(key)


def steps_for(occurred_at: dt.datetime) -> list[tuple[StepTemplate, dt.datetime]]:
    """Every step of the routine with its due time for an incident at ``occurred_at``."""
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    return [(t, occurred_at + t.due_offset) for t in ROUTINE]


#: How a person is involved in an incident (stored value → Swedish, English).
INVOLVEMENT_ROLES: dict[str, tuple[str, str]] = {
    "victim": ("Drabbad", "Victim"),
    "relative": ("Anhörig", "Relative"),
    "witness": ("Vittne", "Witness"),
    "suspected": ("Misstänkt", "Suspected"),
    "concerned": ("Berörd", "Concerned"),
}


def involvement_label(value: str, language: str = "sv") -> str:
    sv, en = INVOLVEMENT_ROLES.get(value, (value, value))
    return sv if language == "sv" else en
