"""The public, multilingual directory of offers: no log-in, published offers only."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_scopes import scope

from teilhabe.core.maps import (
    Point,
    allow_tiles,
    located,
    map_labels,
    spread,
    svg_layout,
    tile_source,
)
from teilhabe.core.models import Centre
from teilhabe.network.models import FieldOfAction

from .directory import (
    Criteria,
    directory_cache_key,
    kept_search,
    search,
)
from .models import CONTENT_LANGUAGES, RTL_LANGUAGES, Offer, OfferText

#: Keep text inside a <script> block (as Django's json_script does).
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def public_directory(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run a public view inside the scope of the centre named in the URL."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        centre = get_object_or_404(Centre, slug=slug)
        with scope(centre=[centre.pk]):
            return view(request, centre, *args, **kwargs)

    return wrapper


def content_language(request: HttpRequest) -> str:
    """Return the language the visitor chose for the offers' texts (``?sprache=``)."""
    wanted = request.GET.get("sprache", "")
    codes = [code for code, _name in CONTENT_LANGUAGES]
    if wanted in codes:
        return wanted
    return request.LANGUAGE_CODE if request.LANGUAGE_CODE in codes else "de"


class SearchForm(forms.Form):
    q = forms.CharField(label=_("What are you looking for?"), required=False, max_length=100)
    gemeinde = forms.ModelChoiceField(
        label=_("Gemeinde"), queryset=None, required=False, empty_label=_("all Gemeinden")
    )
    bereich = forms.ChoiceField(label=_("Topic"), required=False)
    alter = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=120)
    sprache_angebot = forms.CharField(label=_("Language of the offer"), required=False)
    kostenlos = forms.BooleanField(label=_("Free of charge"), required=False)
    barrierefrei = forms.BooleanField(label=_("Step-free access"), required=False)
    jetzt = forms.BooleanField(label=_("Open now"), required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gemeinde"].queryset = centre.municipalities()
        self.fields["bereich"].choices = [("", _("all topics")), *FieldOfAction.choices]

    def criteria(self) -> Criteria:
        """The search of the valid fields: a field with a wrong value is marked and left out."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data keeps the fields that are valid
            data = self.cleaned_data
        return Criteria(
            text=data.get("q", ""),
            municipality=data.get("gemeinde"),
            field_of_action=data.get("bereich", ""),
            age=data.get("alter"),
            language=data.get("sprache_angebot", ""),
            free=data.get("kostenlos", False),
            accessible=data.get("barrierefrei", False),
            open_now=data.get("jetzt", False),
        )


@public_directory
def directory(request: HttpRequest, centre: Centre) -> HttpResponse:
    """Search and filter the centre's published offers.

    The same search is asked again and again by anonymous visitors: its rendered form and
    results are kept in the worker's memory until the offers change (one round trip to the
    shared cache asks which generation of searches is current).
    """
    content, has_map = kept_search(
        directory_cache_key(request, centre), lambda: directory_content(request, centre)
    )
    response = render(
        request,
        "offers/public/directory.html",
        {"centre": centre, "content": content, "has_map": has_map, "public_page": True},
    )
    return allow_tiles(response) if has_map else response


def directory_content(request: HttpRequest, centre: Centre) -> tuple[SafeString, bool]:
    """Render the search form and the results of the request's search, and say if a map is on it."""
    language = content_language(request)
    form = SearchForm(request.GET or None, centre=centre)
    german = OfferText.objects.filter(offer=OuterRef("pk"), language="de")
    results = (
        search(Offer.objects.for_centre(centre), form.criteria())
        .select_related("provider")
        .prefetch_related("texts", "locations__municipality")
        .annotate(sort_title=Subquery(german.values("title")[:1]))
        .order_by("sort_title", "pk")
    )
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    the_map = offer_map(centre, list(page), language)
    content: SafeString = render_to_string(
        "offers/public/_directory_content.html",
        {
            "centre": centre,
            "form": form,
            "page_obj": page,
            "paginator": page.paginator,
            "querystring": params.urlencode(),
            "language": language,
            "languages": CONTENT_LANGUAGES,
            "rtl": language in RTL_LANGUAGES,
            "offer_map": the_map,
        },
    )
    return content, the_map is not None


