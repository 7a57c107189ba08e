"""Searching the public directory: full text on PostgreSQL, a word match elsewhere."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils import timezone

from teilhabe.core.generations import Generation, kept

from .models import Offer, OfferLocation, OfferText, OpeningHours

T = TypeVar("T")

#: How long a rendered search of the directory is kept at most (``CACHES["directory"]``, each
#: worker's memory). Every change to offers or the network (signals in ``apps.py``) starts a
#: new generation at once; the time is the bound for what no signal reports (an offer's dates
#: passing).
DIRECTORY_CACHE_SECONDS = 60
DIRECTORY_GENERATION_KEY = "offers:directory:generation"


#: Which kept searches are current (``core/generations.py``); ``new()`` after bulk writes.
DIRECTORY_GENERATION = Generation(DIRECTORY_GENERATION_KEY)


def kept_search(key: str, make: Callable[[], T]) -> T:
    """Return what ``make`` returns, kept in the worker (``CACHES["directory"]``) under ``key``.

    Kept until the offers change or ``DIRECTORY_CACHE_SECONDS`` run out; also with a shared
    cache that is not shared, where the time is the bound of what the other workers changed.
    """
    return kept(
        DIRECTORY_GENERATION,
        key,
        make,
        cache_alias="directory",
        timeout=DIRECTORY_CACHE_SECONDS,
        unshared_ok=True,
    )


@dataclass(frozen=True)
class Criteria:
    """What a visitor looks for; every part is optional."""

    text: str = ""
    municipality: Any = None
    field_of_action: str = ""
    age: int | None = None
    language: str = ""
    free: bool = False
    accessible: bool = False
    open_now: bool = False


def directory_cache_key(request: HttpRequest, centre: Any, kind: str = "directory") -> str:
    """Name one search: what answers it, the centre, the language, the query and the day.

    ``kind`` keeps the page's and the API's searches apart. The host and scheme are part of
    the name, as the API's links to the next page are absolute. "Open now" depends on the
    clock: such a search is kept for the minute it was made.
    """
    params = sorted(request.GET.lists())
    moment = timezone.localtime()
    when = moment.strftime("%Y-%m-%dT%H:%M" if request.GET.get("jetzt") else "%Y-%m-%d")
    where = (request.scheme, request.get_host())
    digest = hashlib.sha256(repr((params, when, where)).encode()).hexdigest()[:32]
    return f"offers:{kind}:{centre.pk}:{request.LANGUAGE_CODE}:{digest}"


def search(offers: QuerySet[Offer], criteria: Criteria, *, now: datetime | None = None) -> Any:
    """Return the published ``offers`` that match ``criteria``.

    Every condition is on the offer itself or an ``EXISTS``, never a join, so no offer comes
    twice and neither the page nor its count needs ``DISTINCT`` (which would sort every
    matching offer by all its columns).
    """
    qs = offers.published()
    if criteria.text:
        qs = _text_search(qs, criteria.text)
    if criteria.municipality is not None:
        places = OfferLocation.objects.filter(
            offer=OuterRef("pk"), municipality=criteria.municipality
        )
        qs = qs.filter(Exists(places))
    if criteria.field_of_action:
        qs = qs.filter(field_of_action=criteria.field_of_action)
    if criteria.age is not None:
        qs = qs.filter(
            Q(min_age__isnull=True) | Q(min_age__lte=criteria.age),
            Q(max_age__isnull=True) | Q(max_age__gte=criteria.age),
        )
    if criteria.language:
        qs = qs.filter(languages__icontains=criteria.language)
    if criteria.free:
        qs = qs.filter(free_of_charge=True)
    if criteria.accessible:
        qs = qs.filter(accessible=True)
    if criteria.open_now:
        moment = timezone.localtime(now)
        slots = OpeningHours.objects.filter(
            offer=OuterRef("pk"),
            weekday=moment.isoweekday(),
            opens_at__lte=moment.time(),
            closes_at__gt=moment.time(),
        )
        qs = qs.filter(Exists(slots))
    return qs


def _text_search(qs: QuerySet[Offer], text: str) -> QuerySet[Offer]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        query = SearchQuery(text, config="german", search_type="websearch")
        # Exactly the expression of the GIN index ``offer_text_search`` (migration 0008), so
        # that PostgreSQL finds the matching texts in the index instead of parsing each text.
        vector = SearchVector("title", config="german") + SearchVector(
            "description", config="german"
        )
        # A real match (every word of the query), not merely a rank above zero; among the
        # texts of every centre: the outer query keeps only the offers asked for, and with the
        # centre's join the planner would go through the centre's texts one by one again.
        matching = (
            OfferText.objects.with_scopes_disabled()
            .annotate(document=vector)
            .filter(document=query)
        )
        sql, params = matching.values("offer_id").query.sql_with_params()
        # OFFSET 0 makes the subquery a fence PostgreSQL plans on its own, through the index.
        # Correlated with each offer, a frequent word ("Beratung") made the planner parse the
        # centre's few thousand texts one by one instead (it prices parsing a text far too
        # low): 80-100 ms instead of 10 ms for 2,500 offers.
        fenced = RawSQL(f"{sql} OFFSET 0", params)  # noqa: S611 - Django's SQL, words as params
        return qs.filter(pk__in=fenced)
    # Elsewhere every word must occur in a title or description (any language).
    for word in text.split()[:8]:
        qs = qs.filter(
            Exists(
                OfferText.objects.filter(
                    Q(title__icontains=word) | Q(description__icontains=word), offer=OuterRef("pk")
                )
            )
        )
    return qs
