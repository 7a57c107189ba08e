"""Case management's part of the demo and of ``teilhabe seed``."""

from __future__ import annotations

import unicodedata

import pytest
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.cases import generators
from teilhabe.cases.models import (
    Action,
    Appointment,
    Case,
    CaseConference,
    Consent,
    Contact,
    NeedAssessment,
    Person,
    PhaseChange,
    Referral,
    SystemGap,
)
from teilhabe.core import generators as core_generators
from teilhabe.core import seeding
from teilhabe.core.demo import DEMO_CENTRE, load_demo
from teilhabe.network import generators as network_generators

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo()
    network_generators.generate("demo", 2026, 1.0)


def _demo_cases():
    return Case.objects.filter(centre__slug=DEMO_CENTRE)


def test_cases_generator_is_registered_after_the_network():
    names = [name for name, _generator in seeding.generators()]
    assert ("cases", generators.generate) in seeding.generators()
    assert names.index("cases") > names.index("network")


def test_demo_fills_the_demo_centre_with_a_realistic_spread(demo):
    result = generators.generate("demo", 2026, 1.0)

    with scopes_disabled():
        cases = _demo_cases()
        assert cases.count() == generators.DEMO_CASES[DEMO_CENTRE]
        assert result["cases"] == Case.objects.count()
        assert set(cases.values_list("phase", flat=True)) == set(Case.Phase.values)
        waiting = cases.filter(case_manager__isnull=True)
        assert waiting.count() == 15
        assert set(waiting.values_list("phase", flat=True)) == {Case.Phase.INTAKE}
        managers = set(cases.values_list("case_manager__email", flat=True)) - {None}
        assert managers == {"casemanagement@coesfeld.demo", "casemanagement-sued@coesfeld.demo"}
        assert set(cases.values_list("case_area__name", flat=True)) == {
            "Bezirk Nord",
            "Bezirk Süd",
        }
        for case in cases.filter(case_manager__email="casemanagement@coesfeld.demo"):
            assert case.case_area.name == "Bezirk Nord"
        closed = cases.filter(phase=Case.Phase.CLOSED)
        assert not closed.filter(closing_reason="").exists()
        today = timezone.localdate()
        for case in closed:
            assert case.erase_on == case.closed_on.replace(year=case.closed_on.year + 3)
            assert case.erase_on > today
            assert case.opened_on <= case.closed_on <= today
        assert not cases.exclude(phase=Case.Phase.CLOSED).filter(closed_on__isnull=False).exists()
        references = list(cases.values_list("reference", flat=True))
        assert all(generators.REFERENCE.match(r) for r in references)
        assert len(set(references)) == len(references)


def test_demo_persons_have_latin_names_and_their_original_script(demo):
    generators.generate("demo", 2026, 1.0)

    with scopes_disabled():
        persons = Person.objects.filter(centre__slug=DEMO_CENTRE)
        for person in persons:
            for name in (person.last_name, person.first_name):
                assert all(
                    ch.isascii() or "LATIN" in unicodedata.name(ch) for ch in name if ch.isalpha()
                ), name
            person.full_clean()
        assert persons.exclude(native_name="").exists()
        assert {str(p.country_of_origin) for p in persons} >= {"SY", "UA", "AF"}
        assert persons.filter(languages__interpreter_needed=True).exists()
        assert persons.filter(residence_statuses__kind="temporary_protection").exists()


def test_demo_contacts_spend_at_most_their_duration_on_themes(demo):
    generators.generate("demo", 2026, 1.0)

    with scopes_disabled():
        contacts = Contact.objects.filter(case__centre__slug=DEMO_CENTRE).select_related("case")
        assert contacts.count() > 300 * 5
        for contact in contacts:
            assert contact.themes
            assert sum(contact.themes.values()) <= contact.duration
            assert all(minutes > 0 for minutes in contact.themes.values())
            assert contact.case.opened_on <= contact.date <= timezone.localdate()


