"""The public JSON API of the offers directory (read-only, no log-in)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, FilteredRelation, Q
from django.shortcuts import get_object_or_404
from django_scopes import scope
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from teilhabe.core.models import Centre, Municipality
from teilhabe.offers.directory import (
    Criteria,
    directory_cache_key,
    kept_search,
    search,
)
from teilhabe.offers.hsds import export_services
from teilhabe.offers.models import CONTENT_LANGUAGES, Offer, OfferText

LANGUAGE_CODES = [code for code, _name in CONTENT_LANGUAGES]


class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField()
    street = serializers.CharField()
    postcode = serializers.CharField()
    gemeinde = serializers.CharField(source="municipality.name")
    ags = serializers.CharField(source="municipality.ags")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class TimeSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="ISO weekday, 1 = Monday")
    opens_at = serializers.TimeField(format="%H:%M")
    closes_at = serializers.TimeField(format="%H:%M")


class OfferSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uid")
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField(help_text="Language of title and description")
    provider = serializers.CharField(source="provider.name")
    field_of_action = serializers.CharField()
    rubric = serializers.CharField()
    min_age = serializers.IntegerField(allow_null=True)
    max_age = serializers.IntegerField(allow_null=True)
    residence_statuses = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField(), source="language_list")
    free_of_charge = serializers.BooleanField()
    fees = serializers.CharField()
    availability = serializers.CharField()
    accessible = serializers.BooleanField()
    last_verified = serializers.DateField()
    places = PlaceSerializer(many=True, source="locations.all")
    times = TimeSerializer(many=True, source="opening_hours.all")

    def _text(self, offer: Offer) -> OfferText | None:
        return offer.text(self.context.get("language", "de"))

    def get_title(self, offer: Offer) -> str:
        text = self._text(offer)
        return text.title if text else ""

    def get_description(self, offer: Offer) -> str:
        text = self._text(offer)
        return text.description if text else ""

    def get_language(self, offer: Offer) -> str:
        text = self._text(offer)
        return text.language if text else "de"


class DirectoryPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


FILTERS = [
    OpenApiParameter("q", str, description="Words to search in titles and descriptions"),
    OpenApiParameter("gemeinde", str, description="AGS of a Gemeinde of the centre"),
    OpenApiParameter(
        "bereich",
        str,
        description="Field of action",
        enum=["education", "cross_cutting", "migration"],
    ),
    OpenApiParameter("alter", int, description="Age of the person looking"),
    OpenApiParameter("sprache", str, description="Language of the texts", enum=LANGUAGE_CODES),
    OpenApiParameter("kostenlos", bool, description="Only offers free of charge"),
    OpenApiParameter("barrierefrei", bool, description="Only offers with step-free access"),
]


class OfferListAPI(ListAPIView):
    """Published offers of one centre, filtered like the public directory."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = OfferSerializer
    pagination_class = DirectoryPagination

    @extend_schema(parameters=FILTERS, summary="Search the offers of a centre")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.centre = get_object_or_404(Centre, slug=kwargs["slug"])
        with scope(centre=[self.centre.pk]):
            return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Answer a page; a page asked again is kept like the directory page's searches.

        The data of the page (not its rendering, so every format still works) stays in the
        worker's memory until the offers change (``offers/directory.py``: any change to an
        offer, its texts, places, times, rubric, provider or centre starts a new generation).
        A page that does not exist raises before anything is kept.
        """
        data = kept_search(
            directory_cache_key(request, self.centre, kind="directory-api"),
            lambda: super(OfferListAPI, self).list(request, *args, **kwargs).data,
        )
        return Response(data)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        age = params.get("alter", "")
        town = None
        if params.get("gemeinde"):
            town = Municipality.objects.filter(ags=params["gemeinde"]).first()
        criteria = Criteria(
            text=params.get("q", "")[:100],
            municipality=town,
            field_of_action=params.get("bereich", ""),
            age=int(age) if age.isdigit() else None,
            free=params.get("kostenlos") in {"1", "true"},
            accessible=params.get("barrierefrei") in {"1", "true"},
        )
        if params.get("gemeinde") and town is None:
            return Offer.objects.none()
        # Sorted by the German title through a join (one text per offer and language), not a
        # subquery per offer: the first page of 2,500 offers costs 10 ms instead of 17.
        german = FilteredRelation("texts", condition=Q(texts__language="de"))
        return (
            search(Offer.objects.for_centre(self.centre), criteria)
            .select_related("provider", "rubric")
            .prefetch_related("texts", "locations__municipality", "opening_hours")
            .annotate(german=german, sort_title=F("german__title"))
            .order_by("sort_title", "pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        wanted = self.request.query_params.get("sprache", "de")
        return {
            **super().get_serializer_context(),
            "language": wanted if wanted in LANGUAGE_CODES else "de",
        }


class HsdsServicesAPI(APIView):
    """The centre's published offers as Open Referral HSDS 3.0 services (one JSON list)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        parameters=[OpenApiParameter("sprache", str, enum=LANGUAGE_CODES)],
        responses={200: OpenApiTypes.OBJECT},
        summary="Export the offers of a centre in HSDS 3.0",
    )
    def get(self, request: Request, slug: str) -> Response:
        centre = get_object_or_404(Centre, slug=slug)
        language = request.query_params.get("sprache", "de")
        if language not in LANGUAGE_CODES:
            language = "de"
        with scope(centre=[centre.pk]):
            return Response(export_services(centre, language=language))
