"""Case management's part of the demo and of ``teilhabe seed``: synthetic persons and cases.

* ``demo``: about 300 cases in the Kreis Coesfeld, held by the two demo case managers (Bezirk
  Nord and Süd) plus a waiting list, and 40 in Münster. A centre that has cases already is left
  as it is, so ``teilhabe demo`` can run on every start.
* ``kreis``: the Kreis Coesfeld with its generated staff, about 3,700 cases at factor 1.
* ``state``: every centre, about 200,000 cases (persons) and 5,000,000 contacts at factor 1,
  shared by the residents of each centre's area; persons live in its Gemeinden likewise.
  At these scales a centre is topped up to its share; a centre that has it already gets nothing.

Everything is drawn from random streams seeded by ``seed`` and the centre, so the same seed
gives the same data on an empty database. Rows are written with ``bulk_create`` in batches of
5,000; that sends no signals, so generated data has no versions in the audit log (acceptable
for synthetic data, and the only way to reach the state volume in minutes).
All people are invented: names come from short lists of common names of the main countries of
origin, in Latin transliteration with the original script as ``native_name``.
"""

from __future__ import annotations

import datetime
import itertools
import random
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from faker import Faker

from teilhabe.core import seeding
from teilhabe.core.demo import DEMO_CENTRE, SECOND_CENTRE
from teilhabe.core.matching import normalise_name
from teilhabe.core.models import CaseArea, Centre, Membership, User
from teilhabe.core.roles import Role
from teilhabe.network.models import Actor

from .models import (
    Action,
    AgencyResponsibility,
    Appointment,
    Case,
    CaseConference,
    CaseSettings,
    Consent,
    Contact,
    Goal,
    LegalDomain,
    LifeArea,
    NeedAssessment,
    Person,
    PersonLanguage,
    PhaseChange,
    Referral,
    ResidenceStatus,
    SystemGap,
)

BATCH = 5_000
#: Cases per centre at demo scale (the demo centre and the second one).
DEMO_CASES = {DEMO_CENTRE: 300, SECOND_CENTRE: 40}
#: Demo case managers and their Bezirke (core/demo.py LOGINS).
DEMO_MANAGERS = {
    DEMO_CENTRE: ["casemanagement@coesfeld.demo", "casemanagement-sued@coesfeld.demo"],
    SECOND_CENTRE: ["casemanagement@muenster.demo"],
}
KREIS_CASES = 3_700
STATE_CASES = 200_000
#: Share of open cases on the waiting list (no case manager yet).
WAITING_SHARE = 0.05
#: Share of system gaps per case.
GAPS_PER_CASE = 0.13

P = Case.Phase
R = ResidenceStatus.Kind
K = Actor.Kind
L = LifeArea
PHASES = [P.INTAKE, P.ASSESSMENT, P.PLANNING, P.IMPLEMENTATION, P.MONITORING]
#: Current phase of an assigned case (weight) and how long ago it was opened (days).
PHASE_PLAN = [
    (P.INTAKE, 4, (0, 30)),
    (P.ASSESSMENT, 10, (14, 120)),
    (P.PLANNING, 10, (30, 240)),
    (P.IMPLEMENTATION, 26, (60, 600)),
    (P.MONITORING, 14, (150, 900)),
    (P.CLOSED, 36, (60, 1000)),
]

# (Latin transliteration, original script); Turkish and Guinean names are Latin already.
_AR_MALE = [
    ("Ahmad", "أحمد"),
    ("Mohammed", "محمد"),
    ("Omar", "عمر"),
    ("Khaled", "خالد"),
    ("Youssef", "يوسف"),
    ("Ali", "علي"),
    ("Hassan", "حسن"),
    ("Mahmoud", "محمود"),
    ("Ibrahim", "إبراهيم"),
    ("Karim", "كريم"),
    ("Tarek", "طارق"),
    ("Bilal", "بلال"),
]
_AR_FEMALE = [
    ("Fatima", "فاطمة"),
    ("Aisha", "عائشة"),
    ("Layla", "ليلى"),
    ("Nour", "نور"),
    ("Rania", "رانيا"),
    ("Samira", "سميرة"),
    ("Huda", "هدى"),
    ("Amal", "أمل"),
    ("Yasmin", "ياسمين"),
    ("Mariam", "مريم"),
    ("Rasha", "رشا"),
    ("Dalia", "داليا"),
]
_FA_MALE = [
    ("Farid", "فرید"),
    ("Jawad", "جواد"),
    ("Mustafa", "مصطفی"),
    ("Reza", "رضا"),
    ("Hamid", "حمید"),
    ("Sohrab", "سهراب"),
    ("Naveed", "نوید"),
    ("Ali", "علی"),
    ("Mehdi", "مهدی"),
    ("Omid", "امید"),
]
_FA_FEMALE = [
    ("Zahra", "زهرا"),
    ("Maryam", "مریم"),
    ("Fereshteh", "فرشته"),
    ("Shirin", "شیرین"),
    ("Parisa", "پریسا"),
    ("Nazanin", "نازنین"),
    ("Soraya", "ثریا"),
    ("Mahtab", "مهتاب"),
    ("Farzana", "فرزانه"),
    ("Laleh", "لاله"),
]


def _latin(*names: str) -> list[tuple[str, str]]:
    return [(name, "") for name in names]