def test_demo_has_the_work_around_the_cases(demo):
    generators.generate("demo", 2026, 1.0)
    today = timezone.localdate()

    with scopes_disabled():
        in_demo = {"case__centre__slug": DEMO_CENTRE}
        statuses = set(Referral.objects.filter(**in_demo).values_list("status", flat=True))
        assert statuses == set(Referral.Status.values)
        assert Referral.objects.filter(
            **in_demo, agency__name="Beratungsstelle Brücke e. V."
        ).exists()
        kinds = set(Referral.objects.filter(**in_demo).values_list("agency__kind", flat=True))
        assert {"jobcentre", "immigration_office", "social_welfare_office"} <= kinds
        for referral in Referral.objects.filter(**in_demo).select_related("consent"):
            assert referral.consent.agency_id == referral.agency_id
            assert referral.consent.purpose == Consent.Purpose.REFERRAL
        assert Action.objects.filter(
            **in_demo, done_on__isnull=True, is_cancelled=False, due_on__lt=today
        ).exists()
        assert Appointment.objects.filter(**in_demo, starts__date__gt=today).exists()
        assert CaseConference.objects.filter(**in_demo, held=True).exists()
        assert NeedAssessment.objects.filter(**in_demo).count() >= 200
        gaps = SystemGap.objects.filter(centre__slug=DEMO_CENTRE)
        assert 35 <= gaps.count() <= 45
        assert gaps.filter(taken_up_on__isnull=False).exists()
        assert gaps.filter(taken_up_on__isnull=True).exists()
        # every case starts with its first phase in the history
        assert (
            PhaseChange.objects.filter(case__centre__slug=DEMO_CENTRE, from_phase="").count() == 300
        )


def test_a_second_demo_run_creates_nothing(demo):
    first = generators.generate("demo", 2026, 1.0)
    with scopes_disabled():
        before = (Case.objects.count(), Contact.objects.count(), SystemGap.objects.count())

    second = generators.generate("demo", 2026, 1.0)

    assert first["cases"] > 0
    assert set(second.values()) == {0}
    with scopes_disabled():
        assert (Case.objects.count(), Contact.objects.count(), SystemGap.objects.count()) == before


class _Undo(Exception):
    pass


def _snapshot() -> list:
    with scopes_disabled():
        return [
            list(
                Case.objects.order_by("reference").values_list(
                    "reference",
                    "person__last_name",
                    "person__first_name",
                    "phase",
                    "opened_on",
                    "closed_on",
                    "case_manager__email",
                    "case_area__name",
                )
            ),
            sorted(
                (ref, day, duration, sorted(themes.items()))
                for ref, day, duration, themes in Contact.objects.values_list(
                    "case__reference", "date", "duration", "themes"
                )
            ),
            sorted(Referral.objects.values_list("case__reference", "agency__name", "status")),
            sorted(SystemGap.objects.values_list("category", "reported_on", "taken_up_on")),
        ]


def _seed_kreis(factor: float) -> dict[str, int]:
    core_generators.generate("kreis", 7, factor)
    network_generators.generate("kreis", 7, factor)
    return generators.generate("kreis", 7, factor)


def test_kreis_scale_at_a_tiny_factor_is_the_same_for_the_same_seed(capsys):
    snapshots = []
    for _run in range(2):
        try:
            with transaction.atomic():
                result = _seed_kreis(0.01)
                snapshots.append(_snapshot())
                raise _Undo
        except _Undo:
            pass

    assert result["cases"] == round(generators.KREIS_CASES * 0.01)
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][0]
    assert "cases: coesfeld:" in capsys.readouterr().err


def test_kreis_scale_uses_the_generated_case_managers_and_tops_up_only_once():
    first = _seed_kreis(0.01)
    second = generators.generate("kreis", 7, 0.01)

    assert first["cases"] == 37
    assert second["cases"] == 0
    with scopes_disabled():
        emails = set(Case.objects.values_list("case_manager__email", flat=True)) - {None}
        assert emails
        assert all(email.endswith("@seed.teilhabe.example") for email in emails)
        assert Contact.objects.count() >= 37 * 3


def test_state_scale_at_a_tiny_factor_fills_every_centre_by_its_residents():
    core_generators.generate("state", 7, 0.01)  # agencies the centres lack are created

    result = generators.generate("state", 7, 0.01)

    with scopes_disabled():
        from django.db.models import Count

        from teilhabe.core.models import Centre

        assert result["cases"] == round(generators.STATE_CASES * 0.01)
        assert not Centre.objects.exclude(cases__isnull=False).exists()
        cases = dict(
            Centre.objects.filter(municipality=None)
            .annotate(n=Count("cases"))
            .values_list("district__ags", "n")
        )
        # Köln (about 1.1 million residents) has far more cases than the Kreis Olpe (134,000),
        # the Kreis Recklinghausen (619,000) more than the city of Bottrop (117,000).
        assert cases["05315"] > 4 * cases["05966"]
        assert cases["05562"] > 3 * cases["05512"]
        # Within a Kreis, persons live mostly in its big towns.
        towns = dict(
            Person.objects.filter(centre__district__ags="05562")
            .values_list("municipality__name")
            .annotate(n=Count("pk"))
        )
        assert towns["Recklinghausen"] > towns.get("Waltrop", 0)
        assert sum(towns.values()) == cases["05562"]
