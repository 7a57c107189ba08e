from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "teilhabe.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import checks, generators, permissions  # noqa: F401  (registers them)
        from .models import CaseArea, Centre, Membership, Organisation, User

        # Personal data: every change is kept as a version. Secrets are never copied.
        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(Membership, m2m_fields={"case_areas"})
        # Not personal data, but who changed the set-up of a centre matters as much.
        auditlog.register(Centre)
        auditlog.register(CaseArea, m2m_fields={"municipalities"})
        auditlog.register(Organisation)