def offer_map(centre: Centre, offers: list[Offer], language: str) -> dict[str, Any] | None:
    """Return the map of the places of ``offers`` (one page of results); None without places.

    The SVG shows each offer at each of its places (offers at one place moved apart on a ring);
    the tile map (``core/map.js``) shows one marker per place with the offers there.
    """
    points = []
    markers: dict[tuple[float, float], dict[str, Any]] = {}
    for offer in offers:
        text = offer.text(language)
        title = text.title if text else str(offer)
        url = reverse("directory:offer-detail", args=[centre.slug, offer.uid])
        url = f"{url}?sprache={language}"
        for place in located(offer.locations.all()):
            where = place.name or place.municipality.name
            if place.name and place.municipality.name not in place.name:
                where = f"{place.name}, {place.municipality.name}"
            points.append(
                Point(place.latitude, place.longitude, {"title": title, "place": where, "url": url})
            )
            key = (float(place.latitude), float(place.longitude))
            marker = markers.setdefault(
                key, {"lat": key[0], "lon": key[1], "label": where, "links": []}
            )
            if not any(link["href"] == url for link in marker["links"]):
                marker["links"].append({"text": title, "href": url})
    if not points:
        return None
    for marker in markers.values():
        count = len(marker["links"])
        marker["number"] = str(count) if count > 1 else ""
        marker["title"] = ngettext(
            "%(place)s: %(count)s offer", "%(place)s: %(count)s offers", count
        ) % {"place": marker["label"], "count": count}
    drawing = svg_layout(list(centre.municipalities()), spread(points), width=480, margin=30)
    tiles = tile_source()
    return {
        "drawing": drawing,
        "count": len(points),
        "tiles": tiles,
        "data": {
            "tiles": tiles,
            "markers": list(markers.values()),
            "labels": map_labels(),
        }
        if tiles
        else None,
    }


@public_directory
def offer_page(request: HttpRequest, centre: Centre, uid: str) -> HttpResponse:
    """One published offer, in the chosen language, with schema.org data for search engines."""
    offer = get_object_or_404(
        Offer.objects.for_centre(centre)
        .published()
        .select_related("provider")
        .prefetch_related("texts", "locations__municipality", "opening_hours"),
        uid=uid,
    )
    language = content_language(request)
    text = offer.text(language)
    available = [
        (code, name)
        for code, name in CONTENT_LANGUAGES
        if any(t.language == code for t in offer.texts.all())
    ]
    return render(
        request,
        "offers/public/offer.html",
        {
            "centre": centre,
            "offer": offer,
            "text": text,
            "language": text.language if text else "de",
            "rtl": text is not None and text.language in RTL_LANGUAGES,
            "available": available,
            "json_ld": json.dumps(
                schema_org(request, centre, offer, text), ensure_ascii=False
            ).translate(JSON_SCRIPT_ESCAPES),
            "public_page": True,
        },
    )


def schema_org(request: HttpRequest, centre: Centre, offer: Offer, text: Any) -> dict[str, Any]:
    """Describe the offer as a schema.org ``Service``."""
    places = list(offer.locations.all())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": text.title if text else "",
        "description": text.description if text else "",
        "inLanguage": text.language if text else "de",
        "url": request.build_absolute_uri(
            reverse("directory:offer-detail", args=[centre.slug, offer.uid])
        ),
        "provider": {"@type": "Organization", "name": offer.provider.name},
        "areaServed": [{"@type": "City", "name": p.municipality.name} for p in places],
        "isAccessibleForFree": offer.free_of_charge,
        "availableLanguage": offer.language_list(),
        "hoursAvailable": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{DAYS[h.weekday]}",
                "opens": h.opens_at.strftime("%H:%M"),
                "closes": h.closes_at.strftime("%H:%M"),
            }
            for h in offer.opening_hours.all()
        ],
    }
    if places:
        p = places[0]
        data["availableChannel"] = {
            "@type": "ServiceChannel",
            "serviceLocation": {
                "@type": "Place",
                "name": p.name or offer.provider.name,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": p.street,
                    "postalCode": p.postcode,
                    "addressLocality": p.municipality.name,
                    "addressCountry": "DE",
                },
                **(
                    {
                        "geo": {
                            "@type": "GeoCoordinates",
                            "latitude": float(p.latitude),
                            "longitude": float(p.longitude),
                        }
                    }
                    if p.latitude is not None
                    else {}
                ),
            },
        }
    return data


DAYS = {
    1: "Monday",
    2: "Tuesday",
    3: "Wednesday",
    4: "Thursday",
    5: "Friday",
    6: "Saturday",
    7: "Sunday",
}
