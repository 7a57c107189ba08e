from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "teilhabe.cases"
    label = "cases"
    verbose_name = _("Case management")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import figures, generators, navigation, permissions  # noqa: F401  (registers them)
        from .models import (
            Action,
            AgencyResponsibility,
            Appointment,
            Case,
            CaseConference,
            Consent,
            Contact,
            Document,
            Goal,
            Handover,
            Household,
            NeedAssessment,
            Person,
            PersonLanguage,
            PhaseChange,
            Referral,
            ResidenceStatus,
        )

        # Everything here is personal (social) data: every change is kept as a version.
        for model in (
            Appointment,
            Handover,
            PhaseChange,
            Household,
            PersonLanguage,
            ResidenceStatus,
            AgencyResponsibility,
            Consent,
            NeedAssessment,
            Goal,
            Action,
            Contact,
            Referral,
            Document,
        ):
            auditlog.register(model)
        auditlog.register(Person, exclude_fields=["search_name", "name_key"])
        auditlog.register(Case, exclude_fields=["version"])
        auditlog.register(CaseConference, m2m_fields={"agencies"})
