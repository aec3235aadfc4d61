"""Invented vocabulary of the demo store: common given names and surnames
combined at random, streets, well-formed but random personal identity numbers,
and the texts of cases, notes, consents, referrals, plans, threats, meetings
and tasks. Nothing here is meant to be, or to describe, a real person.
"""

from __future__ import annotations

import random
from datetime import date

from trefas_app.domain.enums import Agency, Category, LifeArea
from trefas_app.domain.personnummer import COORDINATION_DAY_OFFSET, luhn_check_digit


# Common given names and surnames of the many origins found in Järva, combined
# at random: no combination is meant to be, or to describe, a real person.

FIRST_NAMES = [
    "Sara", "Emma", "Johan", "Erik", "Linnea", "Oskar", "Elin", "Viktor", "Maja", "Anton",
    "Yusuf", "Abdirahman", "Hodan", "Ayan", "Mohamed", "Fadumo", "Hamza", "Sagal",
    "Ahmed", "Layla", "Omar", "Yasmin", "Karim", "Nour", "Rami", "Samira",
    "Deniz", "Emre", "Zeynep", "Baran", "Rojda", "Ciwan",
    "Mirela", "Dragan", "Amela", "Nikola", "Jasmina", "Adnan",
    "Yonas", "Semhar", "Dawit", "Helen", "Filmon",
    "Arash", "Shirin", "Dariush", "Parisa",
    "Mateo", "Camila", "Diego", "Valentina",
    "Mikko", "Aino", "Kacper", "Zofia", "Gabriel", "Maria", "Liban", "Idil", "Ilias",
]

LAST_NAMES = [
    "Lindqvist", "Abdi", "Kovač", "Hassan", "Nilsson", "Ali", "Yilmaz", "Haddad",
    "Warsame", "Berglund", "Öztürk", "Petrović", "Tesfaye", "Rahimi", "Castillo",
    "Johansson", "Mahmoud", "Begić", "Karlsson", "Farah", "Demir", "Salem", "Hosseini",
    "Ekström", "Mohammed", "Nowak", "Virtanen", "Gebremedhin", "Sandberg", "Jama", "Kaya",
    "Hadžić", "Lundgren", "Osman", "Aziz", "Moradi", "Holm", "Duale", "Şahin", "Jovanović",
]

#: Invented street names (none is meant to be a real address).
STREETS = [
    "Hagalundsvägen", "Blåklintsgränd", "Kvarnstensvägen", "Rönnbärsgatan",
    "Tallkottsvägen", "Ekorrstigen", "Lingonslingan", "Mjölnargången", "Snöbärsvägen",
    "Vinbärsgatan", "Körsbärsgränd", "Havrevägen", "Smedjebacken", "Fältspatsvägen",
    "Ljungtorpsgatan", "Vallmostigen",
]


def make_personal_number(birth: date, rng: random.Random, coordination: bool = False) -> str:
    """A well-formed, random personnummer ('YYYYMMDD-NNNN') or samordningsnummer
    (day + 60) for ``birth``, with a correct Luhn check digit."""
    day = birth.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    # Födelsenummer run 001–999 (000 is refused); drawn as before so that a seed
    # gives the same people.
    serial = max(1, rng.randint(0, 999))
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    return f"{birth.year:04d}{birth.month:02d}{day:02d}-{serial:03d}{luhn_check_digit(nine)}"


CASE_TITLES = [
    "Risk för våld", "Oro för rekrytering till kriminellt nätverk",
    "SIG – samverkan kring ung person", "Stöd efter skjutning", "Hot mot person",
    "Anhörig till utsatt person", "Återfallsprevention efter frigivning",
    "Oro för grov brottslighet", "Avhopparstöd",
]

RISK_FACTORS = [
    "Umgås med personer i kriminellt nätverk. Avbruten skolgång.",
    "Tidigare utsatt för rån. Skulder till personer i området.",
    "Syskon aktivt i kriminell miljö. Lite vuxenstöd på kvällar.",
    "Dömd för narkotikabrott. Saknar sysselsättning.",
    "Har vid flera tillfällen vistats på platser där skjutningar skett.",
]
PROTECTIVE_FACTORS = [
    "Engagerad vårdnadshavare. Tränar fotboll.", "Vill studera vidare; har praktikplats.",
    "Nära relation till mormor i annan kommun.", "Motiverad att bryta med tidigare umgänge.",
]

