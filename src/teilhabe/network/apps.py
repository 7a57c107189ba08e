from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "teilhabe.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import figures, generators, navigation, permissions  # noqa: F401  (registers them)
        from .models import Actor, ContactPerson, CooperationAgreement, Meeting, WorkingGroup

        auditlog.register(Actor)
        # Contact persons are people, minutes may name people: every change is kept.
        auditlog.register(ContactPerson)
        auditlog.register(Meeting, m2m_fields={"attendees"})
        auditlog.register(WorkingGroup)
        auditlog.register(CooperationAgreement, m2m_fields={"partners"})

        # The case list offers the agencies as choices, kept by each worker.
        from teilhabe.core.generations import REFERENCE_DATA

        REFERENCE_DATA.follows(Actor)
