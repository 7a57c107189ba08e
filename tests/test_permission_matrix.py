"""The permission matrix, generated from the URL resolver.

Every URL pattern of the project must be declared below with who may use it. For each declared
pattern and each role the test checks: anonymous visitors are sent to the log-in, a role that is
not allowed gets 403, an allowed role gets 200 (302 for POST actions), and an object of another
centre answers 404. A new view without an entry here fails ``test_every_url_is_declared``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scopes_disabled

from teilhabe.core.models import Centre, Membership
from teilhabe.core.roles import CENTRE_STAFF, Role
from teilhabe.core.tests.factories import make_member
from teilhabe.network.permissions import EDITORS as ACTOR_EDITORS
from teilhabe.network.tests.factories import (
    make_actor,
    make_agreement,
    make_change,
    make_contact,
    make_follow_up,
    make_group,
    make_meeting,
    make_member_of,
)
from teilhabe.offers.tests.factories import make_offer

EVERY_ROLE = frozenset(Role)
EDITORS = frozenset(ACTOR_EDITORS)
ANY_MEMBER = EVERY_ROLE
#: Leadership, coordination and administration keep the offers' rubrics and settings.
OFFER_STEERING = frozenset({Role.LEADERSHIP, Role.COORDINATOR, Role.ADMINISTRATION})


def a_case_area(centre: Centre) -> dict[str, Any]:
    return {"pk": centre.case_areas.order_by("pk").first().pk}


def a_staff_membership(centre: Centre) -> dict[str, Any]:
    target = make_member(f"target{Membership.objects.count()}@example.org", Role.CLERK, centre)
    return {"pk": Membership.objects.get(user=target).pk}


def an_actor(centre: Centre) -> dict[str, Any]:
    return {"pk": make_actor(centre).pk}


def a_contact_person(centre: Centre) -> dict[str, Any]:
    return {"pk": make_contact(make_actor(centre)).pk}


def a_group(centre: Centre) -> dict[str, Any]:
    return {"pk": make_group(centre).pk}


def a_group_member(centre: Centre) -> dict[str, Any]:
    return {"pk": make_member_of(make_group(centre)).pk}


def a_meeting(centre: Centre) -> dict[str, Any]:
    return {"pk": make_meeting(make_group(centre)).pk}


def a_follow_up(centre: Centre) -> dict[str, Any]:
    return {"pk": make_follow_up(make_meeting(make_group(centre))).pk}


def an_agreement(centre: Centre) -> dict[str, Any]:
    return {"pk": make_agreement(centre).pk}


def a_proposed_change(centre: Centre) -> dict[str, Any]:
    return {"pk": make_change(make_actor(centre)).pk}


def an_offer(centre: Centre) -> dict[str, Any]:
    return {"pk": make_offer(centre).pk}


def two_offers(centre: Centre) -> dict[str, Any]:
    return {"pk": make_offer(centre).pk, "other": make_offer(centre).pk}


def a_published_offer(centre: Centre) -> dict[str, Any]:
    return {"slug": centre.slug, "uid": make_offer(centre).uid}


def an_offer_place(centre: Centre) -> dict[str, Any]:
    return {"pk": make_offer(centre).locations.get().pk}


def an_offer_time(centre: Centre) -> dict[str, Any]:
    return {"pk": make_offer(centre).opening_hours.get().pk}


def partner_provider(centre: Centre) -> Any:
    """Return the actor of the partner organisation the matrix's partner works for."""
    from teilhabe.core.models import Organisation
    from teilhabe.network.models import Actor

    with scopes_disabled():
        organisation, _ = Organisation.objects.get_or_create(
            centre=centre, name="Beratungsstelle Test e. V."
        )
        actor, _ = Actor.objects.get_or_create(
            centre=centre,
            name=organisation.name,
            defaults={"kind": Actor.Kind.PROVIDER, "organisation": organisation},
        )
        return actor


def an_own_rubric(centre: Centre) -> dict[str, Any]:
    from teilhabe.offers.models import Rubric

    count = Rubric.objects.filter(centre=centre).count()
    rubric = Rubric.objects.create(
        centre=centre, field_of_action="education", name=f"Eigene {count}"
    )
    return {"pk": rubric.pk}


def a_partners_offer(centre: Centre) -> dict[str, Any]:
    return {"pk": make_offer(centre, provider=partner_provider(centre)).pk}


