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

        # A change to an offer, its texts, places or rubrics, to a provider or to a centre shows
        # in the public directory at once: it starts a new generation of the kept searches.
        from django.apps import apps

        from .directory import DIRECTORY_GENERATION

        shown = [*self.get_models(), apps.get_model("network", "Actor")]
        for model in [*shown, apps.get_model("core", "Centre")]:
            DIRECTORY_GENERATION.follows(model)
        for model in shown:
            for field in model._meta.local_many_to_many:
                DIRECTORY_GENERATION.follows(field.remote_field.through)


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