#: Country of origin: first names (male, female), last names, languages, residence statuses.
COUNTRIES: dict[str, dict[str, Any]] = {
    "SY": {
        "weight": 26,
        "male": _AR_MALE,
        "female": _AR_FEMALE,
        "last": [
            ("Al-Hassan", "الحسن"),
            ("Haddad", "حداد"),
            ("Khalil", "خليل"),
            ("Nasser", "ناصر"),
            ("Saleh", "صالح"),
            ("Hamdan", "حمدان"),
            ("Darwish", "درويش"),
            ("Aziz", "عزيز"),
            ("Mansour", "منصور"),
            ("Qasim", "قاسم"),
            ("Shami", "شامي"),
            ("Zaher", "ظاهر"),
        ],
        "languages": ["Arabisch", "Kurdisch"],
        "statuses": [
            (R.RESIDENCE_PERMIT, "§ 25 Abs. 2 AufenthG", 6),
            (R.SETTLEMENT_PERMIT, "§ 26 Abs. 3 AufenthG", 2),
            (R.ASYLUM_SEEKER, "§ 55 AsylG", 2),
        ],
        "since": 2015,
    },
    "UA": {
        "weight": 22,
        "male": [
            ("Oleksandr", "Олександр"),
            ("Andrii", "Андрій"),
            ("Dmytro", "Дмитро"),
            ("Serhii", "Сергій"),
            ("Mykola", "Микола"),
            ("Ivan", "Іван"),
            ("Yurii", "Юрій"),
            ("Taras", "Тарас"),
            ("Bohdan", "Богдан"),
        ],
        "female": [
            ("Olena", "Олена"),
            ("Iryna", "Ірина"),
            ("Nataliia", "Наталія"),
            ("Oksana", "Оксана"),
            ("Tetiana", "Тетяна"),
            ("Yuliia", "Юлія"),
            ("Kateryna", "Катерина"),
            ("Svitlana", "Світлана"),
            ("Halyna", "Галина"),
        ],
        "last": [
            ("Shevchenko", "Шевченко"),
            ("Kovalenko", "Коваленко"),
            ("Bondarenko", "Бондаренко"),
            ("Tkachenko", "Ткаченко"),
            ("Kravchenko", "Кравченко"),
            ("Melnyk", "Мельник"),
            ("Boiko", "Бойко"),
            ("Koval", "Коваль"),
            ("Oliinyk", "Олійник"),
            ("Moroz", "Мороз"),
            ("Lysenko", "Лисенко"),
            ("Marchenko", "Марченко"),
        ],
        "languages": ["Ukrainisch", "Russisch"],
        "statuses": [(R.TEMPORARY_PROTECTION, "§ 24 AufenthG", 1)],
        "since": 2022,
    },
    "AF": {
        "weight": 16,
        "male": _FA_MALE,
        "female": _FA_FEMALE,
        "last": [
            ("Ahmadi", "احمدی"),
            ("Rahimi", "رحیمی"),
            ("Hakimi", "حکیمی"),
            ("Sultani", "سلطانی"),
            ("Noori", "نوری"),
            ("Haidari", "حیدری"),
            ("Karimi", "کریمی"),
            ("Wardak", "وردک"),
            ("Popal", "پوپل"),
        ],
        "languages": ["Dari", "Paschtu"],
        "statuses": [
            (R.ASYLUM_SEEKER, "§ 55 AsylG", 3),
            (R.RESIDENCE_PERMIT, "§ 25 Abs. 3 AufenthG", 3),
            (R.TOLERATED, "§ 60a AufenthG", 1),
        ],
        "since": 2015,
    },
    "IQ": {
        "weight": 9,
        "male": _AR_MALE,
        "female": _AR_FEMALE,
        "last": [
            ("Al-Jabouri", "الجبوري"),
            ("Al-Obaidi", "العبيدي"),
            ("Kadhim", "كاظم"),
            ("Jassim", "جاسم"),
            ("Hussein", "حسين"),
            ("Abbas", "عباس"),
            ("Al-Tamimi", "التميمي"),
            ("Rashid", "رشيد"),
        ],
        "languages": ["Arabisch", "Kurdisch"],
        "statuses": [
            (R.RESIDENCE_PERMIT, "§ 25 Abs. 2 AufenthG", 2),
            (R.TOLERATED, "§ 60a AufenthG", 1),
        ],
        "since": 2015,
    },
    "TR": {
        "weight": 10,
        "male": _latin(
            "Mehmet",
            "Mustafa",
            "Ahmet",
            "Emre",
            "Murat",
            "Hasan",
            "Yusuf",
            "Serkan",
            "Kemal",
            "Baran",
        ),
        "female": _latin(
            "Ayşe",
            "Fatma",
            "Elif",
            "Zeynep",
            "Emine",
            "Hatice",
            "Merve",
            "Derya",
            "Songül",
            "Rojda",
        ),
        "last": _latin(
            "Yılmaz",
            "Kaya",
            "Demir",
            "Şahin",
            "Çelik",
            "Yıldız",
            "Aydın",
            "Öztürk",
            "Arslan",
            "Doğan",
            "Kılıç",
            "Aslan",
        ),
        "languages": ["Türkisch", "Kurdisch"],
        "statuses": [
            (R.ASYLUM_SEEKER, "§ 55 AsylG", 2),
            (R.RESIDENCE_PERMIT, "§ 25 Abs. 2 AufenthG", 1),
        ],
        "since": 2018,
    },
    "ER": {
        "weight": 6,
        "male": [
            ("Yonas", "ዮናስ"),
            ("Tesfay", "ተስፋይ"),
            ("Dawit", "ዳዊት"),
            ("Samuel", "ሳሙኤል"),
            ("Habtom", "ሃብቶም"),
            ("Mehari", "መሓሪ"),
            ("Filmon", "ፊልሞን"),
        ],
        "female": [
            ("Selam", "ሰላም"),
            ("Helen", "ሄለን"),
            ("Luwam", "ሉዋም"),
            ("Senait", "ሰናይት"),
            ("Mebrat", "መብራት"),
            ("Rahel", "ራሄል"),
            ("Saba", "ሳባ"),
        ],
        "last": [
            ("Tesfamariam", "ተስፋማርያም"),
            ("Ghebremedhin", "ገብረመድህን"),
            ("Haile", "ሃይለ"),
            ("Kidane", "ኪዳነ"),
            ("Berhe", "በርሀ"),
            ("Woldu", "ወልዱ"),
            ("Tekle", "ተኽለ"),
        ],
        "languages": ["Tigrinya"],
        "statuses": [(R.RESIDENCE_PERMIT, "§ 25 Abs. 2 AufenthG", 1)],
        "since": 2015,
    },
    "GN": {
        "weight": 5,
        "male": _latin(
            "Mamadou", "Ibrahima", "Alpha", "Ousmane", "Abdoulaye", "Sekou", "Thierno", "Amadou"
        ),
        "female": _latin(
            "Mariama", "Fatoumata", "Aissatou", "Kadiatou", "Hawa", "Djenabou", "Aminata", "Oumou"
        ),
        "last": _latin(
            "Diallo", "Barry", "Bah", "Camara", "Sow", "Condé", "Soumah", "Keita", "Touré", "Sylla"
        ),
        "languages": ["Französisch", "Fulfulde"],
        "statuses": [(R.TOLERATED, "§ 60a AufenthG", 2), (R.ASYLUM_SEEKER, "§ 55 AsylG", 1)],
        "since": 2016,
    },
    "IR": {
        "weight": 6,
        "male": _FA_MALE,
        "female": _FA_FEMALE,
        "last": [
            ("Hosseini", "حسینی"),
            ("Mohammadi", "محمدی"),
            ("Rezaei", "رضایی"),
            ("Moradi", "مرادی"),
            ("Jafari", "جعفری"),
            ("Sadeghi", "صادقی"),
            ("Ebrahimi", "ابراهیمی"),
        ],
        "languages": ["Farsi"],
        "statuses": [
            (R.ASYLUM_SEEKER, "§ 55 AsylG", 2),
            (R.RESIDENCE_PERMIT, "§ 25 Abs. 2 AufenthG", 2),
        ],
        "since": 2016,
    },
}
COUNTRY_CODES = list(COUNTRIES)
COUNTRY_WEIGHTS = [COUNTRIES[c]["weight"] for c in COUNTRY_CODES]

