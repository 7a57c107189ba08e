"""Factory functions for case tests: real rows, no fixed ids."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.cases.models import (
    Action,
    Case,
    Consent,
    Contact,
    Goal,
    NeedAssessment,
    Person,
    Referral,
    ResidenceStatus,
)
from teilhabe.core.models import CaseArea, Centre, User
from teilhabe.network.models import Actor
from teilhabe.network.tests.factories import make_actor


def make_person(
    centre: Centre, last_name: str = "Haddad", first_name: str = "Samira", **fields: Any
) -> Person:
    """Return a person of ``centre``."""
    with scopes_disabled():
        fields.setdefault("birth_date", datetime.date(1990, 3, 14))
        fields.setdefault("municipality", centre.municipalities().first())
        return Person.objects.create(
            centre=centre, last_name=last_name, first_name=first_name, **fields
        )


def make_case(
    centre: Centre,
    *,
    area: str | CaseArea | None = "Bezirk Nord",
    case_manager: User | None = None,
    person: Person | None = None,
    **fields: Any,
) -> Case:
    """Return an open case of ``centre`` in Bezirk ``area`` (a name or a ``CaseArea``)."""
    with scopes_disabled():
        if isinstance(area, str):
            area = centre.case_areas.filter(name=area).first()
        person = person or make_person(centre)
        number = Case.objects.filter(centre=centre).count() + 1
        fields.setdefault("reference", f"KIM-T-{number:05d}")
        fields.setdefault("phase", Case.Phase.ASSESSMENT if case_manager else Case.Phase.INTAKE)
        if case_manager is not None:
            fields.setdefault("assigned_on", timezone.localdate())
        return Case.objects.create(
            centre=centre, person=person, case_area=area, case_manager=case_manager, **fields
        )


def make_agency(centre: Centre, name: str = "Jobcenter Kreis Test", **fields: Any) -> Actor:
    """Return the agency (an authority actor) of ``centre`` named ``name``, made if missing."""
    fields.setdefault("kind", Actor.Kind.JOBCENTRE)
    with scopes_disabled():
        existing = Actor.objects.filter(centre=centre, name=name).first()
    return existing or make_actor(centre, name, **fields)


def make_consent(
    person: Person,
    agency: Actor | None,
    purpose: str = Consent.Purpose.REFERRAL,
    **fields: Any,
) -> Consent:
    """Return a consent of ``person`` in force today for ``purpose`` and ``agency``."""
    with scopes_disabled():
        fields.setdefault("form", Consent.Form.PAPER)
        fields.setdefault("given_on", timezone.localdate() - datetime.timedelta(days=10))
        return Consent.objects.create(person=person, agency=agency, purpose=purpose, **fields)


def make_residence(person: Person, **fields: Any) -> ResidenceStatus:
    with scopes_disabled():
        fields.setdefault("kind", ResidenceStatus.Kind.RESIDENCE_PERMIT)
        fields.setdefault("legal_basis", "§ 25 Abs. 2 AufenthG")
        fields.setdefault("valid_from", datetime.date(2024, 1, 1))
        return ResidenceStatus.objects.create(person=person, **fields)


def make_assessment(
    case: Case, scores: dict[str, int] | None = None, **fields: Any
) -> NeedAssessment:
    with scopes_disabled():
        scores = scores or {"language": 2, "work": 1, "housing": 3, "health": 5}
        return NeedAssessment.objects.create(case=case, scores=scores, **fields)


def make_goal(case: Case, description: str = "Deutschkurs B1 abschließen", **fields: Any) -> Goal:
    with scopes_disabled():
        fields.setdefault("life_area", "language")
        return Goal.objects.create(case=case, description=description, **fields)


def make_action(
    case: Case, description: str = "Anmeldung beim Sprachkurs", **fields: Any
) -> Action:
    with scopes_disabled():
        fields.setdefault("responsible", Action.Responsible.PERSON)
        return Action.objects.create(case=case, description=description, **fields)


def make_contact(case: Case, **fields: Any) -> Contact:
    with scopes_disabled():
        fields.setdefault("duration", 45)
        fields.setdefault("channel", Contact.Channel.IN_PERSON)
        fields.setdefault("themes", {"language": 15, "work": 30})
        return Contact.objects.create(case=case, **fields)


def make_referral(case: Case, agency: Actor, **fields: Any) -> Referral:
    with scopes_disabled():
        fields.setdefault("reason", "Beratung zur Anerkennung des Berufsabschlusses")
        return Referral.objects.create(case=case, agency=agency, **fields)


def make_closed_case(
    centre: Centre,
    *,
    closed_on: datetime.date,
    erase_on: datetime.date | None = None,
    **fields: Any,
) -> Case:
    """Return a case of ``centre`` closed on ``closed_on``, due for erasure as the centre says."""
    from teilhabe.cases.retention import erase_date

    fields.setdefault("phase", Case.Phase.CLOSED)
    fields.setdefault("closing_reason", Case.ClosingReason.GOALS_REACHED)
    return make_case(
        centre,
        closed_on=closed_on,
        erase_on=erase_on or erase_date(centre, closed_on),
        **fields,
    )


# --- Documents, PDFs and exports -----------------------------------------------------------


def make_document(case: Case, name: str = "Bescheid.pdf", **fields: Any) -> Any:
    """Return a PDF document kept with ``case`` (its file lands in ``MEDIA_ROOT``)."""
    from django.core.files.base import ContentFile

    from teilhabe.cases.models import Document

    content = b"%PDF-1.4\n%%EOF\n"
    with scopes_disabled():
        fields.setdefault("kind", Document.Kind.NOTICE)
        return Document.objects.create(
            case=case,
            file=ContentFile(content, name="dokument.pdf"),
            name=name,
            size=len(content),
            content_type="application/pdf",
            **fields,
        )


def make_full_case(centre: Centre, *, case_manager: User | None = None) -> Case:
    """Return a case with a row of every kind the case file keeps (for exports and PDFs)."""
    from teilhabe.cases.models import (
        AgencyResponsibility,
        Appointment,
        CaseConference,
        Handover,
        Household,
        PersonLanguage,
        PhaseChange,
        SystemGap,
    )

    with scopes_disabled():
        household = Household.objects.create(centre=centre, name="Haushalt Haddad")
        person = make_person(
            centre,
            household=household,
            relation="self",
            nationalities=["SY"],
            country_of_origin="SY",
            native_name="سميرة حداد",
        )
        make_person(centre, "Haddad", "Omar", household=household, relation="partner")
        case = make_case(centre, person=person, case_manager=case_manager)

        def agency(name: str, kind: str = Actor.Kind.JOBCENTRE) -> Actor:
            existing = Actor.objects.filter(centre=centre, name=name).first()
            return existing or make_agency(centre, name, kind=kind)

        jobcentre = agency("Jobcenter Coesfeld")
        youth = agency("Jugendamt Coesfeld", Actor.Kind.YOUTH_OFFICE)
        PersonLanguage.objects.create(person=person, language="Arabisch", level="native")
        make_residence(person)
        make_residence(person, kind="tolerated", valid_from=datetime.date(2022, 5, 1))
        AgencyResponsibility.objects.create(
            person=person, agency=jobcentre, legal_domain="sgb2", file_reference="BG-4711"
        )
        consent = make_consent(person, youth, purpose=Consent.Purpose.CONFERENCE)
        make_consent(person, None, purpose=Consent.Purpose.CASE_MANAGEMENT)
        PhaseChange.objects.create(case=case, from_phase="intake", to_phase="assessment")
        if case_manager is not None:
            Handover.objects.create(case=case, to_user=case_manager, note="Übernahme")
        make_assessment(case)
        goal = make_goal(case)
        conference = CaseConference.objects.create(
            case=case, date=timezone.now(), place="KI Coesfeld", agenda="Sprachkurs"
        )
        conference.agencies.set([youth])
        make_action(case, goal=goal, due_on=datetime.date(2026, 12, 15), conference=conference)
        make_action(case, "Termin beim Jobcenter", responsible="agency", agency=jobcentre)
        make_contact(case, notes="Erstgespräch mit Dolmetscherin")
        Appointment.objects.create(case=case, starts=timezone.now(), place="Büro")
        make_referral(
            case, agency("Migrationsberatung Caritas", Actor.Kind.WELFARE), consent=consent
        )
        make_document(case, by=case_manager)
        SystemGap.objects.create(
            centre=centre, case=case, category="waiting_times", description="Lange Wartezeit"
        )
        return case