#: (title, body) of notes by author agency and category.
NOTE_TEXTS: dict[tuple[Agency, Category], list[tuple[str, str]]] = {
    (Agency.CITY, Category.SOCIAL): [
        ("Samtal på kontoret", "Samtal om skolgång och fritid. Personen berättar att det "
         "fungerar bättre i skolan sedan klassbytet. Vi ses igen om två veckor."),
        ("Hembesök", "Hembesök tillsammans med kollega. Vårdnadshavare närvarande. Familjen "
         "önskar stöd kring ekonomi och fritidsaktiviteter."),
        ("Uppföljning av planen", "Genomgång av åtgärderna i planen. Praktikplatsen är bokad "
         "och personen har varit där två dagar. Fortsatt kontakt med arbetsmarknadsenheten."),
        ("Motiverande samtal", "Samtal om framtiden. Personen vill på sikt flytta från området "
         "och är intresserad av en utbildning inom bygg."),
        ("Kontakt med skolan", "Telefonkontakt med mentor. Närvaron har ökat från 60 till 85 "
         "procent under månaden."),
        ("Fritid och nätverk", "Personen tränar på fritidsgården två kvällar i veckan och "
         "umgås enligt egen uppgift mindre med tidigare kamratkrets."),
    ],
    (Agency.CITY, Category.HEALTH): [
        ("Kontakt med beroendevården", "Personen har påbörjat öppenvårdsbehandling och lämnat "
         "negativa prover vid två tillfällen."),
        ("Sömn och mående", "Berättar om sömnsvårigheter och oro. Erbjuden kontakt med "
         "ungdomsmottagningen, vilket personen tackade ja till."),
        ("Remiss till BUP", "Remiss skickad till barn- och ungdomspsykiatrin efter samråd med "
         "vårdnadshavare."),
    ],
    (Agency.CITY, Category.LOCATION): [
        ("Boendesituation", "Familjen har fått erbjudande om lägenhet i en annan stadsdel. "
         "Flytten planeras till nästa månad."),
        ("Tillfälligt boende", "Personen bor tillfälligt hos en släkting i en annan kommun. "
         "Den nya adressen är registrerad i ärendet."),
    ],
    (Agency.CITY, Category.IDENTITY): [
        ("Kontaktuppgifter", "Nytt telefonnummer registrerat. Vårdnadshavare nås på samma "
         "nummer som tidigare."),
        ("Anhöriga", "Uppgifter om syskon och vårdnadshavare kompletterade efter samtal."),
    ],
    (Agency.CITY, Category.THREAT): [
        ("Oro för hot", "Personen uppger att hen kontaktats via sociala medier av personer från "
         "tidigare umgänge. Polisen informerad samma dag."),
        ("Riskbedömning", "Gemensam genomgång av riskfaktorer. Bedömningen kvarstår: förhöjd "
         "risk under de närmaste veckorna."),
    ],
    (Agency.CITY, Category.CRIMINAL): [
        ("Information om dom", "Personen berättar att hen dömts till ungdomstjänst. "
         "Frivården kontaktad för samordning."),
    ],
    (Agency.POLICE, Category.CRIMINAL): [
        ("Polisens information", "Personen förekommer i en utredning om misstänkt "
         "narkotikabrott. Förundersökningen är nedlagd."),
        ("Händelse i området", "Personen kontrollerades i samband med ordningsstörning vid "
         "centrumet. Inga misstankar om brott."),
        ("Lägesbild", "Enligt polisens lägesbild har konflikten mellan två grupperingar i "
         "området trappats upp under veckan."),
    ],
    (Agency.POLICE, Category.THREAT): [
        ("Hotbild", "Polisen bedömer att hotbilden mot personen är förhöjd efter händelsen i "
         "helgen. Skyddssamtal genomfört."),
        ("Skyddssamtal", "Skyddssamtal med personen och vårdnadshavare. Råd om säkerhet i "
         "vardagen lämnade."),
    ],
    (Agency.PROBATION, Category.CRIMINAL): [
        ("Villkor i frivården", "Personen följer villkoren i övervakningen. Inga nya "
         "misstankar om brott."),
    ],
    (Agency.PROBATION, Category.SOCIAL): [
        ("Övervakningssamtal", "Övervakningssamtal genomfört. Personen arbetar via ett "
         "bemanningsföretag tre dagar i veckan."),
    ],
    (Agency.PROBATION, Category.THREAT): [
        ("Risk- och behovsbedömning", "Bedömningen uppdaterad. Fortsatt fokus på kamratkrets "
         "och sysselsättning."),
    ],
}

CITY_NOTE_ODDS = {Category.SOCIAL: 52, Category.HEALTH: 14, Category.LOCATION: 9,
                   Category.IDENTITY: 6, Category.THREAT: 12, Category.CRIMINAL: 7}
AGENCY_NOTE_ODDS = {
    Agency.POLICE: {Category.CRIMINAL: 6, Category.THREAT: 4},
    Agency.PROBATION: {Category.CRIMINAL: 4, Category.SOCIAL: 4, Category.THREAT: 2},
}

