"""The person in a case (Klient/in), their household, languages, residence and agencies."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from teilhabe.core.matching import NAME_KEY_LENGTH, name_key, normalise_name
from teilhabe.core.models import Centre, Municipality
from teilhabe.core.roles import Role
from teilhabe.core.tenancy import TenantPolicy, tenant_manager

#: Only case managers see person-level case data (DESIGN.md "Who uses it").
CASE_ROLES = frozenset({Role.CASE_MANAGER})


class LegalDomain(models.TextChoices):
    """Rechtskreise a person's support comes from."""

    SGB_II = "sgb2", _("SGB II (basic income support)")
    SGB_III = "sgb3", _("SGB III (employment promotion)")
    SGB_VIII = "sgb8", _("SGB VIII (child and youth welfare)")
    SGB_XII = "sgb12", _("SGB XII (social assistance)")
    ASYLBLG = "asylblg", _("AsylbLG (asylum seekers' benefits)")
    AUFENTHG = "aufenthg", _("AufenthG (residence law)")


class Household(models.Model):
    """People living together; members are persons with a relation to the household."""

    tenant_policy = TenantPolicy(roles=CASE_ROLES)

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="households")
    name = models.CharField(_("name"), max_length=200)
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A client of case management, or a member of a client's household."""

    tenant_policy = TenantPolicy(roles=CASE_ROLES)

    class Sex(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        DIVERSE = "diverse", _("diverse")
        UNSTATED = "unstated", _("not stated")

    class Relation(models.TextChoices):
        SELF = "self", _("reference person")
        PARTNER = "partner", _("partner or spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        SIBLING = "sibling", _("sibling")
        OTHER = "other", _("other relative")

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")
        MESSENGER = "messenger", _("messenger")
        LETTER = "letter", _("letter")
        IN_PERSON = "in_person", _("in person only")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="persons")
    last_name = models.CharField(_("last name"), max_length=120)
    first_name = models.CharField(_("first name"), max_length=120)
    #: The name as the person writes it (Arabic, Cyrillic …); last/first name are the Latin
    #: transliteration used in German documents.
    native_name = models.CharField(_("name in original script"), max_length=200, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex/gender"), max_length=10, choices=Sex.choices, blank=True)
    nationalities = CountryField(_("nationalities"), multiple=True, blank=True)
    is_stateless = models.BooleanField(_("stateless"), default=False)
    country_of_origin = CountryField(_("country of origin"), blank=True)
    arrival_date = models.DateField(_("arrival in Germany"), null=True, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Gemeinde"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_channel = models.CharField(
        _("preferred contact channel"), max_length=12, choices=Channel.choices, blank=True
    )
    legal_domains = models.JSONField(_("legal domains (Rechtskreise)"), default=list, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    relation = models.CharField(
        _("relation in the household"), max_length=10, choices=Relation.choices, blank=True
    )
    #: Lower-case "last first" without accents: what the duplicate check and search compare.
    search_name = models.CharField(max_length=250, editable=False, db_index=True)
    #: How the name sounds (``core.matching.name_key``): where the duplicate check looks.
    name_key = models.CharField(max_length=NAME_KEY_LENGTH, editable=False, default="")
    #: Set when this record was merged into another; it stays for the history.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    is_anonymised = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("last changed"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["centre", "birth_date"], name="person_centre_birth"),
            models.Index(fields=["centre", "name_key"], name="person_centre_name_key"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.fill_name_fields()
        super().save(*args, **kwargs)

    def fill_name_fields(self) -> None:
        """Set what the search and the duplicate check compare (``save()`` does it; call it
        before a ``bulk_create``)."""
        self.search_name = normalise_name(f"{self.last_name} {self.first_name}")
        self.name_key = name_key(self.search_name)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def legal_domain_labels(self) -> list[str]:
        labels = dict(LegalDomain.choices)
        return [str(labels.get(code, code)) for code in self.legal_domains]

    def current_residence(self) -> ResidenceStatus | None:
        """Return the residence status in force today (the newest if several)."""
        statuses = sorted(self.residence_statuses.all(), key=lambda s: s.valid_from, reverse=True)
        return statuses[0] if statuses else None


class PersonLanguage(models.Model):
    """A language a person speaks, with level and whether an interpreter is needed."""

    tenant_policy = TenantPolicy(centre_path="person__centre", roles=CASE_ROLES)

    class Level(models.TextChoices):
        NATIVE = "native", _("first language")
        FLUENT = "fluent", _("fluent (C1–C2)")
        GOOD = "good", _("good (B1–B2)")
        BASIC = "basic", _("basic (A1–A2)")
        NONE = "none", _("none")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)

    objects = tenant_manager("person__centre")

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.language} ({self.get_level_display()})"


class ResidenceStatus(models.Model):
    """A residence title or status of a person; earlier rows are the history."""

    tenant_policy = TenantPolicy(centre_path="person__centre", roles=CASE_ROLES)

    class Kind(models.TextChoices):
        ASYLUM_SEEKER = "asylum_seeker", _("permission to reside (Aufenthaltsgestattung)")
        TOLERATED = "tolerated", _("toleration (Duldung)")
        TEMPORARY_PROTECTION = "temporary_protection", _("temporary protection (§ 24 AufenthG)")
        RESIDENCE_PERMIT = "residence_permit", _("residence permit (Aufenthaltserlaubnis)")
        SETTLEMENT_PERMIT = "settlement_permit", _("settlement permit (Niederlassungserlaubnis)")
        EU_CITIZEN = "eu_citizen", _("EU freedom of movement")
        GERMAN = "german", _("German citizen")
        OTHER = "other", _("other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residence_statuses")
    kind = models.CharField(_("status"), max_length=24, choices=Kind.choices)
    legal_basis = models.CharField(
        _("legal basis"), max_length=80, blank=True, help_text=_("e.g. § 25 Abs. 2 AufenthG")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = tenant_manager("person__centre")

    class Meta:
        verbose_name = _("residence status")
        verbose_name_plural = _("residence statuses")
        ordering = ["-valid_from", "-pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class AgencyResponsibility(models.Model):
    """An agency currently (or formerly) responsible for the person, with its file reference."""

    tenant_policy = TenantPolicy(centre_path="person__centre", roles=CASE_ROLES)

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="agencies")
    agency = models.ForeignKey(
        "network.Actor", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    legal_domain = models.CharField(
        _("legal domain"), max_length=10, choices=LegalDomain.choices, blank=True
    )
    file_reference = models.CharField(_("file reference"), max_length=60, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    objects = tenant_manager("person__centre")

    class Meta:
        verbose_name = _("responsible agency")
        verbose_name_plural = _("responsible agencies")
        ordering = ["agency__name"]

    def __str__(self) -> str:
        return str(self.agency)

    @property
    def is_current(self) -> bool:
        return self.until is None or self.until >= timezone.localdate()
