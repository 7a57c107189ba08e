from __future__ import annotations

import datetime
from typing import Any

from django_scopes import scopes_disabled

from teilhabe.core.models import Centre
from teilhabe.network.tests.factories import make_actor
from teilhabe.offers.models import Offer, OfferLocation, OfferText, OpeningHours


def make_offer(
    centre: Centre,
    title: str | None = None,
    *,
    status: str = Offer.Status.PUBLISHED,
    description: str = "Deutsch üben in lockerer Runde.",
    **fields: Any,
) -> Offer:
    """Return an offer of ``centre`` with a German text, one place and one weekly time."""
    with scopes_disabled():
        fields.setdefault("provider", make_actor(centre))
        fields.setdefault("field_of_action", "migration")
        offer = Offer.objects.create(centre=centre, status=status, **fields)
        OfferText.objects.create(
            offer=offer,
            language="de",
            title=title or f"Sprachcafé {offer.pk}",
            description=description,
        )
        town = centre.municipalities().first()
        place = OfferLocation.objects.create(
            offer=offer,
            name="Treffpunkt",
            street="Marktplatz 1",
            postcode="48653",
            municipality=town,
            latitude=town.latitude,
            longitude=town.longitude,
        )
        OpeningHours.objects.create(
            offer=offer,
            location=place,
            weekday=2,
            opens_at=datetime.time(15),
            closes_at=datetime.time(17),
        )
        return offer