def figures_a_system_gap(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.models import SystemGap

    gap = SystemGap.objects.create(centre=centre, category="waiting_times", description="Wartezeit")
    return {"pk": gap.pk}


def retention_a_case(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case

    return {"pk": make_case(centre).pk}


def documents_a_case(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case

    return {"pk": make_case(centre).pk}


def documents_a_document(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case, make_document

    return {"pk": make_document(make_case(centre)).pk}


def cases_a_case(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case

    return {"pk": make_case(centre).pk}


def cases_a_goal(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case, make_goal

    return {"pk": make_goal(make_case(centre)).pk}


def cases_an_action(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_action, make_case

    return {"pk": make_action(make_case(centre)).pk}


def cases_a_consent(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_agency, make_case, make_consent

    return {"pk": make_consent(make_case(centre).person, make_agency(centre)).pk}


def cases_a_referral(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_agency, make_case, make_referral

    return {"pk": make_referral(make_case(centre), make_agency(centre)).pk}


def cases_a_partners_referral(centre: Centre) -> dict[str, Any]:
    from teilhabe.cases.tests.factories import make_case, make_referral

    return {"pk": make_referral(make_case(centre), partner_provider(centre)).pk}


def cases_a_conference(centre: Centre) -> dict[str, Any]:
    import datetime

    from django.utils import timezone

    from teilhabe.cases.models import CaseConference

    when = timezone.now() - datetime.timedelta(days=1)
    return {"pk": CaseConference.objects.create(case=make_case_for(centre), date=when).pk}


def make_case_for(centre: Centre) -> Any:
    from teilhabe.cases.tests.factories import make_case

    return make_case(centre)


def placement_a_proposal(centre: Centre) -> dict[str, Any]:
    from teilhabe.schooling.models import Proposal

    return {"pk": Proposal.objects.create(centre=centre, school_year=2026, status="optimal").pk}


def placement_an_item(centre: Centre) -> dict[str, Any]:
    from teilhabe.schooling.models import Proposal, ProposalItem, Pupil
    from teilhabe.schooling.tests.factories import make_counselled_pupil, make_school

    proposal = Proposal.objects.create(centre=centre, school_year=2026, status="optimal")
    pupil = make_counselled_pupil(centre, status=Pupil.Status.PROPOSED)
    item = ProposalItem.objects.create(
        proposal=proposal, pupil=pupil, school=make_school(centre), distance_km=1.0
    )
    return {"pk": item.pk}


def placement_a_pupil(centre: Centre) -> dict[str, Any]:
    from teilhabe.schooling.tests.factories import make_counselled_pupil

    return {"pk": make_counselled_pupil(centre).pk}


def letters_a_pupil(centre: Centre) -> dict[str, Any]:
    from teilhabe.schooling.tests.factories import make_pupil

    return {"pk": make_pupil(centre).pk}


def letters_a_letter(centre: Centre) -> dict[str, Any]:
    from teilhabe.schooling.models import Letter
    from teilhabe.schooling.tests.factories import make_pupil

    return {
        "pk": Letter.objects.create(pupil=make_pupil(centre), kind="compulsory", language="de").pk
    }


def letters_a_template(centre: Centre) -> dict[str, Any]:
    from teilhabe.schooling.models import LetterTemplate

    template, _ = LetterTemplate.objects.get_or_create(
        centre=centre, kind="compulsory", language="de", defaults={"subject": "S", "body": "B"}
    )
    return {"pk": template.pk}


def letters_a_school(centre: Centre) -> dict[str, Any]:
    from teilhabe.schooling.tests.factories import make_school

    return {"pk": make_school(centre).pk}


def pupils_a_pupil(centre: Centre) -> dict[str, Any]:
    from teilhabe.schooling.tests.factories import make_pupil

    return {"pk": make_pupil(centre).pk}


def schools_a_school(centre: Centre) -> dict[str, Any]:
    from teilhabe.schooling.tests.factories import make_school

    return {"pk": make_school(centre).pk}


@dataclass(frozen=True)
class Staff:
    """A page for members with one of ``roles``; other roles get 403."""

    roles: frozenset[str]
    #: Builds the URL kwargs for an object of the given centre (object pages only).
    obj: Callable[[Centre], dict[str, Any]] | None = None
    method: str = "get"
    #: What a visitor without log-in gets: a redirect to the log-in, or 403 from the API.
    anonymous: int = 302


@dataclass(frozen=True)
class Public:
    """A page anyone may open; ``anonymous`` is the status a visitor gets."""

    anonymous: int = 200
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str = "get"
    #: Builds the URL kwargs for an object of the given centre (public pages of a centre).
    obj: Callable[[Centre], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Account:
    """An account page of django-allauth: log-in required, every member may use it."""

    member: int = 200


MATRIX: dict[str, Staff | Public | Account] = {
    # Core
    "core:home": Staff(ANY_MEMBER),
    "core:staff-list": Staff(frozenset({Role.LEADERSHIP, Role.ADMINISTRATION})),
    "core:staff-create": Staff(frozenset({Role.ADMINISTRATION})),
    "core:staff-detail": Staff(
        frozenset({Role.LEADERSHIP, Role.ADMINISTRATION}), obj=a_staff_membership
    ),
    "core:staff-end": Staff(
        frozenset({Role.ADMINISTRATION}), obj=a_staff_membership, method="post"
    ),
    "core:case-area-list": Staff(
        frozenset({Role.LEADERSHIP, Role.ADMINISTRATION, Role.COORDINATOR, Role.CASE_MANAGER})
    ),
    "core:case-area-detail": Staff(
        frozenset({Role.LEADERSHIP, Role.ADMINISTRATION, Role.COORDINATOR, Role.CASE_MANAGER}),
        obj=a_case_area,
    ),
    "core:case-area-create": Staff(frozenset({Role.ADMINISTRATION})),
    "core:case-area-update": Staff(frozenset({Role.ADMINISTRATION}), obj=a_case_area),
    "core:access-log": Staff(frozenset({Role.DATA_PROTECTION})),
    "core:statewide": Staff(frozenset({Role.LAKI})),
    "reporting:centre-figures": Staff(
        frozenset({Role.LEADERSHIP, Role.COORDINATOR, Role.ADMINISTRATION})
    ),
    "reporting:statewide-figures": Staff(frozenset({Role.LAKI})),
    "core:accessibility": Public(),
    "directory:offer-list": Public(obj=lambda centre: {"slug": centre.slug}),
    "directory:offer-detail": Public(obj=a_published_offer),
    "api:schema": Public(),
    "api:cases": Staff(frozenset({Role.CASE_MANAGER}), anonymous=403),
    "api:directory-offers": Public(obj=lambda centre: {"slug": centre.slug}),
    "api:directory-hsds": Public(obj=lambda centre: {"slug": centre.slug}),
    "core:healthz": Public(),
    "set_language": Public(anonymous=302, method="post"),
    # Network: actors and their contact persons
    "network:actor-list": Staff(CENTRE_STAFF),
    "network:actor-create": Staff(EDITORS),
    "network:actor-detail": Staff(CENTRE_STAFF, obj=an_actor),
    "network:actor-update": Staff(EDITORS, obj=an_actor),
    "network:actor-archive": Staff(EDITORS, obj=an_actor, method="post"),
    "network:contact-create": Staff(EDITORS, obj=an_actor, method="post"),
    "network:contact-delete": Staff(EDITORS, obj=a_contact_person, method="post"),
    # Network: working groups, meetings, cooperation agreements
    "network:group-list": Staff(CENTRE_STAFF),
    "network:group-create": Staff(EDITORS),
    "network:group-detail": Staff(CENTRE_STAFF, obj=a_group),
    "network:group-update": Staff(EDITORS, obj=a_group),
    "network:member-add": Staff(EDITORS, obj=a_group, method="post"),
    "network:member-remove": Staff(EDITORS, obj=a_group_member, method="post"),
    "network:meeting-create": Staff(EDITORS, obj=a_group),
    "network:meeting-detail": Staff(CENTRE_STAFF, obj=a_meeting),
    "network:follow-up-done": Staff(EDITORS, obj=a_follow_up, method="post"),
    "network:graph": Staff(CENTRE_STAFF),
    "network:agreement-list": Staff(CENTRE_STAFF),
    "network:own-actor": Staff(frozenset({Role.PARTNER})),
    "network:change-list": Staff(EDITORS),
    "network:change-review": Staff(EDITORS, obj=a_proposed_change, method="post"),
    "network:agreement-create": Staff(EDITORS),
    "network:agreement-update": Staff(EDITORS, obj=an_agreement),
    # Offers: the staff side of the directory
    "offers:offer-list": Staff(CENTRE_STAFF),
    "offers:duplicates": Staff(CENTRE_STAFF),
    "offers:supply-demand": Staff(CENTRE_STAFF),
    "offers:supply-demand-pdf": Staff(CENTRE_STAFF),
    "offers:import": Staff(EDITORS),
    "offers:partner-offers": Staff(frozenset({Role.PARTNER})),
    "offers:partner-offer-create": Staff(frozenset({Role.PARTNER})),
    "offers:partner-offer-update": Staff(frozenset({Role.PARTNER}), obj=a_partners_offer),
    "offers:population": Staff(EDITORS),
    "offers:duplicate-decide": Staff(EDITORS, obj=two_offers, method="post"),
    "offers:offer-create": Staff(EDITORS),
    "offers:offer-detail": Staff(CENTRE_STAFF, obj=an_offer),
    "offers:offer-update": Staff(EDITORS, obj=an_offer),
    "offers:offer-status": Staff(EDITORS, obj=an_offer, method="post"),
    "offers:offer-confirm": Staff(EDITORS, obj=an_offer, method="post"),
    "offers:translation-save": Staff(EDITORS, obj=an_offer, method="post"),
    "offers:location-add": Staff(EDITORS, obj=an_offer, method="post"),
    "offers:hours-add": Staff(EDITORS, obj=an_offer, method="post"),
    "offers:location-remove": Staff(EDITORS, obj=an_offer_place, method="post"),
    "offers:hours-remove": Staff(EDITORS, obj=an_offer_time, method="post"),
    "offers:rubrics": Staff(OFFER_STEERING),
    "offers:rubric-rename": Staff(OFFER_STEERING, obj=an_own_rubric),
    "offers:rubric-archive": Staff(OFFER_STEERING, obj=an_own_rubric, method="post"),
    "offers:settings": Staff(OFFER_STEERING),
    # Cases: the case file
    "cases:case-list": Staff(frozenset({Role.CASE_MANAGER})),
    "cases:case-create": Staff(frozenset({Role.CASE_MANAGER})),
    "cases:case-detail": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:case-update": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:case-assign": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:case-phase": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case, method="post"),
    "cases:case-close": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:case-reopen": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case, method="post"),
    "cases:person-merge": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case, method="post"),
    "cases:residence-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:language-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:household-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:agency-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:detail-remove": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case, method="post"),
    "cases:assessment-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:goal-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case, method="post"),
    "cases:goal-status": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_goal, method="post"),
    "cases:action-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:action-done": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_an_action, method="post"),
    "cases:contact-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:appointment-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:consent-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:consent-withdraw": Staff(
        frozenset({Role.CASE_MANAGER}), obj=cases_a_consent, method="post"
    ),
    "cases:referral-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:referral-status": Staff(
        frozenset({Role.CASE_MANAGER}), obj=cases_a_referral, method="post"
    ),
    "cases:conference-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:conference-detail": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_conference),
    "cases:system-gap-create": Staff(frozenset({Role.CASE_MANAGER}), obj=cases_a_case),
    "cases:partner-referrals": Staff(frozenset({Role.PARTNER})),
    "cases:partner-referral": Staff(frozenset({Role.PARTNER}), obj=cases_a_partners_referral),
    # Cases: documents, PDFs and exports
    "cases:consent-form": Staff(frozenset({Role.CASE_MANAGER}), obj=documents_a_case),
    "cases:help-plan-pdf": Staff(frozenset({Role.CASE_MANAGER}), obj=documents_a_case),
    "cases:person-export": Staff(frozenset({Role.CASE_MANAGER}), obj=documents_a_case),
    "cases:document-upload": Staff(
        frozenset({Role.CASE_MANAGER}), obj=documents_a_case, method="post"
    ),
    "cases:document-download": Staff(frozenset({Role.CASE_MANAGER}), obj=documents_a_document),
    "cases:document-delete": Staff(
        frozenset({Role.CASE_MANAGER}), obj=documents_a_document, method="post"
    ),
    # Cases: retention and settings
    "cases:settings": Staff(frozenset({Role.LEADERSHIP, Role.ADMINISTRATION})),
    "cases:erasure-journal": Staff(frozenset({Role.DATA_PROTECTION, Role.ADMINISTRATION})),
    "cases:legal-hold": Staff(frozenset({Role.CASE_MANAGER}), obj=retention_a_case, method="post"),
    # Cases: caseload, figures and system gaps
    "cases:caseload": Staff(frozenset({Role.LEADERSHIP, Role.COORDINATOR})),
    "cases:system-gaps": Staff(frozenset({Role.LEADERSHIP, Role.COORDINATOR})),
    "cases:system-gap-take-up": Staff(
        frozenset({Role.LEADERSHIP, Role.COORDINATOR}), obj=figures_a_system_gap, method="post"
    ),
    # Schooling: pupils
    "schooling:pupil-list": Staff(frozenset({Role.NEWCOMER_COUNSELLOR})),
    "schooling:pupil-create": Staff(frozenset({Role.NEWCOMER_COUNSELLOR})),
    "schooling:pupil-import": Staff(frozenset({Role.NEWCOMER_COUNSELLOR})),
    "schooling:pupil-detail": Staff(frozenset({Role.NEWCOMER_COUNSELLOR}), obj=pupils_a_pupil),
    "schooling:pupil-update": Staff(frozenset({Role.NEWCOMER_COUNSELLOR}), obj=pupils_a_pupil),
    "schooling:pupil-status": Staff(
        frozenset({Role.NEWCOMER_COUNSELLOR}), obj=pupils_a_pupil, method="post"
    ),
    "schooling:counselling": Staff(frozenset({Role.NEWCOMER_COUNSELLOR}), obj=pupils_a_pupil),
    "schooling:pupil-export": Staff(frozenset({Role.NEWCOMER_COUNSELLOR}), obj=pupils_a_pupil),
    # Schooling: letters
    "schooling:letter-templates": Staff(frozenset({Role.NEWCOMER_COUNSELLOR, Role.ADMINISTRATION})),
    "schooling:letter-template-create": Staff(
        frozenset({Role.NEWCOMER_COUNSELLOR, Role.ADMINISTRATION})
    ),
    "schooling:letter-template-update": Staff(
        frozenset({Role.NEWCOMER_COUNSELLOR, Role.ADMINISTRATION}), obj=letters_a_template
    ),
    "schooling:parents-informed": Staff(
        frozenset({Role.NEWCOMER_COUNSELLOR}), obj=letters_a_pupil, method="post"
    ),
    "schooling:placement-letter": Staff(
        frozenset({Role.NEWCOMER_COUNSELLOR}), obj=letters_a_pupil, method="post"
    ),
    "schooling:letter-pdf": Staff(frozenset({Role.NEWCOMER_COUNSELLOR}), obj=letters_a_letter),
    "schooling:school-notice": Staff(frozenset({Role.NEWCOMER_COUNSELLOR}), obj=letters_a_school),
    # Schooling: placement
    "schooling:proposal-list": Staff(frozenset({Role.NEWCOMER_COUNSELLOR})),
    "schooling:proposal-create": Staff(frozenset({Role.NEWCOMER_COUNSELLOR}), method="post"),
    "schooling:proposal-detail": Staff(
        frozenset({Role.NEWCOMER_COUNSELLOR}), obj=placement_a_proposal
    ),
    "schooling:proposal-accept-all": Staff(
        frozenset({Role.NEWCOMER_COUNSELLOR}), obj=placement_a_proposal, method="post"
    ),
    "schooling:proposal-decide": Staff(
        frozenset({Role.NEWCOMER_COUNSELLOR}), obj=placement_an_item, method="post"
    ),
    "schooling:pupil-place": Staff(
        frozenset({Role.NEWCOMER_COUNSELLOR}), obj=placement_a_pupil, method="post"
    ),
    # Schooling: schools
    "schooling:school-list": Staff(frozenset(CENTRE_STAFF)),
    "schooling:school-create": Staff(frozenset({Role.NEWCOMER_COUNSELLOR})),
    "schooling:school-detail": Staff(frozenset(CENTRE_STAFF), obj=schools_a_school),
    "schooling:school-update": Staff(frozenset({Role.NEWCOMER_COUNSELLOR}), obj=schools_a_school),
    "schooling:capacity-update": Staff(frozenset({Role.NEWCOMER_COUNSELLOR}), obj=schools_a_school),
    "schooling:capacity-overview": Staff(frozenset({Role.NEWCOMER_COUNSELLOR})),
    "schooling:waiting-times": Staff(frozenset({Role.NEWCOMER_COUNSELLOR})),
    # django-allauth: log-in, password, second factor
    "account_login": Public(),
    "account_logout": Public(anonymous=302),
    "account_inactive": Public(),
    "account_signup": Public(),  # answers "sign-up is closed"
    "account_reset_password": Public(),
    "account_reset_password_done": Public(),
    "account_reset_password_from_key": Public(kwargs={"uidb36": "0", "key": "wrong-key"}),
    "account_reset_password_from_key_done": Public(),
    "account_confirm_email": Public(kwargs={"key": "wrong-key"}),
    "account_email_verification_sent": Public(),
    "account_confirm_login_code": Public(anonymous=302),
    "account_reauthenticate": Account(),
    "account_email": Account(),
    "account_change_password": Account(),
    "account_set_password": Account(member=302),  # has a password already: to "change"
    "mfa_index": Account(),
    "mfa_authenticate": Public(anonymous=302),
    "mfa_reauthenticate": Account(member=302),  # nothing to re-authenticate with yet
    "mfa_activate_totp": Account(member=302),  # asks to re-enter the password first
    "mfa_deactivate_totp": Account(member=404),  # no authenticator to deactivate
    "mfa_view_recovery_codes": Account(member=404),  # no codes before TOTP
    "mfa_generate_recovery_codes": Account(member=302),
    "mfa_download_recovery_codes": Account(member=404),
}


def url_names(patterns: list, namespace: str | None = None) -> Iterator[str | None]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from url_names(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name


def test_every_url_is_declared():
    names = list(url_names(get_resolver().url_patterns))
    assert None not in names, "Every URL pattern needs a name to be declared in MATRIX."
    undeclared = sorted(set(names) - set(MATRIX))
    assert not undeclared, f"URL patterns missing from the permission matrix: {undeclared}"
    stale = sorted(set(MATRIX) - set(names))
    assert not stale, f"Entries in the permission matrix without a URL: {stale}"


STAFF_CASES = [(name, rule) for name, rule in MATRIX.items() if isinstance(rule, Staff)]


def _request(client, method: str, url: str):
    return client.post(url) if method == "post" else client.get(url)


def _member(role: str, centre: Centre):
    email = f"{role}@matrix.example.org"
    user = make_member(email, role, None if role == Role.LAKI else centre)
    if role == Role.PARTNER:
        partner_provider(centre)  # the partner's organisation is in the actor directory
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "rule"), STAFF_CASES, ids=[n for n, _ in STAFF_CASES])
def test_staff_page_permissions(client, name, rule, centre, other_centre):
    def url_for(target: Centre) -> str:
        with scopes_disabled():
            return reverse(name, kwargs=rule.obj(target) if rule.obj else None)

    own_url = url_for(centre)
    response = _request(client, rule.method, own_url)
    assert response.status_code == rule.anonymous, f"anonymous {name}"
    if rule.anonymous == 302:
        assert response.url.startswith(reverse("account_login"))

    for role in Role:
        user = _member(role, centre)
        client.force_login(user)
        response = _request(client, rule.method, url_for(centre))
        if role in rule.roles:
            expected = 302 if rule.method == "post" else 200
            assert response.status_code == expected, f"{role} on {name}"
            if rule.obj:
                response = _request(client, rule.method, url_for(other_centre))
                assert response.status_code == 404, f"{role} on another centre's {name}"
        else:
            assert response.status_code == 403, f"{role} must not use {name}"
        client.logout()


PUBLIC_CASES = [(name, rule) for name, rule in MATRIX.items() if isinstance(rule, Public)]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "rule"), PUBLIC_CASES, ids=[n for n, _ in PUBLIC_CASES])
def test_public_pages_answer_visitors(client, name, rule, centre):
    with scopes_disabled():
        kwargs = rule.obj(centre) if rule.obj else rule.kwargs
    response = _request(client, rule.method, reverse(name, kwargs=kwargs or None))
    assert response.status_code == rule.anonymous


ACCOUNT_CASES = [(name, rule) for name, rule in MATRIX.items() if isinstance(rule, Account)]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "rule"), ACCOUNT_CASES, ids=[n for n, _ in ACCOUNT_CASES])
def test_account_pages_need_login(client, name, rule, alice):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    client.force_login(alice)
    assert client.get(url).status_code == rule.member


@pytest.mark.django_db
def test_public_directory_shows_no_other_centre_and_no_unpublished_offer(
    client, centre, other_centre
):
    foreign = make_offer(other_centre)
    draft = make_offer(centre, status="draft")
    for offer in (foreign, draft):
        response = client.get(reverse("directory:offer-detail", args=[centre.slug, offer.uid]))
        assert response.status_code == 404