#: The agency responsible for a legal domain, and the demo name if the centre has none.
DOMAIN_AGENCY = {
    LegalDomain.SGB_II: K.JOBCENTRE,
    LegalDomain.SGB_III: K.EMPLOYMENT_AGENCY,
    LegalDomain.SGB_VIII: K.YOUTH_OFFICE,
    LegalDomain.SGB_XII: K.SOCIAL_WELFARE_OFFICE,
    LegalDomain.ASYLBLG: K.SOCIAL_WELFARE_OFFICE,
    LegalDomain.AUFENTHG: K.IMMIGRATION_OFFICE,
}
AGENCY_NAMES = {
    K.JOBCENTRE: "Jobcenter {place}",
    K.IMMIGRATION_OFFICE: "Ausländerbehörde {place}",
    K.SOCIAL_WELFARE_OFFICE: "Sozialamt {place}",
    K.YOUTH_OFFICE: "Jugendamt {place}",
    K.EMPLOYMENT_AGENCY: "Agentur für Arbeit {place}",
}
FILE_PREFIX = {
    K.JOBCENTRE: "BG",
    K.IMMIGRATION_OFFICE: "AB",
    K.SOCIAL_WELFARE_OFFICE: "SO",
    K.YOUTH_OFFICE: "JA",
    K.EMPLOYMENT_AGENCY: "AA",
}

