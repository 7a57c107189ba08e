from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "teilhabe.offers"
    label = "offers"
    verbose_name = _("Offers")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import figures, generators, navigation, permissions  # noqa: F401  (registers them)
        from .models import Offer, OfferText

        auditlog.register(Offer)
        auditlog.register(OfferText)
