"""Template tags of the placement: what the pupil's page shows about the school place."""

from __future__ import annotations

from typing import Any

from django import template

from teilhabe.schooling import placement
from teilhabe.schooling.models import Pupil

register = template.Library()


@register.simple_tag(takes_context=True)
def pupil_placement(context: template.Context, pupil: Pupil) -> dict[str, Any]:
    """Return the pupil's place, the open proposal for it, and the schools it may be placed at."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    data: dict[str, Any] = {"open_item": None, "fitting": [], "can_place": False}
    if pupil.school_id is not None:
        return data
    data["open_item"] = placement.open_item_of(pupil)
    if (
        user is not None
        and pupil.status in placement.PROPOSABLE
        and pupil.recommended_stage
        and user.has_perm("schooling.change_pupil", pupil)
    ):
        data["can_place"] = True
        data["fitting"] = placement.fitting_schools(pupil)
    return data
