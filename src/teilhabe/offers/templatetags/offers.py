from django import template

from teilhabe.offers.models import Offer, OfferText

register = template.Library()


@register.filter
def offer_text(offer: Offer, language: str) -> OfferText | None:
    """Return the offer's text in ``language`` (German if there is none)."""
    return offer.text(language)
