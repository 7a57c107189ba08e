"""Template tags of the letters: what the pupil's page shows about letters to the parents."""

from __future__ import annotations

from typing import Any

from django import template

from teilhabe.schooling import letters
from teilhabe.schooling.models import LetterTemplate, Pupil

register = template.Library()


@register.simple_tag(takes_context=True)
def pupil_letters(context: template.Context, pupil: Pupil) -> dict[str, Any]:
    """Return the pupil's letters and, for staff who may write them, the languages to choose.

    The pupil itself was fetched through ``visible_to`` by the page.
    """
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    data: dict[str, Any] = {
        "letters": list(pupil.letters.select_related("by").order_by("-produced_on", "-pk")),
        "can_write": False,
    }
    if user is None or not user.has_perm("schooling.change_pupil", pupil):
        return data
    data["can_write"] = True
    for key, kind in (
        ("compulsory", LetterTemplate.Kind.COMPULSORY_SCHOOLING),
        ("placement", LetterTemplate.Kind.PLACEMENT),
    ):
        data[f"{key}_languages"] = [
            (code, letters.language_name(code))
            for code in letters.languages_for(pupil.centre, kind)
        ]
        data[f"{key}_default"] = letters.default_language(pupil, kind)
    data["is_placed"] = pupil.school_id is not None and pupil.status in {
        Pupil.Status.PLACED,
        Pupil.Status.STARTED,
    }
    return data
