from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "teilhabe.schooling"
    label = "schooling"
    verbose_name = _("Newcomer pupils")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import figures, generators, navigation, permissions  # noqa: F401  (registers them)
        from .models import Capacity, Counselling, Guardian, Letter, ProposalItem, Pupil, School

        # Pupil records are personal data of children: every change is kept as a version.
        auditlog.register(Pupil, m2m_fields={"siblings"})
        auditlog.register(Guardian)
        auditlog.register(Counselling)
        auditlog.register(Letter)
        auditlog.register(ProposalItem)
        auditlog.register(School)
        auditlog.register(Capacity)
