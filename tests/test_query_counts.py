"""Query counts of list and detail pages: they must not grow with the rows a page shows.

For each page the test builds its data with a few rows, counts the SQL queries of one request,
adds more rows of every kind the page shows and counts again. The counts must be equal (or
differ by a small documented constant): a count that grows with the rows is an N+1 query, and
the failure message shows the statements that were repeated.

Pages paginate at 25 rows; the builders stay below that so every row is drawn.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.core.models import Centre, User
from teilhabe.core.roles import Role
from teilhabe.core.tests.factories import make_member

FEW = 3
MANY = 15


@dataclass
class World:
    """The centre and persona a page is built for, and the page's own objects (made once)."""

    centre: Centre
    user: User
    objects: dict[str, Any] = field(default_factory=dict)
    made: int = 0

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """Return the object named ``key``, made by ``make`` the first time."""
        if key not in self.objects:
            self.objects[key] = make()
        return self.objects[key]

    def serial(self) -> int:
        """Return a new number for unique names."""
        self.made += 1
        return self.made


#: Builds ``n`` more rows of every kind the page shows; returns the URL's kwargs.
Builder = Callable[[World, int], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    name: str
    persona: str
    build: Builder
    #: Queries the page may run more with MANY rows than with FEW, when that is by design.
    allowance: int = 0
    #: False for pages of a fixed shape: the builder's rows change no more than numbers on it.
    shows_rows: bool = True


# --- Helpers ------------------------------------------------------------------------------


def _normalise(sql: str) -> str:
    """Return ``sql`` without its literal values, so statements of a loop look alike."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    sql = re.sub(r"\((?:\?,\s*)+\?\)", "(?…)", sql)
    return sql


def _queries(client: Any, url: str) -> tuple[list[str], bytes]:
    """Return the SQL one GET of ``url`` runs, and the page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    body = b"".join(response) if response.streaming else response.content
    return [q["sql"] for q in captured.captured_queries], body


def assert_same_count(few: list[str], many: list[str], *, allowance: int = 0, what: str = ""):
    """Fail with the statements that run more often with more rows (the N+1)."""
    if len(many) - len(few) <= allowance:
        return
    grown = Counter(map(_normalise, many))
    grown.subtract(Counter(map(_normalise, few)))
    repeated = [f"  +{n}× {sql[:600]}" for sql, n in grown.most_common() if n > 0]
    pytest.fail(
        f"{what}: {len(few)} queries with {FEW} rows, {len(many)} with {MANY} rows.\n"
        "Statements that grew:\n" + "\n".join(repeated),
        pytrace=False,
    )


def _run(pages: list[Page]) -> list[Any]:
    return [pytest.param(page, id=f"{page.name}[{page.persona}]") for page in pages]


# --- Personas not in the root conftest ----------------------------------------------------


@pytest.fixture
def leo(centre):
    """Leo: leadership of the centre."""
    return make_member("leo@example.org", "leadership", centre)


@pytest.fixture
def cora(centre):
    """Cora: strategic coordination of the centre."""
    return make_member("cora@example.org", "coordinator", centre)


@pytest.fixture
def sina(centre):
    """Sina: newcomer counsellor of the centre."""
    return make_member("sina@example.org", "newcomer_counsellor", centre)


@pytest.fixture
def anonymous(db):
    return None


# --- Builders: cases ----------------------------------------------------------------------


def _agency(w: World, kind: str = "jobcentre") -> Any:
    from teilhabe.cases.tests.factories import make_agency

    return make_agency(w.centre, f"Stelle {w.serial()}", kind=kind)


def _partner_actor(w: World) -> Any:
    """The actor of the partner organisation of the root conftest's partner."""
    from tests.test_permission_matrix import partner_provider

    return partner_provider(w.centre)


def _person(w: World, **fields: Any) -> Any:
    from teilhabe.cases.tests.factories import make_person

    return make_person(w.centre, f"Name{w.serial()}", "Vorname", **fields)


def case_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case

    for _ in range(n):
        make_case(w.centre, case_manager=w.user, person=_person(w), needs=["language"])
    return {}


def _the_case(w: World) -> Any:
    from teilhabe.cases.models import Household
    from teilhabe.cases.tests.factories import make_case

    def make() -> Any:
        household = Household.objects.create(centre=w.centre, name="Haushalt")
        return make_case(w.centre, case_manager=w.user, person=_person(w, household=household))

    return w.once("case", make)


def case_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.models import (
        AgencyResponsibility,
        Appointment,
        CaseConference,
        Handover,
        PersonLanguage,
        PhaseChange,
    )
    from teilhabe.cases.tests.factories import (
        make_action,
        make_assessment,
        make_case,
        make_consent,
        make_contact,
        make_document,
        make_goal,
        make_referral,
        make_residence,
    )
    from teilhabe.offers.tests.factories import make_offer

    case = _the_case(w)
    person = case.person
    now = timezone.now()
    for i in range(n):
        agency = _agency(w)
        consent = make_consent(person, agency)
        make_contact(case, by=w.user, notes=f"Gespräch {i}")
        make_referral(case, agency, consent=consent, offer=make_offer(w.centre, provider=agency))
        goal = make_goal(case)
        conference = CaseConference.objects.create(case=case, date=now, place="KI")
        conference.agencies.set([agency, _agency(w)])
        make_action(case, goal=goal, agency=agency, responsible="agency", conference=conference)
        make_action(case, goal=goal)
        make_action(case, "Ohne Ziel", agency=agency, responsible="agency")
        make_assessment(case)
        make_document(case, by=w.user)
        make_residence(person)
        PersonLanguage.objects.create(person=person, language=f"Sprache {i}", level="native")
        AgencyResponsibility.objects.create(person=person, agency=agency, legal_domain="sgb2")
        Appointment.objects.create(case=case, starts=now + datetime.timedelta(days=i + 1))
        Handover.objects.create(case=case, from_user=w.user, to_user=w.user, note="Übernahme")
        PhaseChange.objects.create(case=case, from_phase="intake", to_phase="assessment", by=w.user)
        member = _person(w, household=person.household, relation="child")
        make_case(w.centre, person=member)
    return {"pk": case.pk}


def partner_referrals(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case, make_referral
    from teilhabe.offers.tests.factories import make_offer

    agency = _partner_actor(w)
    offer = w.once("offer", lambda: make_offer(w.centre, provider=agency))
    for _ in range(n):
        make_referral(make_case(w.centre, person=_person(w)), agency, offer=offer)
    return {}


def partner_referral(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case, make_referral

    agency = _partner_actor(w)
    referral = w.once(
        "referral", lambda: make_referral(make_case(w.centre, person=_person(w)), agency)
    )
    for _ in range(n):  # other referrals of the same person's case do not show
        make_referral(referral.case, _agency(w))
    return {"pk": referral.pk}


def conference_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.models import CaseConference
    from teilhabe.cases.tests.factories import make_action

    case = _the_case(w)
    conference = w.once(
        "conference", lambda: CaseConference.objects.create(case=case, date=timezone.now())
    )
    for _ in range(n):
        agency = _agency(w)
        conference.agencies.add(agency)
        make_action(case, conference=conference, agency=agency, responsible="agency")
    return {"pk": conference.pk}


def caseload(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_action, make_case, make_contact

    areas = list(w.centre.case_areas.all())
    for i in range(n):
        manager = make_member(f"cm{w.serial()}@example.org", "case_manager", w.centre)
        area = areas[i % len(areas)]
        case = make_case(w.centre, case_manager=manager, area=area, person=_person(w))
        make_contact(case, by=manager)
        make_action(case, due_on=datetime.date(2020, 1, 1))
        make_case(w.centre, area=area, person=_person(w))  # waiting
    return {}


def system_gaps(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.models import SystemGap
    from teilhabe.cases.tests.factories import make_case

    for i in range(n):
        SystemGap.objects.create(
            centre=w.centre,
            category=SystemGap.Category.values[i % len(SystemGap.Category.values)],
            agency=_agency(w),
            description="Wartezeit",
            case=make_case(w.centre, person=_person(w)),
            reported_on=timezone.localdate() - datetime.timedelta(days=40 * i),
        )
    return {}


def erasure_journal(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.models import ErasureEntry

    for i in range(n):
        ErasureEntry.objects.create(
            centre=w.centre,
            case_reference=f"KIM-E-{w.serial():05d}",
            outcome="erased" if i % 2 else "held",
            removed={"contacts": 3, "documents": 1},
            run=f"run-{i}",
        )
    return {}


# --- Builders: schooling ------------------------------------------------------------------


def _school(w: World, **fields: Any) -> Any:
    from teilhabe.schooling.tests.factories import make_capacity, make_school

    school = make_school(w.centre, f"Schule {w.serial()}", **fields)
    make_capacity(school, places=5, school_year=2026)
    make_capacity(school, places=4, school_year=2025)
    return school


def pupil_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.schooling.models import Guardian
    from teilhabe.schooling.tests.factories import make_counselled_pupil

    for _ in range(n):
        school = _school(w)
        pupil = make_counselled_pupil(
            w.centre, last_name=f"Name{w.serial()}", preferred_school=school, school=school
        )
        Guardian.objects.create(pupil=pupil, name="Mutter", language="ar")
    return {}


def pupil_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.schooling.models import Counselling, Guardian, Letter, Proposal, ProposalItem
    from teilhabe.schooling.tests.factories import make_counselled_pupil, make_pupil

    pupil = w.once("pupil", lambda: make_counselled_pupil(w.centre, preferred_school=_school(w)))
    for i in range(n):
        Guardian.objects.create(pupil=pupil, name=f"Elternteil {i}", language="uk")
        Letter.objects.create(pupil=pupil, kind="compulsory", language="de", by=w.user)
        Counselling.objects.create(
            pupil=pupil, starts=timezone.now() + datetime.timedelta(days=i), by=w.user
        )
        pupil.siblings.add(make_pupil(w.centre, first_name=f"Kind{w.serial()}"))
        proposal = Proposal.objects.create(centre=w.centre, school_year=2026, status="optimal")
        school = _school(w)
        ProposalItem.objects.create(
            proposal=proposal, pupil=pupil, school=school, chosen_school=school, distance_km=1.0
        )
    return {"pk": pupil.pk}


def school_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import make_actor

    for _ in range(n):
        _school(w, actor=make_actor(w.centre, kind="school"))
    return {}


def school_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.schooling.models import Stage
    from teilhabe.schooling.tests.factories import make_capacity, make_counselled_pupil

    school = w.once("school", lambda: _school(w))
    stages = list(Stage.values)
    for _ in range(n):
        i = w.serial()
        make_capacity(school, places=3, stage=stages[i % len(stages)], school_year=2000 + i)
        make_counselled_pupil(
            w.centre, last_name=f"Name{w.serial()}", school=school, status="placed"
        )
    return {"pk": school.pk}


def capacity_overview(w: World, n: int) -> dict[str, Any]:
    from teilhabe.schooling.tests.factories import make_counselled_pupil

    for _ in range(n):
        school = _school(w)
        make_counselled_pupil(
            w.centre, last_name=f"Name{w.serial()}", school=school, status="placed"
        )
    return {}


def waiting_times(w: World, n: int) -> dict[str, Any]:
    from teilhabe.schooling.tests.factories import make_counselled_pupil, make_pupil

    for i in range(n):
        make_pupil(w.centre, last_name=f"Name{w.serial()}")
        make_counselled_pupil(
            w.centre,
            last_name=f"Name{w.serial()}",
            school=_school(w),
            status="placed",
            registration_date=datetime.date(2026, 9, 1) + datetime.timedelta(days=i),
        )
    return {}


def _items(w: World, proposal: Any, n: int) -> None:
    from teilhabe.schooling.models import ProposalItem
    from teilhabe.schooling.tests.factories import make_counselled_pupil

    for _ in range(n):
        pupil = make_counselled_pupil(w.centre, last_name=f"Name{w.serial()}", status="proposed")
        school = _school(w)
        ProposalItem.objects.create(proposal=proposal, pupil=pupil, school=school, distance_km=2)


def proposal_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.schooling.models import Proposal

    proposal = w.once(
        "proposal",
        lambda: Proposal.objects.create(
            centre=w.centre, school_year=2026, status="optimal", by=w.user
        ),
    )
    _items(w, proposal, n)
    return {"pk": proposal.pk}


def proposal_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.schooling.models import Proposal

    for _ in range(n):
        proposal = Proposal.objects.create(
            centre=w.centre, school_year=2026, status="optimal", by=w.user
        )
        _items(w, proposal, 1)
    return {}


def letter_templates(w: World, n: int) -> dict[str, Any]:
    from teilhabe.schooling.models import LetterTemplate

    kinds = LetterTemplate.Kind.values
    for _ in range(n):
        i = w.serial()
        LetterTemplate.objects.create(
            centre=w.centre, kind=kinds[i % len(kinds)], language=f"l{i}", subject="S", body="B"
        )
    return {}


# --- Builders: offers ---------------------------------------------------------------------


def _offers(w: World, n: int) -> None:
    from teilhabe.offers.models import OfferText
    from teilhabe.offers.tests.factories import make_offer

    for _ in range(n):
        offer = make_offer(w.centre)
        OfferText.objects.create(offer=offer, language="en", title="Language café")


def offer_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.offers.models import Rubric
    from teilhabe.offers.tests.factories import make_offer

    _offers(w, n)
    for _ in range(n):  # with a rubric each: a column of the list and a choice of its filter
        rubric = Rubric.objects.create(
            centre=w.centre, field_of_action="migration", name=f"Rubrik {w.serial()}"
        )
        make_offer(w.centre, rubric=rubric)
    return {}


def rubrics(w: World, n: int) -> dict[str, Any]:
    from teilhabe.offers.models import Rubric
    from teilhabe.offers.tests.factories import make_offer

    for _ in range(n):
        rubric = Rubric.objects.create(
            centre=w.centre, field_of_action="education", name=f"Rubrik {w.serial()}"
        )
        make_offer(w.centre, field_of_action="education", rubric=rubric)
    return {}


def directory_list(w: World, n: int) -> dict[str, Any]:
    _offers(w, n)
    return {"slug": w.centre.slug}


def _the_offer(w: World) -> Any:
    from teilhabe.offers.tests.factories import make_offer

    return w.once("offer", lambda: make_offer(w.centre))


def _grow_offer(w: World, offer: Any, n: int) -> None:
    from teilhabe.offers.models import OfferLocation, OfferText, OpeningHours

    town = w.centre.municipalities().first()
    for _ in range(n):
        i = w.serial()
        OfferText.objects.create(offer=offer, language=f"x{i}", title=f"Titel {i}")
        place = OfferLocation.objects.create(
            offer=offer, name=f"Ort {i}", municipality=town, latitude=51.9, longitude=7.1
        )
        OpeningHours.objects.create(
            offer=offer,
            location=place,
            weekday=1 + i % 7,
            opens_at=datetime.time(9),
            closes_at=datetime.time(12),
        )


def offer_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case, make_referral

    offer = _the_offer(w)
    _grow_offer(w, offer, n)
    for _ in range(n):
        make_referral(make_case(w.centre, person=_person(w)), offer.provider, offer=offer)
    return {"pk": offer.pk}


def directory_detail(w: World, n: int) -> dict[str, Any]:
    offer = _the_offer(w)
    _grow_offer(w, offer, n)
    return {"slug": w.centre.slug, "uid": offer.uid}


def duplicates(w: World, n: int) -> dict[str, Any]:
    from teilhabe.offers.tests.factories import make_offer

    for _ in range(n):  # alike: same title, place and people; each pair is a candidate
        make_offer(w.centre, "Sprachcafé für Frauen")
    return {}


def partner_offers(w: World, n: int) -> dict[str, Any]:
    from teilhabe.offers.tests.factories import make_offer

    for _ in range(n):
        make_offer(w.centre, provider=_partner_actor(w))
    return {}


# --- Builders: network --------------------------------------------------------------------


def actor_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import make_actor, make_contact

    parent = w.once("parent", lambda: make_actor(w.centre, "Dachverband"))
    for _ in range(n):
        actor = make_actor(w.centre, parent=parent)
        make_contact(actor)
    return {}


def actor_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import (
        make_actor,
        make_agreement,
        make_change,
        make_contact,
        make_group,
        make_member_of,
    )
    from teilhabe.offers.tests.factories import make_offer

    actor = w.once("actor", lambda: make_actor(w.centre))
    for i in range(n):
        make_contact(actor, name=f"Kontakt {i}")
        make_member_of(make_group(w.centre), actor)
        make_agreement(w.centre).partners.add(actor)
        make_actor(w.centre, parent=actor)
        make_offer(w.centre, provider=actor)
        make_change(actor)
    return {"pk": actor.pk}


def group_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import make_group, make_meeting, make_member_of

    for _ in range(n):
        group = make_group(w.centre)
        make_member_of(group)
        make_meeting(group)
    return {}


def group_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import (
        make_follow_up,
        make_group,
        make_meeting,
        make_member_of,
    )

    group = w.once("group", lambda: make_group(w.centre))
    for _ in range(n):
        member = make_member_of(group)
        meeting = make_meeting(group)
        meeting.attendees.add(member.actor)
        make_follow_up(meeting)
    return {"pk": group.pk}


def meeting_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import (
        make_follow_up,
        make_group,
        make_meeting,
        make_member_of,
    )

    meeting = w.once("meeting", lambda: make_meeting(make_group(w.centre)))
    for _ in range(n):
        member = make_member_of(meeting.group)
        meeting.attendees.add(member.actor)
        follow_up = make_follow_up(meeting)
        follow_up.responsible = member.actor
        follow_up.save()
    return {"pk": meeting.pk}


def agreement_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import make_actor, make_agreement

    for i in range(n):
        agreement = make_agreement(
            w.centre, valid_until=timezone.localdate() + datetime.timedelta(days=10 + i)
        )
        agreement.partners.add(make_actor(w.centre))
    return {}


def graph(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import (
        make_actor,
        make_agreement,
        make_group,
        make_member_of,
    )

    group = w.once("group", lambda: make_group(w.centre))
    for _ in range(n):
        agreement = make_agreement(w.centre)
        actor = make_actor(w.centre)
        agreement.partners.add(actor)
        make_member_of(group, actor)
    return {}


def change_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import make_actor, make_change

    for _ in range(n):
        make_change(make_actor(w.centre))
    return {}


# --- Builders: core -----------------------------------------------------------------------


def staff_list(w: World, n: int) -> dict[str, Any]:
    areas = list(w.centre.case_areas.all())
    for _ in range(n):
        make_member(f"staff{w.serial()}@example.org", "case_manager", w.centre, areas=areas)
    return {}


def staff_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.core.models import Membership

    areas = list(w.centre.case_areas.all())
    user = w.once(
        "member",
        lambda: make_member("target@example.org", "case_manager", w.centre, areas=areas),
    )
    roles = [r for r in Role if r not in (Role.CASE_MANAGER, Role.LAKI)]
    for role in roles[w.made : w.made + n]:  # more roles of the same person (one per role)
        w.serial()
        make_member("", role, w.centre, user=user, areas=areas)
    return {"pk": Membership.objects.filter(user=user).first().pk}


def case_area_list(w: World, n: int) -> dict[str, Any]:
    from teilhabe.core.models import CaseArea

    towns = list(w.centre.municipalities()[:3])
    for _ in range(n):
        area = CaseArea.objects.create(centre=w.centre, name=f"Bezirk {w.serial()}")
        area.municipalities.set(towns)
        make_member(f"cm{w.serial()}@example.org", "case_manager", w.centre, areas=[area])
    return {}


def case_area_detail(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case

    area = w.once("area", lambda: w.centre.case_areas.order_by("pk").first())
    for _ in range(n):
        manager = make_member(f"cm{w.serial()}@example.org", "case_manager", w.centre, areas=[area])
        make_case(w.centre, area=area, case_manager=manager, person=_person(w))
    return {"pk": area.pk}


def access_log(w: World, n: int) -> dict[str, Any]:
    from django.contrib.contenttypes.models import ContentType

    from teilhabe.cases.models import Case
    from teilhabe.cases.tests.factories import make_case
    from teilhabe.core.models import AccessLog
    from teilhabe.schooling.models import Pupil
    from teilhabe.schooling.tests.factories import make_pupil

    for _ in range(n):
        reader = make_member(f"reader{w.serial()}@example.org", "case_manager", w.centre)
        case = make_case(w.centre, person=_person(w))
        pupil = make_pupil(w.centre)
        for obj, model in ((case, Case), (pupil, Pupil)):
            AccessLog.objects.create(
                user=reader,
                user_email=reader.email,
                role="case_manager",
                centre=w.centre,
                action="read",
                content_type=ContentType.objects.get_for_model(model),
                object_id=str(obj.pk),
                path="/",
            )
    return {}


# --- Builders: reporting ------------------------------------------------------------------


def statewide_figures(w: World, n: int) -> dict[str, Any]:
    """``n`` more centres, with the figures of this month stored (as ``teilhabe figures`` does)."""
    from teilhabe.core.models import District
    from teilhabe.core.tests.factories import make_centre
    from teilhabe.reporting.registry import Period
    from teilhabe.reporting.services import compute_figures

    for district in District.objects.filter(centres__isnull=True).order_by("ags")[:n]:
        make_centre(district.ags)
    compute_figures(Period.containing(timezone.localdate()))
    return {}


# --- Builders: start pages ----------------------------------------------------------------


def home_case_manager(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.models import Appointment
    from teilhabe.cases.tests.factories import make_action, make_case, make_referral

    for i in range(n):
        case = make_case(w.centre, case_manager=w.user, person=_person(w))
        make_action(case, due_on=datetime.date(2020, 1, 1 + i))
        Appointment.objects.create(case=case, starts=timezone.now() + datetime.timedelta(days=1))
        make_referral(case, _agency(w))
        make_case(w.centre, person=_person(w))  # waiting list
    return {}


def home_steering(w: World, n: int) -> dict[str, Any]:
    from teilhabe.network.tests.factories import (
        make_agreement,
        make_change,
        make_follow_up,
        make_group,
        make_meeting,
    )

    for i in range(n):
        make_member(f"staff{w.serial()}@example.org", "case_manager", w.centre)
        follow_up = make_follow_up(make_meeting(make_group(w.centre)))
        follow_up.due = timezone.localdate()
        follow_up.save()
        make_agreement(w.centre, valid_until=timezone.localdate() + datetime.timedelta(days=i))
        make_change(_agency(w))
    return {}


def home_partner(w: World, n: int) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case, make_referral

    actor = _partner_actor(w)
    actor.kind = "school_authority"  # keeps the places of every school of the centre
    actor.save()
    for _ in range(n):
        make_referral(make_case(w.centre, person=_person(w)), actor)
        _school(w)
    return {}


def home_counsellor(w: World, n: int) -> dict[str, Any]:
    from teilhabe.schooling.tests.factories import make_counselled_pupil

    for _ in range(n):
        make_counselled_pupil(w.centre, last_name=f"Name{w.serial()}")
    return {}


PAGES = [
    # Cases
    Page("cases:case-list", "alice", case_list),
    Page("api:cases", "alice", case_list),
    Page("cases:case-detail", "alice", case_detail),
    Page("cases:conference-detail", "alice", conference_detail),
    Page("cases:partner-referrals", "partner_user", partner_referrals),
    # One referral; the case's other referrals stay hidden from the partner.
    Page("cases:partner-referral", "partner_user", partner_referral, shows_rows=False),
    Page("cases:caseload", "leo", caseload),
    Page("cases:system-gaps", "cora", system_gaps),
    Page("cases:erasure-journal", "dana", erasure_journal),
    # Schooling
    Page("schooling:pupil-list", "sina", pupil_list),
    Page("schooling:pupil-detail", "sina", pupil_detail),
    Page("schooling:school-list", "sina", school_list),
    # Places per stage for two school years: a fixed table, pupils only as counts.
    Page("schooling:school-detail", "sina", school_detail, shows_rows=False),
    Page("schooling:capacity-overview", "sina", capacity_overview),
    Page("schooling:waiting-times", "sina", waiting_times),
    Page("schooling:proposal-list", "sina", proposal_list),
    Page("schooling:proposal-detail", "sina", proposal_detail),
    Page("schooling:letter-templates", "sina", letter_templates),
    # Offers, the public directory and its API
    Page("offers:offer-list", "dana", offer_list),
    Page("offers:offer-detail", "dana", offer_detail),
    Page("offers:partner-offers", "partner_user", partner_offers),
    Page("offers:duplicates", "dana", duplicates),
    Page("offers:rubrics", "leo", rubrics),
    Page("directory:offer-list", "anonymous", directory_list),
    Page("directory:offer-detail", "anonymous", directory_detail),
    Page("api:directory-offers", "anonymous", directory_list),
    Page("api:directory-hsds", "anonymous", directory_list),
    # Network
    Page("network:actor-list", "dana", actor_list),
    Page("network:actor-detail", "dana", actor_detail),
    Page("network:group-list", "dana", group_list),
    Page("network:group-detail", "dana", group_detail),
    Page("network:meeting-detail", "dana", meeting_detail),
    Page("network:agreement-list", "dana", agreement_list),
    Page("network:graph", "dana", graph),
    Page("network:change-list", "dana", change_list),
    # Core
    Page("core:staff-list", "dana", staff_list),
    Page("core:staff-detail", "dana", staff_detail),
    Page("core:case-area-list", "dana", case_area_list),
    Page("core:case-area-detail", "dana", case_area_detail),
    Page("core:access-log", "dpo", access_log),
    # Reporting: one month of one area for every centre, read from the stored figures.
    Page("reporting:statewide-figures", "laki_user", statewide_figures),
    # Start pages of the roles with panels that list rows
    Page("core:home", "alice", home_case_manager),
    Page("core:home", "leo", home_steering),
    Page("core:home", "cora", home_steering),
    Page("core:home", "partner_user", home_partner),
    # The counsellor's panel names the work roles; the pupils it links to are not counted here.
    Page("core:home", "sina", home_counsellor, shows_rows=False),
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", _run(PAGES))
def test_query_count_does_not_grow_with_rows(client, request, centre, page):
    user = request.getfixturevalue(page.persona)
    if user is not None:
        client.force_login(user)
    world = World(centre=centre, user=user)

    with scopes_disabled():
        kwargs = page.build(world, FEW)
    url = reverse(page.name, kwargs=kwargs or None)
    client.get(url)  # warm caches (session, content types, site) before counting
    cache.clear()  # a page kept in the cache (the public directory) is rendered, not read back
    few, few_page = _queries(client, url)

    with scopes_disabled():
        page.build(world, MANY - FEW)
    cache.clear()
    many, many_page = _queries(client, url)

    # The builder must have added rows the page shows, or the counts prove nothing.
    if page.shows_rows:
        assert len(many_page) > len(few_page), f"{page.name} shows no more with more rows"
    print(f"{page.name} as {page.persona}: {len(few)} → {len(many)} queries")  # shown with -s
    assert_same_count(few, many, allowance=page.allowance, what=f"{page.name} as {page.persona}")
