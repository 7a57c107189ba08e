"""People: users, their memberships (role in a centre) and partner organisations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from ..audit import AuditedQuerySet
from ..generations import Generation, kept
from ..roles import CENTRE_STAFF, Role
from ..tenancy import TenantPolicy, tenant_manager
from .geography import CaseArea, Centre, Municipality


class UserManager(BaseUserManager.from_queryset(AuditedQuerySet)):  # type: ignore[misc]
    # Migrations (allauth lower-cases e-mails with update()) use a plain manager.
    use_in_migrations = False

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Create a user who logs in with ``email``."""
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Create an operator of the deployment (not a member of any centre)."""
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


#: Which memberships the workers keep are current: every change to a membership, its Bezirke,
#: its centre or organisation, and every new or deleted user starts a new generation (apps.py).
MEMBERSHIPS_GENERATION = Generation("core:memberships:generation")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def active_memberships(self) -> list[Membership]:
        """Return this user's memberships with their centres and Bezirke, once per request.

        The worker keeps them between requests (``CACHES["kept"]``) for as long as the
        generation of memberships is current: then a request reads one cache key, not two
        tables. Each request gets its own copies (the cache pickles them).
        """
        cached = getattr(self, "_memberships_cache", None)
        if cached is None:
            if self.pk is None:
                return []
            key = f"core:memberships:{self.pk}"
            cached = kept(MEMBERSHIPS_GENERATION, key, self._read_memberships)
            self._memberships_cache = cached
        return cached

    def _read_memberships(self) -> list[Membership]:
        # The user's own memberships decide the scope, so they are read before there is one.
        with scopes_disabled():
            return list(
                Membership.objects.filter(user=self, is_active=True)
                .select_related("centre", "organisation")
                .prefetch_related("case_areas")
                .order_by("centre__name", "role")
            )

    def roles(self, centre: Centre | int | None = None) -> set[str]:
        """Return the roles this user holds, in ``centre`` if given."""
        centre_id = centre.pk if isinstance(centre, Centre) else centre
        return {
            m.role for m in self.active_memberships() if centre is None or m.centre_id == centre_id
        }

    def has_role(self, *roles: str, centre: Centre | int | None = None) -> bool:
        """Return whether this user holds one of ``roles`` (in ``centre`` if given)."""
        return bool(self.roles(centre) & set(roles))

    def municipalities(self) -> models.QuerySet[Municipality]:
        """Return the Gemeinden of all centres this user is a member of (one query)."""
        centres = self.centres()
        return Municipality.objects.filter(
            Q(pk__in=[c.municipality_id for c in centres if c.municipality_id])
            | Q(district_id__in=[c.district_id for c in centres if not c.municipality_id])
        ).order_by("name")

    def centres(self) -> list[Centre]:
        """Return the centres this user is a member of."""
        seen: dict[int, Centre] = {}
        for m in self.active_memberships():
            if m.centre_id is not None:
                seen.setdefault(m.centre_id, m.centre)
        return list(seen.values())


class Organisation(models.Model):
    """A partner organisation whose users log in (Träger, MSO, school, Gemeinde).

    The network app describes organisations in full as actors; this is the part access control
    needs: which centre the organisation works with, and who its users are.
    """

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A role of a user: in a centre (maybe only some Bezirke), statewide (LaKI) or a partner's."""

    tenant_policy = TenantPolicy(roles=frozenset({Role.LEADERSHIP, Role.ADMINISTRATION}))

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("integration centre"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("partner organisation"),
    )
    case_areas = models.ManyToManyField(
        CaseArea,
        blank=True,
        related_name="memberships",
        verbose_name=_("limited to Bezirke"),
        help_text=_("Leave empty for the whole centre."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["centre__name", "role"]
        constraints = [
            models.CheckConstraint(
                name="membership_laki_is_statewide",
                condition=(Q(role=Role.LAKI) & Q(centre__isnull=True))
                | (~Q(role=Role.LAKI) & Q(centre__isnull=False)),
            ),
            models.CheckConstraint(
                name="membership_partner_has_organisation",
                condition=(Q(role=Role.PARTNER) & Q(organisation__isnull=False))
                | (~Q(role=Role.PARTNER) & Q(organisation__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "centre"], name="membership_unique_role_in_centre"
            ),
        ]

    def __str__(self) -> str:
        where = self.centre or _("statewide")
        return f"{self.get_role_display()} · {where}"

    def area_ids(self) -> list[int]:
        """Return the ids of the Bezirke this membership is limited to (empty: no limit)."""
        return [area.pk for area in self.case_areas.all()]