#: Consent grant sets. Health goes to the police only exceptionally.
GRANTS_FULL = frozenset({
    (Agency.POLICE, Category.IDENTITY), (Agency.POLICE, Category.SOCIAL),
    (Agency.POLICE, Category.CRIMINAL), (Agency.POLICE, Category.THREAT),
    (Agency.POLICE, Category.LOCATION),
    (Agency.PROBATION, Category.IDENTITY), (Agency.PROBATION, Category.SOCIAL),
    (Agency.PROBATION, Category.CRIMINAL), (Agency.PROBATION, Category.THREAT),
    (Agency.CITY, Category.IDENTITY), (Agency.CITY, Category.SOCIAL),
    (Agency.CITY, Category.CRIMINAL), (Agency.CITY, Category.THREAT),
})
GRANT_VARIANTS = {
    "full": GRANTS_FULL,
    "with_health": GRANTS_FULL | {(Agency.POLICE, Category.HEALTH),
                                   (Agency.PROBATION, Category.HEALTH)},
    "no_threat": GRANTS_FULL - {(Agency.POLICE, Category.THREAT),
                                 (Agency.PROBATION, Category.THREAT)},
    "no_location": GRANTS_FULL - {(Agency.POLICE, Category.LOCATION)},
    "police_identity_only": frozenset({(Agency.POLICE, Category.IDENTITY),
                                       (Agency.CITY, Category.CRIMINAL)}),
    "legal_basis": frozenset({(Agency.POLICE, Category.IDENTITY),
                              (Agency.POLICE, Category.CRIMINAL),
                              (Agency.POLICE, Category.THREAT),
                              (Agency.CITY, Category.CRIMINAL),
                              (Agency.CITY, Category.THREAT)}),
}
CONSENT_PURPOSES = [
    "Samverkan inom sociala insatsgrupper (SIG) kring stöd och skydd",
    "Samordning av insatser mellan socialtjänst, polis och frivård",
    "Planering av stöd efter skjutning i området",
]
LEGAL_REFERENCE = "OSL 10 kap. 18 a §"


REFERRAL_REASONS = [
    "Polisen aktualiserar: personen har vid upprepade tillfällen setts i sällskap med "
    "personer i kriminellt nätverk.",
    "Skolan har uttryckt oro för hög frånvaro och nya kontakter utanför skolan.",
    "Frivården aktualiserar inför villkorlig frigivning; behov av samordnat stöd.",
    "Vårdnadshavare har själv hört av sig med oro för rekrytering.",
]
GOALS = {
    LifeArea.WORK: "Ha en praktikplats eller ett arbete minst tre dagar i veckan.",
    LifeArea.STUDIES: "Slutföra gymnasiets introduktionsprogram.",
    LifeArea.HEALTH: "Regelbunden kontakt med ungdomsmottagningen.",
    LifeArea.DRUG_FREE: "Drogfrihet, följs upp med prover varannan vecka.",
    LifeArea.SOCIAL_NETWORK: "En meningsfull fritidsaktivitet med nya kamrater.",
    LifeArea.HOUSING: "Eget boende utanför området.",
}
ACTIONS = {
    LifeArea.WORK: "Kontakt med arbetsmarknadsenheten om praktik",
    LifeArea.STUDIES: "Möte med skolan om studieplan",
    LifeArea.HEALTH: "Boka tid hos ungdomsmottagningen",
    LifeArea.DRUG_FREE: "Provtagning och uppföljning i öppenvården",
    LifeArea.SOCIAL_NETWORK: "Introduktion på fritidsgården",
    LifeArea.HOUSING: "Ansökan om bostad via bostadsförmedlingen",
}
THREAT_SUMMARIES = [
    "Förhöjd hotbild efter konflikt mellan grupperingar i området.",
    "Hot framfört via sociala medier. Ingen konkret plan känd.",
    "Bedömningen sänkt: konflikten har lagt sig enligt polisens lägesbild.",
    "Personen bedöms riskera att utsättas för våld om hen stannar i området.",
]
MEETING_DECISIONS = ["Fortsatta insatser enligt plan.", "Kalla till SIP-möte inom två veckor.",
                     "Polisen tar fram en uppdaterad lägesbild.",
                     "Erbjud kontakt med avhopparverksamheten."]
TASK_TITLES = {
    Agency.CITY: ["Boka SIP-möte med skola och vårdnadshavare", "Följa upp praktikplatsen",
                  "Kontrollera samtyckets giltighet", "Kontakta fritidsgården"],
    Agency.POLICE: ["Ta fram uppdaterad lägesbild", "Genomföra skyddssamtal"],
    Agency.PROBATION: ["Samordna med övervakningsplanen"],
}
