"""Business rules of the core: staff memberships and Bezirke.

Functions take the acting user first and check the permission themselves, so a view, an API
endpoint and a management command all get the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import records_actor
from .models import CaseArea, Centre, Membership, Municipality, Organisation, User
from .roles import Role


def ensure_allowed(actor: User, perm: str, obj: object = None) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` has ``perm`` (on ``obj``)."""
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(perm)


@records_actor
@transaction.atomic
def add_member(
    actor: User,
    centre: Centre,
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    case_areas: Iterable[CaseArea] = (),
    organisation: Organisation | None = None,
) -> Membership:
    """Give a person a role in ``centre``, creating their account if they have none."""
    ensure_allowed(actor, "core.change_staff", InCentre(centre))
    if role == Role.LAKI:
        raise ValidationError(_("The LaKI role is statewide and cannot be given by a centre."))
    if role == Role.PARTNER and organisation is None:
        raise ValidationError(_("A partner membership needs the partner organisation."))
    if role != Role.PARTNER:
        organisation = None
    if organisation is not None and organisation.centre_id != centre.pk:
        raise ValidationError(_("The organisation does not work with this centre."))
    areas = list(case_areas)
    if any(area.centre_id != centre.pk for area in areas):
        raise ValidationError(_("A Bezirk of another centre cannot be assigned."))
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, first_name=first_name, last_name=last_name)
    membership = (
        Membership.objects.with_scopes_disabled()
        .filter(user=user, role=role, centre=centre)
        .first()
    )
    if membership is not None and membership.is_active:
        raise ValidationError(_("This person already has this role in the centre."))
    if membership is None:
        membership = Membership(user=user, role=role, centre=centre)
    # A role that was ended is given again on the same row, so its history stays in one place.
    membership.organisation = organisation
    membership.is_active = True
    membership.save()
    membership.case_areas.set(areas)
    return membership


@records_actor
@transaction.atomic
def end_membership(actor: User, membership: Membership) -> Membership:
    """End a membership: the person loses the role at once; its history stays."""
    ensure_allowed(actor, "core.change_staff", membership)
    if membership.user_id == actor.pk and membership.role == Role.ADMINISTRATION:
        raise ValidationError(_("You cannot end your own administration role."))
    membership.is_active = False
    membership.save()
    return membership


@records_actor
@transaction.atomic
def save_case_area(
    actor: User,
    centre: Centre,
    *,
    name: str,
    municipalities: Iterable[Municipality],
    description: str = "",
    case_area: CaseArea | None = None,
) -> CaseArea:
    """Create or change a Bezirk of ``centre``."""
    ensure_allowed(actor, "core.change_case_area", case_area or InCentre(centre))
    towns = list(municipalities)
    allowed = set(centre.municipalities().values_list("pk", flat=True))
    if any(town.pk not in allowed for town in towns):
        raise ValidationError(_("A Bezirk can only contain Gemeinden of the centre's district."))
    if case_area is None:
        case_area = CaseArea(centre=centre)
    case_area.name = name
    case_area.description = description
    case_area.full_clean()
    case_area.save()
    case_area.municipalities.set(towns)
    return case_area


class InCentre:
    """Stands for "something new in this centre" in an object permission check."""

    def __init__(self, centre: Centre) -> None:
        self.centre = centre
        self.centre_id = centre.pk