GOALS = {
    L.LANGUAGE: [
        "Deutschkurs B1 abschließen",
        "Integrationskurs beginnen",
        "Berufssprachkurs B2 besuchen",
    ],
    L.EDUCATION: [
        "Anerkennung des Schulabschlusses beantragen",
        "Ausbildungsplatz finden",
        "Hauptschulabschluss nachholen",
    ],
    L.WORK: [
        "Arbeit im erlernten Beruf aufnehmen",
        "Berufsabschluss anerkennen lassen",
        "Praktikum im Einzelhandel beginnen",
    ],
    L.HOUSING: [
        "Eigene Wohnung finden",
        "Wohnberechtigungsschein beantragen",
        "Auszug aus der Gemeinschaftsunterkunft",
    ],
    L.HEALTH: [
        "Hausärztliche Versorgung sichern",
        "Psychosoziale Beratung aufnehmen",
        "Krankenversicherung klären",
    ],
    L.RESIDENCE: [
        "Aufenthaltserlaubnis verlängern",
        "Niederlassungserlaubnis beantragen",
        "Passbeschaffung klären",
    ],
    L.FAMILY: [
        "Kita-Platz für das jüngste Kind finden",
        "Schulanmeldung der Kinder",
        "Familiennachzug vorbereiten",
    ],
    L.FINANCES: ["Schulden regulieren", "Kindergeld beantragen", "Leistungsbescheid prüfen"],
    L.PARTICIPATION: [
        "Anschluss an einen Sportverein finden",
        "Ehrenamt beginnen",
        "Nachbarschaftstreff kennenlernen",
    ],
}
STEPS = [
    "Unterlagen zusammenstellen",
    "Termin vereinbaren",
    "Antrag ausfüllen und einreichen",
    "Rückmeldung der Behörde einholen",
    "Anmeldung vornehmen",
    "Nachweise übersetzen lassen",
    "Ergebnis im Gespräch auswerten",
]
NOTES = [
    "Beratungsgespräch zum aktuellen Stand.",
    "Unterstützung beim Ausfüllen von Anträgen.",
    "Telefonische Rückfrage zu fehlenden Unterlagen.",
    "Begleitung zum Termin bei der Behörde.",
    "Hilfeplan besprochen und Schritte vereinbart.",
    "Schreiben der Behörden erklärt und Fristen notiert.",
    "",
]
REASONS = {
    K.JOBCENTRE: "Beratung zu Leistungen nach dem SGB II und zur Eingliederung in Arbeit",
    K.IMMIGRATION_OFFICE: "Klärung der Verlängerung des Aufenthaltstitels",
    K.SOCIAL_WELFARE_OFFICE: "Antrag auf Leistungen zur Sicherung des Lebensunterhalts",
    K.YOUTH_OFFICE: "Unterstützung der Familie durch Hilfen zur Erziehung",
    K.EMPLOYMENT_AGENCY: "Berufsberatung und Weg zur Anerkennung des Abschlusses",
    K.WELFARE: "Migrationsberatung für Erwachsene",
    K.PROVIDER: "Psychosoziale Beratung und Begleitung",
    K.ADULT_EDUCATION: "Anmeldung zum Integrationskurs",
}
ANSWERS = {
    Referral.Status.ACCEPTED: "Termin zum Erstgespräch wird vergeben.",
    Referral.Status.DECLINED: "Derzeit keine Kapazitäten; bitte in drei Monaten erneut anfragen.",
    Referral.Status.STARTED: "Die Beratung hat begonnen.",
    Referral.Status.COMPLETED: "Die Unterstützung ist abgeschlossen.",
    Referral.Status.CANCELLED: "",
    Referral.Status.SENT: "",
}
GAPS = {
    SystemGap.Category.WAITING_TIMES: [
        "Wartezeit auf einen Termin bei der Ausländerbehörde beträgt mehr als drei Monate.",
        "Integrationskurse im Süden des Kreises haben Wartezeiten von über sechs Monaten.",
    ],
    SystemGap.Category.LANGUAGE: [
        "Bescheide werden nur auf Deutsch versandt; für Termine wird keine Sprachmittlung "
        "gestellt.",
    ],
    SystemGap.Category.MISSING_OFFER: [
        "Kein Angebot zur Kinderbetreuung während des Sprachkurses.",
        "Keine psychotherapeutischen Angebote mit Sprachmittlung im Kreis.",
    ],
    SystemGap.Category.ACCESS: [
        "Personen mit Duldung werden nicht zu Berufssprachkursen zugelassen.",
    ],
    SystemGap.Category.COOPERATION: [
        "Unterlagen werden von Jobcenter und Ausländerbehörde mehrfach angefordert.",
    ],
    SystemGap.Category.INFORMATION: [
        "Antragsformulare zum Wohngeld gibt es nur online und nur auf Deutsch.",
    ],
    SystemGap.Category.DISCRIMINATION: [
        "Wohnungsanzeigen schließen Menschen mit Leistungsbezug ausdrücklich aus.",
    ],
    SystemGap.Category.OTHER: [
        "Lange Anfahrtswege mit Bus und Bahn zu den Beratungsstellen.",
    ],
}
GAP_WEIGHTS = [5, 3, 4, 3, 3, 2, 1, 1]
TAKE_UP_NOTES = [
    "In der KIM-Lenkungsgruppe angesprochen; Gespräch mit der Leitung vereinbart.",
    "Thema für die nächste Sitzung der AG Querschnitt vorgemerkt.",
    "Mit der Behörde ein gemeinsames Verfahren abgestimmt.",
    "An die Sozialplanung des Kreises weitergegeben.",
]
CR = Case.ClosingReason
#: Closing reasons by the last open phase of a case.
CLOSING = {
    P.INTAKE: [(CR.NOT_ELIGIBLE, 4), (CR.WITHDRAWN, 2), (CR.NO_CONTACT, 2)],
    P.ASSESSMENT: [(CR.WITHDRAWN, 2), (CR.NO_CONTACT, 2), (CR.MOVED_AWAY, 1)],
    P.PLANNING: [(CR.HANDED_OVER, 2), (CR.MOVED_AWAY, 1), (CR.NO_CONTACT, 1)],
    P.IMPLEMENTATION: [
        (CR.HANDED_OVER, 4),
        (CR.GOALS_REACHED, 3),
        (CR.MOVED_AWAY, 1),
        (CR.NO_CONTACT, 1),
        (CR.OTHER, 1),
    ],
    P.MONITORING: [(CR.GOALS_REACHED, 6), (CR.HANDED_OVER, 3), (CR.MOVED_AWAY, 1)],
}
REFERENCE = re.compile(r"^KIM-(\d{4})-(\d{5})$")


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """Return an aware time of office hours on ``day``."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(8, 15), rng.choice([0, 15, 30])))
    )


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _split(rng: random.Random, duration: int, areas: list[str]) -> dict[str, int]:
    """Split ``duration`` minutes into the themes (in 5-minute steps; a rest may stay unthemed)."""
    themed = duration - rng.choice([0, 0, 0, 5, 10]) if duration > 15 else duration
    areas = areas[: max(1, min(len(areas), themed // 5))]
    steps = themed // 5
    cuts = sorted(rng.sample(range(1, steps), len(areas) - 1)) if len(areas) > 1 else []
    bounds = [0, *cuts, steps]
    return {area: (bounds[i + 1] - bounds[i]) * 5 for i, area in enumerate(areas)}


class _Rows:
    """Rows of one centre waiting to be written, in dependency order."""

    ORDER = [
        Person,
        PersonLanguage,
        ResidenceStatus,
        AgencyResponsibility,
        Consent,
        Case,
        PhaseChange,
        NeedAssessment,
        Goal,
        CaseConference,
        Action,
        Contact,
        Appointment,
        Referral,
        SystemGap,
    ]

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.conference_agencies: list[tuple[CaseConference, list[Actor]]] = []

    def add(self, obj: models.Model) -> Any:
        self.rows[type(obj)].append(obj)
        return obj

    def write(self, label: str, verbose: bool) -> dict[type[models.Model], int]:
        written: dict[type[models.Model], int] = {}
        for model in self.ORDER:
            objs = self.rows.get(model, [])
            for start in range(0, len(objs), BATCH):
                model.objects.bulk_create(objs[start : start + BATCH])
                if verbose:
                    done = min(start + BATCH, len(objs))
                    name = model._meta.verbose_name_plural
                    print(f"cases: {label}: {name} {done:,}/{len(objs):,}", file=sys.stderr)
            written[model] = len(objs)
        through = CaseConference.agencies.through
        links = [
            through(caseconference_id=conference.pk, actor_id=agency.pk)
            for conference, agencies in self.conference_agencies
            for agency in agencies
        ]
        through.objects.bulk_create(links, batch_size=BATCH)
        return written


class _CentrePlan:
    """Draws the cases of one centre."""

    def __init__(
        self,
        centre: Centre,
        seed: int,
        staff: list[tuple[User, CaseArea | None]],
        today: datetime.date,
    ) -> None:
        self.centre = centre
        self.today = today
        self.rng = random.Random(f"{seed}-{centre.slug}-cases")  # noqa: S311  (reproducible)
        self.fake = Faker("de_DE")
        self.fake.seed_instance(f"{seed}-{centre.slug}-cases")
        self.staff = staff
        self.areas = list(CaseArea.objects.filter(centre=centre).order_by("pk"))
        self.towns: dict[int | None, list[Any]] = {None: list(centre.municipalities())}
        for area in self.areas:
            self.towns[area.pk] = list(area.municipalities.order_by("pk")) or self.towns[None]
        #: At state scale persons live in a Gemeinde in proportion to its residents.
        self.weighted = False
        self._cum_weights: dict[int | None, list[float]] = {}
        self.agencies = self._agencies()
        referral_kinds = [*AGENCY_NAMES, K.WELFARE, K.ADULT_EDUCATION]
        self.referral_agencies = [
            (actor, 3 if actor.kind in AGENCY_NAMES else 1)
            for actor in Actor.objects.filter(
                centre=centre, kind__in=referral_kinds, is_active=True
            ).order_by("name")
        ]
        partner = Actor.objects.filter(centre=centre, organisation__isnull=False).order_by("pk")
        self.referral_agencies += [(actor, 4) for actor in partner]
        settings = CaseSettings.objects.filter(centre=centre).first()
        self.retention_years = settings.retention_years if settings else 3
        self.numbers = self._numbers()
        self.rows = _Rows()

    def _agencies(self) -> dict[str, Actor]:
        """Return one agency per responsible kind, creating those the centre lacks."""
        found: dict[str, Actor] = {}
        for actor in Actor.objects.filter(centre=self.centre, kind__in=list(AGENCY_NAMES)).order_by(
            "name"
        ):
            found.setdefault(actor.kind, actor)
        place = (
            self.centre.municipality.name
            if self.centre.municipality_id
            else f"Kreis {self.centre.district.name}"
        )
        for kind, pattern in AGENCY_NAMES.items():
            if kind not in found:
                found[kind], _new = Actor.objects.get_or_create(
                    centre=self.centre,
                    name=pattern.format(place=place),
                    defaults={"kind": kind, "municipality": next(iter(self.towns[None]), None)},
                )
        return found

    def _numbers(self) -> dict[int, int]:
        """Return the highest case number per year the centre has used."""
        numbers: dict[int, int] = defaultdict(int)
        for reference in Case.objects.filter(centre=self.centre).values_list(
            "reference", flat=True
        ):
            match = REFERENCE.match(reference)
            if match:
                year, number = int(match[1]), int(match[2])
                numbers[year] = max(numbers[year], number)
        return numbers

    def reference(self, opened_on: datetime.date) -> str:
        self.numbers[opened_on.year] += 1
        return f"KIM-{opened_on.year}-{self.numbers[opened_on.year]:05d}"

    def town(self, area: CaseArea | None) -> Any:
        """Draw the Gemeinde a person lives in (weighted by residents at state scale)."""
        key = area.pk if area else None
        towns = self.towns[key]
        if not self.weighted or not towns:
            return self.rng.choice(towns or [None])
        if key not in self._cum_weights:
            self._cum_weights[key] = list(
                itertools.accumulate(seeding.town_weights(self.centre, towns))
            )
        return self.rng.choices(towns, cum_weights=self._cum_weights[key])[0]

    # ---- one case -------------------------------------------------------------------------

    def person(
        self, area: CaseArea | None, opened_on: datetime.date
    ) -> tuple[Person, dict[str, Any]]:
        rng, fake = self.rng, self.fake
        code = rng.choices(COUNTRY_CODES, COUNTRY_WEIGHTS)[0]
        country = COUNTRIES[code]
        sex = rng.choices([Person.Sex.FEMALE, Person.Sex.MALE, Person.Sex.DIVERSE], [48, 51, 1])[0]
        first, first_native = rng.choice(country["female" if sex == Person.Sex.FEMALE else "male"])
        last, last_native = rng.choice(country["last"])
        # Arrived before the first contact, at the earliest in the country's main years.
        latest = opened_on - datetime.timedelta(days=14)
        earliest = max(
            datetime.date(country["since"], 1, 1), latest - datetime.timedelta(days=3000)
        )
        arrival = min(_between(rng, earliest, latest), latest)
        person = Person(
            centre=self.centre,
            last_name=last,
            first_name=first,
            native_name=f"{first_native} {last_native}" if first_native else "",
            birth_date=datetime.date(
                rng.randint(1962, 2007), rng.randint(1, 12), rng.randint(1, 28)
            ),
            sex=sex,
            nationalities=[code],
            country_of_origin=code,
            arrival_date=arrival,
            street=fake.street_address(),
            postcode=fake.postcode(),
            municipality=self.town(area),
            phone=fake.phone_number() if rng.random() < 0.85 else "",
            email=f"{normalise_name(first)[:1]}.{normalise_name(last).replace(' ', '')}"
            f"{rng.randint(1, 99)}@example.org"
            if rng.random() < 0.4
            else "",
            preferred_channel=rng.choice(
                [Person.Channel.PHONE, Person.Channel.MESSENGER, Person.Channel.IN_PERSON]
            ),
        )
        person.fill_name_fields()
        self.rows.add(person)
        languages = country["languages"]
        self.rows.add(
            PersonLanguage(person=person, language=languages[0], level=PersonLanguage.Level.NATIVE)
        )
        if len(languages) > 1 and rng.random() < 0.3:
            self.rows.add(
                PersonLanguage(
                    person=person, language=languages[1], level=PersonLanguage.Level.GOOD
                )
            )
        german = rng.choices(
            [
                PersonLanguage.Level.NONE,
                PersonLanguage.Level.BASIC,
                PersonLanguage.Level.GOOD,
                PersonLanguage.Level.FLUENT,
            ],
            [2, 5, 3, 1],
        )[0]
        interpreter = german in (PersonLanguage.Level.NONE, PersonLanguage.Level.BASIC) and (
            rng.random() < 0.7
        )
        self.rows.add(
            PersonLanguage(
                person=person, language="Deutsch", level=german, interpreter_needed=interpreter
            )
        )
        kind, basis = _pick(rng, [((k, b), w) for k, b, w in country["statuses"]])
        status_from = min(arrival + datetime.timedelta(days=rng.randint(30, 400)), self.today)
        self.rows.add(
            ResidenceStatus(
                person=person,
                kind=kind,
                legal_basis=basis,
                valid_from=status_from,
                valid_until=_add_years(status_from, rng.choice([1, 2, 3]))
                if kind != R.SETTLEMENT_PERMIT
                else None,
            )
        )
        if kind in (R.ASYLUM_SEEKER, R.TOLERATED):
            domains = [LegalDomain.ASYLBLG, LegalDomain.AUFENTHG]
        else:
            domains = [LegalDomain.SGB_II, LegalDomain.AUFENTHG]
        if rng.random() < 0.35:
            domains.append(LegalDomain.SGB_VIII)
        if rng.random() < 0.15:
            domains.append(LegalDomain.SGB_III)
        person.legal_domains = [str(d) for d in domains]
        responsible = []
        for domain in domains:
            agency = self.agencies[DOMAIN_AGENCY[domain]]
            if agency in responsible:
                continue
            responsible.append(agency)
            self.rows.add(
                AgencyResponsibility(
                    person=person,
                    agency=agency,
                    legal_domain=str(domain),
                    file_reference=f"{FILE_PREFIX[agency.kind]}-{rng.randint(100000, 999999)}",
                    since=status_from,
                )
            )
        return person, {
            "language": languages[0],
            "interpreter": interpreter,
            "agencies": responsible,
        }

    def case(self, *, waiting: bool) -> None:
        rng, today = self.rng, self.today
        if waiting:
            phase, (lo, hi) = P.INTAKE, (1, 90)
            manager, area = None, rng.choice(self.areas) if self.areas else None
        else:
            phase, _w, (lo, hi) = _pick(rng, [((p, w, d), w) for p, w, d in PHASE_PLAN])
            manager, area = rng.choice(self.staff)
            if area is None and self.areas:
                area = rng.choice(self.areas)
        opened_on = today - datetime.timedelta(days=rng.randint(lo, hi))
        person, about = self.person(area, opened_on)
        if phase == P.CLOSED:
            last_open = _pick(
                rng,
                [
                    (P.INTAKE, 1),
                    (P.ASSESSMENT, 1),
                    (P.PLANNING, 1),
                    (P.IMPLEMENTATION, 4),
                    (P.MONITORING, 4),
                ],
            )
            end = _between(
                rng,
                opened_on + datetime.timedelta(days=30),
                min(opened_on + datetime.timedelta(days=700), today - datetime.timedelta(days=1)),
            )
            path = PHASES[: PHASES.index(last_open) + 1] + [P.CLOSED]
        else:
            last_open, end = phase, today
            path = PHASES[: PHASES.index(phase) + 1]
        # The day each phase began: the first on opening, the others spread up to ``end``
        # (a closed case's last step, the closure, on ``end`` itself).
        days = (end - opened_on).days
        steps = len(path) - 1
        if phase == P.CLOSED:
            offsets = [*sorted(rng.sample(range(1, days), steps - 1)), days]
        else:
            offsets = sorted(rng.sample(range(1, days + 1), steps)) if steps else []
        if len(offsets) > (1 if phase == P.CLOSED else 0):  # clearing takes weeks, not months
            offsets[0] = min(offsets[0], rng.randint(3, 30))
        began = [opened_on] + [opened_on + datetime.timedelta(days=o) for o in offsets]
        closed_on = began[-1] if phase == P.CLOSED else None
        assigned_on = None
        if manager is not None:
            latest = began[1] if len(began) > 1 else today
            assigned_on = _between(rng, opened_on, min(latest, opened_on + datetime.timedelta(14)))
        reason = _pick(rng, CLOSING[last_open]) if closed_on else ""
        case = self.rows.add(
            Case(
                centre=self.centre,
                person=person,
                reference=self.reference(opened_on),
                phase=phase,
                case_manager=manager,
                case_area=area,
                priority=_pick(
                    rng,
                    [(Case.Priority.LOW, 2), (Case.Priority.NORMAL, 7), (Case.Priority.HIGH, 2)],
                ),
                is_hardship=rng.random() < 0.06,
                summary=rng.choice(
                    [
                        "Unterstützung bei Behördenangelegenheiten und Arbeitssuche.",
                        "Wohnungssuche und Anerkennung des Berufsabschlusses.",
                        "Familie mit mehreren Kindern: Kita, Schule und Sprachkurs.",
                        "Klärung des Aufenthalts und Zugang zu Sprachkursen.",
                        "Gesundheitliche Versorgung und Sicherung des Lebensunterhalts.",
                    ]
                ),
                controller="Kreis Coesfeld" if self.centre.slug == DEMO_CENTRE else "",
                opened_on=opened_on,
                assigned_on=assigned_on,
                closed_on=closed_on,
                closing_reason=reason,
                closing_note="Abschlussgespräch geführt." if closed_on else "",
                erase_on=_add_years(closed_on, self.retention_years) if closed_on else None,
            )
        )
        previous = ""
        for to_phase, day in zip(path, began, strict=True):
            self.rows.add(
                PhaseChange(
                    case=case, from_phase=previous, to_phase=to_phase, at=_at(day, rng), by=manager
                )
            )
            previous = to_phase
        self.consents(person, case, manager, waiting, reason)
        needs = self.assessments(case, path, began, manager)
        goals = self.help_plan(case, path, began, needs, about)
        self.contacts(case, opened_on, closed_on or today, needs, about, manager, waiting)
        if phase != P.CLOSED and manager is not None and rng.random() < 0.5:
            day = today + datetime.timedelta(days=rng.randint(1, 14))
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            self.rows.add(
                Appointment(
                    case=case,
                    starts=_at(day, rng),
                    place=rng.choice(
                        [
                            "Kreishaus, Raum 2.14",
                            "Außensprechstunde im Rathaus",
                            "Hausbesuch",
                            "Telefon",
                        ]
                    ),
                    interpreter_language=about["language"] if about["interpreter"] else "",
                    note=rng.choice(
                        ["", "Unterlagen zum Antrag mitbringen", "Gespräch zum Hilfeplan"]
                    ),
                )
            )
        if PHASES.index(last_open) >= PHASES.index(P.PLANNING):
            plan_from = began[path.index(P.PLANNING)]
            self.referrals(case, person, plan_from, closed_on, goals)
            if PHASES.index(last_open) >= PHASES.index(P.IMPLEMENTATION) and rng.random() < 0.1:
                self.conference(case, person, plan_from, closed_on, about)

    def consents(
        self, person: Person, case: Case, manager: User | None, waiting: bool, reason: str
    ) -> None:
        rng = self.rng
        if waiting and rng.random() < 0.5:
            return
        self.consent_for(
            person,
            None,
            Consent.Purpose.CASE_MANAGEMENT,
            case.opened_on,
            withdrawn_on=case.closed_on if reason == CR.WITHDRAWN else None,
        )
        if manager is not None and rng.random() < 0.6:
            self.consent_for(person, None, Consent.Purpose.STATE_DATABASE, case.opened_on)

    def consent_for(
        self,
        person: Person,
        agency: Actor | None,
        purpose: str,
        given_on: datetime.date,
        *,
        withdrawn_on: datetime.date | None = None,
    ) -> Consent:
        return self.rows.add(
            Consent(
                person=person,
                purpose=purpose,
                agency=agency,
                form=Consent.Form.PAPER if self.rng.random() < 0.8 else Consent.Form.ELECTRONIC,
                given_on=given_on,
                expires_on=_add_years(given_on, 2),
                withdrawn_on=withdrawn_on,
            )
        )

    def assessments(
        self, case: Case, path: list[str], began: list[datetime.date], manager: User | None
    ) -> list[str]:
        """Write 1–3 assessments that improve over time; return the areas with a need."""
        rng = self.rng
        if P.ASSESSMENT not in path:
            return rng.sample(list(L.values), 2)
        start = began[path.index(P.ASSESSMENT)]
        end = case.closed_on or self.today
        areas = rng.sample(list(L.values), rng.randint(5, 9))
        scores = {area: _pick(rng, [(1, 2), (2, 4), (3, 3), (4, 2), (5, 1)]) for area in areas}
        needs = sorted((a for a in areas if scores[a] <= 3), key=lambda a: scores[a])
        count = rng.randint(1, 3) if P.PLANNING in path else 1
        days = sorted({_between(rng, start, end) for _ in range(count - 1)} | {start})
        for day in days:
            latest = self.rows.add(
                NeedAssessment(
                    case=case,
                    assessed_on=day,
                    scores=dict(scores),
                    by=manager,
                    note=rng.choice(["", "Einschätzung gemeinsam mit der Person."]),
                )
            )
            scores = {a: min(5, s + rng.choice([0, 0, 1, 1, 2])) for a, s in scores.items()}
        # As record_assessment does: the case lists the needs of its latest assessment.
        case.needs = sorted(latest.needs())
        return needs or areas[:1]

    def help_plan(
        self,
        case: Case,
        path: list[str],
        began: list[datetime.date],
        needs: list[str],
        about: dict[str, Any],
    ) -> list[Goal]:
        rng, today = self.rng, self.today
        if P.PLANNING not in path:
            return []
        planned = began[path.index(P.PLANNING)]
        goals = []
        for area in needs[: rng.randint(1, 4)]:
            if case.closed_on:
                status = _pick(
                    rng,
                    [(Goal.Status.ACHIEVED, 5), (Goal.Status.PARTLY, 3), (Goal.Status.DROPPED, 2)],
                )
            else:
                status = _pick(
                    rng, [(Goal.Status.OPEN, 7), (Goal.Status.ACHIEVED, 2), (Goal.Status.PARTLY, 1)]
                )
            goal = self.rows.add(
                Goal(case=case, life_area=area, description=rng.choice(GOALS[area]), status=status)
            )
            goals.append(goal)
            for _n in range(rng.randint(1, 3)):
                responsible = _pick(
                    rng,
                    [
                        (Action.Responsible.PERSON, 4),
                        (Action.Responsible.CASE_MANAGER, 3),
                        (Action.Responsible.AGENCY, 2),
                    ],
                )
                agency = rng.choice(about["agencies"]) if responsible == "agency" else None
                due_on = planned + datetime.timedelta(days=rng.randint(7, 120))
                done_on, cancelled = None, False
                if case.closed_on:
                    if rng.random() < 0.85:
                        done_on = min(_between(rng, planned, due_on), case.closed_on)
                    else:
                        cancelled = True
                elif due_on < today and rng.random() < 0.9:
                    done_on = min(due_on + datetime.timedelta(days=rng.randint(-10, 5)), today)
                    done_on = max(done_on, planned)
                self.rows.add(
                    Action(
                        case=case,
                        goal=goal,
                        description=rng.choice(STEPS),
                        responsible=responsible,
                        agency=agency,
                        due_on=due_on,
                        done_on=done_on,
                        is_cancelled=cancelled,
                    )
                )
        return goals

    def contacts(
        self,
        case: Case,
        start: datetime.date,
        end: datetime.date,
        needs: list[str],
        about: dict[str, Any],
        manager: User | None,
        waiting: bool,
    ) -> None:
        rng = self.rng
        days = (end - start).days
        if waiting:
            count = rng.randint(1, 2)
        elif case.phase == P.INTAKE:
            count = rng.randint(1, 5)
        else:
            # About one contact a fortnight on top of the first ones: ~25 per case in all.
            count = min(50, 6 + days // 16 + rng.randint(0, 10))
        themes = needs or list(L.values)
        for _n in range(count):
            duration = _pick(rng, [(15, 2), (20, 1), (30, 4), (45, 4), (60, 3), (90, 1)])
            chosen = rng.sample(themes, min(len(themes), rng.randint(1, 3)))
            self.rows.add(
                Contact(
                    case=case,
                    date=_between(rng, start, end),
                    duration=duration,
                    channel=_pick(
                        rng,
                        [
                            (Contact.Channel.IN_PERSON, 6),
                            (Contact.Channel.PHONE, 4),
                            (Contact.Channel.DIGITAL, 2),
                            (Contact.Channel.OUTREACH, 1),
                        ],
                    ),
                    interpreter_language=about["language"]
                    if about["interpreter"] and rng.random() < 0.7
                    else "",
                    themes=_split(rng, duration, chosen),
                    notes=rng.choice(NOTES),
                    by=manager,
                )
            )

    def referrals(
        self,
        case: Case,
        person: Person,
        start: datetime.date,
        closed_on: datetime.date | None,
        goals: list[Goal],
    ) -> None:
        rng, today = self.rng, self.today
        if not self.referral_agencies:
            return
        end = closed_on or today
        consents: dict[int, Consent] = {}
        for _n in range(_pick(rng, [(0, 2), (1, 4), (2, 3), (3, 1)])):
            agency = _pick(rng, self.referral_agencies)
            sent_on = _between(rng, start, end)
            age = (today - sent_on).days
            S = Referral.Status
            if closed_on:
                status = _pick(rng, [(S.COMPLETED, 6), (S.DECLINED, 2), (S.CANCELLED, 2)])
            elif age < 14:
                status = _pick(rng, [(S.SENT, 3), (S.ACCEPTED, 1)])
            elif age < 60:
                status = _pick(rng, [(S.ACCEPTED, 3), (S.STARTED, 3), (S.DECLINED, 1), (S.SENT, 1)])
            else:
                status = _pick(
                    rng, [(S.STARTED, 3), (S.COMPLETED, 4), (S.DECLINED, 1), (S.CANCELLED, 1)]
                )
            if agency.pk not in consents:
                consents[agency.pk] = self.consent_for(
                    person,
                    agency,
                    Consent.Purpose.REFERRAL,
                    sent_on - datetime.timedelta(days=rng.randint(0, 3)),
                )
            answered = None
            if status not in (S.SENT, S.CANCELLED):
                answered = min(sent_on + datetime.timedelta(days=rng.randint(2, 20)), today)
            self.rows.add(
                Referral(
                    case=case,
                    agency=agency,
                    reason=REASONS.get(agency.kind, "Weitere Unterstützung"),
                    status=status,
                    answer=ANSWERS[status] if answered else "",
                    sent_on=sent_on,
                    answered_on=answered,
                    consent=consents[agency.pk],
                )
            )

    def conference(
        self,
        case: Case,
        person: Person,
        start: datetime.date,
        closed_on: datetime.date | None,
        about: dict[str, Any],
    ) -> None:
        rng, today = self.rng, self.today
        if closed_on is None and rng.random() < 0.25:
            day = today + datetime.timedelta(days=rng.randint(3, 21))
        else:
            day = _between(rng, start, (closed_on or today) - datetime.timedelta(days=1))
        held = day < today
        agencies = rng.sample(about["agencies"], min(len(about["agencies"]), rng.randint(1, 3)))
        conference = self.rows.add(
            CaseConference(
                case=case,
                date=_at(day, rng),
                place="Kreishaus, Besprechungsraum 1",
                other_participants="die Person, Sprachmittlung"
                if about["interpreter"]
                else "die Person",
                agenda="Stand der Hilfeplanung; Abstimmung der nächsten Schritte.",
                minutes="Zuständigkeiten geklärt, nächste Schritte vereinbart." if held else "",
                held=held,
            )
        )
        for agency in agencies:
            self.consent_for(
                person,
                agency,
                Consent.Purpose.CONFERENCE,
                min(day, today) - datetime.timedelta(days=rng.randint(1, 10)),
            )
        self.rows.conference_agencies.append((conference, agencies))

    def system_gaps(self, count: int, cases: list[Case]) -> None:
        rng, today = self.rng, self.today
        authorities = list(self.agencies.values())
        categories = list(GAPS)
        for _n in range(count):
            category = rng.choices(categories, GAP_WEIGHTS)[0]
            reported_on = today - datetime.timedelta(days=rng.randint(0, 400))
            candidates = [
                c for c in rng.sample(cases, min(5, len(cases))) if c.opened_on <= reported_on
            ]
            case = candidates[0] if candidates and rng.random() < 0.7 else None
            taken = reported_on < today - datetime.timedelta(days=30) and rng.random() < 0.5
            self.rows.add(
                SystemGap(
                    centre=self.centre,
                    category=category,
                    agency=rng.choice(authorities) if rng.random() < 0.75 else None,
                    description=rng.choice(GAPS[category]),
                    reported_on=reported_on,
                    reported_by=case.case_manager if case else rng.choice(self.staff)[0],
                    case=case,
                    taken_up_on=min(
                        reported_on + datetime.timedelta(days=rng.randint(7, 60)), today
                    )
                    if taken
                    else None,
                    taken_up_note=rng.choice(TAKE_UP_NOTES) if taken else "",
                )
            )


def _demo_staff(centre: Centre) -> list[tuple[User, CaseArea | None]]:
    """Return the demo case managers of ``centre`` with their Bezirk."""
    return _staff(centre, emails=DEMO_MANAGERS.get(centre.slug, []))


def _staff(
    centre: Centre, *, emails: list[str] | None = None
) -> list[tuple[User, CaseArea | None]]:
    """Return the active case managers of ``centre`` (those with ``emails`` only, if given)."""
    memberships = (
        Membership.objects.filter(centre=centre, role=Role.CASE_MANAGER, is_active=True)
        .select_related("user")
        .prefetch_related("case_areas")
        .order_by("user__email")
    )
    if emails is not None:
        memberships = memberships.filter(user__email__in=emails)
    staff = []
    for membership in memberships:
        areas = sorted(membership.case_areas.all(), key=lambda a: a.pk)
        staff.append((membership.user, areas[0] if areas else None))
    return staff


def populate(
    centre: Centre,
    seed: int,
    count: int,
    staff: list[tuple[User, CaseArea | None]],
    *,
    verbose: bool = False,
    weighted: bool = False,
) -> dict[str, int]:
    """Write ``count`` new cases of ``centre`` with everything around them; return the counts.

    ``weighted``: persons live in the centre's Gemeinden in proportion to their residents.
    """
    if count <= 0 or not staff:
        return {}
    plan = _CentrePlan(centre, seed, staff, timezone.localdate())
    plan.weighted = weighted
    waiting = round(count * WAITING_SHARE)
    for n in range(count):
        plan.case(waiting=n < waiting)
    cases = plan.rows.rows[Case]
    plan.system_gaps(round(count * GAPS_PER_CASE), cases)  # type: ignore[arg-type]
    written = plan.rows.write(centre.slug, verbose)
    return {
        "persons": written[Person],
        "cases": written[Case],
        "contacts": written[Contact],
        "referrals": written[Referral],
        "system gaps": written[SystemGap],
    }


@seeding.register("cases")
def generate(scale: str, seed: int, factor: float) -> dict[str, int]:
    """Create persons with cases for the centres of ``scale`` (see the module docstring)."""
    totals = dict.fromkeys(["persons", "cases", "contacts", "referrals", "system gaps"], 0)
    with scopes_disabled():
        centres = list(Centre.objects.select_related("district", "municipality").order_by("pk"))
        if scale == "demo":
            plan = [
                (centre, DEMO_CASES[centre.slug], _demo_staff(centre))
                for centre in centres
                if centre.slug in DEMO_CASES
            ]
        elif scale == "kreis":
            plan = [
                (centre, round(KREIS_CASES * factor), _staff(centre))
                for centre in centres
                if centre.slug == DEMO_CENTRE
            ]
        else:
            # Bigger cities and Kreise have more cases, in proportion to their residents.
            shares = seeding.split(round(STATE_CASES * factor), seeding.centre_weights(centres))
            plan = [(centre, shares[centre.pk], _staff(centre)) for centre in centres]
        for centre, target, staff in plan:
            existing = Case.objects.filter(centre=centre).count()
            if scale == "demo" and existing:
                continue
            with transaction.atomic():
                created = populate(
                    centre,
                    seed,
                    target - existing,
                    staff,
                    verbose=scale != "demo",
                    weighted=scale == "state",
                )
            for what, n in created.items():
                totals[what] += n
    return totals
