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

        # What each worker keeps (core/generations.py) is stale after any change to what it is
        # made of: the memberships (User.active_memberships) after a change to a membership, its
        # Bezirke, centre or organisation, or a new user (SQLite may give them a deleted one's
        # id); the choices of lists after a change to a Bezirk, a Gemeinde or a centre.
        from .generations import REFERENCE_DATA, read_in_requests
        from .models import Municipality
        from .models.accounts import MEMBERSHIPS_GENERATION

        for model in (Membership, Membership.case_areas.through, Centre, CaseArea, Organisation):
            MEMBERSHIPS_GENERATION.follows(model)
        MEMBERSHIPS_GENERATION.follows(User, created_or_deleted_only=True)
        for model in (CaseArea, CaseArea.municipalities.through, Municipality, Centre):
            REFERENCE_DATA.follows(model)
        read_in_requests()
