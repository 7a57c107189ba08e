"""The append-only log of reads and exports of personal data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..roles import Role
from ..tenancy import TenantPolicy
from .geography import Centre

if TYPE_CHECKING:
    from django.http import HttpRequest


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete an entry of the access log."""


class AccessLogQuerySet(models.QuerySet):
    """Access log rows can be added and read, never changed or deleted."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The access log is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The access log is append-only.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The access log is append-only.")

    def visible_to(self, user: Any) -> AccessLogQuerySet:
        """Return the entries of the centres where ``user`` is the data protection officer."""
        if not user.is_authenticated:
            return self.none()
        centre_ids = [
            m.centre_id
            for m in user.active_memberships()
            if m.role in AccessLog.tenant_policy.roles and m.centre_id
        ]
        return self.filter(centre_id__in=centre_ids)


class AccessLog(models.Model):
    """One read or export of a record of personal data (ASVS 16: who, what, when)."""

    tenant_policy = TenantPolicy(roles=frozenset({Role.DATA_PROTECTION}))

    class Action(models.TextChoices):
        READ = "read", _("read")
        EXPORT = "export", _("export")
        OVERRIDE = "override", _("passed on without consent")

    time = models.DateTimeField(_("time (UTC)"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    #: Kept as text so the entry stays readable if the account is renamed.
    user_email = models.CharField(_("user e-mail"), max_length=254)
    role = models.CharField(_("roles"), max_length=200, blank=True)
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("integration centre"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("record type")
    )
    object_id = models.CharField(_("record id"), max_length=64)
    path = models.CharField(_("page address"), max_length=500, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-time", "-pk"]
        indexes = [
            models.Index(fields=["centre", "time"], name="accesslog_centre_time"),
            models.Index(fields=["content_type", "object_id"], name="accesslog_object"),
            models.Index(fields=["user", "time"], name="accesslog_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.user_email} {self.action} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The access log is append-only.")

    @property
    def record_type(self) -> str:
        """Return the name of the kind of record that was read."""
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model else self.content_type.model

    @classmethod
    def record(
        cls,
        request: HttpRequest,
        obj: models.Model,
        *,
        action: str = "read",
        centre: Centre | None = None,
    ) -> AccessLog:
        """Append an entry for ``request.user`` reading or exporting ``obj``."""
        user = request.user
        if centre is None:
            # A record without a centre of its own (an account) is logged in the reader's centre.
            centre = getattr(obj, "centre", None)
            if centre is None and user.is_authenticated:
                centre = next(iter(user.centres()), None)
        roles = sorted(user.roles(centre)) if user.is_authenticated else []
        return cls.objects.create(
            user=user if user.is_authenticated else None,
            user_email=getattr(user, "email", ""),
            role=",".join(roles),
            centre=centre,
            action=action,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            path=request.get_full_path()[:500],
            request_id=getattr(request, "request_id", ""),
        )
