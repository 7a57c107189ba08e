"""The rows of the case file's sections, each one query compiled once per process.

The case file runs these on every view. As plain querysets Django built and compiled their SQL
each time, about a third of the page's CPU (docs/benchmarks.md); prepared, a view only puts the
case's or person's id and the user's centres in (``core/prepared.py``). The scoped managers'
tenant guard is part of each query, as before. The order is each model's ``Meta.ordering``
unless given here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, Model, OuterRef, QuerySet, Window

from teilhabe.core.prepared import prepared
from teilhabe.core.tenancy import visibility_key

from .models import (
    Action,
    AgencyResponsibility,
    Case,
    CaseConference,
    Consent,
    Contact,
    Document,
    Goal,
    Handover,
    NeedAssessment,
    Person,
    PersonLanguage,
    PhaseChange,
    Referral,
    ResidenceStatus,
)


@prepared
def _visible_row(model: type[Model], related: tuple[str, ...], user: Any, pk: int) -> QuerySet:
    return model.objects.visible_to(user).select_related(*related).filter(pk=pk)


def visible_row(model: type[Model], related: tuple[str, ...], user: Any, pk: int) -> Any:
    """The row ``pk`` of ``model`` with ``related`` joined, if ``user`` may see it, else None.

    Every page of a case file starts with this. ``visible_to`` is compiled once per process for
    each user's memberships (``visibility_key``) instead of on every request.
    """
    variant = (model, related, visibility_key(user))
    rows = _visible_row(model, related, user, variant=variant, pk=pk)
    return rows[0] if rows else None


#: The latest contacts the case file shows; the page says how many there are in all.
CONTACTS_SHOWN = 20


@prepared
def assessments(case: int) -> QuerySet[NeedAssessment]:
    return NeedAssessment.objects.filter(case=case)


@prepared
def goals(case: int) -> QuerySet[Goal]:
    return Goal.objects.filter(case=case)


@prepared
def actions(case: int) -> QuerySet[Action]:
    return Action.objects.filter(case=case).select_related("agency")


@prepared
def latest_contacts(case: int) -> QuerySet[Contact]:
    """The latest contacts, each with the count of all of them (``total``)."""
    return Contact.objects.filter(case=case).annotate(total=Window(Count("pk")))[:CONTACTS_SHOWN]


@prepared
def conferences(case: int) -> QuerySet[CaseConference]:
    """One row per conference and agency (``agency_name``), by date and agency."""
    return (
        CaseConference.objects.filter(case=case)
        .annotate(agency_name=F("agencies__name"))
        .order_by("-date", "pk", "agencies__name")
    )


@prepared
def referrals(case: int) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(case=case)
        .select_related("agency", "offer")
        .prefetch_related("offer__texts")
    )


@prepared
def handovers(case: int) -> QuerySet[Handover]:
    return Handover.objects.filter(case=case).select_related("from_user", "to_user")


@prepared
def phase_changes(case: int) -> QuerySet[PhaseChange]:
    return PhaseChange.objects.filter(case=case).select_related("by")


@prepared
def documents(case: int) -> QuerySet[Document]:
    return Document.objects.filter(case=case).select_related("by").order_by("-uploaded", "-pk")


@prepared
def languages(person: int) -> QuerySet[PersonLanguage]:
    return PersonLanguage.objects.filter(person=person)


@prepared
def residence_statuses(person: int) -> QuerySet[ResidenceStatus]:
    return ResidenceStatus.objects.filter(person=person)


@prepared
def agencies(person: int) -> QuerySet[AgencyResponsibility]:
    return AgencyResponsibility.objects.filter(person=person).select_related("agency")


@prepared
def consents(person: int) -> QuerySet[Consent]:
    return Consent.objects.filter(person=person).select_related("agency")


@prepared
def household(household: int, person: int) -> QuerySet[Person]:
    """The other members of the household, each with whether they have a case (``has_case``)."""
    return (
        Person.objects.filter(household=household)
        .exclude(pk=person)
        .annotate(has_case=Exists(Case.objects.filter(person=OuterRef("pk"))))
    )
