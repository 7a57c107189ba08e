from typing import Any

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
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

        # The memberships each worker keeps (User.active_memberships) are stale after any
        # change to a membership, its Bezirke, centre or organisation; a new user may have the
        # id of a deleted one (SQLite).
        for model in (Membership, Centre, CaseArea, Organisation, User):
            post_save.connect(_memberships_changed, sender=model, weak=False)
            post_delete.connect(_memberships_changed, sender=model, weak=False)
        m2m_changed.connect(_memberships_changed, sender=Membership.case_areas.through, weak=False)


def _memberships_changed(sender: Any, **kwargs: Any) -> None:
    from .models import User
    from .models.accounts import MEMBERSHIPS_GENERATION

    if kwargs.get("action", "post_add") not in ("post_add", "post_remove", "post_clear"):
        return  # m2m_changed before the change
    if sender is User and kwargs.get("signal") is post_save and not kwargs.get("created"):
        return  # a changed name or password: the memberships are the same
    MEMBERSHIPS_GENERATION.new()
