from typing import Any

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

        from django.db.models.signals import post_migrate

        post_migrate.connect(_ship_default_rubrics, sender=self)


def _ship_default_rubrics(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """The default rubrics exist after every ``migrate`` and ``flush`` (as content types do).

    ``migrate`` passes the migrated state's apps; ``flush`` passes none: the current models.
    """
    from django.apps import apps as current

    from .services import ship_default_rubrics

    try:
        model = (kwargs.get("apps") or current).get_model("offers", "Rubric")
    except LookupError:  # migrated back to before the rubrics
        return
    ship_default_rubrics(model, using=using)
